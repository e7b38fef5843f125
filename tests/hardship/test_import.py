"""Ledger import: previewed, then all rows or none, every bad row listed with its column."""

import datetime as dt
import io
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from hardship.models import HardshipRecord
from tests.factories import MemberFactory
from tests.hardship.factories import RecordFactory

HEADERS = [
    "姓名",
    "身份证号",
    "困难类别",
    "困难程度",
    "家庭人口",
    "家庭年收入",
    "帮扶需求",
    "登记日期",
    "知情同意日期",
    "同意方式",
]


def xlsx(rows, headers=HEADERS) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def line(member, **overrides):
    row = {
        "姓名": member.name,
        "身份证号": member.id_number,
        "困难类别": "因病致贫、低保",
        "困难程度": "一般困难",
        "家庭人口": 3,
        "家庭年收入": "12000",
        "帮扶需求": "帮生活、医疗",
        "登记日期": dt.date(2026, 3, 1),
        "知情同意日期": dt.date(2026, 3, 1),
        "同意方式": "本人书面签字",
    }
    row.update(overrides)
    return [row[h] for h in HEADERS]


def upload(client, content: bytes):
    return client.post(reverse("hardship:import"), {"file": SimpleUploadedFile("台帐.xlsx", content)})


def confirm(client, response):
    token = response.context["confirm_form"].initial["token"]
    return client.post(reverse("hardship:import"), {"token": token})


def test_good_file_previewed_then_committed(unit, login):
    a = MemberFactory(organization=unit.branch1, name="周一")
    b = MemberFactory(organization=unit.branch1, name="吴二")
    existing = RecordFactory(member=b, level="general")
    client = login(unit.shuji1)
    response = upload(client, xlsx([line(a), line(b, 困难程度="特别困难")]))
    report = response.context["report"]
    assert [r.name for r in report.new] == ["周一"] and [r.name for r in report.changed] == ["吴二"]
    assert not HardshipRecord.objects.filter(member=a).exists()
    response = confirm(client, response)
    assert response.status_code == 302
    record = HardshipRecord.objects.get(member=a)
    assert sorted(record.categories.values_list("name", flat=True)) == ["低保", "因病致贫"]
    assert sorted(record.needs.values_list("name", flat=True)) == ["医疗", "帮生活"]
    assert record.annual_household_income == Decimal("12000.00") and record.created_by == unit.shuji1
    assert record.last_reviewed_on == dt.date(2026, 3, 1)
    existing.refresh_from_db()
    assert existing.level == "special"
    assert HardshipRecord.objects.count() == 2


def test_a_bad_row_imports_nothing_and_every_error_is_listed(unit, login):
    good = MemberFactory(organization=unit.branch1, name="周一")
    dead = MemberFactory(organization=unit.branch1, name="钱老", deceased_on=dt.date(2026, 1, 1))
    no_consent = MemberFactory(organization=unit.branch1, name="孙无同意")
    client = login(unit.shuji1)
    response = upload(
        client,
        xlsx(
            [
                line(good),
                line(dead),
                line(no_consent, 知情同意日期=None, 同意方式=None),
                line(good, 困难类别="穷"),
                line(unit.member2),  # another branch
            ]
        ),
    )
    rejected = response.context["rejected"]
    problems = {(e.row, e.column) for e in rejected.errors}
    assert (3, "身份证号") in problems  # deceased
    assert (4, "家庭年收入") in problems  # income without consent
    assert (5, "身份证号") in problems  # same member twice
    assert (5, "困难类别") in problems  # unknown category
    assert (6, "身份证号") in problems  # outside the branch
    assert any("已逝世" in e.message for e in rejected.errors)
    assert not HardshipRecord.objects.exists()
    errors = client.get(reverse("hardship:import_errors", args=[response.context["error_token"]]))
    sheet = load_workbook(io.BytesIO(errors.getvalue())).active
    marked = [row[0] for row in sheet.iter_rows(min_row=3, values_only=True)]
    assert marked == [3, 4, 5, 6]


def test_missing_headers_refused(unit, login):
    response = upload(login(unit.shuji1), xlsx([["周一"]], headers=["姓名"]))
    assert "表头缺少必填列" in str(response.context["form"].errors)


def test_only_secretaries_and_org_department_import(unit, login):
    assert login(unit.zhiwei1).get(reverse("hardship:import")).status_code == 403
    assert login(unit.dangyuan1).get(reverse("hardship:import")).status_code == 403
    assert login(unit.shuji1).get(reverse("hardship:import")).status_code == 200
    assert login(unit.shuji1).get(reverse("hardship:import_template")).status_code == 200
