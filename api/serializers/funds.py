"""Applications with their events, the fund's balance, ledger lines and yearly summary. An application's
reason and attachments appear only for whom the page shows them (funds.permissions.can_see_details): a
fund officer pays by name and amount."""

from __future__ import annotations

from decimal import Decimal

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.serializers.common import ScopedMembers
from funds import permissions
from funds.models import (
    ApplicationEvent,
    AssistanceApplication,
    CommitteeDecision,
    Fund,
    FundEntry,
    Kind,
    Objection,
    PartnerUnit,
    Status,
)


class ApplicationSerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.name", read_only=True)
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    reason = serializers.CharField(read_only=True, allow_null=True, help_text="申请理由；无权查看时为 null")
    details_hidden = serializers.SerializerMethodField(help_text="申请理由和附件是否隐去")

    class Meta:
        model = AssistanceApplication
        fields = [
            "id",
            "member",
            "member_name",
            "partner_unit",
            "recipient_name",
            "organization",
            "organization_name",
            "fund",
            "kind",
            "year",
            "amount_requested",
            "amount_approved",
            "reason",
            "is_emergency",
            "status",
            "status_changed_at",
            "submitted_at",
            "meeting_on",
            "meeting_attendees",
            "meeting_roster_count",
            "votes_for",
            "votes_against",
            "votes_abstain",
            "meeting_confirmed_at",
            "approved_at",
            "decision_note",
            "notice_starts_on",
            "notice_ends_on",
            "disbursed_at",
            "details_hidden",
        ]
        read_only_fields = fields

    def get_details_hidden(self, application) -> bool:
        return not permissions.can_see_details(self.context["request"].user, application)

    def to_representation(self, application):
        data = super().to_representation(application)
        if data["details_hidden"]:
            data["reason"] = None
        return data


class EventSerializer(serializers.ModelSerializer):
    actor_name = serializers.CharField(read_only=True)
    from_status = serializers.ChoiceField(
        choices=Status.choices, allow_blank=True, read_only=True, help_text="原状态；申请创建时为空字符串"
    )

    class Meta:
        model = ApplicationEvent
        fields = ["id", "from_status", "to_status", "comment", "actor_name", "created_at"]
        read_only_fields = fields


class AttachmentSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    original_name = serializers.CharField(read_only=True)
    content_type = serializers.CharField(read_only=True)
    size = serializers.IntegerField(read_only=True)
    uploaded_at = serializers.DateTimeField(read_only=True)


class ObjectionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Objection
        fields = ["id", "reason", "raised_at", "outcome", "resolution", "resolved_at"]
        read_only_fields = fields


class ApplicationDetailSerializer(ApplicationSerializer):
    events = EventSerializer(many=True, read_only=True)
    attachments = serializers.SerializerMethodField(help_text="附件（名称与大小；文件在网页上下载）；无权查看时为 null")
    objections = serializers.SerializerMethodField(help_text="公示异议：处理人看到全部，其他人只看到自己提出的")

    class Meta(ApplicationSerializer.Meta):
        fields = [*ApplicationSerializer.Meta.fields, "events", "attachments", "objections"]
        read_only_fields = fields

    @extend_schema_field(AttachmentSerializer(many=True, allow_null=True))
    def get_attachments(self, application):
        if not permissions.can_see_details(self.context["request"].user, application):
            return None
        return AttachmentSerializer(application.attachments.all(), many=True).data

    @extend_schema_field(ObjectionSerializer(many=True))
    def get_objections(self, application):
        user = self.context["request"].user
        objections = application.objections.all()
        if not (permissions.can_resolve_objection(user, application) or permissions.can_see_history(user, application)):
            objections = objections.filter(raised_by=user)
        return ObjectionSerializer(objections, many=True).data


class NoticeSerializer(serializers.ModelSerializer):
    """An application as the 公示栏 shows it (name, kind, amount, notice dates), with the objections the
    caller raised: what a member who objects may read of it."""

    member_name = serializers.CharField(source="member.name", read_only=True)
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    my_objections = serializers.SerializerMethodField()

    class Meta:
        model = AssistanceApplication
        fields = [
            "id",
            "member_name",
            "organization",
            "organization_name",
            "kind",
            "amount_approved",
            "status",
            "notice_starts_on",
            "notice_ends_on",
            "my_objections",
        ]
        read_only_fields = fields

    @extend_schema_field(ObjectionSerializer(many=True))
    def get_my_objections(self, application):
        mine = Objection.objects.filter(application=application, raised_by=self.context["request"].user)
        return ObjectionSerializer(mine, many=True).data


def _amount():
    return serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=Decimal("0.01"), max_value=Decimal("99999999.99")
    )


