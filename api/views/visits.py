"""Visits and talks: read with the pages' filters, and logged from the field once per Idempotency-Key."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import extend_schema

from api import idempotency
from api.serializers.visits import (
    TalkCreateSerializer,
    TalkDetailSerializer,
    TalkSerializer,
    VisitCreateSerializer,
    VisitSerializer,
)
from api.views.base import IDEMPOTENCY_REQUIRED, DetailView, ListView
from core.errors import DomainError
from members import access
from members.access import CREATE, EDIT, LIST, VIEW
from members.models import Member
from members.validators import add_years
from visits import services
from visits.forms import TalkFilter, VisitFilter
from visits.models import Talk, Visit, VisitPlan, VisitPlanItem


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
