import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from members import importing
from members.models import Member
from tests.factories import MemberFactory, make_id_number

pytestmark = pytest.mark.django_db
HEADERS = [
    "姓名",
    "性别",
    "出生日期",
    "身份证号",
    "联系电话",
    "所在支部",
    "入党日期",
    "转正日期",
    "党员类别",
    "就业状况",
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


def person(name, branch="第一党支部", birth=dt.date(1980, 4, 5), gender="M", **overrides):
    row = {
        "姓名": name,
        "性别": "男" if gender == "M" else "女",
        "出生日期": birth,
        "身份证号": make_id_number(birth, gender),
        "联系电话": "13812340000",
        "所在支部": branch,
        "入党日期": dt.date(2005, 7, 1),
        "转正日期": dt.date(2006, 7, 1),
        "党员类别": "正式党员",
        "就业状况": "在职",
    }
    row.update(overrides)
    return [row[h] for h in HEADERS]


def upload(client, content: bytes, name="名册.xlsx"):
    return client.post(reverse("members:import"), {"file": SimpleUploadedFile(name, content)})


def confirm(client, response, **extra):
    token = response.context["confirm_form"].initial["token"]
    return client.post(reverse("members:import"), {"token": token, **extra})


def test_good_file_is_previewed_then_committed(unit, login):
    client = login(unit.shuji1)
    response = upload(client, xlsx([person("周一"), person("吴二", gender="F")]))
    assert response.status_code == 200
    report = response.context["report"]
    assert [r.name for r in report.new] == ["周一", "吴二"]
    assert not Member.objects.filter(name__in=["周一", "吴二"]).exists()  # preview writes nothing
    response = confirm(client, response)
    assert response.status_code == 302
    assert set(Member.objects.filter(organization=unit.branch1).values_list("name", flat=True)) >= {"周一", "吴二"}


def test_reimporting_the_same_file_changes_nothing(unit, login):
    client = login(unit.shuji1)
    content = xlsx([person("周一"), person("吴二")])
    confirm(client, upload(client, content))
    before = list(Member.objects.order_by("pk").values())
    response = upload(client, content)
    report = response.context["report"]
    assert (len(report.new), len(report.changed), len(report.unchanged)) == (0, 0, 2)
    confirm(client, response)
    assert list(Member.objects.order_by("pk").values()) == before


def test_changed_rows_are_previewed_with_their_changes(unit, login):
    client = login(unit.shuji1)
    row = person("周一")
    confirm(client, upload(client, xlsx([row])))
    row[HEADERS.index("联系电话")] = "13999998888"
    report = upload(client, xlsx([row])).context["report"]
    assert len(report.changed) == 1
    assert "联系电话：13812340000 → 13999998888" in report.changed[0].changes


def test_file_with_a_bad_row_imports_nothing_and_lists_every_error(unit, login):
    client = login(unit.shuji1)
    bad_id = person("坏号", 身份证号="110105198004050011")
    bad_branch = person("错支部", branch="不存在的支部")
    bad_date = person("错日期", 入党日期="去年七月")
    response = upload(client, xlsx([person("好人"), bad_id, bad_branch, bad_date]))
    rejected = response.context["rejected"]
    found = {(e.row, e.column) for e in rejected.errors}
    assert (3, "身份证号") in found
    assert (4, "所在支部") in found
    assert (5, "入党日期") in found
    assert not Member.objects.filter(name="好人").exists()
    messages = " ".join(e.message for e in rejected.errors)
    assert "校验位" in messages
    assert "不存在的支部" in messages


def test_error_workbook_marks_the_bad_rows(unit, login):
    from openpyxl import load_workbook

    client = login(unit.shuji1)
    response = upload(client, xlsx([person("好人"), person("坏号", 身份证号="110105198004050011")]))
    token = response.context["error_token"]
    download = client.get(reverse("members:import_errors", args=[token]))
    rows = list(load_workbook(io.BytesIO(download.getvalue())).active.iter_rows(values_only=True))
    assert rows[2][0] == 3
    assert "校验位" in rows[2][1]


def test_same_id_twice_in_a_file_is_refused(unit, login):
    row = person("周一")
    twin = list(row)
    twin[0] = "周二"
    rejected = upload(login(unit.shuji1), xlsx([row, twin])).context["rejected"]
    assert any("与第 2 行的身份证号重复" in e.message for e in rejected.errors)


def test_lookalike_person_is_flagged_and_needs_confirmation(unit, login):
    existing = MemberFactory(organization=unit.branch1, name="钱多多", birth_date=dt.date(1980, 4, 5))
    client = login(unit.shuji1)
    response = upload(client, xlsx([person("钱多多")]))
    report = response.context["report"]
    assert report.similar and "姓名、出生日期相同" in report.similar[0].note
    refused = confirm(client, response)
    assert refused.status_code == 302
    assert Member.objects.filter(name="钱多多").count() == 1
    response = upload(client, xlsx([person("钱多多")]))
    confirm(client, response, confirm_similar="on")
    assert Member.objects.filter(name="钱多多").count() == 2
    assert existing.pk in Member.objects.filter(name="钱多多").values_list("pk", flat=True)


def test_secretary_cannot_import_into_another_branch_or_overwrite_its_members(unit, login):
    client = login(unit.shuji1)
    rejected = upload(client, xlsx([person("越权", branch="第二党支部")])).context["rejected"]
    assert "不在您的管辖范围内" in rejected.errors[0].message
    row = person("冒名", birth=unit.member2.birth_date, 身份证号=unit.member2.id_number)
    response = upload(client, xlsx([row]))
    rejected = response.context["rejected"]
    unit.member2.refresh_from_db()
    assert unit.member2.name == "陈二"
    # The secretary learns that the number needs checking above, not whose it is or where.
    assert rejected.errors[0].message == importing.OUT_OF_SCOPE_NUMBER
    page = response.content.decode()
    assert "陈二" not in page and "第二党支部" not in page


def test_a_number_registered_elsewhere_goes_to_the_department_over_both_branches(unit, login):
    from members.models import ImportConflict

    row = person("冒名", birth=unit.member2.birth_date, 身份证号=unit.member2.id_number)
    upload(login(unit.shuji1), xlsx([row]))
    upload(login(unit.shuji1), xlsx([row]))  # a second preview adds nothing
    conflict = ImportConflict.objects.get()
    assert (conflict.existing_member, conflict.branch, conflict.imported_by) == (
        unit.member2,
        unit.branch1,
        unit.shuji1,
    )
    home = login(unit.zzb).get("/").content.decode()
    assert "名册导入冲突待核实" in home and "陈二" in home and "冒名" in home
    for other in (unit.shuji1, unit.shuji2, unit.zhiwei1):
        assert "名册导入冲突" not in login(other).get("/").content.decode()
        assert (
            login(other).post(f"/members/import/conflicts/{conflict.pk}/resolve/", {"resolution": "已处理"}).status_code
            == 403
        )
    assert (
        login(unit.zzb)
        .post(f"/members/import/conflicts/{conflict.pk}/resolve/", {"resolution": "系陈二同志组织关系转入，已办理"})
        .status_code
        == 302
    )
    conflict.refresh_from_db()
    assert conflict.resolved_by == unit.zzb and conflict.resolution == "系陈二同志组织关系转入，已办理"
    assert "名册导入冲突待核实" not in login(unit.zzb).get("/").content.decode()


def test_org_department_imports_into_any_branch_of_its_subtree(unit, login):
    client = login(unit.zzb)
    confirm(client, upload(client, xlsx([person("社区新人", branch="第三党支部")])))
    assert Member.objects.get(name="社区新人").organization == unit.branch3


def test_gender_and_birth_date_are_taken_from_the_id_number_when_blank(unit, login):
    client = login(unit.shuji1)
    row = person("自动", birth=dt.date(1975, 8, 9), gender="F", 性别=None, 出生日期=None)
    confirm(client, upload(client, xlsx([row])))
    member = Member.objects.get(name="自动")
    assert (member.gender, member.birth_date) == ("F", dt.date(1975, 8, 9))


def test_excel_serial_dates_and_text_dates_are_understood(unit, login):
    client = login(unit.shuji1)
    row = person("日期", 入党日期=38534, 转正日期="2006年7月1日")  # 38534 = 2005-07-01
    confirm(client, upload(client, xlsx([row])))
    member = Member.objects.get(name="日期")
    assert (member.join_date, member.full_member_date) == (dt.date(2005, 7, 1), dt.date(2006, 7, 1))


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("名册.csv", b"a,b\n1,2\n", "只能导入 .xlsx"),
        ("名册.xlsx", b"this is not a spreadsheet", "不是 Excel"),
        ("名册.xlsx", b"", "空的"),
    ],
)
def test_wrong_files_get_a_clear_message(unit, login, name, content, message):
    response = upload(login(unit.shuji1), content, name=name)
    assert message in response.content.decode()


