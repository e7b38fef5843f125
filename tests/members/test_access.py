"""The permission matrix: who can list, open, create and edit which members."""

import pytest
from django.urls import reverse

from members.models import Member

pytestmark = pytest.mark.django_db


def names_listed(response) -> set[str]:
    return {m.name for m in response.context["members"]}


@pytest.mark.parametrize(
    ("username", "expected"),
    [
        ("shuji1", {"李书记", "王支委", "张党员", "刘一"}),
        ("zhiwei1", {"李书记", "王支委", "张党员", "刘一"}),
        ("shuji2", {"赵书记", "陈二"}),
        ("zzb", {"李书记", "王支委", "张党员", "刘一", "赵书记", "陈二", "孙三"}),
        ("admin", {"李书记", "王支委", "张党员", "刘一", "赵书记", "陈二", "孙三"}),
    ],
)
def test_roster_lists_exactly_the_scope(unit, login, username, expected):
    response = login(getattr(unit, username)).get(reverse("members:list"), {"page_size": 200})
    assert response.status_code == 200
    assert names_listed(response) == expected


@pytest.mark.parametrize("username", ["dangyuan1", "jijin"])
def test_roster_is_closed_to_members_and_fund_officers(unit, login, username):
    response = login(getattr(unit, username)).get(reverse("members:list"))
    assert response.status_code == 403
    assert "刘一" not in response.content.decode()


def test_anonymous_is_sent_to_login(client, unit):
    for url in [reverse("members:list"), reverse("members:detail", args=[unit.member1.pk]), reverse("me"), "/"]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_secretary_of_branch_2_cannot_open_branch_1_member(unit, login):
    client = login(unit.shuji2)
    response = client.get(reverse("members:detail", args=[unit.member1.pk]))
    assert response.status_code == 404
    assert unit.member1.id_number not in response.content.decode()
    assert client.get(reverse("members:edit", args=[unit.member1.pk])).status_code == 404


def test_member_can_open_own_record_but_not_someone_elses(unit, login):
    client = login(unit.dangyuan1)
    own = Member.objects.get(user=unit.dangyuan1)
    assert client.get(reverse("members:detail", args=[own.pk])).status_code == 200
    assert client.get(reverse("members:detail", args=[unit.member1.pk])).status_code == 404


def test_org_department_opens_members_of_nested_branches(unit, login):
    response = login(unit.zzb).get(reverse("members:detail", args=[unit.member3.pk]))
    assert response.status_code == 200
    assert unit.member3.id_number in response.content.decode()


def test_committee_member_sees_id_numbers_masked(unit, login):
    response = login(unit.zhiwei1).get(reverse("members:detail", args=[unit.member1.pk]))
    body = response.content.decode()
    assert unit.member1.id_number not in body
    assert unit.member1.masked_id_number in body
    listing = login(unit.zhiwei1).get(reverse("members:list")).content.decode()
    assert unit.member1.id_number not in listing


def test_secretary_sees_full_id_numbers(unit, login):
    body = login(unit.shuji1).get(reverse("members:list")).content.decode()
    assert unit.member1.id_number in body


def member_post_data(member, **changes):
    data = {
        "organization": member.organization_id,
        "name": member.name,
        "gender": member.gender,
        "birth_date": member.birth_date.isoformat(),
        "id_number": member.id_number,
        "phone": member.phone,
        "address": "",
        "join_date": member.join_date.isoformat(),
        "full_member_date": member.full_member_date.isoformat() if member.full_member_date else "",
        "party_status": member.party_status,
        "employment": member.employment,
        "work_capacity": member.work_capacity,
        "health": "",
    }
    data.update(changes)
    return data


def test_secretary_edits_own_branch_member(unit, login):
    client = login(unit.shuji1)
    response = client.post(
        reverse("members:edit", args=[unit.member1.pk]), member_post_data(unit.member1, phone="13900001111")
    )
    assert response.status_code == 302
    unit.member1.refresh_from_db()
    assert unit.member1.phone == "13900001111"


def test_secretary_cannot_move_a_member_into_another_branch(unit, login):
    client = login(unit.shuji1)
    response = client.post(
        reverse("members:edit", args=[unit.member1.pk]), member_post_data(unit.member1, organization=unit.branch2.pk)
    )
    assert response.status_code == 200
    assert "选择一个有效的选项" in response.content.decode()
    unit.member1.refresh_from_db()
    assert unit.member1.organization == unit.branch1


def test_secretary_cannot_edit_another_branch_by_posting_its_id(unit, login):
    response = login(unit.shuji1).post(
        reverse("members:edit", args=[unit.member2.pk]), member_post_data(unit.member2, phone="13900001111")
    )
    assert response.status_code == 404
    unit.member2.refresh_from_db()
    assert unit.member2.phone == "13812345678"


def test_member_cannot_create_or_edit(unit, login):
    client = login(unit.dangyuan1)
    assert client.get(reverse("members:create")).status_code == 403
    own = Member.objects.get(user=unit.dangyuan1)
    response = client.post(reverse("members:edit", args=[own.pk]), member_post_data(own, phone="13900001111"))
    assert response.status_code == 403


def test_secretary_creates_a_member_in_own_branch_only(unit, login):
    import datetime as dt

    from tests.factories import make_id_number

    client = login(unit.shuji1)
    data = {
        "organization": unit.branch1.pk,
        "name": "新党员",
        "gender": "F",
        "birth_date": "1990-01-02",
        "id_number": make_id_number(dt.date(1990, 1, 2), "F"),
        "phone": "13700000000",
        "join_date": "2015-07-01",
        "full_member_date": "2016-07-01",
        "party_status": "full",
        "employment": "employed",
        "work_capacity": "normal",
    }
    assert client.post(reverse("members:create"), data).status_code == 302
    assert Member.objects.get(name="新党员").organization == unit.branch1
    data.update(name="越权党员", organization=unit.branch2.pk, id_number=make_id_number(dt.date(1990, 1, 2), "F"))
    response = client.post(reverse("members:create"), data)
    assert response.status_code == 200
    assert not Member.objects.filter(name="越权党员").exists()


def test_create_form_shows_chinese_errors_and_saves_nothing(unit, login):
    client = login(unit.shuji1)
    response = client.post(
        reverse("members:create"),
        {
            "organization": unit.branch1.pk,
            "name": "错号",
            "gender": "M",
            "birth_date": "1990-01-02",
            "id_number": "110105199001020011",
            "join_date": "2015-07-01",
            "party_status": "full",
            "employment": "employed",
            "work_capacity": "normal",
        },
    )
    assert response.status_code == 200
    assert "身份证号校验位不正确" in response.content.decode()
    assert not Member.objects.filter(name="错号").exists()


def test_branch_dropdown_lists_only_own_branches(unit, login):
    body = login(unit.shuji1).get(reverse("members:create")).content.decode()
    assert "第一党支部" in body
    assert "第二党支部" not in body


def test_me_page_shows_own_record(unit, login):
    response = login(unit.dangyuan1).get(reverse("me"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "张党员" in body
    assert Member.objects.get(user=unit.dangyuan1).id_number in body


def test_me_page_without_member_record_explains(unit, login):
    response = login(unit.zzb).get(reverse("me"))
    assert "没有关联党员档案" in response.content.decode()
