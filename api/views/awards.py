"""Commendations: the honours of published campaigns the caller may read (an honour roll is for every
Party member under its organizer)."""

from __future__ import annotations

import django_filters

from api.serializers.awards import CommendationSerializer
from api.views.base import ListView
from awards.models import AwardCampaign, Nomination
from core.filters import YearFilter
from members.access import VIEW


class CommendationFilter(django_filters.FilterSet):
    year = YearFilter(field_name="campaign__year", label="年度")
    branch = django_filters.NumberFilter(field_name="branch", min_value=1, max_value=2**63 - 1, label="支部")

    class Meta:
        model = Nomination
        fields = ["year", "branch"]


class CommendationList(ListView):
    access = ("campaign", VIEW)
    serializer_class = CommendationSerializer
    filterset_class = CommendationFilter

    def get_queryset(self):
        campaigns = AwardCampaign.objects.for_user(self.request.user, VIEW)
        return (
            Nomination.objects.honours()
            .filter(campaign__in=campaigns)
            .select_related("campaign", "category", "member", "branch")
        )
