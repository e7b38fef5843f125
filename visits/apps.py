from django.apps import AppConfig


class VisitsConfig(AppConfig):
    name = "visits"
    verbose_name = "走访慰问与谈心谈话"

    def ready(self) -> None:
        from django.apps import apps

        from core import audit, cache
        from visits import jobs, selectors  # noqa: F401 - the daily jobs register themselves

        cache.watch_by_organization(
            selectors.CACHE,
            {apps.get_model(label): selectors.BY_ORGANIZATION[label] for label in ("visits.Talk", "visits.Visit")},
            everything=[apps.get_model(label) for label in selectors.CACHE_WATCHES],
        )
        cache.watch_by_organization(
            selectors.DUE_CACHE,
            {apps.get_model("visits.Talk"): selectors.BY_ORGANIZATION["visits.Talk"]},
            everything=[apps.get_model(label) for label in selectors.CACHE_WATCHES],
        )
        cache.watch(selectors.OUTLINE_CACHE, [apps.get_model(label) for label in selectors.OUTLINE_WATCHES])
        audit.register(self.get_model("Visit"), m2m={"visitors"})
        audit.register(self.get_model("Talk"), m2m={"participants", "interviewers"})
        audit.register(self.get_model("VisitPlanItem"), m2m={"visitors"})
