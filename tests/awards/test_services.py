import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied

from awards import services
from awards.models import (
    AwardCampaign,
    AwardEvent,
    CampaignStatus,
    Nomination,
    NominationStatus,
    Objection,
    ObjectionStatus,
)
from core.errors import DomainError
from members.models import Member
from notifications.models import Notification
from tests.awards.conftest import TODAY
from tests.awards.factories import CampaignFactory, NominationFactory
from tests.factories import MemberFactory, UserFactory

pytestmark = pytest.mark.django_db


def _give_login(member, user):
    """Move a login to another member record (the awardee signs in as that user)."""
    Member.objects.filter(user=user).update(user=None)
    Member.objects.filter(pk=member.pk).update(user=user)


# ------------------------------------------------------------------ campaigns


def _categories():
    return [{"name": "优秀共产党员", "quota_per_branch": 2}, {"name": "优秀党务工作者", "quota_total": 3}]


def test_org_department_opens_a_campaign_with_its_categories(unit):
    campaign = services.create_campaign(
        by=unit.zzb,
        organizer=unit.committee,
        year=2026,
        title="2026年度评选",
        nomination_deadline=TODAY,
        categories=_categories(),
        today=TODAY,
    )
    assert campaign.status == CampaignStatus.COLLECTING
    assert [(c.name, c.quota_per_branch, c.quota_total) for c in campaign.categories.all()] == [
        ("优秀共产党员", 2, None),
        ("优秀党务工作者", None, 3),
    ]
    assert campaign.events.get().to_status == CampaignStatus.COLLECTING


def test_a_secretary_cannot_open_a_campaign(unit):
    with pytest.raises(PermissionDenied):
        services.create_campaign(
            by=unit.shuji1,
            organizer=unit.committee,
            year=2026,
            title="评选",
            nomination_deadline=TODAY,
            categories=_categories(),
            today=TODAY,
        )


@pytest.mark.parametrize(
    ("deadline", "categories", "message"),
    [
        (TODAY - dt.timedelta(days=1), _categories(), "推荐截止日期不能早于今天"),
        (TODAY, [], "请至少设置一个表彰类别"),
        (TODAY, [{"name": "优秀共产党员"}], "请为“优秀共产党员”设置每支部名额或总名额"),
        (TODAY, [{"name": "优秀共产党员", "quota_total": 1}] * 2, "表彰类别名称不能重复"),
    ],
)
def test_campaign_rules(unit, deadline, categories, message):
    with pytest.raises(DomainError, match=message):
        services.create_campaign(
            by=unit.zzb,
            organizer=unit.committee,
            year=2026,
            title="评选",
            nomination_deadline=deadline,
            categories=categories,
            today=TODAY,
        )


def test_one_campaign_per_organizer_and_year_unless_cancelled(unit, campaign):
    with pytest.raises(DomainError, match="已有2026年度的评选活动"):
        services.create_campaign(
            by=unit.zzb,
            organizer=unit.committee,
            year=2026,
            title="重复",
            nomination_deadline=TODAY,
            categories=_categories(),
            today=TODAY,
        )
    services.cancel_campaign(campaign_id=campaign.pk, by=unit.zzb, reason="方案调整，重新发起")
    again = services.create_campaign(
        by=unit.zzb,
        organizer=unit.committee,
        year=2026,
        title="重新发起",
        nomination_deadline=TODAY,
        categories=_categories(),
        today=TODAY,
    )
    assert again.status == CampaignStatus.COLLECTING


# ------------------------------------------------------------------ nominations


def test_secretary_nominates_a_member_of_their_branch(unit, campaign, nominate):
    nomination = nominate(unit.member1)
    assert nomination.status == NominationStatus.SUBMITTED
    assert nomination.branch == unit.branch1
    assert nomination.nominated_by == unit.shuji1
    assert AwardEvent.objects.filter(nomination=nomination, to_status=NominationStatus.SUBMITTED).exists()


def test_secretary_cannot_nominate_another_branchs_member(unit, nominate):
    with pytest.raises(DomainError, match="只能推荐本支部的党员"):
        nominate(unit.member2)
    assert not Nomination.objects.exists()


def test_committee_member_is_not_a_nominator(unit, nominate):
    with pytest.raises(DomainError, match="只能推荐本支部的党员"):
        nominate(unit.member1, by=unit.zhiwei1)


