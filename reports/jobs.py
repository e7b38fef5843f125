"""Daily housekeeping of the background report files."""

from __future__ import annotations

import datetime as dt

from core.jobs import daily_job
from reports import services


@daily_job("reports.expired_files", label="删除过期的年度报表文件", order=91)
def expired_report_files(day: dt.date) -> dict[str, int]:
    # Kept for a number of days after it was built, counted from now whatever `day` is.
    return services.delete_expired_files()
