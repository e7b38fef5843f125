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
        care = {apps.get_model(label): BY_ORGANIZATION[label] for label in BY_ORGANIZATION}
        cache.watch_parts(care, roster, others)
        from reports.contents import READ_BY_EVERY_SECTION, SECTION_PARTS, SECTIONS

        for name, reads in SECTION_PARTS.items():
            cache.watch_section_parts(name, care, [*roster, *(apps.get_model(label) for label in reads)])

        cache.watch_sections(
            SECTIONS, lambda spec: [apps.get_model(label) for label in (*READ_BY_EVERY_SECTION, *spec.reads)]
        )
