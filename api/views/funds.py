"""Applications and their workflow steps (through funds.services, as the pages), the care funds'
balances, ledgers and yearly summaries."""

from __future__ import annotations

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, status
from rest_framework.response import Response

from api import idempotency
from api.serializers.funds import (
    ApplicationCreateSerializer,
    ApplicationDetailSerializer,
    ApplicationSerializer,
    ApproveSerializer,
    CommentSerializer,
    ConfirmMeetingSerializer,
    EmptySerializer,
    FundEntrySerializer,
    FundSerializer,
    MeetingSerializer,
    NoticeSerializer,
    ReasonSerializer,
    ReconsiderSerializer,
    RecoverySerializer,
    ResolveSerializer,
    YearSummarySerializer,
)
from api.views.base import IDEMPOTENCY_OPTIONAL, ApiView, DetailView, ListView
from core.params import year_param
from funds import selectors, services
from funds.models import ApplicationEvent, AssistanceApplication, Fund, FundEntry, Objection, PartnerUnit
from funds.views.applications import ApplicationFilter
from members.access import CREATE, EDIT, LIST, VIEW
from members.models import Member, Role
from members.scoping import org_ids


def applications_for(user, action: str):
    return AssistanceApplication.objects.for_user(user, action).select_related("member", "member__user", "organization")


def detail_of(user, pk: int, request, action: str = VIEW) -> dict:
    """The application as the caller now reads it, through the scope of `action` (what they just did
    to it: a token may approve what it may not list)."""
    application = get_object_or_404(
        applications_for(user, action).prefetch_related(
            Prefetch("events", queryset=ApplicationEvent.objects.select_related("actor__member"))
        ),
        pk=pk,
    )
    return ApplicationDetailSerializer(application, context={"request": request}).data


class ApplicationList(ListView):
    """帮扶申请, newest first (GET); a new application as a draft or submitted at once (POST)."""

    access = {"GET": ("application", LIST), "POST": ("application", CREATE)}
    serializer_class = ApplicationSerializer
    filterset_class = ApplicationFilter

    def get_queryset(self):
        return applications_for(self.request.user, LIST)

    @extend_schema(
        request=ApplicationCreateSerializer,
        responses={201: ApplicationDetailSerializer},
        parameters=[IDEMPOTENCY_OPTIONAL],
    )
    def post(self, request):
        user = request.user
        # As the page's form: members of the branches the user is secretary of, and themself.
        secretary_of = org_ids(user, Role.SECRETARY)
        choices = Member.objects.for_user(user).on_roll().filter(organization__in=secretary_of) | Member.objects.filter(
            user=user
        )
        partners = PartnerUnit.objects.filter(liaison__in=secretary_of, is_active=True)

        def perform() -> int:
            serializer = ApplicationCreateSerializer(
                data=request.data, context={"members": choices, "partners": partners}
            )
            serializer.is_valid(raise_exception=True)
            return services.create_application(by=user, **serializer.validated_data).pk

        return idempotency.once(
            request,
            route="application.create",
            required=False,
            perform=perform,
            render=lambda pk: detail_of(user, pk, request, CREATE),
        )


class ApplicationDetail(DetailView):
    access = ("application", VIEW)
    serializer_class = ApplicationDetailSerializer

    def get_queryset(self):
        return applications_for(self.request.user, VIEW).prefetch_related(
            Prefetch("events", queryset=ApplicationEvent.objects.select_related("actor__member"))
        )


class Step(ApiView):
    """One step of the workflow, as the page's button: the application is looked up through the
    step's entry of the role table (404 outside it), the service decides (409 with its Chinese message
    when the rules refuse), and the answer is the application as it now is."""

    step: str = ""
    serializer_class = EmptySerializer

    def application(self) -> AssistanceApplication:
        return get_object_or_404(applications_for(self.request.user, self.access_rule().action), pk=self.kwargs["pk"])

    def act(self, application: AssistanceApplication, data: dict) -> None:
        raise NotImplementedError

    def post(self, request, **kwargs):
        application = self.application()

        def perform() -> int:
            serializer = self.get_serializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            self.act(application, serializer.validated_data)
            return application.pk

        return idempotency.once(
            request,
            route=f"application.{self.step}",
            required=False,
            perform=perform,
            render=self.render,
            created=status.HTTP_200_OK,
        )

    def render(self, pk: int) -> dict:
        return detail_of(self.request.user, pk, self.request, self.access_rule().action)