def test_nomination_after_the_deadline_is_refused(unit, nominate):
    with pytest.raises(DomainError, match="推荐已于 2026年11月30日 截止"):
        nominate(unit.member1, today=dt.date(2026, 12, 1))


def test_nomination_on_the_deadline_day_is_accepted(unit, nominate):
    assert nominate(unit.member1, today=dt.date(2026, 11, 30), meeting_date=dt.date(2026, 11, 30))


def test_one_nomination_per_member_per_category(unit, campaign, nominate):
    nominate(unit.member1)
    with pytest.raises(DomainError, match="同一党员同一类别只能推荐一次"):
        nominate(unit.member1)
    # Another category for the same member is fine.
    other = campaign.categories.get(name="优秀党务工作者")
    assert nominate(unit.member1, category_obj=other)


def test_branch_quota(unit, nominate):
    extra = MemberFactory(organization=unit.branch1)
    nominate(unit.member1)
    nominate(extra)
    third = MemberFactory(organization=unit.branch1, name="第三人")
    with pytest.raises(DomainError, match="每支部限推荐 2 名，本支部名额已满"):
        nominate(third)


def test_total_quota_counts_every_branch(unit, campaign, nominate):
    category = campaign.categories.get(name="优秀党务工作者")
    category.quota_per_branch, category.quota_total = None, 1
    category.save()
    nominate(unit.member2, by=unit.shuji2, category_obj=category)
    with pytest.raises(DomainError, match="总名额 1 名已满"):
        nominate(unit.member1, category_obj=category)


def test_a_rejected_nomination_frees_its_place(unit, campaign, category, nominate):
    extra = MemberFactory(organization=unit.branch1)
    NominationFactory(category=category, member=extra, status=NominationStatus.REJECTED)
    NominationFactory(category=category, member=unit.dangyuan1.member, status=NominationStatus.SUBMITTED)
    assert nominate(unit.member1)


def test_members_no_longer_on_roll_are_refused(unit, nominate):
    unit.member1.deceased_on = dt.date(2026, 10, 1)
    unit.member1.save()
    with pytest.raises(DomainError, match="已故，不能推荐"):
        nominate(unit.member1)


def test_members_under_discipline_are_refused(unit, nominate):
    unit.member1.is_under_discipline = True
    unit.member1.save()
    with pytest.raises(DomainError, match="处于处分影响期内，不能推荐"):
        nominate(unit.member1)


@pytest.mark.parametrize(
    ("vote", "message"),
    [
        ({"votes_for": 10, "votes_against": 8, "votes_abstain": 2}, "推荐须经到会党员半数以上同意"),
        ({"votes_for": 15, "votes_against": 5, "votes_abstain": 3}, "不能超过到会人数"),
        ({"meeting_date": dt.date(2026, 11, 21)}, "支部党员大会日期不能晚于今天"),
        ({"deeds": "表现很好"}, "不少于20字"),
    ],
)
def test_the_branch_vote_and_deeds_must_be_sound(unit, nominate, vote, message):
    with pytest.raises(DomainError, match=message):
        nominate(unit.member1, **vote)


def test_nominations_are_refused_once_collection_closed(unit, campaign, nominate):
    services.close_nominations(campaign_id=campaign.pk, by=unit.zzb, today=TODAY)
    with pytest.raises(DomainError, match="已不接受推荐"):
        nominate(unit.member1)


def test_secretary_withdraws_while_collecting(unit, campaign, nominate):
    nomination = nominate(unit.member1)
    with pytest.raises(PermissionDenied):
        services.withdraw_nomination(nomination_id=nomination.pk, by=unit.shuji2)
    services.withdraw_nomination(nomination_id=nomination.pk, by=unit.shuji1)
    assert not Nomination.objects.exists()
    assert campaign.events.filter(to_status="withdrawn").exists()


# ------------------------------------------------------------------ state changes


def test_close_nominations_moves_to_review_and_records_who(unit, campaign):
    services.close_nominations(campaign_id=campaign.pk, by=unit.zzb, today=TODAY)
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.REVIEWING
    event = campaign.events.get(to_status=CampaignStatus.REVIEWING)
    assert (event.from_status, event.actor) == (CampaignStatus.COLLECTING, unit.zzb)


