"""Visits and talks. A talk's internal notes (内部记录) appear only on its detail, only for whom the
page shows them (visits.permissions.can_see_confidential): never the member talked with."""

from __future__ import annotations

from decimal import Decimal

from rest_framework import serializers

from api.serializers.common import PersonSerializer, ScopedMembers
from core.params import date_bounds
from hardship.models import MoneySource
from visits.models import Concern, LifeEvent, Occasion, Talk, Visit, VisitPrompt


class VisitSerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.name", read_only=True)
    organization = serializers.IntegerField(source="member.organization_id", read_only=True)
    visitors = PersonSerializer(many=True, read_only=True)

    class Meta:
        model = Visit
        fields = [
            "id",
            "member",
            "member_name",
            "organization",
            "visited_on",
            "occasion",
            "visitors",
            "goods",
            "amount",
            "notes",
            "follow_up",
            "created_at",
        ]
        read_only_fields = fields


def _past(value):
    low, high = date_bounds()
    if value < low:
        raise serializers.ValidationError(f"日期不能早于{low.year}年")
    if value > high:
        raise serializers.ValidationError("日期不能晚于今天")
    return value


class VisitCreateSerializer(serializers.Serializer):
    member = ScopedMembers(help_text="走访对象（党员编号）")
    visited_on = serializers.DateField(validators=[_past])
    occasion = serializers.ChoiceField(choices=Occasion.choices, default=Occasion.ROUTINE)
    visitors = serializers.ListField(
        child=ScopedMembers("visitors"), min_length=1, max_length=50, help_text="走访人（党员编号）"
    )
    goods = serializers.CharField(max_length=200, allow_blank=True, default="")
    amount = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=Decimal("0"), allow_null=True, default=None, help_text="慰问金（元）"
    )
    money_source = serializers.ChoiceField(
        choices=MoneySource.choices,
        allow_blank=True,
        default="",
        help_text="钱款来源：care_fund 党内关怀基金，other 其他渠道",
    )
    money_source_note = serializers.CharField(
        max_length=100, allow_blank=True, default="", help_text="其他渠道时写明出处"
    )
    notes = serializers.CharField(max_length=5000, allow_blank=True, default="")
    follow_up = serializers.CharField(max_length=5000, allow_blank=True, default="")
    plan_item = serializers.IntegerField(
        min_value=1,
        max_value=2**63 - 1,
        allow_null=True,
        default=None,
        help_text="按节日走访计划走访时，计划对象的编号",
    )


class TalkSerializer(serializers.ModelSerializer):
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    interviewers = PersonSerializer(many=True, read_only=True)
    participants = PersonSerializer(many=True, read_only=True)

    class Meta:
        model = Talk
        fields = [
            "id",
            "organization",
            "organization_name",
            "kind",
            "talked_on",
            "reason",
            "interviewers",
            "participants",
            "priority_hardship",
            "priority_weak_awareness",
            "priority_grievance",
            "summary",
            "opinions",
            "follow_up",
            "created_at",
        ]
        read_only_fields = fields


class TalkDetailSerializer(TalkSerializer):
    confidential_notes = serializers.SerializerMethodField(
        help_text="内部记录；无权查看时为 null（谈话对象本人永远看不到）"
    )

    class Meta(TalkSerializer.Meta):
        fields = [*TalkSerializer.Meta.fields, "confidential_notes"]
        read_only_fields = fields

    def get_confidential_notes(self, talk) -> str | None:
        from visits.permissions import can_see_confidential

        return talk.confidential_notes if can_see_confidential(self.context["request"].user, talk) else None


class TalkCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Talk.Kind.choices, default=Talk.Kind.INDIVIDUAL)
    talked_on = serializers.DateField(validators=[_past])
    reason = serializers.ChoiceField(choices=Talk.Reason.choices, default=Talk.Reason.ANNUAL)
    interviewers = serializers.ListField(
        child=ScopedMembers(), min_length=1, max_length=50, help_text="谈话人（党员编号）"
    )
    participants = serializers.ListField(
        child=ScopedMembers(),
        min_length=1,
        max_length=500,
        help_text="谈话对象（党员编号）；个别谈话一人，集体谈话至少两人",
    )
    priority_hardship = serializers.BooleanField(default=False)
    priority_weak_awareness = serializers.BooleanField(default=False)
    priority_grievance = serializers.BooleanField(default=False)
    summary = serializers.CharField(max_length=10000)
    opinions = serializers.CharField(max_length=10000, allow_blank=True, default="")
    follow_up = serializers.CharField(max_length=10000, allow_blank=True, default="")
    confidential_notes = serializers.CharField(max_length=10000, allow_blank=True, default="")


class PromptSerializer(serializers.ModelSerializer):
    """A must-visit prompt: why, by when, whether it has gone up, and the visit that closed it."""

    member_name = serializers.CharField(source="member.name", read_only=True)
    organization = serializers.IntegerField(source="member.organization_id", read_only=True)
    visited_on = serializers.DateField(source="visit.visited_on", read_only=True, allow_null=True, default=None)

    class Meta:
        model = VisitPrompt
        fields = [
            "id",
            "member",
            "member_name",
            "organization",
            "occasion",
            "reason",
            "raised_on",
            "due_on",
            "escalation",
            "escalated_on",
            "closed_on",
            "visit",
            "visited_on",
        ]
        read_only_fields = fields


class LifeEventSerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.name", read_only=True)
    organization = serializers.IntegerField(source="member.organization_id", read_only=True)
    prompt = PromptSerializer(read_only=True, help_text="因此生成的走访提示")

    class Meta:
        model = LifeEvent
        fields = ["id", "member", "member_name", "organization", "kind", "happened_on", "description", "prompt"]
        read_only_fields = fields


class LifeEventCreateSerializer(serializers.Serializer):
    member = ScopedMembers(help_text="党员编号")
    kind = serializers.ChoiceField(choices=LifeEvent.Kind.choices)
    happened_on = serializers.DateField(validators=[_past])
    description = serializers.CharField(max_length=300, help_text="简要情况")


class ConcernSerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.name", read_only=True)
    organization = serializers.IntegerField(source="member.organization_id", read_only=True)
    assignee = PersonSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Concern
        fields = [
            "id",
            "member",
            "member_name",
            "organization",
            "message",
            "wants_visit",
            "status",
            "assignee",
            "answer",
            "answered_on",
            "created_on",
            "prompt",
        ]
        read_only_fields = fields


class ConcernAssignSerializer(serializers.Serializer):
    assignee = ScopedMembers(help_text="落实专人（党员编号）")


class ConcernAnswerSerializer(serializers.Serializer):
    answer = serializers.CharField(max_length=2000, help_text="答复；反映人会收到通知")
