import datetime as dt

import pytest
from django.urls import reverse

from members.models import Member
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


def listed(client, **params) -> list[str]:
    response = client.get(reverse("members:list"), params)
    assert response.status_code == 200
    return [m.name for m in response.context["members"]]


def test_search_by_name_id_tail_and_phone(unit, login):
    client = login(unit.zzb)
    target = MemberFactory(organization=unit.branch2, name="欧阳修", phone="13611112222")
    assert listed(client, q="欧阳") == ["欧阳修"]
    assert "欧阳修" in listed(client, q=target.id_number[-4:])
    assert listed(client, q="1111222") == ["欧阳修"]


def test_search_cannot_reach_outside_scope(unit, login):
    MemberFactory(organization=unit.branch2, name="欧阳修")
    assert listed(login(unit.shuji1), q="欧阳") == []


def test_filters_by_branch_state_and_flags(unit, login):
    client = login(unit.zzb)
    MemberFactory(
        organization=unit.branch2,
        name="老张",
        birth_date=dt.date(1935, 1, 1),
        join_date=dt.date(1960, 1, 1),
        full_member_date=dt.date(1961, 1, 1),
        is_retired_cadre=True,
    )
    MemberFactory(organization=unit.branch2, name="故去者", deceased_on=dt.date(2024, 1, 1))
    assert set(listed(client, organization=unit.branch2.pk)) == {"赵书记", "陈二", "老张", "故去者"}
    assert "故去者" not in listed(client, organization=unit.branch2.pk, state="active")
    assert listed(client, state="deceased") == ["故去者"]
    assert listed(client, flag="old_member") == ["老张"]
    assert listed(client, flag="retired_cadre") == ["老张"]


def test_branch_filter_refuses_a_branch_outside_scope(unit, login):
    response = login(unit.shuji1).get(reverse("members:list"), {"organization": unit.branch2.pk})
    assert [m.name for m in response.context["members"]] == []  # invalid choice filters nothing in


def test_page_size_is_bounded(unit, login):
    MemberFactory.create_batch(30, organization=unit.branch1)
    client = login(unit.shuji1)
    assert len(listed(client, page_size=5)) == 5
    assert len(listed(client, page_size=10000)) == 34  # capped at 200, all 34 fit
    assert len(listed(client, page_size="abc")) == 20
    assert len(listed(client, page=999)) == 14  # past the end: the last page


def test_roster_query_count_does_not_grow_with_page_size(unit, login, django_assert_max_num_queries):
    MemberFactory.create_batch(60, organization=unit.branch1)
    client = login(unit.zzb)
    client.get("/")  # the session's first request also notes whether the user has a second factor
    with django_assert_max_num_queries(10) as small:
        client.get(reverse("members:list"), {"page_size": 5})
    with django_assert_max_num_queries(10) as large:
        client.get(reverse("members:list"), {"page_size": 200})
    assert len(large.captured_queries) == len(small.captured_queries)


def test_deceased_member_is_shown_as_such(unit, login):
    Member.objects.filter(pk=unit.member1.pk).update(deceased_on=dt.date(2025, 3, 1))
    body = login(unit.shuji1).get(reverse("members:detail", args=[unit.member1.pk])).content.decode()
    assert "已故" in body


def test_member_search_json_is_scoped(unit, login):
    data = login(unit.shuji1).get(reverse("members:search"), {"q": "陈"}).json()
    assert data["results"] == []
    data = login(unit.zzb).get(reverse("members:search"), {"q": "陈"}).json()
    assert [r["text"] for r in data["results"]] == ["陈二（第二党支部）"]


def _options(client, url, **params) -> list[str]:
    import re

    body = client.get(url, params).content.decode()
    select = re.search(r'<select name="(?:organization|branch)".*?</select>', body, re.S).group(0)
    return [label.strip() for label in re.findall(r"<option [^>]*>([^<]*)</option>", select)]


@pytest.mark.parametrize("url", ["/members/", "/visits/", "/visits/talks/", "/hardship/", "/funds/applications/"])
def test_the_organization_filter_takes_a_general_branch_for_all_of_its_branches(unit, login, url):
    """A 党总支 (or the 党委) chosen in the filter stands for every branch under it."""
    client = login(unit.zzb)
    options = _options(client, url)
    assert "社区党总支（所属各支部）" in options and "第三党支部" in [o.strip("\u3000") for o in options]
    if url == "/members/":
        MemberFactory(organization=unit.branch3, name="总支下的党员")
        names = listed(client, organization=unit.general.pk)
        assert "总支下的党员" in names
        assert not {"赵书记", "李书记"} & set(names)  # branches 1 and 2 are not under the 党总支
        assert set(listed(client, organization=unit.committee.pk)) >= {"总支下的党员", "赵书记", "李书记"}


def test_over_many_organizations_the_filter_drills_down(unit, login, monkeypatch):
    """A city 组织部 sees 5,500 organizations: the filter lists those above the one chosen, itself
    and those right under it, and a branch deeper down is reached by choosing its 党总支 first."""
    from members import filters

    monkeypatch.setattr(filters, "PICKER_FROM", 3)
    client = login(unit.zzb)
    top = [o.strip("\u3000") for o in _options(client, "/members/")]
    assert top == ["全部支部", "测试县党委（所属各支部）", "第一党支部", "第二党支部", "社区党总支（所属各支部）"]
    down = [o.strip("\u3000") for o in _options(client, "/members/", organization=unit.general.pk)]
    assert down == ["全部支部", "测试县党委（所属各支部）", "社区党总支（所属各支部）", "第三党支部"]
    # A secretary's one branch is listed as before.
    assert [o.strip("\u3000") for o in _options(login(unit.shuji1), "/members/")] == ["全部支部", "第一党支部"]
