from django.apps import AppConfig


class HardshipConfig(AppConfig):
    name = "hardship"
    verbose_name = "困难党员台帐与结对帮扶"

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
        from hardship import jobs, panels, permissions, seed, selectors  # noqa: F401 - jobs register themselves

        register_nav(NavItem("困难帮扶", "hardship:list", "bi-house-heart", permissions.can_view_ledger, order=20))
        register_home_panel(panels.coverage_panel, order=20)
        register_member_section(panels.member_section, order=20)
        register_seed_step("hardship", seed.seed_hardship, order=10)
        audit.register(self.get_model("HardshipRecord"), exclude=["updated_at", "created_at"],
                       m2m={"categories", "needs"})
        audit.register(self.get_model("FamilyMember"))
        audit.register(self.get_model("Pairing"), exclude=["updated_at", "created_at"], m2m={"help_types"})
        audit.register(self.get_model("PairingProgress"))
        audit.register(self.get_model("HardshipReview"))
        cache.watch(selectors.COVERAGE_CACHE, (apps.get_model(label) for label in selectors.COVERAGE_WATCHES))
