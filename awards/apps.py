from django.apps import AppConfig


class AwardsConfig(AppConfig):
    name = "awards"
    verbose_name = "表彰奖励"

    def ready(self) -> None:
        from awards import jobs, panels, permissions, seed  # noqa: F401 - jobs registers itself
        from awards.services import recompute_notices
        from core import audit
        from core.calendars import schedule_changed
        from core.registry import (
            NavItem,
            register_home_panel,
            register_member_section,
            register_nav,
            register_seed_step,
        )

        schedule_changed.connect(recompute_notices, dispatch_uid="awards.recompute_notices")
        register_nav(NavItem("表彰奖励", "awards:list", "bi-award", _sees_awards, order=60))
        register_home_panel(panels.home_panel, order=40)
        register_member_section(panels.honours_section, order=60)
        register_seed_step("awards", seed.seed_awards, order=40)
        audit.register(self.get_model("AwardCampaign"))
        audit.register(self.get_model("AwardCategory"))
        audit.register(self.get_model("Nomination"))
        audit.register(self.get_model("Objection"))


def _sees_awards(user) -> bool:
    return user.is_authenticated
