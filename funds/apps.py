from django.apps import AppConfig


class FundsConfig(AppConfig):
    name = "funds"
    verbose_name = "关怀基金与帮扶申请"

    def ready(self) -> None:
        from core import audit
        from core.registry import (
            NavItem,
            register_home_panel,
            register_member_section,
            register_nav,
            register_seed_step,
        )
        from funds import jobs, panels, permissions, seed  # noqa: F401 - jobs register themselves

        register_nav(NavItem("帮扶申请", "funds:applications", "bi-clipboard-heart", lambda u: u.is_authenticated,
                             order=40))
        register_nav(NavItem("关怀基金", "funds:index", "bi-wallet2", lambda u: u.is_authenticated, order=41))
        register_nav(NavItem("公示栏", "funds:notices", "bi-megaphone", lambda u: u.is_authenticated, order=42))
        from core.calendars import schedule_changed
        from funds.services import recompute_notices

        schedule_changed.connect(recompute_notices, dispatch_uid="funds.recompute_notices")
        register_home_panel(panels.todo_panel, order=30)
        register_member_section(panels.member_section, order=30)
        register_seed_step("funds", seed.seed_funds, order=30)
        audit.register(self.get_model("Fund"))
        audit.register(self.get_model("AssistanceApplication"), exclude=["status_changed_at"])
        audit.register(self.get_model("Objection"))
        audit.register(self.get_model("FundEntry"))
        audit.register(self.get_model("ApplicationEvent"))
        audit.register(self.get_model("CommitteeDecision"))
        audit.register(self.get_model("AmountBound"))
        audit.register(self.get_model("FundTarget"))
        audit.register(self.get_model("PartnerUnit"))
