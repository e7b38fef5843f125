from __future__ import annotations

import datetime as dt
from functools import cached_property

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST
from django.views.generic import ListView
from django_filters.views import FilterView

from awards import exports, permissions, selectors, services
from awards.filters import NominationFilter
from awards.forms import (
    DEFAULT_CATEGORY_INITIAL,
    CampaignForm,
    CategoryFormSet,
    NominationForm,
    ObjectionForm,
    ReasonForm,
)
from awards.models import AwardCampaign, CampaignStatus, Nomination, NominationStatus, Objection
from core.calendars import WorkCalendar
from core.errors import DomainError
from core.http import attachment
from core.pagination import PageSizeMixin, page_size_from
from core.params import id_param, year_param
from members.access import CREATE, EXPORT, LIST, VIEW, RuleMixin, requires
from members.models import Organization

ROLL_PAGE_SIZE = 50


def _campaign(request, pk: int) -> AwardCampaign:
    return get_object_or_404(AwardCampaign.objects.for_user(request.user).select_related("organizer"), pk=pk)


def _managed_campaign(request, pk: int) -> AwardCampaign:
    campaign = _campaign(request, pk)
    if not permissions.can_manage_campaign(request.user, campaign):
        raise PermissionDenied("只有组织部可以进行此操作")
    return campaign


