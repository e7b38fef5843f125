"""Reads of the commendation campaigns: honour rolls, quota usage, history and counts, all scoped."""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet

from awards import permissions
from awards.models import (
    AwardCampaign,
    AwardCategory,
    CampaignStatus,
    Nomination,
    NominationStatus,
    Objection,
    ObjectionStatus,
)
from core import cache
from members.models import Member, Organization
from members.scoping import scope_key


def public_list(campaign: AwardCampaign) -> QuerySet:
    """The approved list: shown on the notice board during 公示 and as the honour roll afterwards."""
    return (
        campaign.nominations.filter(status=NominationStatus.APPROVED)
        .select_related("member", "branch", "category")
        .order_by("category__sort_order", "branch__path", "member__name", "id")
    )


def public_counts(campaign: AwardCampaign, *, branch_id: int | None = None) -> dict[int, int]:
    """Names on the public list per category (for headings that stay right across pages)."""
    queryset = campaign.nominations.filter(status=NominationStatus.APPROVED)
    if branch_id is not None:
        queryset = queryset.filter(branch_id=branch_id)
    return dict(queryset.values_list("category_id").annotate(n=Count("id")))


def grouped_by_category(nominations) -> list[tuple[AwardCategory, list[Nomination]]]:
    groups: OrderedDict[int, tuple[AwardCategory, list[Nomination]]] = OrderedDict()
    for nomination in nominations:
        groups.setdefault(nomination.category_id, (nomination.category, []))[1].append(nomination)
    return list(groups.values())


@dataclass
class QuotaRow:
    category: AwardCategory
    used_by_branch: dict[int, int] = field(default_factory=dict)
    used_total: int = 0

    def left_for(self, branch_id: int) -> int | None:
        """Places left for one branch, the tighter of the branch and total quotas (None: no limit)."""
        limits = []
        if self.category.quota_per_branch:
            limits.append(self.category.quota_per_branch - self.used_by_branch.get(branch_id, 0))
        if self.category.quota_total:
            limits.append(self.category.quota_total - self.used_total)
        return max(min(limits), 0) if limits else None


def quota_usage(campaign: AwardCampaign) -> list[QuotaRow]:
    """Per category: places taken per branch and in total (rejected nominations free their place)."""
    rows = {c.pk: QuotaRow(category=c) for c in campaign.categories.all()}
    counts = (
        Nomination.objects.filter(campaign=campaign)
        .counting_against_quota()
        .values("category_id", "branch_id")
        .annotate(n=Count("id"))
    )
    for row in counts:
        quota = rows[row["category_id"]]
        quota.used_by_branch[row["branch_id"]] = row["n"]
        quota.used_total += row["n"]
    return list(rows.values())


def branch_quota_table(campaign: AwardCampaign, branches: list[Organization]) -> list[dict]:
    """For a secretary: per branch they keep and category, how many put forward and how many left."""
    usage = quota_usage(campaign)
    return [
        {
            "branch": branch,
            "cells": [
                {"category": q.category, "used": q.used_by_branch.get(branch.pk, 0), "left": q.left_for(branch.pk)}
                for q in usage
            ],
        }
        for branch in branches
    ]


def status_counts(campaign: AwardCampaign, nominations: QuerySet) -> dict[str, int]:
    counts = dict(nominations.filter(campaign=campaign).values_list("status").annotate(n=Count("id")))
    counts["total"] = sum(counts.values())
    return counts


def open_objections(campaign: AwardCampaign) -> QuerySet:
    return (
        Objection.objects.filter(nomination__campaign=campaign, status=ObjectionStatus.OPEN)
        .select_related("nomination__member", "nomination__branch", "nomination__category", "raised_by__member")
        .order_by("created_at", "id")
    )


def member_honours(member: Member) -> QuerySet:
    """A member's honours over the years, newest first."""
    return (
        Nomination.objects.honours()
        .filter(member=member)
        .select_related("campaign__organizer", "category")
        .order_by("-campaign__year", "category__sort_order")
    )


