from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "统计报表"

    def ready(self) -> None:
        from django.apps import apps

        from reports import cache, jobs  # noqa: F401 - jobs registers the daily job
        from visits.selectors import BY_ORGANIZATION

        roster = [apps.get_model("members.Member"), apps.get_model("members.Organization")]
        others = [
            apps.get_model(label)
            for label in (
                "hardship.HardshipRecord",
                "hardship.Pairing",
                "visits.VisitPlan",
                "funds.FundEntry",
                "funds.AssistanceApplication",
                "awards.AwardCampaign",
                "awards.Nomination",
            )
        ]
        cache.watch_parts(
            {apps.get_model(label): BY_ORGANIZATION[label] for label in BY_ORGANIZATION},
            roster,
            others,
            plans=[apps.get_model("visits.VisitPlan")],
        )
        from reports.contents import READ_BY_EVERY_SECTION, SECTIONS

        cache.watch_sections(
            SECTIONS, lambda spec: [apps.get_model(label) for label in (*READ_BY_EVERY_SECTION, *spec.reads)]
        )
