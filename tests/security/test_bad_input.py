"""Bad input is refused with a clear Chinese message and changes nothing (issue: reliability)."""

import datetime as dt
import io
import re
import tracemalloc
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from members.forms import MemberForm
from members.models import Member
from tests.factories import make_id_number

pytestmark = pytest.mark.django_db
HEADERS = ["姓名", "身份证号", "所在支部", "入党日期"]


def good_xlsx(rows, headers=HEADERS) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def replace_part(content: bytes, part: str, new: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            target.writestr(item, new if item.filename == part else source.read(item.filename))
    return out.getvalue()


def upload(client, content: bytes, name="名册.xlsx"):
    return client.post(reverse("members:import"), {"file": SimpleUploadedFile(name, content)})


def valid_row(name="周全", birth=dt.date(1980, 1, 2)):
    return [name, make_id_number(birth), "第一党支部", dt.date(2005, 7, 1)]


def test_zip_bomb_is_refused_before_parsing_and_memory_barely_moves(unit, login):
    bomb = replace_part(good_xlsx([valid_row()]), "xl/worksheets/sheet1.xml", b"<" + b" " * 60_000_000 + b"/>")
    assert len(bomb) < 1_000_000
    client = login(unit.shuji1)
    tracemalloc.start()
    response = upload(client, bomb)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert "解压后过大" in response.content.decode()
    assert peak < 20 * 1024 * 1024
    assert not Member.objects.filter(name="周全").exists()


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>
<row r="1"><c r="A1" t="inlineStr"><is><t>&lol4;</t></is></c></row></sheetData></worksheet>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>
<row r="1"><c r="A1" t="inlineStr"><is><t>&xxe;</t></is></c></row></sheetData></worksheet>"""


@pytest.mark.parametrize("payload", [BILLION_LAUGHS, EXTERNAL_ENTITY], ids=["billion-laughs", "external-entity"])
def test_hostile_xml_is_refused_without_expanding_anything(unit, login, payload):
    content = replace_part(good_xlsx([valid_row()]), "xl/worksheets/sheet1.xml", payload)
    body = upload(login(unit.shuji1), content).content.decode()
    assert "无法读取该 Excel 文件" in body
    assert "root:" not in body and "lollol" not in body


def test_a_sheet_claiming_a_million_rows_with_three_is_read_as_three(unit, login):
    content = good_xlsx([valid_row("甲"), valid_row("乙", dt.date(1981, 1, 2)), valid_row("丙", dt.date(1982, 1, 2))])
    source = zipfile.ZipFile(io.BytesIO(content)).read("xl/worksheets/sheet1.xml")
    claimed = re.sub(rb'<dimension ref="[A-Z0-9:]+"', b'<dimension ref="A1:D1048576"', source)
    assert claimed != source
    response = upload(login(unit.shuji1), replace_part(content, "xl/worksheets/sheet1.xml", claimed))
    assert [r.name for r in response.context["report"].new] == ["甲", "乙", "丙"]


def test_full_width_characters_and_stray_spaces_are_understood(unit, login):
    number = make_id_number(dt.date(1980, 1, 2))
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in number) + " "
    client = login(unit.shuji1)
    response = upload(client, good_xlsx([["  周全 ", full_width, " 第一党支部\u3000", dt.date(2005, 7, 1)]]))
    report = response.context["report"]
    assert [r.name for r in report.new] == ["周全"]


def test_merged_cells_leave_blanks_that_are_reported_per_row(unit, login):
    book = Workbook()
    sheet = book.active
    sheet.append(HEADERS)
    sheet.append(valid_row("甲"))
    sheet.append(["乙", make_id_number(dt.date(1981, 1, 2)), None, dt.date(2005, 7, 1)])
    sheet.merge_cells("C2:C3")
    buffer = io.BytesIO()
    book.save(buffer)
    rejected = upload(login(unit.shuji1), buffer.getvalue()).context["rejected"]
    assert [(e.row, e.column, e.message) for e in rejected.errors] == [(3, "所在支部", "不能为空")]


@pytest.mark.parametrize(
    ("name", "message"),
    [("张" * 60, "姓名"), ("=cmd|' /C calc'!A0", "姓名"), ("张\u200b三", "姓名"), ("😀", "姓名")],
)
def test_odd_names_are_refused(unit, login, name, message):
    rejected = upload(login(unit.shuji1), good_xlsx([valid_row(name)])).context["rejected"]
    assert rejected.errors[0].column == message
    assert not Member.objects.filter(organization=unit.branch1, join_date=dt.date(2005, 7, 1)).exists()


def test_dates_out_of_range_are_refused(unit, login):
    row = valid_row()
    row[3] = dt.date(1900, 1, 1)
    rejected = upload(login(unit.shuji1), good_xlsx([row])).context["rejected"]
    assert "年满18周岁" in rejected.errors[0].message


text = st.text(max_size=40)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=text, id_number=text, phone=text, birth=st.dates(), join=st.dates())
def test_member_form_never_crashes_and_never_saves_invalid_data(unit, name, id_number, phone, birth, join):
    data = {
        "organization": unit.branch1.pk,
        "name": name,
        "gender": "M",
        "birth_date": birth.isoformat(),
        "id_number": id_number,
        "phone": phone,
        "join_date": join.isoformat(),
        "party_status": "full",
        "employment": "employed",
        "work_capacity": "normal",
    }
    form = MemberForm(data, user=unit.shuji1)
    if form.is_valid():
        # Whatever passes the form satisfies every model rule.
        form.instance.full_clean()
    else:
        assert all(isinstance(message, str) and message for errors in form.errors.values() for message in errors)


printable = st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=30)  # what a cell can hold
cell = st.one_of(
    st.none(),
    printable,
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=True),
    st.dates(min_value=dt.date(1900, 1, 1)),
    st.booleans(),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.lists(cell, min_size=4, max_size=4), min_size=1, max_size=4))
def test_import_of_arbitrary_cells_answers_clearly_and_writes_nothing(unit, login, rows):
    before = Member.objects.count()
    client = login(unit.shuji1)
    response = upload(client, good_xlsx(rows))
    assert response.status_code == 200
    assert response.context.get("report") or response.context.get("rejected") or response.context["form"].errors
    assert Member.objects.count() == before
