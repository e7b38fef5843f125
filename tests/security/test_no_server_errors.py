"""No request a user (or an attacker) can make gets a 500: hostile values in every form field and every
query parameter of the URLconf get a 400 or a page with a Chinese message, and change nothing.

The regression cases are the 27 requests a tester found answered 500; the fuzzer then drives every
form the pages render (and the query parameters the pages read) with such values. On PostgreSQL too
(CI), where NUL characters, overflowing integers and over-long text are refused by the database
itself rather than ignored as SQLite does.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from funds.models import AssistanceApplication, DisbursementBatch, Fund
from tests.security.test_url_access import OBJECT_ROUTES, PLAIN_KWARGS, TOKEN_ROUTES, all_routes, home
from visits.models import Visit

pytestmark = pytest.mark.django_db

HOSTILE = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "abc",
    "²",
    "٥١٠٧",
    "-1",
    "0",
    "99999",
    "99999999999",
    "9" * 25,
    "9999999999.99",
    "-0.01",
    "1e309",
    "NaN",
    "0001-01-01",
    "9999-12-31",
    "2026-02-30",
    "1921-01-01",
    "<script>x</script>",
    "=cmd|' /C calc'!A0",
    "长" * 300,
    "😀",
    "\u202e",
    "1.2.3",
    "on",
    "true",
    "' OR 1=1 --",
]
QUERY_PARAMETERS = [
    "year",
    "org",
    "organization",
    "branch",
    "member",
    "item",
    "record",
    "occasion",
    "page",
    "page_size",
    "status",
    "kind",
    "q",
    "half",
    "plan_item",
    "fund",
    "category",
    "level",
    "attention",
    "unread",
    "model",
    "actor",
    "object",
    "what",
    "user",
    "flag",
    "state",
    "emergency",
    "reason",
    "stale",
    "next",
]


def assert_answered(response, what: str) -> None:
    assert response.status_code < 500, f"{what}: {response.status_code}"


# --- the requests a tester found answered 500 --------------------------------------------------------


@pytest.fixture
def world(unit):
    """A fund with income, an application in notice, a visit plan: what the regression cases reach."""
    from tests.security.test_url_access import _application, plan_item_target

    place = home(unit, own=True)
    application = _application(place, status="in_notice")
    item = plan_item_target(place)
    return {"place": place, "application": application, "fund": application.fund, "item": item.kwargs["pk"]}


YEARS = ["99999", "0", "-1", "abc", "²"]


@pytest.mark.parametrize("year", YEARS)
def test_a_year_that_is_no_year_is_a_message_not_an_error(unit, client, world, year):
    client.force_login(unit.admin)
    fund = world["fund"]
    for url in (
        "/visits/",
        "/visits/talks/",
        f"/funds/{fund.pk}/",
        f"/funds/{fund.pk}/summary/",
        "/funds/public/",
        "/funds/applications/",
        "/visits/plans/",
        "/awards/stats/",
        "/reports/",
        "/reports/holiday/",
        "/hardship/pairings/report/",
    ):
        assert_answered(client.get(url, {"year": year}), f"{url}?year={year}")


@pytest.mark.parametrize("year", ["99999", "-1", "abc"])
def test_a_refused_year_is_said_not_silently_dropped(unit, client, world, year):
    client.force_login(unit.admin)
    fund = world["fund"]
    for url in ("/visits/", "/visits/talks/"):
        page = client.get(url, {"year": year}).content.decode()
        assert "年度：" in page and ("年份不能" in page or "四位数字" in page), url
    for url in (f"/funds/{fund.pk}/summary/", "/funds/public/"):
        page = client.get(url, {"year": year}).content.decode()
        assert "年度应为1921年至" in page, url


@pytest.mark.parametrize("year", ["abc", "1900", "2099", "0"])
def test_the_annual_workbook_refuses_a_year_it_does_not_cover(unit, client, year):
    client.force_login(unit.zzb)
    response = client.get("/reports/annual.xlsx", {"year": year}, follow=True)
    assert response.status_code == 200 and "spreadsheetml" not in response["Content-Type"]
    assert "年度应为" in response.content.decode()


def test_digits_int_refuses_are_not_ids(unit, client, world):
    client.force_login(unit.admin)
    for url, name in (
        ("/visits/new/", "member"),
        ("/visits/new/", "item"),
        ("/visits/coverage/", "organization"),
        ("/hardship/pairings/new/", "record"),
        ("/members/", "organization"),
        ("/hardship/", "branch"),
        ("/audit/", "model"),
        ("/reports/", "org"),
    ):
        for value in ("²", "٣", "9" * 25):
            assert_answered(client.get(url, {name: value}), f"{url}?{name}={value}")
    assert_answered(client.post("/visits/new/", {"plan_item": "²"}), "plan_item=²")


def test_nul_characters_are_refused_and_change_nothing(unit, client, world):
    application = world["application"]
    client.force_login(unit.shuji1)
    for url in ("/members/search/", "/hardship/search/", "/members/", "/visits/"):
        response = client.get(url, {"q": "王\x00"})
        assert response.status_code == 400 and "无法识别的字符" in response.content.decode()
    client.force_login(unit.zzb)
    response = client.post(f"/funds/applications/{application.pk}/reject/", {"reason": "不符合\x00条件"})
    assert response.status_code == 400
    application.refresh_from_db()
    assert application.status == "in_notice"


def test_batch_disbursement_with_bad_selection_or_title_pays_nothing(unit, client, world):
    fund = world["fund"]
    client.force_login(unit.jijin)
    for data in (
        {"applications": "abc"},
        {"applications": "²"},
        {"applications": ["1"] * 101},
        {"applications": str(world["application"].pk), "title": "长" * 101},
    ):
        response = client.post(f"/funds/{fund.pk}/batch/disburse/", data, follow=True)
        assert response.status_code == 200 and "本次未发放任何一笔" in response.content.decode()
    assert not DisbursementBatch.objects.exists()
    fund.refresh_from_db()
    assert fund.balance == Fund.objects.get(pk=fund.pk).balance


def test_opening_a_fund_for_no_organization_is_not_found(unit, client):
    client.force_login(unit.jijin)
    for value in ("abc", "²", "9" * 25, ""):
        assert client.post("/funds/open/", {"organization": value}).status_code == 404


def test_money_and_counts_past_any_real_value_are_refused_with_a_message(unit, client, world):
    fund = world["fund"]
    before = Fund.objects.get(pk=fund.pk).balance
    client.force_login(unit.jijin)
    response = client.post(
        f"/funds/{fund.pk}/income/",
        {"source": "fiscal", "amount": "9999999999.99", "occurred_on": "2026-11-01"},
        follow=True,
    )
    assert response.status_code == 200 and "金额" in response.content.decode()
    assert Fund.objects.get(pk=fund.pk).balance == before
    submitted = AssistanceApplication.objects.create(
        fund=fund,
        member=unit.member1,
        organization=unit.branch1,
        kind="temporary",
        year=2026,
        amount_requested=100,
        reason="测试",
        status="submitted",
        status_changed_at=dt.datetime(2026, 11, 1, tzinfo=dt.UTC),
        submitted_by=unit.shuji1,
        submitted_at=dt.datetime(2026, 11, 1, tzinfo=dt.UTC),
    )
    client.force_login(unit.shuji1)
    response = client.post(
        f"/funds/applications/{submitted.pk}/meeting/",
        {
            "meeting_on": "2026-11-02",
            "attendees": "99999999999",
            "votes_for": "99999999999",
            "votes_against": "0",
            "votes_abstain": "0",
        },
        follow=True,
    )
    assert response.status_code == 200
    submitted.refresh_from_db()
    assert submitted.status == "submitted"


@pytest.mark.parametrize("day", ["0001-01-01", "1900-01-01", "1920-12-31", "2099-01-01"])
def test_a_visit_date_out_of_range_is_refused_in_chinese(unit, client, day):
    client.force_login(unit.shuji1)
    response = client.post(
        "/visits/new/",
        {"member": unit.member1.pk, "occasion": "routine", "visited_on": day, "visitors": unit.shuji1.member.pk},
    )
    assert response.status_code == 200
    assert "日期不能早于1921年" in response.content.decode() or "日期不能晚于今天" in response.content.decode()
    assert not Visit.objects.exists()


def test_a_year_one_date_in_an_export_is_text_not_a_negative_serial():
    from openpyxl import load_workbook

    from core.xlsx import Column
    from core.xlsx import Workbook as Book

    with Book() as book:
        sheet = book.sheet("日期", None, [Column("日期", 12, "date")])
        sheet.append([dt.date(1, 1, 1)])
        sheet.append([dt.date(2026, 11, 28)])
        book.close()
        content = book.getvalue()
    rows = list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))
    assert rows[-2] == ("0001-01-01",)
    assert rows[-1] == (dt.datetime(2026, 11, 28),)


def _xlsx() -> bytes:
    book = Workbook()
    book.active.append(["姓名", "身份证号", "所在支部", "入党日期"])
    book.active.append(["周全", "11010119800102001X", "第一党支部", dt.date(2005, 7, 1)])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _rewrite(content: bytes, *, drop: str = "", truncate: str = "") -> bytes:
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            if item.filename == drop:
                continue
            data = source.read(item.filename)
            target.writestr(item, data[: len(data) // 2] if item.filename == truncate else data)
    return out.getvalue()


@pytest.mark.parametrize("route", ["members:import", "hardship:import"])
@pytest.mark.parametrize(
    "damage",
    [
        {"truncate": "xl/worksheets/sheet1.xml"},
        {"drop": "xl/worksheets/sheet1.xml"},
        {"truncate": "xl/workbook.xml"},
        {"drop": "xl/_rels/workbook.xml.rels"},
    ],
)
def test_a_damaged_workbook_is_refused_with_a_message(unit, client, route, damage):
    client.force_login(unit.shuji1)
    content = _rewrite(_xlsx(), **damage)
    response = client.post(reverse(route), {"file": SimpleUploadedFile("名册.xlsx", content)})
    assert response.status_code == 200
    assert "Excel" in response.content.decode()


# --- the fuzzer ---------------------------------------------------------------------------------------


class _Forms(HTMLParser):
    """The forms of a page: method, action and each field's name with the value the page gives it."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._form = {
                "method": (attrs.get("method") or "get").lower(),
                "action": attrs.get("action") or "",
                "fields": {},
            }
            self.forms.append(self._form)
        elif self._form is not None and tag in ("input", "textarea") and attrs.get("name"):
            if attrs.get("type") in ("checkbox", "radio") and "checked" not in attrs:
                self._form["fields"].setdefault(attrs["name"], "")
            elif attrs.get("type") != "file":
                self._form["fields"][attrs["name"]] = attrs.get("value") or ""
        elif self._form is not None and tag == "select" and attrs.get("name"):
            self._select = attrs["name"]
            self._form["fields"].setdefault(self._select, "")
        elif (
            self._form is not None
            and tag == "option"
            and self._select
            and attrs.get("value")
            and (not self._form["fields"][self._select] or "selected" in attrs)
        ):
            self._form["fields"][self._select] = attrs["value"]

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


