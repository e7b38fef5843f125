"""factory_boy factories. Members get 身份证号 consistent with their birth date and gender."""

import datetime as dt
import itertools

import factory
from django.contrib.auth.hashers import make_password

from members.models import Appointment, Member, Organization, Role, User
from members.validators import id_check_digit

PASSWORD = "demo12345"
_sequence = itertools.count(1)


def make_id_number(birth: dt.date, gender: str = "M") -> str:
    n = next(_sequence)
    gender_digit = (n % 5) * 2 + (1 if gender == "M" else 0)
    first17 = f"5107{n // 100 % 100:02d}{birth:%Y%m%d}{n % 100:02d}{gender_digit}"
    return first17 + id_check_digit(first17)


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"第{n}党支部")
    kind = Organization.Kind.BRANCH


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.com")
    password = factory.LazyFunction(lambda: make_password(PASSWORD))


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Member

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: "党员" + "".join("零一二三四五六七八九"[int(d)] for d in str(n)))
    gender = "M"
    birth_date = dt.date(1970, 5, 1)
    id_number = factory.LazyAttribute(lambda o: make_id_number(o.birth_date, o.gender))
    phone = "13812345678"
    join_date = dt.date(1995, 7, 1)
    full_member_date = dt.date(1996, 7, 1)


class AppointmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Appointment

    user = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(OrganizationFactory)
    role = Role.SECRETARY