class CampaignListView(RuleMixin, PageSizeMixin, ListView):
    access = ("campaign", LIST)
    template_name = "awards/campaign_list.html"
    context_object_name = "campaigns"

    def get_queryset(self):
        return (
            AwardCampaign.objects.for_user(self.request.user)
            .select_related("organizer")
            .annotate(
                nomination_count=Count("nominations", distinct=True),
                honour_count=Count(
                    "nominations", filter=Q(nominations__status=NominationStatus.APPROVED), distinct=True
                ),
            )
            .order_by("-year", "-id")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_create"] = permissions.can_create_campaign(self.request.user)
        context["can_see_stats"] = permissions.can_see_honour_stats(self.request.user)
        in_notice = [c for c in context["campaigns"] if c.is_in_notice]
        if in_notice:
            calendar = WorkCalendar.load()
            for campaign in in_notice:
                campaign.period = calendar.describe(campaign.notice_starts_on, campaign.notice_ends_on)
        return context


@requires("campaign", CREATE)
def campaign_create(request):
    user = request.user
    today = timezone.localdate()
    if request.method == "POST":
        form = CampaignForm(request.POST, user=user)
        formset = CategoryFormSet(request.POST, prefix="categories")
        if form.is_valid() and formset.is_valid():
            try:
                campaign = services.create_campaign(
                    by=user,
                    organizer=form.cleaned_data["organizer"],
                    year=form.cleaned_data["year"],
                    title=form.cleaned_data["title"],
                    description=form.cleaned_data["description"],
                    nomination_deadline=form.cleaned_data["nomination_deadline"],
                    categories=[f.cleaned_data for f in formset.forms if f.cleaned_data],
                )
            except DomainError as exc:
                if exc.field in form.fields:
                    form.add_error(exc.field, exc.message)
                else:
                    form.add_error(None, exc.message)
            else:
                messages.success(request, f"已发起“{campaign.title}”，各支部书记可以开始推荐")
                return redirect(campaign)
    else:
        form = CampaignForm(
            user=user,
            initial={
                "year": today.year,
                "title": f"{today.year}年度先进评选表彰",
                "nomination_deadline": today + dt.timedelta(days=30),
            },
        )
        formset = CategoryFormSet(prefix="categories", initial=DEFAULT_CATEGORY_INITIAL)
    return render(request, "awards/campaign_form.html", {"form": form, "formset": formset})


@requires("campaign", VIEW)
def campaign_detail(request, pk: int):
    user = request.user
    campaign = _campaign(request, pk)
    today = timezone.localdate()
    manages = permissions.can_manage_campaign(user, campaign)
    branches = list(permissions.nominating_branches(user, campaign))
    context = {
        "campaign": campaign,
        "manages": manages,
        "today": today,
        "categories": list(campaign.categories.all()),
        "can_nominate": campaign.is_collecting and bool(branches) and today <= campaign.nomination_deadline,
        "can_view_nominations": manages or bool(branches),
        "events": campaign.events.filter(nomination__isnull=True).select_related("actor__member").order_by("-at", "-id")
        if manages
        else [],
        "period": WorkCalendar.load().describe(campaign.notice_starts_on, campaign.notice_ends_on)
        if campaign.is_in_notice
        else None,
    }
    if campaign.status in (CampaignStatus.COLLECTING, CampaignStatus.REVIEWING) and branches:
        context["quota_table"] = selectors.branch_quota_table(campaign, branches)
        context["my_nominations"] = (
            Nomination.objects.filter(campaign=campaign, branch__in=branches)
            .select_related("member", "category", "branch")
            .order_by("category__sort_order", "id")
        )
    if manages:
        context["counts"] = selectors.status_counts(campaign, Nomination.objects.all())
        if campaign.is_collecting:
            context["quota_usage"] = selectors.quota_usage(campaign)
        if campaign.is_in_notice:
            context["objections"] = list(selectors.open_objections(campaign))
    if campaign.shows_list:
        public = selectors.public_list(campaign)
        branch_choices = list(Organization.objects.filter(pk__in=public.values("branch")).order_by("path"))
        branch_id = id_param(request.GET.get("branch"))
        if branch_id is not None:
            public = public.filter(branch_id=branch_id)
        # A county's honour roll runs to thousands of names: paged, 50 a page unless asked otherwise.
        size = page_size_from(request) if "page_size" in request.GET else ROLL_PAGE_SIZE
        page = Paginator(public, size).get_page(request.GET.get("page"))
        counts = selectors.public_counts(campaign, branch_id=branch_id)
        groups = selectors.grouped_by_category(page.object_list)
        for category, _ in groups:
            category.listed = counts.get(category.pk, 0)
        context.update(
            groups=groups,
            page_obj=page,
            honour_total=sum(counts.values()),
            branch_choices=branch_choices,
            branch_id=branch_id,
        )
        if campaign.is_in_notice:
            context["notice_open"] = today <= campaign.notice_ends_on
            objecting = permissions.objecting_member(user, campaign)
            context["objecting_member"] = objecting
            context["objected_ids"] = set(
                Objection.objects.filter(nomination__campaign=campaign, raised_by=user).values_list(
                    "nomination_id", flat=True
                )
            )
    return render(request, "awards/campaign_detail.html", context)


@requires("campaign", VIEW)
def campaign_print(request, pk: int):
    campaign = _campaign(request, pk)
    if not campaign.shows_list:
        raise Http404
    public = list(selectors.public_list(campaign))
    return render(
        request,
        "awards/honour_roll_print.html",
        {
            "campaign": campaign,
            "groups": selectors.grouped_by_category(public),
            "total": len(public),
        },
    )


@requires("campaign", EXPORT)
def honours_xlsx(request, pk: int):
    campaign = _campaign(request, pk)
    if not campaign.shows_list:
        raise Http404
    content = exports.honour_roll_workbook(campaign, selectors.public_list(campaign))
    label = "表彰名单" if campaign.is_published else "公示名单"
    return attachment(content, filename=f"{campaign.title}{label}.xlsx")


def _nomination_queryset(request, campaign: AwardCampaign):
    if not permissions.can_view_nominations(request.user, campaign):
        raise PermissionDenied("推荐材料仅对组织部和支部书记开放")
    return (
        Nomination.objects.for_user(request.user)
        .filter(campaign=campaign)
        .select_related("member", "branch", "category", "nominated_by")
        .annotate(open_objections=Count("objections", filter=Q(objections__status="open")))
        .order_by("category__sort_order", "branch__path", "member__name", "id")
    )


class NominationListView(RuleMixin, PageSizeMixin, FilterView):
    access = ("nomination", LIST)
    template_name = "awards/nomination_list.html"
    context_object_name = "nominations"
    filterset_class = NominationFilter

    @cached_property
    def campaign(self) -> AwardCampaign:
        return _campaign(self.request, self.kwargs["pk"])

    def get_queryset(self):
        return _nomination_queryset(self.request, self.campaign)

    def get_filterset_kwargs(self, filterset_class):
        kwargs = super().get_filterset_kwargs(filterset_class)
        kwargs.update(campaign=self.campaign, user=self.request.user)
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["campaign"] = self.campaign
        context["manages"] = permissions.can_manage_campaign(self.request.user, self.campaign)
        context["reviewing"] = self.campaign.status == CampaignStatus.REVIEWING
        return context


@requires("nomination", EXPORT)
def nominations_xlsx(request, pk: int):
    campaign = _campaign(request, pk)
    queryset = _nomination_queryset(request, campaign)
    filterset = NominationFilter(request.GET, queryset=queryset, campaign=campaign, user=request.user)
    return attachment(exports.nomination_workbook(campaign, filterset.qs), filename=f"{campaign.title}推荐名单.xlsx")


@requires("nomination", CREATE)
def nominate(request, pk: int):
    user = request.user
    campaign = _campaign(request, pk)
    if not permissions.nominating_branches(user, campaign).exists():
        raise PermissionDenied("只有支部书记可以推荐")
    if request.method == "POST":
        form = NominationForm(request.POST, user=user, campaign=campaign)
        if form.is_valid():
            data = form.cleaned_data
            try:
                nomination = services.nominate(
                    by=user,
                    campaign_id=campaign.pk,
                    category_id=data["category"].pk,
                    member_id=data["member"].pk,
                    deeds=data["deeds"],
                    meeting_date=data["meeting_date"],
                    attendees=data["attendees"],
                    votes_for=data["votes_for"],
                    votes_against=data["votes_against"] or 0,
                    votes_abstain=data["votes_abstain"] or 0,
                )
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, f"已推荐{nomination.member.name}为“{nomination.category.name}”")
                return redirect(campaign)
    else:
        form = NominationForm(user=user, campaign=campaign, initial={"category": request.GET.get("category")})
    branches = list(permissions.nominating_branches(user, campaign))
    return render(
        request,
        "awards/nominate.html",
        {
            "form": form,
            "campaign": campaign,
            "quota_table": selectors.branch_quota_table(campaign, branches),
            "open": campaign.is_collecting and timezone.localdate() <= campaign.nomination_deadline,
        },
    )


