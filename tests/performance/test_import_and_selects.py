"""The roster import's bulk path and the Python-rendered <select>: same results, constant queries."""

from __future__ import annotations

import datetime as dt

import pytest
from auditlog.models import LogEntry
from django import forms
from django.db import connection
from django.forms.renderers import DjangoTemplates
from django.test.utils import CaptureQueriesContext

from core.renderers import FastSelectRenderer
from members import importing
from members.models import Member
from tests.factories import make_id_number
from tests.members.test_import import person, xlsx


def _name(index: int) -> str:
    return "导入" + "甲乙丙丁戊己庚辛壬癸"[index % 10] + "子丑寅卯辰巳午未申酉戌亥"[index // 10 % 12]


def _rows(count: int, start: int = 0) -> list[list]:
    return [person(_name(start + i), birth=dt.date(1960, 1, 1) + dt.timedelta(days=start + i)) for i in range(count)]


def _commit_queries(unit, rows) -> int:
    with CaptureQueriesContext(connection) as captured:
        importing.commit_import(data=xlsx(rows), by=unit.shuji1, confirm_similar=True)
    return len(captured.captured_queries)


@pytest.mark.django_db
def test_roster_import_query_count_does_not_grow_with_the_rows(unit):
    _commit_queries(unit, _rows(2, start=300))  # warms per-process caches (the audit log's content type)
    # 4 and 28 rows: SQLite caps a bulk INSERT at 999 parameters (about 30 members since the member got
    # its 离休/退休, 原单位, 流动 and 家庭联系人 fields), PostgreSQL at 1,000 rows.
    few = _commit_queries(unit, _rows(4))
    many = _commit_queries(unit, _rows(28, start=100))
    assert many == few
    assert Member.objects.filter(name__startswith="导入").count() == 34


@pytest.mark.django_db
def test_bulk_import_updates_members_on_file_and_leaves_an_audit_trail(unit):
    birth = dt.date(1970, 3, 3)
    number = make_id_number(birth)
    Member.objects.create(
        organization=unit.branch1,
        name="老名字",
        gender="M",
        birth_date=birth,
        id_number=number,
        join_date=dt.date(1995, 7, 1),
    )
    rows = [person("新名字", birth=birth, 身份证号=number.lower()), *_rows(2)]
    report = importing.commit_import(data=xlsx(rows), by=unit.shuji1, confirm_similar=True)
    assert [r.name for r in report.changed] == ["新名字"] and len(report.new) == 2
    assert Member.objects.get(id_number=number).name == "新名字"
    assert Member.objects.filter(id_number=number).count() == 1
    imported = LogEntry.objects.filter(actor=unit.shuji1, additional_data__bulk=True)
    assert imported.filter(action=LogEntry.Action.CREATE).count() == 2
    assert imported.filter(action=LogEntry.Action.UPDATE).count() == 1


class _Form(forms.Form):
    plain = forms.ChoiceField(
        choices=[("", "全部"), ("a", "A&B <c>"), ("组", [("1", "一"), ("2", '二"')])], required=False
    )
    many = forms.MultipleChoiceField(choices=[("1", "一"), ("2", "二")])
    maybe = forms.NullBooleanField()


@pytest.mark.parametrize("data", [{}, {"plain": "1", "many": ["1", "2"], "maybe": "true"}])
def test_select_rendered_in_python_is_byte_for_byte_djangos(data):
    form = _Form(data)
    for name in ("plain", "many", "maybe"):
        field = form[name]
        attrs = {"class": "form-select", "id": f"id_{name}", "disabled": False, "required": True, "data-x": 'a"b'}
        ours = field.field.widget.render(field.html_name, field.value(), attrs, renderer=FastSelectRenderer())
        django = field.field.widget.render(field.html_name, field.value(), attrs, renderer=DjangoTemplates())
        assert ours == django
