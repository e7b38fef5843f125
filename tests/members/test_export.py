import io
from urllib.parse import quote

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


def rows_of(response):
    book = load_workbook(io.BytesIO(response.getvalue()))
    sheet = book.active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_export_contains_only_the_scope_with_chinese_headers(unit, login):
    response = login(unit.shuji1).get(reverse("members:export"))
    assert response.status_code == 200
    rows = rows_of(response)
    assert rows[1][:4] == ["姓名", "性别", "出生日期", "身份证号"]
    names = {row[0] for row in rows[2:]}
    assert names == {"李书记", "王支委", "张党员", "刘一"}


def test_export_file_name_is_chinese_per_rfc_5987(unit, login):
    response = login(unit.shuji1).get(reverse("members:export"))
    disposition = response["Content-Disposition"]
    assert "attachment" in disposition
    assert f"filename*=utf-8''{quote('党员名册')}" in disposition


def test_export_masks_id_numbers_for_committee_members(unit, login):
    rows = rows_of(login(unit.zhiwei1).get(reverse("members:export")))
    exported = {row[0]: row[3] for row in rows[2:]}
    assert exported["刘一"] == unit.member1.masked_id_number


def test_export_follows_the_list_filters(unit, login):
    rows = rows_of(login(unit.zzb).get(reverse("members:export"), {"organization": unit.branch2.pk}))
    assert {row[0] for row in rows[2:]} == {"赵书记", "陈二"}


def test_export_neutralises_formula_text(unit, login):
    MemberFactory(organization=unit.branch1, name='=HYPERLINK("http://x")', address="@SUM(1)")
    rows = rows_of(login(unit.shuji1).get(reverse("members:export")))
    cells = [row for row in rows if row[0] and "HYPERLINK" in row[0]]
    assert cells[0][0].startswith("'=")
    assert cells[0][5].startswith("'@")


def test_export_dates_are_real_dates(unit, login):
    import datetime as dt

    rows = rows_of(login(unit.shuji1).get(reverse("members:export")))
    assert isinstance(rows[2][2], dt.datetime)


def test_export_says_who_is_retired_from_where_and_who_is_away(unit, login):
    MemberFactory(
        organization=unit.branch1,
        name="老干部",
        is_retired_cadre=True,
        retirement="lixiu",
        former_employer="县机械厂",
        former_employer_situation="bankrupt",
    )
    MemberFactory(
        organization=unit.branch1,
        name="外出者",
        mobility="outflow",
        mobility_place="广东省东莞市",
        mobility_contact="微信 dg2026",
    )
    rows = rows_of(login(unit.shuji1).get(reverse("members:export")))
    header = rows[1]
    by_name = {row[0]: dict(zip(header, row, strict=True)) for row in rows[2:]}
    assert (by_name["老干部"]["离休/退休"], by_name["老干部"]["原工作单位"], by_name["老干部"]["原单位情况"]) == (
        "离休",
        "县机械厂",
        "破产",
    )
    assert (by_name["外出者"]["流动党员"], by_name["外出者"]["流出去向/流入来源"]) == ("流出", "广东省东莞市")
    assert by_name["外出者"]["流动期间联系方式"] == "微信 dg2026"
    assert by_name["外出者"]["离休/退休"] is None  # blank, not "—"
