from django.apps import AppConfig


class FilingsConfig(AppConfig):
    name = "filings"
    verbose_name = "上级报送"

    def ready(self) -> None:
        from django.apps import apps

        from core import audit, cache
        from filings import jobs, selectors  # noqa: F401 - the daily job registers itself

        cache.watch(selectors.TALLY_CACHE, (apps.get_model(label) for label in selectors.TALLY_WATCHES))

        audit.register(self.get_model("Filing"))
        audit.register(self.get_model("FilingDeadline"))
