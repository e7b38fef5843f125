"""The daily job: nominations close at their deadline and notices end by themselves."""

import datetime as dt

from awards import services
from core.jobs import daily_job


@daily_job("awards.campaigns", label="表彰评选：推荐截止、公示期满发布", order=40)
def run(day: dt.date) -> dict[str, int]:
    return services.run_daily(day=day)