def honour_counts(user, *, year: int | None) -> dict:
    """Honours per branch and category (for one year or all years), in the user's scope."""
    honours = Nomination.objects.honours().for_user(user)
    years = sorted(set(honours.values_list("campaign__year", flat=True)), reverse=True)
    if year is not None:
        honours = honours.filter(campaign__year=year)
    rows = list(
        honours.values("branch_id", "branch__name", "branch__path", "category__name", "category__sort_order").annotate(
            n=Count("id")
        )
    )
    # Categories are matched by name across years, in the order the campaigns list them.
    order: dict[str, int] = {}
    for row in rows:
        order[row["category__name"]] = min(order.get(row["category__name"], 99), row["category__sort_order"])
    categories = sorted(order, key=lambda name: (order[name], name))
    table: OrderedDict[int, dict] = OrderedDict()
    for row in sorted(rows, key=lambda r: r["branch__path"]):
        entry = table.setdefault(row["branch_id"], {"name": row["branch__name"], "counts": {}, "total": 0})
        entry["counts"][row["category__name"]] = entry["counts"].get(row["category__name"], 0) + row["n"]
        entry["total"] += row["n"]
    totals = {name: sum(e["counts"].get(name, 0) for e in table.values()) for name in categories}
    lines = [
        {"name": e["name"], "cells": [e["counts"].get(name, 0) for name in categories], "total": e["total"]}
        for e in table.values()
    ]
    return {
        "years": years,
        "categories": categories,
        "lines": lines,
        "totals": [totals[name] for name in categories],
        "grand_total": sum(totals.values()),
    }


HOME_CACHE = "awards:home"
HOME_WATCHES = (
    "awards.AwardCampaign",
    "awards.AwardCategory",
    "awards.Nomination",
    "awards.Objection",
    "members.Organization",
)


def cached_home_items(user, *, today: dt.date) -> list[dict]:
    """`home_items`, cached per viewer's scope and day: every home page asks it, and a campaign, a
    nomination or an objection saved makes it stale."""
    return cache.cached(HOME_CACHE, [scope_key(user), f"{today:%Y%m%d}"], lambda: home_items(user, today=today))


def home_items(user, *, today: dt.date) -> list[dict]:
    """What each role must do now in the campaigns it can see: nominate, review, resolve, publish."""
    items: list[dict] = []
    campaigns = list(
        AwardCampaign.objects.for_user(user)
        .filter(status__in=[CampaignStatus.COLLECTING, CampaignStatus.REVIEWING, CampaignStatus.NOTICE])
        .select_related("organizer")
        .annotate(
            pending=Count("nominations", filter=Q(nominations__status=NominationStatus.SUBMITTED)),
            objections=Count("nominations__objections", filter=Q(nominations__objections__status=ObjectionStatus.OPEN)),
        )
    )
    for campaign in campaigns:
        manages = permissions.can_manage_campaign(user, campaign)
        url = campaign.get_absolute_url()
        if campaign.status == CampaignStatus.COLLECTING:
            branches = list(permissions.nominating_branches(user, campaign))
            if branches and today <= campaign.nomination_deadline:
                done = Nomination.objects.filter(campaign=campaign, branch__in=branches).count()
                left = (campaign.nomination_deadline - today).days
                items.append(
                    {
                        "text": f"{campaign.title}正在征集推荐，{campaign.nomination_deadline:%m月%d日}截止"
                        f"（{'今天截止' if left == 0 else f'还剩 {left} 天'}），本支部已推荐 {done} 名",
                        "url": f"{url}nominate/",
                        "action": "推荐",
                        "urgent": left <= 3,
                    }
                )
            elif manages:
                items.append(
                    {
                        "text": f"{campaign.title}征集中，已收到 {campaign.pending} 份推荐",
                        "url": url,
                        "action": "查看",
                        "urgent": today > campaign.nomination_deadline,
                    }
                )
        elif campaign.status == CampaignStatus.REVIEWING and manages:
            if campaign.pending:
                items.append(
                    {
                        "text": f"{campaign.title}：{campaign.pending} 份推荐待评审",
                        "url": f"{url}nominations/?status=submitted",
                        "action": "评审",
                        "urgent": True,
                    }
                )
            else:
                items.append(
                    {
                        "text": f"{campaign.title}：推荐已全部评审，可以开始公示",
                        "url": url,
                        "action": "公示",
                        "urgent": True,
                    }
                )
        elif campaign.status == CampaignStatus.NOTICE:
            if manages and campaign.objections:
                items.append(
                    {
                        "text": f"{campaign.title}公示收到 {campaign.objections} 条异议，待核实处理",
                        "url": f"{url}#objections",
                        "action": "处理",
                        "urgent": True,
                    }
                )
            elif manages and today > campaign.notice_ends_on:
                items.append(
                    {"text": f"{campaign.title}公示期满，可以发布表彰", "url": url, "action": "发布", "urgent": True}
                )
            elif today <= campaign.notice_ends_on:
                items.append(
                    {
                        "text": f"{campaign.title}名单公示中，至 {campaign.notice_ends_on:%m月%d日}",
                        "url": url,
                        "action": "查看",
                        "urgent": False,
                    }
                )
    return items