def test_missing_required_column_is_named(unit, login):
    content = xlsx([["某人", "第一党支部"]], headers=["姓名", "所在支部"])
    body = upload(login(unit.shuji1), content).content.decode()
    assert "缺少必填列" in body and "身份证号" in body


def test_file_over_5_mb_is_refused(unit, login, settings):
    settings.IMPORT_MAX_BYTES = 1024
    body = upload(login(unit.shuji1), xlsx([person(f"人{i}") for i in range(50)])).content.decode()
    assert "超过" in body


def test_only_secretaries_and_org_department_may_import(unit, login):
    for user in (unit.zhiwei1, unit.dangyuan1, unit.jijin):
        assert login(user).get(reverse("members:import")).status_code == 403


def test_sheet_with_only_headers_is_refused(unit, login):
    body = upload(login(unit.shuji1), xlsx([])).content.decode()
    assert "没有数据行" in body


def test_administrator_imports_into_any_branch(unit, login):
    client = login(unit.admin)
    response = upload(client, xlsx([person("管理员导入", branch="第二党支部")]))
    assert [r.name for r in response.context["report"].new] == ["管理员导入"]
    confirm(client, response)
    assert Member.objects.get(name="管理员导入").organization == unit.branch2


def test_imported_members_show_at_once_on_the_home_page_and_the_due_list(unit, login):
    """The roster import writes in bulk (no model signals): it still makes the cached home figures
    and the coverage page's list of members due a talk stale."""
    client = login(unit.shuji1)
    assert "周一" not in client.get(reverse("visits:coverage")).content.decode()
    before = _branch1_on_roll(client)
    confirm(client, upload(client, xlsx([person("周一"), person("吴二", gender="F")])))
    assert _branch1_on_roll(client) == before + 2
    assert "周一" in client.get(reverse("visits:coverage")).content.decode()


