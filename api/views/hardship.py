"""The hardship ledger, pairings, and pairing progress (logged by helpers in the field)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema

from api import idempotency
from api.serializers.hardship import (
    LedgerLineDetailSerializer,
    LedgerLineSerializer,
    PairingSerializer,
    ProgressCreateSerializer,
    ProgressSerializer,
)
from api.views.base import IDEMPOTENCY_REQUIRED, DetailView, ListView
from api.views.members import token_organization
from hardship import selectors, services
from hardship.filters import PairingFilter, RecordFilter
from hardship.models import HardshipRecord, Pairing, PairingProgress
from members.access import LIST, VIEW
from members.models import AccessLog
from members.permissions import Disclosure
from members.services import log_access


class LedgerList(ListView):
    """困难党员台帐, newest registration first. Income, causes and difficulties are null for roles that
    may not read them (as on the page)."""

    access = ("ledger", LIST)
    serializer_class = LedgerLineSerializer
    filterset_class = RecordFilter
    ordering = ("-registered_on", "-id")

    def get_queryset(self):
        return selectors.ledger(self.request.user, LIST)

    def get_serializer_context(self):
        return {
            **super().get_serializer_context(),
            "confidential": Disclosure(self.request.user, "ledger_confidential", own=False),
        }

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        log_access(
            request._request,
            what=AccessLog.What.EXPORT,
            organization=token_organization(request),
            target=f"接口读取困难党员台帐（{len(response.data['results'])} 行）",
        )
        return response


class LedgerDetail(DetailView):
    access = ("ledger", VIEW)
    serializer_class = LedgerLineDetailSerializer

    def get_queryset(self):
        return (
            HardshipRecord.objects.for_user(self.request.user, VIEW)
            .select_related("member__organization")
            .prefetch_related("categories", "family")
        )

    def get_serializer_context(self):
        return {
            **super().get_serializer_context(),
            "confidential": Disclosure(self.request.user, "ledger_confidential", own=False),
        }

    def get_object(self):
        record = super().get_object()
        log_access(
            self.request._request,
            what=AccessLog.What.LEDGER,
            target=f"困难党员台帐 {record.member.name}（接口）",
            member=record.member,
            object_id=record.pk,
        )
        return record


class PairingList(ListView):
    access = ("pairing", LIST)
    serializer_class = PairingSerializer
    filterset_class = PairingFilter
    ordering = ("-started_on", "-id")

    def get_queryset(self):
        return selectors.pairings(self.request.user, LIST)


class PairingDetail(DetailView):
    access = ("pairing", VIEW)
    serializer_class = PairingSerializer

    def get_queryset(self):
        return selectors.pairings(self.request.user, VIEW)


class ProgressList(ListView):
    """A pairing's progress log (GET), and a new entry (POST, by its managers or its helper), made once
    per Idempotency-Key."""

    access = {"GET": ("pairing", VIEW), "POST": ("pairing", "progress")}
    serializer_class = ProgressSerializer
    filter_backends = []
    ordering = ("-date", "-id")

    def pairing(self, action: str) -> Pairing:
        return get_object_or_404(Pairing.objects.for_user(self.request.user, action), pk=self.kwargs["pk"])

    def get_queryset(self):
        return PairingProgress.objects.filter(pairing=self.pairing(VIEW)).select_related("help_type")

    @extend_schema(
        request=ProgressCreateSerializer, responses={201: ProgressSerializer}, parameters=[IDEMPOTENCY_REQUIRED]
    )
    def post(self, request, pk: int):
        pairing = self.pairing("progress")

        def perform() -> int:
            serializer = ProgressCreateSerializer(data=request.data, context=self.get_serializer_context())
            serializer.is_valid(raise_exception=True)
            return services.add_progress(pairing_id=pairing.pk, by=request.user, **serializer.validated_data).pk

        return idempotency.once(
            request,
            route="pairing.progress",
            required=True,
            perform=perform,
            render=lambda pk: (
                ProgressSerializer(
                    get_object_or_404(
                        PairingProgress.objects.filter(pairing=pairing).select_related("help_type"), pk=pk
                    )
                ).data
            ),
        )
