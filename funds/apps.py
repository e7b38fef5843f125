from django.apps import AppConfig


class FundsConfig(AppConfig):
    name = "funds"
    verbose_name = "关怀基金与帮扶申请"

    def ready(self) -> None:
        from django.apps import apps

        from core import audit, cache
        from core.calendars import schedule_changed
        from funds import jobs, selectors  # noqa: F401 - the daily jobs register themselves
        from funds.services import recompute_notices

        cache.watch(selectors.TODO_CACHE, (apps.get_model(label) for label in selectors.TODO_WATCHES))
        schedule_changed.connect(recompute_notices, dispatch_uid="funds.recompute_notices")
        audit.register(self.get_model("Fund"))
        audit.register(self.get_model("AssistanceApplication"), exclude=["status_changed_at"])
        audit.register(self.get_model("Objection"))
        audit.register(self.get_model("FundEntry"))
        audit.register(self.get_model("ApplicationEvent"))
        audit.register(self.get_model("CommitteeDecision"))
        audit.register(self.get_model("AmountBound"))
        audit.register(self.get_model("FundTarget"))
        audit.register(self.get_model("PartnerUnit"))