def _branch1_on_roll(client) -> int:
    import re

    body = client.get("/").content.decode()
    return int(re.search(r"第一党支部</a></td>\s*<td class=\"text-end\">(\d+)</td>", body).group(1))


CARE_HEADERS = [
    *HEADERS,
    "离退休干部",
    "离休/退休",
    "原工作单位",
    "原单位情况",
    "流动党员",
    "流出去向/流入来源",
    "流动期间联系方式",
]


def care_person(name, *, cadre="否", retirement="", employer="", situation="", mobility="", place="", contact=""):
    return [*person(name), cadre, retirement, employer, situation, mobility, place, contact]


def test_retirement_former_employer_and_mobility_are_imported(unit, login):
    client = login(unit.shuji1)
    rows = [
        care_person("老干部", cadre="是", retirement="离休", employer="县机械厂", situation="破产"),
        care_person("外出者", mobility="流出", place="广东省东莞市", contact="微信 dg2026"),
        care_person("普通人"),
    ]
    response = upload(client, xlsx(rows, CARE_HEADERS))
    assert [r.name for r in response.context["report"].new] == ["老干部", "外出者", "普通人"]
    confirm(client, response)
    cadre = Member.objects.get(name="老干部")
    assert (cadre.retirement, cadre.former_employer, cadre.former_employer_situation) == (
        Member.Retirement.LIXIU,
        "县机械厂",
        Member.EmployerSituation.BANKRUPT,
    )
    away = Member.objects.get(name="外出者")
    assert (away.mobility, away.mobility_place, away.mobility_contact) == ("outflow", "广东省东莞市", "微信 dg2026")
    plain = Member.objects.get(name="普通人")
    assert (plain.retirement, plain.former_employer_situation, plain.mobility) == ("", "", "")


