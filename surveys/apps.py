from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "surveys"
    verbose_name = "主题教育全面排查"

    def ready(self) -> None:
        from django.apps import apps

        from core import audit, cache
        from surveys import jobs, selectors  # noqa: F401 - the daily jobs register themselves

        cache.watch(selectors.TOTALS_CACHE, (apps.get_model(label) for label in selectors.TOTALS_WATCHES))

        audit.register(self.get_model("SurveyPeriod"))
        audit.register(self.get_model("BranchSurvey"))
        audit.register(self.get_model("Checklist"), m2m={"categories"})