def step_schema(serializer):
    return extend_schema(
        request=serializer, responses={200: ApplicationDetailSerializer}, parameters=[IDEMPOTENCY_OPTIONAL]
    )


class Submit(Step):
    access = ("application", EDIT)
    step = "submit"

    @step_schema(EmptySerializer)
    def post(self, request, **kwargs):
        return super().post(request, **kwargs)

    def act(self, application, data):
        services.submit(application_id=application.pk, by=self.request.user)


class Withdraw(Step):
    access = ("application", EDIT)
    step = "withdraw"
    serializer_class = CommentSerializer

    @step_schema(CommentSerializer)
    def post(self, request, **kwargs):
        return super().post(request, **kwargs)

    def act(self, application, data):
        services.withdraw(application_id=application.pk, by=self.request.user, comment=data["reason"])


class Return(Step):
    access = ("application", "return")
    step = "return"
    serializer_class = ReasonSerializer

    @step_schema(ReasonSerializer)
    def post(self, request, **kwargs):
        return super().post(request, **kwargs)

    def act(self, application, data):
        services.return_for_revision(application_id=application.pk, by=self.request.user, reason=data["reason"])


class Meeting(Step):
    access = ("application", "meeting")
    step = "meeting"
    serializer_class = MeetingSerializer

    @step_schema(MeetingSerializer)
    def post(self, request, **kwargs):
        return super().post(request, **kwargs)

    def act(self, application, data):
        services.record_meeting(application_id=application.pk, by=self.request.user, **data)


class ConfirmMeeting(Step):
    """A branch meeting recorded by whoever filled the application in counts once another 支委 (or the
    组织部 where there is none) confirms it — or sends it back to be recorded again."""

    access = ("application", "confirm_meeting")
    step = "confirm_meeting"
    serializer_class = ConfirmMeetingSerializer

    @step_schema(ConfirmMeetingSerializer)
    def post(self, request, **kwargs):
        return super().post(request, **kwargs)

    def act(self, application, data):
        services.confirm_meeting(application_id=application.pk, by=self.request.user, **data)


class Approve(Step):
    access = ("application", "approve")
    step = "approve"
    serializer_class = ApproveSerializer

    @step_schema(ApproveSerializer)
    def post(self, request, **kwargs):
        return super().post(request, **kwargs)

    def act(self, application, data):
        services.approve(application_id=application.pk, by=self.request.user, **data)


class Reject(Step):
    access = ("application", "approve")
    step = "reject"
    serializer_class = ReasonSerializer

    @step_schema(ReasonSerializer)
    def post(self, request, **kwargs):
        return super().post(request, **kwargs)

    def act(self, application, data):
        services.reject(application_id=application.pk, by=self.request.user, reason=data["reason"])


class Reconsider(Step):
    """The 党委's decision on an emergency the later branch meeting did not pass: keep, or revoke."""

    access = ("application", "approve")
    step = "reconsider"
    serializer_class = ReconsiderSerializer

    @step_schema(ReconsiderSerializer)
    def post(self, request, **kwargs):
        return super().post(request, **kwargs)

    def act(self, application, data):
        services.reconsider(application_id=application.pk, by=self.request.user, **data)