def test_only_the_org_department_moves_a_campaign(unit, campaign):
    with pytest.raises(PermissionDenied):
        services.close_nominations(campaign_id=campaign.pk, by=unit.shuji1, today=TODAY)


def test_review_approve_and_reject_with_reason(unit, campaign, category):
    first = NominationFactory(category=category, member=unit.member1, nominated_by=unit.shuji1)
    second = NominationFactory(category=category, member=unit.member2)
    with pytest.raises(DomainError, match="不在评审阶段"):
        services.review_nomination(nomination_id=first.pk, by=unit.zzb, approve=True)
    services.close_nominations(campaign_id=campaign.pk, by=unit.zzb, today=TODAY)
    services.review_nomination(nomination_id=first.pk, by=unit.zzb, approve=True)
    with pytest.raises(DomainError, match="不通过时请填写理由"):
        services.review_nomination(nomination_id=second.pk, by=unit.zzb, approve=False, comment=" ")
    services.review_nomination(nomination_id=second.pk, by=unit.zzb, approve=False, comment="事迹不够突出")
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == NominationStatus.APPROVED and first.reviewed_by == unit.zzb
    assert second.status == NominationStatus.REJECTED and second.review_comment == "事迹不够突出"
    with pytest.raises(DomainError, match="当前状态为“评审通过”，不能变更为“评审通过”"):
        services.review_nomination(nomination_id=first.pk, by=unit.zzb, approve=True)
    with pytest.raises(PermissionDenied):
        services.review_nomination(nomination_id=first.pk, by=unit.shuji1, approve=False, comment="x")
    # The secretary who nominated hears of the rejection only if they nominated it.
    assert Notification.objects.filter(recipient=unit.shuji1).count() == 0


def test_notice_needs_every_nomination_reviewed_and_one_approved(unit, campaign, category):
    nomination = NominationFactory(category=category, member=unit.member1)
    with pytest.raises(DomainError, match="当前状态为“征集中”，不能变更为“公示中”"):
        services.start_notice(campaign_id=campaign.pk, by=unit.zzb, today=TODAY)
    services.close_nominations(campaign_id=campaign.pk, by=unit.zzb, today=TODAY)
    with pytest.raises(DomainError, match="还有 1 份推荐未评审"):
        services.start_notice(campaign_id=campaign.pk, by=unit.zzb, today=TODAY)
    services.review_nomination(nomination_id=nomination.pk, by=unit.zzb, approve=False, comment="不符合条件")
    with pytest.raises(DomainError, match="没有评审通过的推荐"):
        services.start_notice(campaign_id=campaign.pk, by=unit.zzb, today=TODAY)


def test_notice_lasts_the_configured_working_days(unit, in_notice):
    campaign, _ = in_notice
    # Friday 20 Nov 2026 + 5 working days: Mon 23 … Fri 27 Nov.
    assert (campaign.notice_starts_on, campaign.notice_ends_on) == (TODAY, dt.date(2026, 11, 27))
    assert campaign.events.get(to_status=CampaignStatus.NOTICE).comment.startswith("公示 5 个工作日")


def test_notice_period_skips_the_national_day_holiday(unit, campaign, category, settings):
    settings.CARE = {**settings.CARE, "NOTICE_WORKING_DAYS": 5}
    NominationFactory(category=category, member=unit.member1, status=NominationStatus.APPROVED)
    AwardCampaign.objects.filter(pk=campaign.pk).update(status=CampaignStatus.REVIEWING)
    # Published Tue 30 Sep 2025: 1–8 Oct are the 国庆/中秋 holiday; Sat 11 Oct is a 调休 working day.
    # Working days: Thu 9, Fri 10, Sat 11, Mon 13, Tue 14 Oct.
    services.start_notice(campaign_id=campaign.pk, by=unit.zzb, today=dt.date(2025, 9, 30))
    campaign.refresh_from_db()
    assert campaign.notice_ends_on == dt.date(2025, 10, 14)
    with pytest.raises(DomainError, match="公示期至 2025年10月14日"):
        services.publish(campaign_id=campaign.pk, by=unit.zzb, today=dt.date(2025, 10, 14))
    services.publish(campaign_id=campaign.pk, by=unit.zzb, today=dt.date(2025, 10, 15))


