"""Visits and talks: read with the pages' filters, and logged from the field once per Idempotency-Key;
must-visit prompts (read only), life events (each raising its prompt, as the page) and 反映情况 (read,
assigned and answered, as the page)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import status

from api import idempotency
from api.serializers.visits import (
    ConcernAnswerSerializer,
    ConcernAssignSerializer,
    ConcernSerializer,
    LifeEventCreateSerializer,
    LifeEventSerializer,
    PromptSerializer,
    TalkCreateSerializer,
    TalkDetailSerializer,
    TalkSerializer,
    VisitCreateSerializer,
    VisitSerializer,
)
from api.views.base import IDEMPOTENCY_OPTIONAL, IDEMPOTENCY_REQUIRED, ApiView, DetailView, ListView
from core.errors import DomainError
from members import access
from members.access import CREATE, EDIT, LIST, VIEW
from members.models import Member
from members.validators import add_years
from visits import services
from visits.forms import ConcernFilter, LifeEventFilter, PromptFilter, TalkFilter, VisitFilter
from visits.models import Concern, LifeEvent, Talk, Visit, VisitPlan, VisitPlanItem, VisitPrompt


def visits_for(user, action: str):
    return (
        Visit.objects.for_user(user, action)
        .select_related("member")
        .prefetch_related(Prefetch("visitors", queryset=Member.objects.only("id", "name")))
    )


def talks_for(user, action: str):
    return (
        Talk.objects.for_user(user, action)
        .select_related("organization")
        .prefetch_related(
            Prefetch("participants", queryset=Member.objects.only("id", "name", "user_id")),
            Prefetch("interviewers", queryset=Member.objects.only("id", "name")),
        )
    )


def on_roll(user, kind: str, action: str):
    return access.scope(Member.objects.on_roll(), user, kind, action)


class VisitList(ListView):
    """走访慰问, newest first (GET); a visit logged (POST), once per Idempotency-Key. A holiday visit
    ticks off the member's item on that holiday's plan, as on the page."""

    access = {"GET": ("visit", LIST), "POST": ("visit", CREATE)}
    serializer_class = VisitSerializer
    filterset_class = VisitFilter
    ordering = ("-visited_on", "-id")

    def get_queryset(self):
        return visits_for(self.request.user, LIST)

    @extend_schema(request=VisitCreateSerializer, responses={201: VisitSerializer}, parameters=[IDEMPOTENCY_REQUIRED])
    def post(self, request):
        user = request.user
        # As the page's form: a 病故吊唁 is paid to a deceased member's family; transferred-out members are gone.
        visitable = (
            access.scope(Member.objects.all(), user, "visit", CREATE)
            .filter(transferred_out_on__isnull=True)
            .filter(Q(deceased_on__isnull=True) | Q(deceased_on__gte=add_years(timezone.localdate(), -1)))
        )

        def perform() -> int:
            serializer = VisitCreateSerializer(
                data=request.data, context={"members": visitable, "visitors": on_roll(user, "visit", CREATE)}
            )
            serializer.is_valid(raise_exception=True)
            data = dict(serializer.validated_data)
            data["visitors"] = list(dict.fromkeys(data["visitors"]))
            item_id = data.pop("plan_item")
            item = None
            if item_id is not None:
                item = VisitPlanItem.objects.filter(plan__in=VisitPlan.objects.for_user(user, EDIT), pk=item_id).first()
                if item is None:
                    raise DomainError("没有这个走访计划对象，或您无权按该计划登记", field="plan_item")
            return services.log_visit(by=user, plan_item=item, **data).pk

        return idempotency.once(
            request,
            route="visit.create",
            required=True,
            perform=perform,
            # Read back through the scope of the write: a token may log visits it may not list.
            render=lambda pk: VisitSerializer(get_object_or_404(visits_for(user, CREATE), pk=pk)).data,
        )


class VisitDetail(DetailView):
    access = ("visit", VIEW)
    serializer_class = VisitSerializer

    def get_queryset(self):
        return visits_for(self.request.user, VIEW)


class TalkList(ListView):
    """谈心谈话, newest first, without internal notes (GET); a talk logged (POST), once per Idempotency-Key."""

    access = {"GET": ("talk", LIST), "POST": ("talk", CREATE)}
    serializer_class = TalkSerializer
    filterset_class = TalkFilter
    ordering = ("-talked_on", "-id")

    def get_queryset(self):
        return talks_for(self.request.user, LIST)

    @extend_schema(
        request=TalkCreateSerializer, responses={201: TalkDetailSerializer}, parameters=[IDEMPOTENCY_REQUIRED]
    )
    def post(self, request):
        user = request.user

        def perform() -> int:
            serializer = TalkCreateSerializer(data=request.data, context={"members": on_roll(user, "talk", CREATE)})
            serializer.is_valid(raise_exception=True)
            data = dict(serializer.validated_data)
            data["interviewers"] = list(dict.fromkeys(data["interviewers"]))
            data["participants"] = list(dict.fromkeys(data["participants"]))
            try:
                return services.log_talk(by=user, **data).pk
            except PermissionDenied:
                raise DomainError("您不能为这个支部的党员登记谈心谈话", field="participants") from None

        return idempotency.once(
            request,
            route="talk.create",
            required=True,
            perform=perform,
            render=lambda pk: (
                TalkDetailSerializer(
                    get_object_or_404(talks_for(user, CREATE), pk=pk), context={"request": request}
                ).data
            ),
        )


class TalkDetail(DetailView):
    access = ("talk", VIEW)
    serializer_class = TalkDetailSerializer

    def get_queryset(self):
        return talks_for(self.request.user, VIEW)


# --- 必访: prompts, life events, 反映情况 -------------------------------------------------------------


def prompts_for(user, action: str):
    return VisitPrompt.objects.for_user(user, action).select_related("member", "visit")


class PromptList(ListView):
    """走访提示, the latest raised first; `open=true` for those still waiting for a visit."""

    access = ("prompt", LIST)
    serializer_class = PromptSerializer
    filterset_class = PromptFilter
    ordering = ("-raised_on", "-id")

    def get_queryset(self):
        return prompts_for(self.request.user, LIST)


class PromptDetail(DetailView):
    access = ("prompt", VIEW)
    serializer_class = PromptSerializer

    def get_queryset(self):
        return prompts_for(self.request.user, VIEW)


def life_events_for(user, action: str):
    return LifeEvent.objects.for_user(user, action).select_related(
        "member", "prompt", "prompt__member", "prompt__visit"
    )


class LifeEventList(ListView):
    """家庭重大事件, newest first (GET); one recorded (POST), once per Idempotency-Key, through the page's
    service: it raises the visit prompt with its due date, and the answer carries it."""

    access = {"GET": ("life_event", LIST), "POST": ("life_event", CREATE)}
    serializer_class = LifeEventSerializer
    filterset_class = LifeEventFilter
    ordering = ("-happened_on", "-id")

    def get_queryset(self):
        return life_events_for(self.request.user, LIST)

    @extend_schema(
        request=LifeEventCreateSerializer, responses={201: LifeEventSerializer}, parameters=[IDEMPOTENCY_REQUIRED]
    )
    def post(self, request):
        user = request.user

        def perform() -> int:
            serializer = LifeEventCreateSerializer(
                data=request.data, context={"members": on_roll(user, "life_event", CREATE)}
            )
            serializer.is_valid(raise_exception=True)
            try:
                return services.record_life_event(by=user, **serializer.validated_data).pk
            except PermissionDenied:
                raise DomainError("您不能为这个支部的党员登记", field="member") from None

        return idempotency.once(
            request,
            route="life_event.create",
            required=True,
            perform=perform,
            render=lambda pk: LifeEventSerializer(get_object_or_404(life_events_for(user, CREATE), pk=pk)).data,
        )


def concerns_for(user, action: str):
    return Concern.objects.for_user(user, action).select_related("member", "assignee")


class ConcernList(ListView):
    """反映情况 to the caller's branches, newest first, with the pages' status filter."""

    access = ("concern", LIST)
    serializer_class = ConcernSerializer
    filterset_class = ConcernFilter
    ordering = ("-created_at", "-id")

    def get_queryset(self):
        return concerns_for(self.request.user, LIST)


class ConcernDetail(DetailView):
    """One 反映情况: the branch's managers, and the member who wrote it (their answer)."""

    access = ("concern", VIEW)
    serializer_class = ConcernSerializer

    def get_queryset(self):
        return concerns_for(self.request.user, VIEW)