class Object(Step):
    """异议 during the 公示: on the applications of the notice board the caller sees, as the page."""

    access = ("application", "object")
    step = "object"
    serializer_class = ReasonSerializer

    def application(self):
        return get_object_or_404(selectors.notices_for(self.request.user), pk=self.kwargs["pk"])

    @extend_schema(request=ReasonSerializer, responses={200: NoticeSerializer}, parameters=[IDEMPOTENCY_OPTIONAL])
    def post(self, request, **kwargs):
        return super().post(request, **kwargs)

    def render(self, pk: int) -> dict:
        """The notice as the 公示栏 shows it: a member who objects may not read the whole application."""
        application = get_object_or_404(AssistanceApplication.objects.select_related("member", "organization"), pk=pk)
        return NoticeSerializer(application, context={"request": self.request}).data

    def act(self, application, data):
        services.raise_objection(application_id=application.pk, by=self.request.user, reason=data["reason"])


class Resolve(Step):
    access = ("application", "resolve")
    step = "resolve"
    serializer_class = ResolveSerializer

    @step_schema(ResolveSerializer)
    def post(self, request, **kwargs):
        return super().post(request, **kwargs)

    def act(self, application, data):
        objection = get_object_or_404(Objection.objects.filter(application=application), pk=self.kwargs["objection_pk"])
        services.resolve_objection(objection_id=objection.pk, by=self.request.user, **data)


class Recover(Step):
    """The fund officer books money recovered after a revoked emergency (a reversing entry)."""

    access = ("application", "disburse")
    step = "recover"
    serializer_class = RecoverySerializer

    @step_schema(RecoverySerializer)
    def post(self, request, **kwargs):
        return super().post(request, **kwargs)

    def act(self, application, data):
        services.record_recovery(application_id=application.pk, by=self.request.user, **data)


class Disburse(Step):
    access = ("application", "disburse")
    step = "disburse"

    @step_schema(EmptySerializer)
    def post(self, request, **kwargs):
        return super().post(request, **kwargs)

    def act(self, application, data):
        services.disburse(application_id=application.pk, by=self.request.user)


# --- the funds --------------------------------------------------------------------------------------


class FundList(ListView):
    access = ("fund", LIST)
    serializer_class = FundSerializer
    filter_backends = []
    ordering = ("id",)

    def get_queryset(self):
        return Fund.objects.for_user(self.request.user, LIST).select_related("organization")


class FundDetail(DetailView):
    access = ("fund", VIEW)
    serializer_class = FundSerializer

    def get_queryset(self):
        return Fund.objects.for_user(self.request.user, VIEW).select_related("organization")


class FundEntries(ListView):
    """The fund's ledger lines, newest first: income, disbursements and reversing entries."""

    access = ("fund", VIEW)
    serializer_class = FundEntrySerializer
    filter_backends = []

    def get_queryset(self):
        fund = get_object_or_404(Fund.objects.for_user(self.request.user, VIEW), pk=self.kwargs["pk"])
        return FundEntry.objects.filter(fund=fund)


class FundSummary(ApiView):
    """A year's income by source and spending by kind of assistance, with the opening and closing balance."""

    access = ("fund", VIEW)
    serializer_class = YearSummarySerializer

    @extend_schema(
        parameters=[OpenApiParameter("year", int, description="年度，默认今年")], responses={200: YearSummarySerializer}
    )
    def get(self, request, pk: int):
        fund = get_object_or_404(Fund.objects.for_user(request.user, VIEW), pk=pk)
        raw = request.query_params.get("year")
        year = year_param(raw, default=None) if raw is not None else timezone.localdate().year
        if year is None:
            raise exceptions.ValidationError({"year": ["请填写 1921 年至明年之间的四位年份"]})
        summary = selectors.year_summary(fund, year)
        return Response(
            YearSummarySerializer(
                {
                    "fund": fund.pk,
                    "year": year,
                    "opening": summary["opening"],
                    "income": [{"source_label": label, "amount": amount} for label, amount in summary["income_rows"]],
                    "spending": [
                        {"kind_label": label, "count": count, "amount": amount}
                        for label, count, amount in summary["spending_rows"]
                    ],
                    "total_income": summary["total_income"],
                    "total_spending": summary["total_spending"],
                    "closing": summary["closing"],
                    "years": selectors.fund_years(fund),
                }
            ).data
        )