def test_publish_waits_for_the_end_of_the_notice(unit, in_notice):
    campaign, _ = in_notice
    with pytest.raises(DomainError, match="期满后才能发布表彰"):
        services.publish(campaign_id=campaign.pk, by=unit.zzb, today=dt.date(2026, 11, 27))
    services.publish(campaign_id=campaign.pk, by=unit.zzb, today=dt.date(2026, 11, 28))
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.PUBLISHED and campaign.published_on == dt.date(2026, 11, 28)
    with pytest.raises(DomainError, match="当前状态为“已表彰”，不能变更为“已表彰”"):
        services.publish(campaign_id=campaign.pk, by=unit.zzb, today=dt.date(2026, 11, 29))
    with pytest.raises(DomainError, match="当前状态为“已表彰”，不能变更为“已取消”"):
        services.cancel_campaign(campaign_id=campaign.pk, by=unit.zzb, reason="误操作")


def test_publishing_notifies_each_awardee_and_their_secretary(unit, in_notice):
    campaign, (first, second) = in_notice
    _give_login(first.member, unit.dangyuan1)
    services.publish(campaign_id=campaign.pk, by=unit.zzb, today=dt.date(2026, 11, 30))
    awardee = Notification.objects.get(recipient=unit.dangyuan1)
    assert "优秀共产党员" in awardee.title and awardee.link == f"/awards/{campaign.pk}/"
    assert "本支部 1 人获表彰" in Notification.objects.get(recipient=unit.shuji1).title
    assert "陈二" in Notification.objects.get(recipient=unit.shuji2).body
    # Sending again (a retried job) adds nothing.
    services._notify_awardees(campaign, [first, second])
    assert Notification.objects.count() == 3


def test_cancel_needs_a_reason(unit, campaign):
    with pytest.raises(DomainError, match="请填写取消原因"):
        services.cancel_campaign(campaign_id=campaign.pk, by=unit.zzb, reason=" ")
    services.cancel_campaign(campaign_id=campaign.pk, by=unit.zzb, reason="上级统一部署，暂停评选")
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.CANCELLED
    with pytest.raises(DomainError, match="当前状态为“已取消”，不能变更为“评审中”"):
        services.close_nominations(campaign_id=campaign.pk, by=unit.zzb, today=TODAY)


# ------------------------------------------------------------------ objections


def test_member_in_scope_raises_an_objection_and_the_org_department_is_told(unit, in_notice):
    _, (first, _) = in_notice
    objection = services.raise_objection(
        nomination_id=first.pk, by=unit.dangyuan1, reason="该同志本年度多次无故缺席组织生活", today=TODAY
    )
    assert objection.status == ObjectionStatus.OPEN
    assert Notification.objects.filter(recipient=unit.zzb, title__contains="公示收到异议").exists()
    with pytest.raises(DomainError, match="您已对该公示对象提出过异议"):
        services.raise_objection(nomination_id=first.pk, by=unit.dangyuan1, reason="再次反映同一情况", today=TODAY)


def test_objection_rules(unit, in_notice):
    _, (first, _) = in_notice
    outsider_org = type(unit.committee).objects.create(name="外单位党委", kind="committee")
    outsider_branch = type(unit.committee).objects.create(name="外单位支部", parent=outsider_org)
    outsider = UserFactory()
    MemberFactory(organization=outsider_branch, user=outsider)
    with pytest.raises(DomainError, match="只有本单位在册党员"):
        services.raise_objection(nomination_id=first.pk, by=outsider, reason="我有意见意见", today=TODAY)
    with pytest.raises(DomainError, match="只有本单位在册党员"):
        services.raise_objection(nomination_id=first.pk, by=unit.zzb, reason="组织部没有党员档案", today=TODAY)
    with pytest.raises(DomainError, match="公示已于 2026年11月27日 期满"):
        services.raise_objection(
            nomination_id=first.pk, by=unit.dangyuan1, reason="迟到的异议内容", today=dt.date(2026, 11, 28)
        )
    _give_login(first.member, unit.dangyuan1)
    with pytest.raises(DomainError, match="不能对本人的公示提出异议"):
        services.raise_objection(nomination_id=first.pk, by=unit.dangyuan1, reason="对自己有意见", today=TODAY)


