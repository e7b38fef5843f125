from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = "党员与组织"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from core import audit, cache
        from members.middleware import remember_second_factor

        user_logged_in.connect(remember_second_factor, dispatch_uid="members.remember_second_factor")
        from core.registry import NavItem, register_home_panel, register_nav, register_seed_step
        from members import panels, permissions, seed, selectors
        from members.audit_views import can_view_audit

        register_nav(NavItem("党员名册", "members:list", "bi-people", permissions.can_view_roster, order=10))
        register_nav(NavItem("节假日安排", "calendar:index", "bi-calendar3", permissions.can_manage_calendar, order=90))
        register_nav(NavItem("操作日志", "audit_log", "bi-journal-text", can_view_audit, order=95))
        register_home_panel(panels.calendar_panel, order=5)
        register_home_panel(panels.roster_panel, order=10)
        cache.watch(selectors.HOME_CACHE, (self.apps.get_model(label) for label in selectors.HOME_WATCHES))
        register_seed_step("members", seed.seed_members, order=0)
        audit.register(self.get_model("Member"), exclude=["updated_at"])
        audit.register(self.get_model("Appointment"))
