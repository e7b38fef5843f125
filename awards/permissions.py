"""Who may do what in a commendation campaign. Views ask before showing a button; services ask again."""

from __future__ import annotations

from django.db.models import QuerySet

from awards.models import AwardCampaign, CampaignStatus, Nomination
from members.models import Member, Organization, Role
from members.scoping import branches_for, has_role, holds_role_over, org_ids_with_role


def can_create_campaign(user) -> bool:
    if not user.is_authenticated:
        return False
    return user.is_superuser or has_role(user, Role.ORG_DEPT)


def organizer_choices(user) -> QuerySet:
    """Organizations a user may run a campaign for: where they are the organization department."""
    queryset = Organization.objects.filter(is_active=True).exclude(kind=Organization.Kind.BRANCH)
    if user.is_superuser:
        return queryset.order_by("path")
    return queryset.filter(pk__in=org_ids_with_role(user, Role.ORG_DEPT)).order_by("path")


def can_manage_campaign(user, campaign: AwardCampaign) -> bool:
    """The organization department over the organizer: reviews, notices, objections, publication."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return holds_role_over(user, campaign.organizer_id, Role.ORG_DEPT)


def nominating_branches(user, campaign: AwardCampaign) -> QuerySet:
    """Branches under the organizer whose secretary the user is."""
    return branches_for(user, Role.SECRETARY).filter(path__startswith=campaign.organizer.path)


def can_nominate(user, campaign: AwardCampaign) -> bool:
    if not user.is_authenticated:
        return False
    if campaign.status != CampaignStatus.COLLECTING:
        return False
    return nominating_branches(user, campaign).exists()


def can_view_nominations(user, campaign: AwardCampaign) -> bool:
    if not user.is_authenticated:
        return False
    return can_manage_campaign(user, campaign) or nominating_branches(user, campaign).exists()


def can_withdraw(user, nomination: Nomination) -> bool:
    if not user.is_authenticated:
        return False
    if nomination.campaign.status != CampaignStatus.COLLECTING:
        return False
    return nominating_branches(user, nomination.campaign).filter(pk=nomination.branch_id).exists()


def objecting_member(user, campaign: AwardCampaign) -> Member | None:
    """The user's own on-roll member record if it lies under the organizer: the people a notice is for."""
    if not user.is_authenticated:
        return None
    return (
        Member.objects.on_roll()
        .filter(user=user, organization__path__startswith=campaign.organizer.path)
        .first()
    )


def can_object(user, nomination: Nomination) -> bool:
    campaign = nomination.campaign
    if campaign.status != CampaignStatus.NOTICE:
        return False
    member = objecting_member(user, campaign)
    return member is not None and member.pk != nomination.member_id
