"""Pages of 走访慰问 and 谈心谈话: scoped lists, quick forms, coverage and holiday plans."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST
from django.views.generic import DetailView, ListView
from django_filters.views import FilterView

from core.errors import DomainError
from core.http import attachment
from core.pagination import PageSizeMixin, page_size_from
from core.params import id_param
from members import access
from members.access import CREATE, EDIT, EXPORT, LIST, VIEW, RuleMixin, real_roles, requires
from members.models import Member
from members.scoping import branches_for, organizations_for
from members.services import log_export
from visits import exports, permissions, selectors, services
from visits.forms import (
    AssignVisitorsForm,
    CollectiveBirthdayForm,
    ConcernAnswerForm,
    ConcernAssignForm,
    ConcernForm,
    LifeEventForm,
    PlanFilter,
    TalkFilter,
    TalkForm,
    VisitFilter,
    VisitForm,
)
from visits.models import (
    CollectiveBirthday,
    Concern,
    LifeEvent,
    Occasion,
    Talk,
    VisitPlan,
    VisitPlanItem,
    VisitPrompt,
    visit_label,
)


class VisitListView(RuleMixin, PageSizeMixin, FilterView):
    access = ("visit", LIST)
    template_name = "visits/visit_list.html"
    filterset_class = VisitFilter
    context_object_name = "visits"

    def get_queryset(self):
        return selectors.visit_queryset(self.request.user, LIST).order_by("-visited_on", "-id")


class VisitDetailView(RuleMixin, DetailView):
    access = ("visit", VIEW)
    template_name = "visits/visit_detail.html"
    context_object_name = "visit"

    def get_queryset(self):
        return selectors.visit_queryset(self.request.user).select_related("created_by", "fund_payment")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["is_manager"] = permissions.is_care_manager(self.request.user)
        return context


@requires("visit", CREATE)
def visit_create(request):
    user = request.user
    initial = {}
    own = Member.objects.filter(user=user).first()
    if own:
        initial["visitors"] = [own.pk]
    item = None
    item_id = id_param(request.POST.get("plan_item") or request.GET.get("item"))
    if item_id is not None:
        item = get_object_or_404(
            VisitPlanItem.objects.filter(plan__in=VisitPlan.objects.for_user(user, EDIT)).select_related(
                "plan", "member"
            ),
            pk=item_id,
        )
        visitors = list(item.visitors.values_list("pk", flat=True))
        initial.update(
            member=item.member_id,
            occasion=item.plan.occasion,
            plan_item=item.pk,
            visitors=visitors or initial.get("visitors", []),
        )
    if (member_id := id_param(request.GET.get("member"))) is not None:
        initial["member"] = member_id
    if request.GET.get("occasion") in Occasion.values:
        initial["occasion"] = request.GET["occasion"]
    form = VisitForm(request.POST or None, user=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            visit = services.log_visit(
                by=user,
                member=data["member"],
                visited_on=data["visited_on"],
                occasion=data["occasion"],
                visitors=data["visitors"],
                goods=data["goods"],
                amount=data["amount"],
                money_source=data["money_source"],
                money_source_note=data["money_source_note"],
                notes=data["notes"],
                follow_up=data["follow_up"],
                plan_item=item,
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, f"已登记对{visit.member.name}的{visit_label(visit.occasion)}")
            if item is not None:
                return redirect(item.plan)
            return redirect("visits:list")
    return render(request, "visits/visit_form.html", {"form": form, "item": item})


@requires("visit", EXPORT)
def visit_export(request):
    rows = exports.visit_rows(request.user, request.GET)
    count = rows.count()
    if count > settings.CARE["EXPORT_SYNC_MAX_ROWS"]:
        # Too many rows to write within the request: the worker builds it (reports' progress page).
        return redirect(f"{reverse('reports:visit_export_job')}?{request.GET.urlencode()}")
    log_export(request, target="走访慰问记录", rows=count)
    return attachment(exports.visit_workbook_of(rows), filename=exports.visit_filename())


# --- talks ----------------------------------------------------------------------------------------


def talk_queryset(user, action: str = VIEW):
    return (
        Talk.objects.for_user(user, action)
        .select_related("organization")
        .prefetch_related(
            # Lists, not managers: a manager per row and relation cost a third of a 100-row page.
            Prefetch("participants", queryset=Member.objects.only("id", "name", "user_id"), to_attr="participant_list"),
            Prefetch("interviewers", queryset=Member.objects.only("id", "name"), to_attr="interviewer_list"),
        )
    )


class TalkListView(RuleMixin, PageSizeMixin, FilterView):
    access = ("talk", LIST)
    template_name = "visits/talk_list.html"
    filterset_class = TalkFilter
    context_object_name = "talks"

    def get_queryset(self):
        # Only what the rows show: a talk's summary, opinions and follow-up are long (and confidential).
        return (
            talk_queryset(self.request.user, LIST)
            .order_by("-talked_on", "-id")
            .only(
                "id",
                "talked_on",
                "kind",
                "reason",
                "priority_hardship",
                "priority_weak_awareness",
                "priority_grievance",
                "organization__id",
                "organization__name",
                "organization__path",
            )
        )


class TalkDetailView(RuleMixin, DetailView):
    access = ("talk", VIEW)
    template_name = "visits/talk_detail.html"
    context_object_name = "talk"

    def get_queryset(self):
        return talk_queryset(self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["show_confidential"] = permissions.can_see_confidential(self.request.user, self.object)
        return context


@requires("talk", CREATE)
def talk_create(request):
    user = request.user
    initial = {}
    own = Member.objects.filter(user=user).first()
    if own:
        initial["interviewers"] = [own.pk]
    if (member_id := id_param(request.GET.get("member"))) is not None:
        initial["participants"] = [member_id]
    form = TalkForm(request.POST or None, user=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            talk = services.log_talk(by=user, **data)
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        except PermissionDenied:
            form.add_error("participants", "您不能为这个支部的党员登记谈心谈话")
        else:
            names = "、".join(m.name for m in data["participants"])
            messages.success(request, f"已登记与{names}的谈心谈话")
            return redirect(talk)
    return render(request, "visits/talk_form.html", {"form": form})


# --- coverage -------------------------------------------------------------------------------------


@requires("coverage", VIEW)
def coverage(request):
    """Talk and visit coverage over what the viewer oversees, one row per organization at a level: a
    county 组织部 sees its branches and 党总支, a city's its counties, and each row opens the level below
    (a city has 5,000 branches: one row each was most of the page). The members due a talk and the
    targets not visited are those under the level shown."""
    user = request.user
    today = timezone.localdate()
    roles = real_roles("coverage", VIEW)
    visible = organizations_for(user, *roles)
    selected = None
    org_id = request.GET.get("organization", "")
    if org_id:
        selected = visible.filter(pk=id_param(org_id) or 0).first()
        if selected is None:
            raise Http404
    outline = selectors.coverage_outline(user, roles, selected)
    shown_ids = outline.branch_ids
    # The figures come cached per branch and day (selectors); the members on this page are then read in
    # one query through the viewer's scope.
    due_page = Paginator(selectors.talks_due_rows(shown_ids, today), page_size_from(request)).get_page(
        request.GET.get("page")
    )
    not_visited = selectors.not_visited_summary(shown_ids, today)
    members = selectors.members_by_id(
        user, [row[0] for row in due_page.object_list] + [pk for group in not_visited for pk, _ in group.first]
    )
    due_page.object_list = selectors.with_due_figures(due_page.object_list, members)
    return render(
        request,
        "visits/coverage.html",
        {
            "rows": selectors.unit_coverage(outline, today),
            "trail": _trail(visible, selected),
            "selected": selected,
            "due_page": due_page,
            "cycle_start": selectors.cycle_start(today),
            "cycle_years": settings.CARE["TALK_CYCLE_YEARS"],
            "not_visited": [
                (group.label, group.holiday, _with_last_visit(group.first, members), group.count)
                for group in not_visited
            ],
        },
    )


def _trail(visible, selected) -> list:
    """The organizations above the one chosen (and it), as far as the viewer oversees them."""
    if selected is None:
        return []
    above = [int(part) for part in selected.path.strip("/").split("/") if part]
    return list(visible.filter(pk__in=above).order_by("path"))


def _with_last_visit(rows, members) -> list[Member]:
    result = []
    for pk, last_visit_on in rows:
        if (member := members.get(pk)) is not None:
            member.last_visit_on = last_visit_on
            result.append(member)
    return result


# --- plans ----------------------------------------------------------------------------------------


class PlanListView(RuleMixin, PageSizeMixin, FilterView):
    access = ("plan", LIST)
    template_name = "visits/plan_list.html"
    filterset_class = PlanFilter
    context_object_name = "plans"

    def get_queryset(self):
        return selectors.plans_with_progress(VisitPlan.objects.for_user(self.request.user, LIST)).order_by(
            "-holiday", "organization__path"
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["lead_days"] = settings.CARE["HOLIDAY_PLAN_LEAD_DAYS"]
        return context


class PlanDetailView(RuleMixin, DetailView):
    access = ("plan", VIEW)
    template_name = "visits/plan_detail.html"
    context_object_name = "plan"

    def get_queryset(self):
        return selectors.plans_with_progress(VisitPlan.objects.for_user(self.request.user))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        plan = self.object
        items = plan.items.select_related("member", "visit").prefetch_related(
            Prefetch("visitors", queryset=Member.objects.only("id", "name"))
        )
        context["items"] = sorted(items, key=lambda item: (item.is_done, item.member.name, item.pk))
        context["can_manage"] = permissions.can_manage_plan(self.request.user, plan)
        context["today"] = timezone.localdate()
        context["form"] = AssignVisitorsForm(user=self.request.user)
        return context


@requires("plan", EDIT)
@require_POST
def plan_item_assign(request, pk: int):
    item = get_object_or_404(
        VisitPlanItem.objects.filter(plan__in=VisitPlan.objects.for_user(request.user, EDIT)).select_related(
            "plan", "member"
        ),
        pk=pk,
    )
    form = AssignVisitorsForm(request.POST, user=request.user)
    if not form.is_valid():
        messages.error(request, "走访人选择有误，请重新选择")
        return redirect(item.plan)
    try:
        services.assign_visitors(by=request.user, item=item, visitors=form.cleaned_data["visitors"])
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        names = "、".join(m.name for m in form.cleaned_data["visitors"]) or "无"
        messages.success(request, f"已为{item.member.name}安排走访人：{names}")
    return redirect(f"{item.plan.get_absolute_url()}#item-{item.pk}")


@requires("prompt", LIST)
def prompts(request):
    open_prompts = (
        VisitPrompt.objects.for_user(request.user, LIST)
        .open()
        .select_related("member", "member__organization")
        .order_by("due_on", "-raised_on", "-id")
    )
    return render(request, "visits/prompt_list.html", {"prompts": open_prompts[:200], "today": timezone.localdate()})


# --- 必访: life events and 反映情况 --------------------------------------------------------------------


@requires("life_event", CREATE)
def life_event_create(request):
    """登记家庭重大事件: one step, from the member's page or a phone; it raises the visit prompt."""
    user = request.user
    initial = {}
    if (member_id := id_param(request.GET.get("member"))) is not None:
        initial["member"] = member_id
    if request.GET.get("kind") in LifeEvent.Kind.values:
        initial["kind"] = request.GET["kind"]
    form = LifeEventForm(request.POST or None, user=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            event = services.record_life_event(
                by=user,
                member=data["member"],
                kind=data["kind"],
                happened_on=data["happened_on"],
                description=data["description"],
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        except PermissionDenied:
            form.add_error("member", "您不能为这个支部的党员登记")
        else:
            prompt = event.prompt
            due = f"，请于{prompt.due_on:%m月%d日}前上门走访" if prompt and prompt.due_on else ""
            messages.success(request, f"已登记{event.member.name}：{event.get_kind_display()}，已生成走访提示{due}")
            return redirect(event.member)
    return render(request, "visits/life_event_form.html", {"form": form})


class ConcernListView(RuleMixin, PageSizeMixin, ListView):
    access = ("concern", LIST)
    template_name = "visits/concern_list.html"
    context_object_name = "concerns"

    def get_queryset(self):
        queryset = Concern.objects.for_user(self.request.user, LIST).select_related(
            "member", "member__organization", "assignee"
        )
        if self.request.GET.get("status") in Concern.Status.values:
            queryset = queryset.filter(status=self.request.GET["status"])
        return queryset.order_by("status", "-created_at", "-id")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["statuses"] = Concern.Status.choices
        context["status"] = self.request.GET.get("status", "")
        return context


@requires("concern", CREATE)
def concern_create(request):
    form = ConcernForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.submit_concern(
                by=request.user, message=form.cleaned_data["message"], wants_visit=form.cleaned_data["wants_visit"]
            )
        except DomainError as exc:
            form.add_error("message" if exc.field == "message" else None, exc.message)
        else:
            messages.success(request, "已提交给您所在的党支部，答复后会通知您，也可在“我的”页面查看")
            return redirect("me")
    return render(request, "visits/concern_form.html", {"form": form})


@requires("concern", VIEW)
def concern_detail(request, pk: int):
    user = request.user
    concern = get_object_or_404(
        Concern.objects.for_user(user).select_related("member", "member__organization", "assignee", "prompt"), pk=pk
    )
    can_answer = access.may_at(user, "concern", "answer", concern.member.organization_id)
    assign_form = ConcernAssignForm(user=user, initial={"assignee": concern.assignee_id})
    answer_form = ConcernAnswerForm(initial={"answer": concern.answer})
    if request.method == "POST":
        if not can_answer:
            raise PermissionDenied(access.refusal("concern", "answer"))
        try:
            if request.POST.get("step") == "assign":
                assign_form = ConcernAssignForm(request.POST, user=user)
                if assign_form.is_valid():
                    services.assign_concern(by=user, concern=concern, assignee=assign_form.cleaned_data["assignee"])
                    messages.success(request, f"已安排{assign_form.cleaned_data['assignee'].name}跟进")
                    return redirect(concern)
            else:
                answer_form = ConcernAnswerForm(request.POST)
                if answer_form.is_valid():
                    services.answer_concern(by=user, concern=concern, answer=answer_form.cleaned_data["answer"])
                    messages.success(request, f"已答复{concern.member.name}")
                    return redirect(concern)
        except DomainError as exc:
            messages.error(request, exc.message)
    return render(
        request,
        "visits/concern_detail.html",
        {
            "concern": concern,
            "can_answer": can_answer,
            "assign_form": assign_form,
            "answer_form": answer_form,
        },
    )


# --- 集体过政治生日 ----------------------------------------------------------------------------------


@requires("collective_birthday", LIST)
def collective_birthdays(request):
    """The collective 政治生日 the branches in scope recorded, and this year's branches still without one."""
    user = request.user
    year = timezone.localdate().year
    events = list(
        CollectiveBirthday.objects.for_user(user, LIST)
        .select_related("organization")
        .annotate(attendance=Count("attendees"))
        .order_by("-held_on", "-id")[:100]
    )
    # Every event of the year counts (not only the newest shown): over a city thousands of branches
    # hold one; those without are named SHOWN_MISSING at a time, in pages of their own.
    held = CollectiveBirthday.objects.for_user(user, LIST).filter(held_on__year=year).values("organization_id")
    missing = (
        branches_for(user, *real_roles("collective_birthday", LIST)).exclude(pk__in=held).order_by("path").only("name")
    )
    return render(
        request,
        "visits/birthday_list.html",
        {
            "events": events,
            "year": year,
            "missing": Paginator(missing, SHOWN_MISSING).get_page(request.GET.get("missing_page")),
            "can_create": access.may(user, "collective_birthday", CREATE),
        },
    )


SHOWN_MISSING = 30


@requires("collective_birthday", CREATE)
def collective_birthday_create(request):
    user = request.user
    form = CollectiveBirthdayForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            event = services.record_collective_birthday(by=user, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        except PermissionDenied:
            form.add_error("organization", "您不能为这个支部登记")
        else:
            messages.success(
                request,
                f"已登记{event.organization.name}{event.held_on:%Y年%m月%d日}集体过政治生日，"
                f"参加 {len(form.cleaned_data['attendees'])} 人",
            )
            return redirect("visits:birthdays")
    return render(request, "visits/birthday_form.html", {"form": form})
