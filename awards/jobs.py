"""The daily job: nominations close at their deadline and notices end by themselves."""

import datetime as dt

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.urls import reverse

from awards import services
from awards.models import AwardCampaign, CampaignStatus
from core.jobs import daily_job
from members.models import Appointment, Organization, Role
from notifications.services import Message, notify_many


@daily_job("awards.campaigns", label="表彰评选：推荐截止、公示期满发布", order=40)
def run(day: dt.date) -> dict[str, int]:
    return services.run_daily(day=day)


@daily_job("awards.campaign_reminder", label="提醒党委开展年度表彰评选", order=41)
def campaign_reminder(day: dt.date) -> dict[str, int]:
    """表彰奖励制度: 每年组织开展一次评选. From AWARD_REMINDER (month, day) on, a 党委 that has not opened this
    year's campaign has its 组织部 reminded; a month later, once more."""
    month, first_day = settings.CARE["AWARD_REMINDER"]
    start = dt.date(day.year, month, first_day)
    counts = {"reminders": 0}
    if day < start:
        return counts
    round_ = 2 if day >= start + dt.timedelta(days=30) else 1
    opened = AwardCampaign.objects.filter(organizer=OuterRef("pk"), year=day.year).exclude(
        status=CampaignStatus.CANCELLED
    )
    waiting = list(
        Organization.objects.filter(kind=Organization.Kind.COMMITTEE, is_active=True).filter(~Exists(opened))
    )
    if not waiting:
        return counts
    messages = [
        Message(
            recipient=appointment.user,
            title=f"{day.year}年度表彰评选尚未开展",
            body=(
                f"按照表彰奖励制度，{appointment.organization.name}每年组织开展一次“优秀共产党员”“优秀党务工作者”"
                f"“党员兑现承诺先进个人”等评选。{day.year}年度评选尚未发起，请及时发起并通知各支部推荐。"
            ),
            link=reverse("awards:list"),
            dedupe_key=f"awards:open-campaign:{appointment.organization_id}:{day.year}:{round_}:{appointment.user_id}",
        )
        for appointment in Appointment.objects.filter(
            organization__in=waiting, role=Role.ORG_DEPT, user__is_active=True
        ).select_related("user", "organization")
    ]
    counts["reminders"] = sum(sent is not None for sent in notify_many(messages))
    return counts
