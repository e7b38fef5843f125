from django.apps import AppConfig


class HardshipConfig(AppConfig):
    name = "hardship"
    verbose_name = "困难党员台帐与结对帮扶"

    def ready(self) -> None:
        from django.apps import apps

        from core import audit, cache
        from hardship import jobs, selectors  # noqa: F401 - the daily jobs register themselves

        audit.register(
            self.get_model("HardshipRecord"), exclude=["updated_at", "created_at"], m2m={"categories", "needs"}
        )
        audit.register(self.get_model("FamilyMember"))
        audit.register(self.get_model("Pairing"), exclude=["updated_at", "created_at"], m2m={"help_types"})
        audit.register(self.get_model("PairingProgress"))
        audit.register(self.get_model("HardshipReview"))
        cache.watch(selectors.COVERAGE_CACHE, (apps.get_model(label) for label in selectors.COVERAGE_WATCHES))