def test_changes_to_the_new_columns_are_previewed_in_words(unit, login):
    client = login(unit.shuji1)
    row = care_person("老干部", cadre="是", retirement="退休")
    confirm(client, upload(client, xlsx([row], CARE_HEADERS)))
    row[CARE_HEADERS.index("离休/退休")] = "离休"
    response = upload(client, xlsx([row], CARE_HEADERS))
    assert response.context["report"].changed[0].changes == ["离休/退休：退休 → 离休"]


def test_bad_new_column_values_are_refused_naming_what_is_allowed(unit, login):
    client = login(unit.shuji1)
    rows = [
        care_person("好人", mobility="流入", place="邻县", contact="13900001111"),
        care_person("错离休", cadre="是", retirement="病休"),
        care_person("错单位", situation="倒闭"),
        care_person("错流动", mobility="外出", contact="13900001111"),
        care_person("无联系", mobility="流出", place="上海"),
        care_person("未勾选", retirement="退休"),
    ]
    rejected = upload(client, xlsx(rows, CARE_HEADERS)).context["rejected"]
    by_row = {(e.row, e.column): e.message for e in rejected.errors}
    assert "“病休”不是有效选项，可填：离休、退休，或留空" in by_row[(3, "离休/退休")]
    assert "可填：正常、破产、改制、困难企业，或留空" in by_row[(4, "原单位情况")]
    assert "可填：流出、流入，或留空" in by_row[(5, "流动党员")]
    assert "流动党员请填写流动期间的联系方式" in " ".join(m for (row, _), m in by_row.items() if row == 6)
    assert "请同时勾选“离退休干部”" in " ".join(m for (row, _), m in by_row.items() if row == 7)
    assert not any(row == 2 for row, _ in by_row)
    assert not Member.objects.filter(name="好人").exists()


def test_the_roster_export_imports_back_unchanged(unit, login):
    from members.exports import ROSTER_COLUMNS
    from members.resources import COLUMNS

    MemberFactory(
        organization=unit.branch1,
        name="老干部",
        is_retired_cadre=True,
        retirement="tuixiu",
        former_employer="县机械厂",
        former_employer_situation="restructured",
        mobility="inflow",
        mobility_place="邻县",
        mobility_contact="13900001111",
    )
    client = login(unit.shuji1)
    exported = client.get(reverse("members:export")).getvalue()
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(exported)).active
    rows = list(sheet.iter_rows(values_only=True))[1:]  # the title row off: headers first, as the import reads
    content = xlsx([list(r) for r in rows[1:]], list(rows[0]))
    report = upload(client, content).context["report"]
    assert report.unchanged and not report.changed and not report.new
    assert {h for _, h in COLUMNS} <= {c.header for c in ROSTER_COLUMNS}


def test_the_template_offers_every_imported_column(unit, login):
    from openpyxl import load_workbook

    from members.resources import COLUMNS

    response = login(unit.shuji1).get(reverse("members:import_template"))
    header, example = list(load_workbook(io.BytesIO(response.getvalue())).active.iter_rows(values_only=True))[:2]
    assert list(header) == [h for _, h in COLUMNS]
    assert dict(zip(header, example, strict=True))["原单位情况"] == "改制"
