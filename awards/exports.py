"""The honour roll and the nomination list as .xlsx, through the one writer in core.xlsx."""

from __future__ import annotations

from typing import BinaryIO

from django.db.models import QuerySet
from django.utils import timezone

from awards.models import AwardCampaign
from core.xlsx import Column, Workbook

HONOUR_COLUMNS = [
    Column("序号", 6, "int"),
    Column("表彰类别", 22),
    Column("姓名", 10),
    Column("性别", 6),
    Column("所在支部", 22),
    Column("党员类别", 10),
    Column("入党日期", 12, "date"),
    Column("主要事迹", 60),
]

NOMINATION_COLUMNS = [
    Column("序号", 6, "int"),
    Column("表彰类别", 22),
    Column("姓名", 10),
    Column("所在支部", 22),
    Column("主要事迹", 60),
    Column("支部党员大会日期", 14, "date"),
    Column("到会人数", 9, "int"),
    Column("赞成", 7, "int"),
    Column("反对", 7, "int"),
    Column("弃权", 7, "int"),
    Column("评审状态", 10),
    Column("评审意见", 30),
    Column("推荐时间", 18, "date"),
]


def honour_roll_workbook(campaign: AwardCampaign, nominations: QuerySet) -> BinaryIO:
    state = "表彰名单" if campaign.is_published else "公示名单"
    with Workbook() as book:
        sheet = book.sheet(state, f"{campaign.title}{state}", HONOUR_COLUMNS)
        for index, n in enumerate(nominations, start=1):
            m = n.member
            sheet.append(
                [
                    index,
                    n.category.name,
                    m.name,
                    m.get_gender_display(),
                    n.branch.name,
                    m.get_party_status_display(),
                    m.join_date,
                    n.deeds,
                ]
            )
        book.close()
        return book.detach()


def nomination_workbook(campaign: AwardCampaign, nominations: QuerySet) -> BinaryIO:
    with Workbook() as book:
        sheet = book.sheet("推荐名单", f"{campaign.title}推荐名单", NOMINATION_COLUMNS)
        for index, n in enumerate(nominations, start=1):
            sheet.append(
                [
                    index,
                    n.category.name,
                    n.member.name,
                    n.branch.name,
                    n.deeds,
                    n.meeting_date,
                    n.attendees,
                    n.votes_for,
                    n.votes_against,
                    n.votes_abstain,
                    n.get_status_display(),
                    n.review_comment,
                    timezone.localtime(n.created_at).date(),
                ]
            )
        book.close()
        return book.detach()
