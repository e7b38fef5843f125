import datetime as dt

import factory

from tests.factories import MemberFactory
from visits import services
from visits.models import Occasion, Talk, Visit, VisitPlan


class VisitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Visit
        skip_postgeneration_save = True

    member = factory.SubFactory(MemberFactory)
    visited_on = factory.LazyFunction(lambda: dt.date.today() - dt.timedelta(days=10))
    occasion = Occasion.ROUTINE
    notes = "身体尚好"
    # Money names its source (a constraint): a budget other than the care fund unless a test says otherwise.
    money_source = factory.LazyAttribute(lambda o: "other" if getattr(o, "amount", None) else "")
    money_source_note = factory.LazyAttribute(lambda o: "单位工会慰问经费" if o.money_source == "other" else "")

    @factory.post_generation
    def visitors(self, create, extracted, **kwargs):
        if create and extracted:
            self.visitors.set(extracted)


class TalkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Talk

    talked_on = factory.LazyFunction(lambda: dt.date.today() - dt.timedelta(days=30))
    reason = Talk.Reason.ANNUAL
    summary = "交流了思想和工作情况"


def make_talk(participants, interviewers=(), **fields) -> Talk:
    """A talk with its participants (the first one's branch) and interviewers."""
    participants = list(participants)
    fields.setdefault("organization", participants[0].organization)
    if len(participants) > 1:
        fields.setdefault("kind", Talk.Kind.COLLECTIVE)
    talk = TalkFactory(**fields)
    talk.participants.set(participants)
    talk.interviewers.set(list(interviewers))
    return talk


def open_plan(*, branch, occasion, year, holiday, day) -> VisitPlan:
    """The branch's holiday plan as the daily job opens it, through the service."""
    services.open_holiday_plans(branches=[branch], occasion=occasion, year=year, holiday=holiday, day=day)
    return VisitPlan.objects.get(organization=branch, occasion=occasion, year=year)
