"""节假日安排: the organization department and administrators enter each year's holidays and 调休
working days from the State Council's notice. Public notices are counted in working days from it
(core.calendars); saving recomputes the end of every open notice."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render

from core import calendars, clock
from core.errors import DomainError
from core.models import CalendarYear
from members import services
from members.access import EDIT, VIEW, requires
from members.forms import DateInput

STANDARD_LINES = ["元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节"]


class ScheduleForm(forms.Form):
    notice = forms.CharField(
        label="通知名称或文号",
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": "如：国务院办公厅关于2027年部分节假日安排的通知"}),
    )


class HolidayLineForm(forms.Form):
    name = forms.ChoiceField(
        label="节日", choices=[("", "（不填）"), *[(n, n) for n in calendars.HOLIDAY_NAMES]], required=False
    )
    start = forms.DateField(label="放假起", required=False, widget=DateInput())
    end = forms.DateField(label="放假止", required=False, widget=DateInput())
    workday1 = forms.DateField(label="调休上班日", required=False, widget=DateInput())
    workday2 = forms.DateField(label="调休上班日", required=False, widget=DateInput())
    workday3 = forms.DateField(label="调休上班日", required=False, widget=DateInput())

    def line(self) -> calendars.HolidayRange:
        data = self.cleaned_data
        workdays = tuple(day for day in (data.get("workday1"), data.get("workday2"), data.get("workday3")) if day)
        return calendars.HolidayRange(data.get("name") or "", data.get("start"), data.get("end"), workdays)


HolidayFormSet = forms.formset_factory(HolidayLineForm, extra=1, max_num=12, validate_max=True)


def _years(today: dt.date) -> list[dict]:
    entered = {schedule.year: schedule for schedule in CalendarYear.objects.select_related("entered_by")}
    rows = []
    for year in range(today.year - 1, today.year + 2):
        schedule = entered.get(year)
        if schedule is not None:
            source = f"已录入（{schedule.notice}）"
        elif calendars.library_knows(year):
            source = "国务院已公布（系统内置）"
        else:
            source = "尚未录入：暂按法定节假日推算，公示截止日标“暂定”"
        rows.append(
            {
                "year": year,
                "schedule": schedule,
                "source": source,
                "official": schedule is not None or calendars.library_knows(year),
            }
        )
    return rows


@requires("calendar", VIEW)
def calendar_index(request):
    today = clock.today()
    return render(
        request,
        "members/calendar_index.html",
        {
            "years": _years(today),
            "needing": calendars.years_needing_schedule(today),
        },
    )


@requires("calendar", EDIT)
def calendar_year(request, year: int):
    today = clock.today()
    if not today.year - 1 <= year <= today.year + 1:
        raise Http404
    schedule = CalendarYear.objects.filter(year=year).first()
    if schedule is not None:
        initial_lines = [
            {
                "name": r.name,
                "start": r.start,
                "end": r.end,
                **{f"workday{i + 1}": day for i, day in enumerate(r.workdays[:3])},
            }
            for r in calendars.ranges_of(schedule)
        ]
        initial_notice = {"notice": schedule.notice}
    else:
        initial_lines = [{"name": name} for name in STANDARD_LINES]
        initial_notice = {"notice": f"国务院办公厅关于{year}年部分节假日安排的通知"}
    form = ScheduleForm(request.POST or None, initial=initial_notice)
    formset = HolidayFormSet(request.POST or None, initial=initial_lines, prefix="lines")
    if request.method == "POST":
        if form.is_valid() and formset.is_valid():
            try:
                change = services.save_calendar_year(
                    by=request.user,
                    year=year,
                    notice=form.cleaned_data["notice"],
                    ranges=[line.line() for line in formset.forms if line.cleaned_data],
                )
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                moved = (
                    f"，{change.notices_moved} 项正在进行的公示已按新安排重算截止日并通知相关人员"
                    if change.notices_moved
                    else "，没有需要调整截止日的公示"
                )
                messages.success(request, f"{year} 年节假日安排已保存{moved}")
                return redirect("calendar:year", year=year)
        else:
            form.add_error(None, "请检查日期格式")
    statutory = calendars.statutory_ranges(year)
    for line in formset:  # beside each line, the statutory days its notice must include
        name = line["name"].value() or ""
        line.hint = "；".join(
            f"{n} {start:%-m月%-d日}" + (f"至{end:%-m月%-d日}" if end != start else "")
            for n, start, end in statutory
            if n and n in name
        )
    return render(
        request,
        "members/calendar_year.html",
        {
            "year": year,
            "schedule": schedule,
            "form": form,
            "formset": formset,
            "statutory": statutory,
            "changes": schedule.changes.select_related("changed_by").all()[:20] if schedule else [],
            "official_elsewhere": schedule is None and calendars.library_knows(year),
        },
    )