def _crawl(unit, client) -> list[tuple[str, str, dict]]:
    """Every page of the URLconf (objects made by the access test's builders) as the admin and as a
    secretary, and the forms on them: (method, url, fields)."""
    pages: list[str] = []
    built: dict = {}  # one object per builder: routes of one kind share it
    for name in sorted(all_routes()):
        if name in ("logout", "healthz") or name in TOKEN_ROUTES:
            continue
        if name in OBJECT_ROUTES:
            builder = OBJECT_ROUTES[name]
            if builder not in built:
                built[builder] = builder(home(unit, own=True)).kwargs
            pages.append(reverse(name, kwargs=built[builder]))
        else:
            pages.append(reverse(name, kwargs=PLAIN_KWARGS[name]() if name in PLAIN_KWARGS else None))
    targets: list[tuple[str, str, dict]] = []
    for user in (unit.admin, unit.shuji1):
        client.force_login(user)
        for url in pages:
            targets.append(("get", url, {}))
            response = client.get(url)
            if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
                continue
            parser = _Forms()
            parser.feed(response.content.decode(errors="ignore"))
            for form in parser.forms:
                action = urlsplit(form["action"]).path or url
                if action.startswith("/") and not action.startswith(("/accounts/logout", "/admin/")):
                    targets.append((form["method"], action, form["fields"]))
    return targets