class ConcernStep(ApiView):
    """Assigning or answering, as the page's buttons: the concern is looked up through the "answer"
    entry (404 outside it), the service decides (409 with its message), the answer is the concern."""

    access = ("concern", "answer")
    step = ""

    def act(self, concern: Concern, data: dict) -> None:
        raise NotImplementedError

    def post(self, request, pk: int):
        user = request.user
        concern = get_object_or_404(concerns_for(user, "answer"), pk=pk)

        def perform() -> int:
            serializer = self.get_serializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            self.act(concern, serializer.validated_data)
            return concern.pk

        return idempotency.once(
            request,
            route=f"concern.{self.step}",
            required=False,
            perform=perform,
            render=lambda pk: ConcernSerializer(get_object_or_404(concerns_for(user, "answer"), pk=pk)).data,
            created=status.HTTP_200_OK,
        )

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "members": on_roll(self.request.user, "concern", "answer")}


class ConcernAssign(ConcernStep):
    step = "assign"
    serializer_class = ConcernAssignSerializer

    @extend_schema(
        request=ConcernAssignSerializer, responses={200: ConcernSerializer}, parameters=[IDEMPOTENCY_OPTIONAL]
    )
    def post(self, request, pk: int):
        return super().post(request, pk)

    def act(self, concern, data):
        services.assign_concern(by=self.request.user, concern=concern, assignee=data["assignee"])


class ConcernAnswer(ConcernStep):
    step = "answer"
    serializer_class = ConcernAnswerSerializer

    @extend_schema(
        request=ConcernAnswerSerializer, responses={200: ConcernSerializer}, parameters=[IDEMPOTENCY_OPTIONAL]
    )
    def post(self, request, pk: int):
        return super().post(request, pk)

    def act(self, concern, data):
        services.answer_concern(by=self.request.user, concern=concern, answer=data["answer"])
