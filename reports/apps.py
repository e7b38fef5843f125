from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "统计报表"

    def ready(self) -> None:
        from core.registry import NavItem, register_nav
        from reports.scope import can_view_reports

        register_nav(NavItem("统计报表", "reports:dashboard", "bi-bar-chart", can_view_reports, order=90))