ROTATIONS = 8


def test_every_field_and_parameter_of_every_page_takes_hostile_values(unit, client):
    """Systematic: every form and every page, every field (and every query parameter the pages read) at
    once with a hostile value, rotated so each field meets several kinds of them."""
    problems = []
    for method, url, fields in _crawl(unit, client):
        names = sorted(fields) if fields else QUERY_PARAMETERS
        for rotation in range(ROTATIONS):
            data = dict(fields)
            for index, name in enumerate(names):
                data[name] = HOSTILE[(index * 7 + rotation * 5) % len(HOSTILE)]
            client.force_login(unit.admin)
            with transaction.atomic():
                try:
                    response = getattr(client, method)(url, data)
                except Exception as exc:  # noqa: BLE001 - a crash is what this test looks for; report them all
                    problems.append(f"{method.upper()} {url} {data!r}: {exc!r}")
                else:
                    if response.status_code >= 500:
                        problems.append(f"{method.upper()} {url} {data!r}: {response.status_code}")
                transaction.set_rollback(True)
    assert not problems, "\n".join(problems[:20])


def test_no_form_or_parameter_of_any_page_answers_500(unit, client):
    """Random: hypothesis mixes hostile values, generated text and the pages' own values, as four roles."""
    targets = _crawl(unit, client)
    assert len(targets) > 150  # every page, and the forms on them
    users = {"admin": unit.admin, "shuji1": unit.shuji1, "zhiwei1": unit.zhiwei1, "jijin": unit.jijin}

    @settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
    @given(
        target=st.sampled_from(targets),
        who=st.sampled_from(sorted(users)),
        values=st.lists(st.one_of(st.sampled_from(HOSTILE), st.text(max_size=12)), min_size=1, max_size=4),
        extra=st.sampled_from(QUERY_PARAMETERS),
    )
    def drive(target, who, values, extra):
        method, url, fields = target
        data = dict(fields)
        names = sorted(data) or [extra]
        for index, value in enumerate(values):
            data[names[(index * 7) % len(names)]] = value
        data.setdefault(extra, values[0])
        client.force_login(users[who])
        with transaction.atomic():
            response = getattr(client, method)(url, data)
            transaction.set_rollback(True)
        assert_answered(response, f"{method.upper()} {url} {data!r} as {who}")

    drive()
