import datetime as dt
from decimal import Decimal

import factory

from hardship.models import FamilyMember, HardshipCategory, HardshipRecord, HelpType, Pairing, PairingProgress
from tests.factories import MemberFactory


class RecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HardshipRecord
        skip_postgeneration_save = True

    member = factory.SubFactory(MemberFactory)
    level = HardshipRecord.Level.GENERAL
    household_size = 3
    annual_household_income = Decimal("18000.00")
    causes = "老伴长期患病"
    main_difficulties = "医药费负担重"
    registered_on = factory.LazyFunction(lambda: dt.date.today() - dt.timedelta(days=60))
    last_reviewed_on = factory.LazyAttribute(lambda o: o.registered_on)
    consent_on = factory.LazyAttribute(lambda o: o.registered_on)
    consent_method = HardshipRecord.ConsentMethod.WRITTEN

    @factory.post_generation
    def categories(self, create, extracted, **kwargs):
        if create:
            self.categories.set(extracted or [HardshipCategory.objects.get(code="illness")])


class FamilyMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FamilyMember

    record = factory.SubFactory(RecordFactory)
    name = "王桂兰"
    relation = "配偶"
    age = 66
    health = "糖尿病"
    annual_income = Decimal("3000.00")


class PairingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Pairing
        skip_postgeneration_save = True

    helper = factory.SubFactory(MemberFactory, organization=factory.SelfAttribute("..record.member.organization"))
    record = factory.SubFactory(RecordFactory)
    started_on = factory.LazyAttribute(lambda o: o.record.registered_on)
    goals = "稳定基本生活"

    @factory.post_generation
    def help_types(self, create, extracted, **kwargs):
        if create:
            self.help_types.set(extracted or [HelpType.objects.get(code="living")])


class ProgressFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PairingProgress

    pairing = factory.SubFactory(PairingFactory)
    date = factory.LazyFunction(dt.date.today)
    help_type = factory.LazyFunction(lambda: HelpType.objects.get(code="living"))
    description = "送去米和油"
    money = Decimal("0")
    # Money names its source (a constraint): here the helper's own pocket unless a test says otherwise.
    money_source = factory.LazyAttribute(lambda o: "other" if o.money else "")
    money_source_note = factory.LazyAttribute(lambda o: "帮扶人个人资助" if o.money_source == "other" else "")