def test_objection_upheld_takes_the_nominee_off_the_list(unit, in_notice):
    campaign, (first, second) = in_notice
    objection = services.raise_objection(
        nomination_id=first.pk, by=unit.shuji2, reason="该同志年内受到诫勉谈话", today=TODAY
    )
    with pytest.raises(DomainError, match="还有 1 条公示异议未处理"):
        services.publish(campaign_id=campaign.pk, by=unit.zzb, today=dt.date(2026, 12, 1))
    with pytest.raises(PermissionDenied):
        services.resolve_objection(objection_id=objection.pk, by=unit.shuji1, upheld=True, resolution="x")
    with pytest.raises(DomainError, match="请填写核实情况"):
        services.resolve_objection(objection_id=objection.pk, by=unit.zzb, upheld=True, resolution="")
    services.resolve_objection(objection_id=objection.pk, by=unit.zzb, upheld=True, resolution="经核实属实")
    first.refresh_from_db()
    assert first.status == NominationStatus.REJECTED and "公示异议成立" in first.review_comment
    assert Notification.objects.filter(recipient=unit.shuji2, title="您提出的公示异议已处理").exists()
    with pytest.raises(DomainError, match="该异议已处理"):
        services.resolve_objection(objection_id=objection.pk, by=unit.zzb, upheld=False, resolution="改判")
    services.publish(campaign_id=campaign.pk, by=unit.zzb, today=dt.date(2026, 12, 1))
    assert list(Nomination.objects.honours()) == [second]


def test_objection_dismissed_keeps_the_nominee(unit, in_notice):
    _, (first, _) = in_notice
    objection = services.raise_objection(
        nomination_id=first.pk, by=unit.dangyuan1, reason="听说有违纪情况", today=TODAY
    )
    services.resolve_objection(objection_id=objection.pk, by=unit.zzb, upheld=False, resolution="经核实无此事")
    first.refresh_from_db()
    objection.refresh_from_db()
    assert first.status == NominationStatus.APPROVED
    assert objection.status == ObjectionStatus.DISMISSED and objection.resolved_by == unit.zzb


# ------------------------------------------------------------------ the daily job


def test_daily_job_closes_nominations_after_the_deadline(unit, campaign):
    assert services.run_daily(day=dt.date(2026, 11, 30)) == {"截止推荐": 0, "发布表彰": 0}
    assert services.run_daily(day=dt.date(2026, 12, 1))["截止推荐"] == 1
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.REVIEWING
    assert campaign.events.get(to_status=CampaignStatus.REVIEWING).actor is None


def test_daily_job_publishes_when_the_notice_ends_once_and_catches_up(unit, in_notice):
    campaign, _ = in_notice
    assert services.run_daily(day=dt.date(2026, 11, 27))["发布表彰"] == 0
    # The job was down for a week: the next run still publishes.
    assert services.run_daily(day=dt.date(2026, 12, 5))["发布表彰"] == 1
    assert services.run_daily(day=dt.date(2026, 12, 5))["发布表彰"] == 0
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.PUBLISHED and campaign.published_on == dt.date(2026, 12, 5)
    assert campaign.events.filter(to_status=CampaignStatus.PUBLISHED).count() == 1
    assert Notification.objects.filter(title__contains="获表彰").count() == 2


def test_daily_job_leaves_a_notice_with_open_objections(unit, in_notice):
    _, (first, _) = in_notice
    services.raise_objection(nomination_id=first.pk, by=unit.dangyuan1, reason="有不同意见需要核实", today=TODAY)
    assert services.run_daily(day=dt.date(2026, 12, 1))["发布表彰"] == 0
    objection = Objection.objects.get()
    services.resolve_objection(objection_id=objection.pk, by=unit.zzb, upheld=False, resolution="不属实")
    assert services.run_daily(day=dt.date(2026, 12, 2))["发布表彰"] == 1


def test_run_daily_jobs_command_runs_the_awards_job(unit, campaign):
    from django.core.management import call_command

    call_command("run_daily_jobs", "--date", "2026-12-01", stdout=io.StringIO())
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.REVIEWING


def test_another_units_campaign_is_out_of_scope(unit):
    other = type(unit.committee).objects.create(name="外单位党委", kind="committee")
    CampaignFactory(organizer=other)
    assert AwardCampaign.objects.for_user(unit.zzb).count() == 0
