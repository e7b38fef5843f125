from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "统计报表"

    def ready(self) -> None:
        from django.apps import apps

        from core.registry import NavItem, register_home_panel, register_nav
        from reports import cache, jobs, panels  # noqa: F401 - jobs registers the daily job
        from reports.domains import register_all
        from reports.scope import can_view_reports

        register_nav(NavItem("统计报表", "reports:dashboard", "bi-bar-chart", can_view_reports, order=90))
        register_all()
        register_home_panel(panels.headline_panel, order=80)
        cache.watch(apps.get_model(label) for label in (
            "members.Member", "members.Organization", "hardship.HardshipRecord", "hardship.Pairing",
            "visits.Visit", "visits.Talk", "visits.VisitPlan", "visits.VisitPlanItem", "funds.FundEntry",
            "funds.AssistanceApplication", "awards.AwardCampaign", "awards.Nomination",
        ))
