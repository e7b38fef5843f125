from django.apps import AppConfig


class FilingsConfig(AppConfig):
    name = "filings"
    verbose_name = "上级报送"

    def ready(self) -> None:
        from core import audit
        from filings import jobs  # noqa: F401 - the daily job registers itself

        audit.register(self.get_model("Filing"))
        audit.register(self.get_model("FilingDeadline"))
