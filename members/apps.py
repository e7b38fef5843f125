from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = "党员与组织"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from core import audit, cache
        from members import scoping, selectors
        from members.middleware import remember_second_factor

        user_logged_in.connect(remember_second_factor, dispatch_uid="members.remember_second_factor")
        cache.watch(selectors.HOME_CACHE, (self.apps.get_model(label) for label in selectors.HOME_WATCHES))
        cache.watch(scoping.TREE_CACHE, (self.apps.get_model(label) for label in scoping.TREE_WATCHES))
        audit.register(self.get_model("Member"), exclude=["updated_at"])
        audit.register(self.get_model("Appointment"))