@requires("nomination", VIEW)
def nomination_detail(request, pk: int):
    user = request.user
    nomination = get_object_or_404(
        Nomination.objects.for_user(user).select_related(
            "campaign__organizer", "member", "branch", "category", "nominated_by", "reviewed_by"
        ),
        pk=pk,
    )
    campaign = nomination.campaign
    if not permissions.can_view_nominations(user, campaign):
        raise PermissionDenied("推荐材料仅对组织部和支部书记开放")
    manages = permissions.can_manage_campaign(user, campaign)
    return render(
        request,
        "awards/nomination_detail.html",
        {
            "n": nomination,
            "campaign": campaign,
            "manages": manages,
            "can_review": manages
            and campaign.status == CampaignStatus.REVIEWING
            and nomination.status == NominationStatus.SUBMITTED,
            "can_withdraw": permissions.can_withdraw(user, nomination),
            "objections": nomination.objections.select_related("raised_by__member", "resolved_by") if manages else [],
            "events": nomination.events.select_related("actor__member"),
        },
    )


def _act(request, action, success: str, target):
    try:
        action()
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, success)
    return redirect(target)


@requires("campaign", "manage")
@require_POST
def campaign_close(request, pk: int):
    campaign = _managed_campaign(request, pk)
    return _act(
        request,
        lambda: services.close_nominations(campaign_id=campaign.pk, by=request.user),
        "推荐已截止，进入评审阶段",
        f"{campaign.get_absolute_url()}nominations/?status=submitted",
    )


@requires("campaign", "manage")
@require_POST
def campaign_notice(request, pk: int):
    campaign = _managed_campaign(request, pk)
    return _act(
        request,
        lambda: services.start_notice(campaign_id=campaign.pk, by=request.user),
        "评审通过名单已开始公示",
        campaign,
    )


