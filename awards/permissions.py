"""Who may do what in a commendation campaign: the role table's answers (members.access) with the
campaign or nomination at hand. Views ask before showing a button; services ask again."""

from __future__ import annotations

from django.db.models import QuerySet

from awards.models import AwardCampaign, CampaignStatus, Nomination
from members import access
from members.access import CREATE, LIST, VIEW
from members.models import Member, Organization
from members.scoping import branches_for, organizations_for


def can_create_campaign(user) -> bool:
    return access.may(user, "campaign", CREATE)


def organizer_choices(user) -> QuerySet:
    """Organizations a user may run a campaign for: above branch level, where the table lets them."""
    return organizations_for(user, *access.real_roles("campaign", CREATE)).exclude(kind=Organization.Kind.BRANCH)


def can_manage_campaign(user, campaign: AwardCampaign) -> bool:
    """The organization department over the organizer: reviews, notices, objections, publication."""
    return access.may_at(user, "campaign", "manage", campaign.organizer_id)


def nominating_branches(user, campaign: AwardCampaign) -> QuerySet:
    """Branches under the organizer where the user may nominate (their secretary)."""
    return branches_for(user, *access.real_roles("nomination", CREATE)).filter(path__startswith=campaign.organizer.path)


def can_nominate(user, campaign: AwardCampaign) -> bool:
    if not user.is_authenticated:
        return False
    if campaign.status != CampaignStatus.COLLECTING:
        return False
    return nominating_branches(user, campaign).exists()


def can_view_nominations(user, campaign: AwardCampaign) -> bool:
    if not access.may(user, "nomination", LIST):
        return False
    return can_manage_campaign(user, campaign) or nominating_branches(user, campaign).exists()


def can_withdraw(user, nomination: Nomination) -> bool:
    if not user.is_authenticated:
        return False
    if nomination.campaign.status != CampaignStatus.COLLECTING:
        return False
    return access.may_at(user, "nomination", "withdraw", nomination.branch_id)


def can_see_honour_stats(user) -> bool:
    return access.may(user, "honours", VIEW)


def objecting_member(user, campaign: AwardCampaign) -> Member | None:
    """The user's own on-roll member record if it lies under the organizer: the people a notice is for."""
    if not access.may(user, "nomination", "object"):
        return None
    return Member.objects.on_roll().filter(user=user, organization__path__startswith=campaign.organizer.path).first()


def can_object(user, nomination: Nomination) -> bool:
    campaign = nomination.campaign
    if campaign.status != CampaignStatus.NOTICE:
        return False
    member = objecting_member(user, campaign)
    return member is not None and member.pk != nomination.member_id
