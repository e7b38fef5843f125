"""Commendations: honours conferred by published campaigns, as the honour roll shows them."""

from __future__ import annotations

from rest_framework import serializers

from awards.models import Nomination


class CommendationSerializer(serializers.ModelSerializer):
    year = serializers.IntegerField(source="campaign.year", read_only=True)
    campaign_title = serializers.CharField(source="campaign.title", read_only=True)
    category_name = serializers.CharField(source="category.name", read_only=True)
    member_name = serializers.CharField(source="member.name", read_only=True)
    branch_name = serializers.CharField(source="branch.name", read_only=True)
    published_on = serializers.DateField(source="campaign.published_on", read_only=True, allow_null=True)

    class Meta:
        model = Nomination
        fields = [
            "id",
            "year",
            "campaign",
            "campaign_title",
            "category",
            "category_name",
            "member",
            "member_name",
            "branch",
            "branch_name",
            "published_on",
        ]
        read_only_fields = fields
