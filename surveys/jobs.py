"""Daily work of the 全面排查: members who joined during a period get their checklist; branches not done
are reminded before the period ends and at its end."""

from __future__ import annotations

import datetime as dt

from django.conf import settings

from core.jobs import daily_job
from surveys import services


@daily_job("surveys.joiners", label="全面排查：期间新转入党员加入排查", order=50)
def joiners(day: dt.date) -> dict[str, int]:
    return {"checklists": services.add_joiners(day=day)}


@daily_job("surveys.reminders", label="全面排查：结束前和结束时提醒未完成的支部", order=51)
def reminders(day: dt.date) -> dict[str, int]:
    return services.remind_branches(day=day, days_before=settings.CARE["SURVEY_REMINDER_DAYS"])
