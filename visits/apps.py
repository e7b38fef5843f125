from django.apps import AppConfig


class VisitsConfig(AppConfig):
    name = "visits"
    verbose_name = "走访慰问与谈心谈话"

    def ready(self) -> None:
        from django.apps import apps

        from core import audit, cache
        from core.registry import (
            NavItem,
            register_home_panel,
            register_member_section,
            register_nav,
            register_seed_step,
        )
        from visits import jobs, panels, permissions, seed, selectors  # noqa: F401 - jobs registers the daily jobs

        # One entry; the visits pages share a tab bar (走访慰问 / 谈心谈话 / 节日走访计划 / 关怀覆盖).
        register_nav(NavItem("走访谈心", "visits:list", "bi-house-heart", permissions.is_care_manager, order=30))
        register_home_panel(panels.home_panel, order=20)
        register_member_section(panels.member_section, order=20)
        register_seed_step("visits", seed.seed_visits, order=20)
        cache.watch(selectors.CACHE, (apps.get_model(label) for label in selectors.CACHE_WATCHES))
        audit.register(self.get_model("Visit"), m2m={"visitors"})
        audit.register(self.get_model("Talk"), m2m={"participants", "interviewers"})
        audit.register(self.get_model("VisitPlanItem"), m2m={"visitors"})
