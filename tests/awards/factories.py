import datetime as dt

import factory

from awards.models import DEFAULT_CATEGORIES, AwardCampaign, AwardCategory, Nomination


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AwardCampaign
        skip_postgeneration_save = True

    year = 2026
    title = factory.LazyAttribute(lambda o: f"{o.year}年度“两优一先”评选表彰")
    nomination_deadline = dt.date(2026, 11, 30)

    @factory.post_generation
    def categories(self, create, extracted, **kwargs):
        """Default: the seeds' three categories, 2/1/1 places per branch."""
        specs = (
            extracted
            if extracted is not None
            else [
                {"name": DEFAULT_CATEGORIES[0], "quota_per_branch": 2},
                {"name": DEFAULT_CATEGORIES[1], "quota_per_branch": 1},
                {"name": DEFAULT_CATEGORIES[2], "quota_per_branch": 1},
            ]
        )
        for index, spec in enumerate(specs):
            AwardCategory.objects.create(campaign=self, sort_order=index, **spec)


class NominationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Nomination

    campaign = factory.LazyAttribute(lambda o: o.category.campaign)
    branch = factory.LazyAttribute(lambda o: o.member.organization)
    deeds = "该同志立足岗位、任劳任怨，全年帮扶困难党员两户，带头参加志愿服务二十余次，群众评价很高。"
    meeting_date = dt.date(2026, 11, 10)
    attendees = 20
    votes_for = 18
    votes_against = 1
    votes_abstain = 1