class ApplicationCreateSerializer(serializers.Serializer):
    member = ScopedMembers(
        help_text="申请人：本人，或书记所在支部的在册党员（与 partner 二选一）",
        required=False,
        allow_null=True,
        default=None,
    )
    partner = ScopedMembers(
        "partners",
        model=PartnerUnit,
        required=False,
        allow_null=True,
        default=None,
        help_text="互联共建单位（为其困难党员申请时；由负责联系该单位的支部书记填报）",
    )
    recipient_name = serializers.CharField(
        max_length=50, allow_blank=True, default="", help_text="共建单位困难党员的姓名"
    )
    kind = serializers.ChoiceField(choices=Kind.choices)
    amount_requested = _amount()
    reason = serializers.CharField(max_length=10000)
    is_emergency = serializers.BooleanField(default=False)
    submit = serializers.BooleanField(default=False, help_text="true：直接提交；false：保存为草稿")

    def validate(self, attrs):
        if (attrs["member"] is None) == (attrs["partner"] is None):
            raise serializers.ValidationError("请选择本单位党员或互联共建单位的困难党员之一")
        if attrs["partner"] is not None and not attrs["recipient_name"].strip():
            raise serializers.ValidationError({"recipient_name": "请填写共建单位困难党员的姓名"})
        return attrs


class CommentSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, allow_blank=True, default="")


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class MeetingSerializer(serializers.Serializer):
    meeting_on = serializers.DateField()
    attendees = serializers.IntegerField(min_value=1, max_value=10000)
    votes_for = serializers.IntegerField(min_value=0, max_value=10000)
    votes_against = serializers.IntegerField(min_value=0, max_value=10000, default=0)
    votes_abstain = serializers.IntegerField(min_value=0, max_value=10000, default=0)
    attendee_names = serializers.CharField(max_length=5000, allow_blank=True, default="")


class CommitteeMeetingSerializer(serializers.Serializer):
    """党委研究: the meeting that decided (an approval, a reconsideration)."""

    meeting_on = serializers.DateField(help_text="党委会议日期")
    meeting_kind = serializers.ChoiceField(choices=CommitteeDecision.MeetingKind.choices, help_text="会议类型")
    reference = serializers.CharField(max_length=100, help_text="会议纪要或决定文号")


class ApproveSerializer(CommitteeMeetingSerializer):
    amount_approved = _amount()
    comment = serializers.CharField(max_length=2000, allow_blank=True, default="")


class ConfirmMeetingSerializer(serializers.Serializer):
    confirm = serializers.BooleanField(help_text="true：与会议记录一致，确认；false：记录有误，退回重新记录")
    comment = serializers.CharField(max_length=500, allow_blank=True, default="", help_text="退回时必填")


class ReconsiderSerializer(CommitteeMeetingSerializer):
    keep = serializers.BooleanField(help_text="true：维持批准；false：撤销批准（已发放的予以追回）")
    reason = serializers.CharField(max_length=2000)


class RecoverySerializer(serializers.Serializer):
    note = serializers.CharField(max_length=100, allow_blank=True, default="")


class ResolveSerializer(serializers.Serializer):
    upheld = serializers.BooleanField(help_text="true：异议成立，驳回申请；false：异议不成立，公示继续")
    resolution = serializers.CharField(max_length=2000)


class EmptySerializer(serializers.Serializer):
    pass


class FundSerializer(serializers.ModelSerializer):
    organization_name = serializers.CharField(source="organization.name", read_only=True)

    class Meta:
        model = Fund
        fields = ["id", "organization", "organization_name", "name", "balance", "created_at"]
        read_only_fields = fields


class FundEntrySerializer(serializers.ModelSerializer):
    class Meta:
        model = FundEntry
        fields = [
            "id",
            "fund",
            "kind",
            "source",
            "donor",
            "amount",
            "occurred_on",
            "application",
            "reverses",
            "note",
            "created_at",
        ]
        read_only_fields = fields


class IncomeLineSerializer(serializers.Serializer):
    source_label = serializers.CharField()
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)


class SpendingLineSerializer(serializers.Serializer):
    kind_label = serializers.CharField()
    count = serializers.IntegerField()
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)


class YearSummarySerializer(serializers.Serializer):
    fund = serializers.IntegerField()
    year = serializers.IntegerField()
    opening = serializers.DecimalField(max_digits=14, decimal_places=2, help_text="年初余额")
    income = IncomeLineSerializer(many=True, help_text="按来源的收入（冲正已抵减）")
    spending = SpendingLineSerializer(many=True, help_text="按帮扶类别的支出")
    total_income = serializers.DecimalField(max_digits=14, decimal_places=2)
    total_spending = serializers.DecimalField(max_digits=14, decimal_places=2)
    closing = serializers.DecimalField(max_digits=14, decimal_places=2, help_text="年末余额")
    years = serializers.ListField(child=serializers.IntegerField(), help_text="有账目的年度")
