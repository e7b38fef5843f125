"""Daily work of the funds app: notices close themselves, stale applications are chased, emergencies
whose branch meeting is not recorded are reminded."""

from __future__ import annotations

import datetime as dt

from core.jobs import daily_job
from funds import services


@daily_job("funds.close_notices", label="关闭期满的帮扶公示", order=30)
def close_notices(day: dt.date) -> dict[str, int]:
    return services.close_notices(day=day)


@daily_job("funds.remind_stale", label="提醒与督办积压的帮扶申请", order=31)
def remind_stale(day: dt.date) -> dict[str, int]:
    return services.remind_stale(day=day)


@daily_job("funds.emergency_meetings", label="提醒补录紧急救助的支部党员大会", order=32)
def remind_emergency_meetings(day: dt.date) -> dict[str, int]:
    return services.remind_emergency_meetings(day=day)