@requires("campaign", "manage")
@require_POST
def campaign_publish(request, pk: int):
    campaign = _managed_campaign(request, pk)
    return _act(
        request,
        lambda: services.publish(campaign_id=campaign.pk, by=request.user),
        "表彰已发布，获奖党员和支部书记已收到通知",
        campaign,
    )


@requires("campaign", "manage")
@require_POST
def campaign_cancel(request, pk: int):
    campaign = _managed_campaign(request, pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写取消原因")
        return redirect(campaign)
    return _act(
        request,
        lambda: services.cancel_campaign(campaign_id=campaign.pk, by=request.user, reason=form.cleaned_data["reason"]),
        "评选已取消",
        campaign,
    )


@requires("nomination", "review")
@require_POST
def nomination_review(request, pk: int):
    nomination = get_object_or_404(
        Nomination.objects.for_user(request.user, "review").select_related("campaign"), pk=pk
    )
    if not permissions.can_manage_campaign(request.user, nomination.campaign):
        raise PermissionDenied("只有组织部可以评审")
    approve = request.POST.get("decision") == "approve"
    comment = request.POST.get("comment", "")
    next_url = request.POST.get("next") or nomination.get_absolute_url()
    if not next_url.startswith("/awards/"):
        next_url = nomination.get_absolute_url()
    return _act(
        request,
        lambda: services.review_nomination(
            nomination_id=nomination.pk, by=request.user, approve=approve, comment=comment
        ),
        "已评审通过" if approve else "已标记为不通过",
        next_url,
    )


@requires("nomination", "withdraw")
@require_POST
def nomination_withdraw(request, pk: int):
    nomination = get_object_or_404(
        Nomination.objects.for_user(request.user, "withdraw").select_related("campaign"), pk=pk
    )
    if not permissions.can_withdraw(request.user, nomination):
        raise PermissionDenied
    return _act(
        request,
        lambda: services.withdraw_nomination(nomination_id=nomination.pk, by=request.user),
        f"已撤回对{nomination.member}的推荐",
        nomination.campaign,
    )


@requires("nomination", "object")
def nomination_object(request, pk: int):
    """A member raises an objection against a name on the notice board."""
    nomination = get_object_or_404(
        Nomination.objects.filter(
            campaign__in=AwardCampaign.objects.for_user(request.user), status=NominationStatus.APPROVED
        ).select_related("campaign__organizer", "member", "branch", "category"),
        pk=pk,
    )
    campaign = nomination.campaign
    if not campaign.is_in_notice:
        raise Http404
    if request.method == "POST":
        form = ObjectionForm(request.POST)
        if form.is_valid():
            try:
                services.raise_objection(
                    nomination_id=nomination.pk, by=request.user, reason=form.cleaned_data["reason"]
                )
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, "您的异议已提交，组织部核实后会通知您处理结果")
                return redirect(campaign)
    else:
        form = ObjectionForm()
    return render(
        request,
        "awards/objection_form.html",
        {
            "form": form,
            "n": nomination,
            "campaign": campaign,
            "allowed": permissions.can_object(request.user, nomination),
        },
    )


@requires("nomination", "resolve")
@require_POST
def objection_resolve(request, pk: int):
    objection = get_object_or_404(
        Objection.objects.filter(nomination__campaign__in=AwardCampaign.objects.for_user(request.user)).select_related(
            "nomination__campaign"
        ),
        pk=pk,
    )
    campaign = objection.nomination.campaign
    if not permissions.can_manage_campaign(request.user, campaign):
        raise PermissionDenied("只有组织部可以处理异议")
    upheld = request.POST.get("decision") == "upheld"
    resolution = request.POST.get("resolution", "")
    return _act(
        request,
        lambda: services.resolve_objection(
            objection_id=objection.pk, by=request.user, upheld=upheld, resolution=resolution
        ),
        "异议成立，已从公示名单中撤下" if upheld else "异议不成立，已记录处理意见",
        f"{campaign.get_absolute_url()}#objections",
    )


@requires("honours", VIEW)
def honour_stats(request):
    year = year_param(request.GET.get("year"))
    stats = selectors.honour_counts(request.user, year=year)
    return render(request, "awards/stats.html", {"stats": stats, "year": year})
