from django.apps import AppConfig


class AwardsConfig(AppConfig):
    name = "awards"
    verbose_name = "表彰奖励"

    def ready(self) -> None:
        from django.apps import apps

        from awards import jobs, selectors  # noqa: F401 - the daily jobs register themselves
        from awards.services import recompute_notices
        from core import audit, cache
        from core.calendars import schedule_changed

        schedule_changed.connect(recompute_notices, dispatch_uid="awards.recompute_notices")
        cache.watch(selectors.HOME_CACHE, (apps.get_model(label) for label in selectors.HOME_WATCHES))
        audit.register(self.get_model("AwardCampaign"))
        audit.register(self.get_model("AwardCategory"))
        audit.register(self.get_model("Nomination"))
        audit.register(self.get_model("Objection"))
