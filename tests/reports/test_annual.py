"""The annual workbook against the known year of tests/reports/conftest.py, sheet by sheet.

Expected figures are worked out from the fixture's story (see its docstring), not read off output."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from funds.models import Fund, Status
from members.models import Member
from tests.funds.factories import application_in, fund_with
from tests.reports.conftest import PAST, YEAR
from tests.visits.factories import VisitFactory, make_talk

pytestmark = pytest.mark.django_db

SHEETS = [
    "汇总",
    "困难党员台帐",
    "结对帮扶",
    "走访慰问",
    "谈心谈话",
    "家庭重大事件",
    "必访提示",
    "反映情况",
    "帮就业",
    "集体过政治生日",
    "流动党员",
    "关怀基金收支",
    "帮扶申请",
    "表彰名单",
]
SUMMARY_HEADERS = (
    "支部",
    "党员人数",
    "困难党员",
    "困难类别",
    "有帮扶人的困难党员",
    "帮扶人覆盖率",
    "结对帮扶（对）",
    "走访慰问（次）",
    "谈心谈话（次）",
    "本轮已谈话党员",
    "谈心谈话覆盖率",
    "基金收入（元）",
    "帮扶支出（元）",
    "帮扶申请批准（件）",
    "帮扶申请发放（件）",
    "受表彰（人次）",
)


def workbook(client, **params):
    response = client.get(reverse("reports:annual"), params)
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.getvalue()))


def rows(book, name):
    return list(book[name].iter_rows(values_only=True))


def by_name(sheet_rows, column=0):
    return {row[column]: row for row in sheet_rows[2:]}


def test_workbook_has_every_sheet_with_title_and_chinese_headers(unit, login, past_year):
    book = workbook(login(unit.zzb), year=PAST)
    assert book.sheetnames == SHEETS
    for name in SHEETS:
        title = rows(book, name)[0][0]
        assert title.startswith(f"测试县党委 {PAST}年"), name
    assert rows(book, "汇总")[1] == SUMMARY_HEADERS


def test_summary_sheet_figures_per_branch(unit, login, past_year):
    summary = rows(workbook(login(unit.zzb), year=PAST), "汇总")
    body = summary[2:]
    assert [row[0] for row in body] == ["第一党支部", "第二党支部", "第三党支部", "测试县党委（本级）", "合计"]
    b1, b2, b3, own, total = body
    # branch1: 4 on roll; 张党员 in hardship at year end (刘一 lifted in June), with 王支委 as helper;
    # two pairings ran in the year; one visit, one talk with two members; 500 元 donated to its fund.
    assert b1 == ("第一党支部", 4, 1, "低保1、因病致贫1", 1, 1.0, 2, 1, 1, 2, 0.5, 500, 0, 0, 0, 1)
    # branch2: 赵书记 and 陈二; 陈二 in hardship without helper, visited on 七一, talked with, honoured.
    assert b2 == ("第二党支部", 2, 1, "年老无固定收入1", 0, 0.0, 0, 1, 1, 1, 0.5, 0, 0, 0, 0, 1)
    # branch3: 孙三 only; his ledger line is from this year, so not in last year's figures.
    assert b3 == ("第三党支部", 1, 0, "—", 0, "—", 0, 1, 0, 0, 0.0, 0, 0, 0, 0, 0)
    # The 党委's own fund: income belongs to it, not to a branch.
    assert own[0] == "测试县党委（本级）" and own[11] == 10000 and own[1:11] == (0, 0, "—", 0, "—", 0, 0, 0, 0, "—")
    # 3 of 7 members talked with: 42.9%; 1 of 2 hardship members has a helper: 50%.
    assert total == ("合计", 7, 2, "低保1、因病致贫1、年老无固定收入1", 1, 0.5, 2, 3, 2, 3, 0.429, 10500, 0, 0, 0, 2)
    sheet = workbook(login(unit.zzb), year=PAST)["汇总"]
    assert sheet["F3"].number_format == "0.0%" and sheet["K3"].number_format == "0.0%"


@pytest.mark.parametrize("part_size", [1, 2])
def test_summary_sheet_computed_a_part_of_the_tree_at_a_time_is_the_same(
    unit, login, past_year, monkeypatch, part_size
):
    """A city's 汇总 is computed a few hundred organizations at a time (its memory follows a part): cut
    into parts of one or two organizations, the 党委's own fund in a part of its own, every row and the
    totals are what the whole tree at once gives."""
    from reports import metrics

    whole = rows(workbook(login(unit.zzb), year=PAST), "汇总")
    monkeypatch.setattr(metrics, "PART_SIZE", part_size)
    assert rows(workbook(login(unit.zzb), year=PAST), "汇总") == whole


def test_detail_sheets_hold_the_years_records(unit, login, past_year):
    book = workbook(login(unit.zzb), year=PAST)
    ledger = rows(book, "困难党员台帐")
    # In force at some time of the year: 刘一 (lifted in June), 张党员, 陈二; not 孙三 (registered this year).
    assert [(r[0], r[1]) for r in ledger[2:]] == [
        ("刘一", "第一党支部"),
        ("张党员", "第一党支部"),
        ("陈二", "第二党支部"),
    ]
    zhang = by_name(ledger)["张党员"]
    assert zhang[3] == "因病致贫、低保" and zhang[4] == "特别困难" and zhang[6] == 12000 and zhang[7] == 4000
    assert zhang[11] == "王支委" and zhang[13] == dt.datetime(PAST, 3, 1)

    pairings = rows(book, "结对帮扶")
    assert [(r[1], r[3]) for r in pairings[2:-1]] == [("刘一", "李书记"), ("张党员", "王支委")]
    assert pairings[-1][0] == "合计"

    visits = rows(book, "走访慰问")
    assert [r[1] for r in visits[2:-1]] == ["张党员", "孙三", "陈二"]  # by date; 刘一's visit was the year before
    assert visits[-1][0] == "合计" and visits[-1][6] == 800

    talks = rows(book, "谈心谈话")
    assert [(r[0], r[1], r[5]) for r in talks[2:]] == [
        (dt.datetime(PAST, 5, 10), "第一党支部", "刘一、张党员"),
        (dt.datetime(PAST, 11, 1), "第二党支部", "陈二"),
    ]

    fund = rows(book, "关怀基金收支")
    assert [(r[1], r[3], r[5]) for r in fund[2:-1]] == [
        ("测试县党委党内关怀基金专户", "财政拨款", 10000),
        ("第一党支部党内关怀基金专户", "党员捐助", 500),
    ]
    assert fund[-1][5] == 10500

    honours = rows(book, "表彰名单")
    assert [(r[0], r[1], r[2]) for r in honours[2:]] == [
        ("优秀共产党员", "张党员", "第一党支部"),
        ("优秀党务工作者", "陈二", "第二党支部"),
    ]


def test_each_visit_and_talk_row_names_its_own_visitors_and_interviewers(unit, login, past_year):
    """The names are read in one query in the sheet's order (day, then entry): several on one day, with
    none, one or two names, each row gets exactly its own, in roster order."""
    day = dt.date(PAST, 9, 9)
    li, wang, zhang = unit.shuji1.member, unit.zhiwei1.member, unit.dangyuan1.member
    VisitFactory(member=zhang, visited_on=day, visitors=[wang, li], notes="甲")
    VisitFactory(member=unit.member1, visited_on=day, notes="乙")  # nobody recorded
    VisitFactory(member=unit.member2, visited_on=day, visitors=[unit.shuji2.member], notes="丙")
    make_talk([zhang], [li], talked_on=day, summary="一")
    make_talk([unit.member1], [], talked_on=day, summary="二")
    make_talk([unit.member1, zhang], [wang, li], talked_on=day, summary="三")
    book = workbook(login(unit.zzb), year=PAST)

    def names(*members):  # in roster order: by name, as every list of names in the product
        ordered = Member.objects.filter(pk__in=[m.pk for m in members]).order_by("name", "pk")
        return "、".join(ordered.values_list("name", flat=True))

    visits = {row[7]: row[4] for row in rows(book, "走访慰问")[2:-1] if row[0] == dt.datetime(PAST, 9, 9)}
    assert visits == {"甲": names(li, wang), "乙": None, "丙": unit.shuji2.member.name}
    talks = {row[7]: (row[4], row[5]) for row in rows(book, "谈心谈话")[2:] if row[0] == dt.datetime(PAST, 9, 9)}
    assert talks == {
        "一": (li.name, zhang.name),
        "二": (None, unit.member1.name),
        "三": (names(li, wang), names(unit.member1, zhang)),
    }


def test_talk_sheet_never_contains_confidential_notes(unit, login, past_year):
    for user in (unit.zzb, unit.shuji1, unit.admin):
        book = workbook(login(user), year=PAST)
        text = " ".join(str(cell) for name in book.sheetnames for row in rows(book, name) for cell in row if cell)
        assert "谈了家庭困难" in text
        assert "绝密" not in text and "婆媳" not in text


def test_cells_have_the_right_types(unit, login, past_year):
    book = workbook(login(unit.zzb), year=PAST)
    ledger = book["困难党员台帐"]
    header = [c.value for c in ledger[2]]
    zhang = next(row for row in ledger.iter_rows(min_row=3) if row[0].value == "张党员")
    registered = zhang[header.index("登记日期")]
    assert registered.is_date and registered.value == dt.datetime(PAST, 3, 1)
    income = zhang[header.index("家庭年收入（元）")]
    assert income.data_type == "n" and "¥" in income.number_format
    assert zhang[header.index("家庭人口")].data_type == "n"
    assert ledger.freeze_panes == "A3"
    summary = book["汇总"]
    assert summary["B3"].data_type == "n" and summary["L3"].data_type == "n" and "¥" in summary["L3"].number_format


def test_secretary_export_contains_only_their_branch(unit, login, past_year):
    book = workbook(login(unit.shuji1), year=PAST)
    assert [r[0] for r in rows(book, "汇总")[2:]] == ["第一党支部", "合计"]
    assert {r[1] for r in rows(book, "困难党员台帐")[2:]} == {"第一党支部"}
    assert {r[2] for r in rows(book, "走访慰问")[2:-1]} == {"第一党支部"}
    assert {r[1] for r in rows(book, "谈心谈话")[2:]} == {"第一党支部"}
    # The 党委's fund is above the secretary: only branch1's own fund shows.
    assert {r[1] for r in rows(book, "关怀基金收支")[2:-1]} == {"第一党支部党内关怀基金专户"}
    assert {r[2] for r in rows(book, "表彰名单")[2:]} == {"第一党支部"}


def test_committee_member_sees_sensitive_columns_masked(unit, login, past_year):
    masked = by_name(rows(workbook(login(unit.zhiwei1), year=PAST), "困难党员台帐"))["张党员"]
    full = by_name(rows(workbook(login(unit.shuji1), year=PAST), "困难党员台帐"))["张党员"]
    zhang = past_year.zhang
    assert full[2] == zhang.id_number and full[6] == 12000 and full[8] == "妻子患尿毒症"
    assert masked[2] == zhang.masked_id_number != zhang.id_number
    assert masked[6] is None and masked[7] is None and masked[8] == "（不可见）" and masked[9] == "（不可见）"
    # Everything else of the line is there.
    assert masked[3:6] == full[3:6] and masked[10:] == full[10:]


def test_formula_looking_member_name_is_exported_as_text(unit, login, past_year):
    zhang = past_year.zhang
    zhang.name = '=HYPERLINK("http://x")'
    zhang.save(update_fields=["name"])
    book = workbook(login(unit.zzb), year=PAST)
    names = [r[0] for r in rows(book, "困难党员台帐")[2:]]
    assert '\'=HYPERLINK("http://x")' in names
    assert book["困难党员台帐"]["A4"].data_type == "s"


def test_command_and_url_give_the_same_workbook_with_data(unit, login, past_year, tmp_path):
    from_url = workbook(login(unit.zzb), year=PAST, org=unit.committee.pk)
    path = tmp_path / "annual.xlsx"
    call_command(
        "export_annual_report",
        "--year",
        str(PAST),
        "--org",
        str(unit.committee.pk),
        "--as-user",
        "zzb",
        "-o",
        str(path),
        stdout=io.StringIO(),
    )
    from_command = load_workbook(path)
    assert from_url.sheetnames == from_command.sheetnames == SHEETS
    for name in SHEETS:
        assert rows(from_url, name) == rows(from_command, name), name


def test_funds_of_this_year_spending_and_applications(unit, login):
    fund = fund_with(unit, "10000.00")  # the 党委's fund, 10,000 元 today
    application_in(unit, Status.DISBURSED, amount="1000.00")  # 张党员, paid from the 党委's fund
    application_in(unit, Status.IN_NOTICE, member=unit.zhiwei1.member, amount="800.00")
    application_in(unit, Status.REJECTED, member=unit.member1, amount="500.00")
    book = workbook(login(unit.zzb), year=YEAR)
    summary = by_name(rows(book, "汇总"))
    # branch1: 1,000 元 spent; approved = paid + in notice; the rejected one counts in neither.
    assert summary["第一党支部"][11:15] == (0, 1000, 2, 1)
    assert summary["测试县党委（本级）"][11] == 10000
    assert summary["合计"][11:15] == (10000, 1000, 2, 1)
    ledger = rows(book, "关怀基金收支")
    expense = next(r for r in ledger[2:-1] if r[2] == "支出")
    assert expense[3] == "生活救济补助" and expense[6] == 1000 and expense[7] == "张党员"
    assert ledger[-1][5] == 10000 and ledger[-1][6] == 1000
    applications = rows(book, "帮扶申请")
    assert sorted(r[0] for r in applications[2:5]) == sorted(["张党员", "王支委", "刘一"])
    totals = {r[0]: r for r in applications[5:]}
    # Totals by status, never withdrawn or rejected money added to what was asked for; paid money apart.
    assert totals["合计：公示中"][2] == "1 件" and totals["合计：公示中"][4] == 800
    assert totals["合计：已发放"][4] == 1000 and totals["合计：已驳回"][4] == 500
    assert totals["实际发放（不含已追回）"][2] == "1 件" and totals["实际发放（不含已追回）"][5] == 1000
    assert Fund.objects.get(pk=fund.pk).balance == Decimal("9000.00")


def test_fund_officer_gets_reasons_masked(unit, login):
    fund_with(unit, "10000.00")
    application_in(unit, Status.SUBMITTED, amount="1000.00")
    applications = rows(workbook(login(unit.jijin), year=YEAR), "帮扶申请")
    assert applications[2][0] == "张党员" and applications[2][12] == "（不可见）"
    applications = rows(workbook(login(unit.zzb), year=YEAR), "帮扶申请")
    assert applications[2][12] == "家庭困难，申请帮扶"


def test_large_scope_is_built_in_the_background_and_matches_the_direct_download(
    unit, login, past_year, settings, django_capture_on_commit_callbacks
):
    client = login(unit.zzb)
    direct = workbook(client, year=PAST)
    settings.CARE = {**settings.CARE, "REPORT_SYNC_MAX_MEMBERS": 5}  # the unit has 7 members
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(reverse("reports:annual"), {"year": PAST})
    assert response.status_code == 302
    job_page = client.get(response["Location"])
    assert job_page.status_code == 200 and "下载报表" in job_page.content.decode()
    job = job_page.context["job"]
    assert job.status == "done" and job.progress == 100
    download = client.get(reverse("reports:job_download", args=[job.pk]))
    background = load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    for name in SHEETS:
        assert rows(background, name) == rows(direct, name), name


def test_fund_sheet_names_each_clerk_without_a_query_per_line(unit, login):
    """经办人 is the clerk's member name, else their full name or username; more lines by more clerks
    cost no more queries (the clerks' names are read once, not per line)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from funds import services
    from funds.models import Source
    from reports.contents import write_annual_workbook
    from reports.scope import resolve_scope
    from tests.factories import AppointmentFactory, MemberFactory, UserFactory

    fund = fund_with(unit, "100.00")  # recorded by jijin, who is not a member
    clerk = UserFactory(username="kuaiji")
    MemberFactory(organization=unit.branch1, user=clerk, name="钱会计")
    AppointmentFactory(user=clerk, organization=unit.committee, role="fund_officer")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            write_annual_workbook(resolve_scope(unit.zzb, year=YEAR))
        return len(captured.captured_queries)

    queries()  # warms per-process caches
    before = queries()
    for by in (clerk, unit.jijin, clerk):
        services.record_income(
            fund_id=fund.pk, by=by, source=Source.FISCAL, amount="10.00", occurred_on=timezone.localdate()
        )
    assert queries() == before
    lines = rows(workbook(login(unit.zzb), year=YEAR), "关怀基金收支")[2:-1]
    assert sorted(r[9] for r in lines) == sorted([unit.jijin.display_name, "钱会计", unit.jijin.display_name, "钱会计"])


@pytest.mark.parametrize("year", ["abc", "1900", "2099", ""])
def test_a_year_that_is_not_one_is_refused_with_a_message(unit, login, year):
    response = login(unit.zzb).get(reverse("reports:annual"), {"year": year}, follow=True)
    assert response.redirect_chain and "spreadsheetml" not in response["Content-Type"]
    assert "年度" in response.content.decode()


def test_every_sheet_filters_prints_and_says_when_it_is_empty(unit, login):
    fund_with(unit, "10000.00")
    application_in(unit, Status.SUBMITTED, amount="1000.00")
    book = workbook(login(unit.zzb), year=YEAR)
    for sheet in book.worksheets:
        assert sheet.auto_filter.ref and sheet.auto_filter.ref.startswith("A2:"), sheet.title
        assert sheet.freeze_panes == "A3", sheet.title
        assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.paperSize == 9, sheet.title
        assert sheet.sheet_properties.pageSetUpPr.fitToPage and sheet.page_setup.fitToWidth in (
            None,
            1,
        )  # 1 is the default
        assert sheet.page_setup.fitToHeight == 0
        assert sheet.print_title_rows == "$1:$2", sheet.title
        footer = sheet.oddFooter
        assert "测试县党委" in footer.left.text and f"{YEAR}年度" in footer.center.text and "&P" in footer.right.text
    honours = rows(book, "表彰名单")
    assert honours[2][0] == "本年度无记录"
