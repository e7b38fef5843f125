from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "surveys"
    verbose_name = "主题教育全面排查"

    def ready(self) -> None:
        from core import audit
        from surveys import jobs  # noqa: F401 - the daily jobs register themselves

        audit.register(self.get_model("SurveyPeriod"))
        audit.register(self.get_model("BranchSurvey"))
        audit.register(self.get_model("Checklist"), m2m={"categories"})
