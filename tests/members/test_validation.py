import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from members.models import Member
from members.validators import id_check_digit, validate_id_number, validate_phone
from tests.factories import MemberFactory, make_id_number


def with_check(first17: str) -> str:
    return first17 + id_check_digit(first17)


class TestIdNumber:
    def test_published_example_passes(self):
        # GB 11643 example number: 11010519491231002X
        validate_id_number("11010519491231002X")

    def test_lowercase_x_and_full_width_digits_are_accepted(self):
        validate_id_number("11010519491231002x")
        validate_id_number("１１０１０５１９４９１２３１００２Ｘ")

    @pytest.mark.parametrize(
        ("value", "message"),
        [
            ("110105194912310021", "校验位"),
            ("11010519491231002", "18位"),
            ("1101051949123100AX", "18位"),
            (with_check("11010519491331002"), "出生日期"),
        ],
    )
    def test_bad_numbers_are_refused_with_a_reason(self, value, message):
        with pytest.raises(ValidationError) as exc:
            validate_id_number(value)
        assert message in exc.value.messages[0]


def test_phone_accepts_mobile_and_landline_and_refuses_garbage():
    validate_phone("13812345678")
    validate_phone("0816-2234567")
    with pytest.raises(ValidationError, match="11位手机号"):
        validate_phone("12345")


@pytest.mark.django_db
class TestMemberRules:
    def build(self, **fields):
        return MemberFactory.build(organization=MemberFactory().organization, **fields)

    def errors_of(self, member) -> dict:
        with pytest.raises(ValidationError) as exc:
            member.full_clean()
        return exc.value.message_dict

    def test_a_valid_member_passes(self):
        self.build().full_clean()

    def test_join_date_before_18th_birthday_is_refused(self):
        member = self.build(birth_date=dt.date(1980, 3, 10), join_date=dt.date(1998, 3, 9), full_member_date=None)
        member.id_number = make_id_number(member.birth_date)
        assert "年满18周岁" in self.errors_of(member)["join_date"][0]

    def test_join_date_on_18th_birthday_is_allowed(self):
        member = self.build(birth_date=dt.date(1980, 3, 10), join_date=dt.date(1998, 3, 10), full_member_date=None)
        member.id_number = make_id_number(member.birth_date)
        member.full_clean()

    def test_join_date_in_the_future_is_refused(self):
        member = self.build(join_date=dt.date.today() + dt.timedelta(days=1), full_member_date=None)
        assert "晚于今天" in self.errors_of(member)["join_date"][0]

    def test_full_member_date_must_follow_join_date(self):
        member = self.build(join_date=dt.date(2000, 7, 1), full_member_date=dt.date(2000, 6, 30))
        assert "晚于入党日期" in self.errors_of(member)["full_member_date"][0]

    def test_birth_date_must_match_the_id_number(self):
        member = self.build()
        member.birth_date = dt.date(1971, 5, 1)
        assert "与身份证号不一致" in self.errors_of(member)["birth_date"][0]

    def test_gender_must_match_the_id_number(self):
        member = self.build()
        member.gender = "F"
        assert "性别与身份证号不一致" in self.errors_of(member)["gender"][0]

    def test_id_number_is_unique(self):
        existing = MemberFactory()
        member = self.build(id_number=existing.id_number)
        assert "已存在" in self.errors_of(member)["id_number"][0]

    def test_probationary_member_cannot_have_a_full_member_date(self):
        member = self.build(party_status=Member.PartyStatus.PROBATIONARY)
        assert "正式党员" in self.errors_of(member)["party_status"][0]

    def test_members_belong_to_branches_not_committees(self, unit):
        member = self.build()
        member.organization = unit.committee
        assert "党支部" in self.errors_of(member)["organization"][0]

    def test_lower_case_x_is_stored_upper_case(self):
        number = "11010519491231002X"
        member = self.build(
            id_number=number.lower(),
            birth_date=dt.date(1949, 12, 31),
            gender="F",
            join_date=dt.date(1970, 1, 1),
            full_member_date=dt.date(1971, 1, 1),
        )
        member.full_clean()
        assert member.id_number == number


def test_29_february_birthday_reaches_18_on_28_february():
    from members.validators import add_years

    assert add_years(dt.date(2004, 2, 29), 18) == dt.date(2022, 2, 28)
