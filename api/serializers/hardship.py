"""Ledger lines, pairings and their progress. A ledger line's income, causes, difficulties and family
are shown only to whom the pages show them (hardship.permissions.can_see_confidential)."""

from __future__ import annotations

from decimal import Decimal

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from hardship.models import HardshipRecord, HelpType, MoneySource, Pairing, PairingProgress

CONFIDENTIAL = ("annual_household_income", "per_capita_income", "causes", "main_difficulties")


class FamilyMemberSerializer(serializers.Serializer):
    name = serializers.CharField(read_only=True)
    relation = serializers.CharField(read_only=True)
    age = serializers.IntegerField(read_only=True, allow_null=True)
    occupation = serializers.CharField(read_only=True)
    health = serializers.CharField(read_only=True)
    annual_income = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True, allow_null=True)


class LedgerLineSerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.name", read_only=True)
    organization = serializers.IntegerField(source="member.organization_id", read_only=True)
    categories = serializers.SerializerMethodField(help_text="困难类别名称")
    annual_household_income = serializers.DecimalField(
        max_digits=12, decimal_places=2, read_only=True, allow_null=True, help_text="无权查看或未登记时为 null"
    )
    per_capita_income = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True, allow_null=True)
    causes = serializers.CharField(read_only=True, allow_null=True, help_text="无权查看时为 null")
    main_difficulties = serializers.CharField(read_only=True, allow_null=True, help_text="无权查看时为 null")
    confidential_masked = serializers.SerializerMethodField(help_text="家庭收入、致困原因和家庭成员是否隐去")

    class Meta:
        model = HardshipRecord
        fields = [
            "id",
            "member",
            "member_name",
            "organization",
            "categories",
            "level",
            "household_size",
            "annual_household_income",
            "per_capita_income",
            "causes",
            "main_difficulties",
            "skills",
            "status",
            "registered_on",
            "last_reviewed_on",
            "closed_on",
            "close_reason",
            "consent_on",
            "confidential_masked",
            "updated_at",
        ]
        read_only_fields = fields

    def get_categories(self, record) -> list[str]:
        return [category.name for category in record.categories.all()]

    def get_confidential_masked(self, record) -> bool:
        return not self.context["confidential"].full(record.member)

    def to_representation(self, record):
        data = super().to_representation(record)
        if data["confidential_masked"]:
            data.update(dict.fromkeys(CONFIDENTIAL))
        return data


class LedgerLineDetailSerializer(LedgerLineSerializer):
    family = serializers.SerializerMethodField(help_text="家庭成员；无权查看时为 null")

    class Meta(LedgerLineSerializer.Meta):
        fields = [*LedgerLineSerializer.Meta.fields, "family"]
        read_only_fields = fields

    @extend_schema_field(FamilyMemberSerializer(many=True, allow_null=True))
    def get_family(self, record):
        if not self.context["confidential"].full(record.member):
            return None
        return FamilyMemberSerializer(record.family.all(), many=True).data


class PairingSerializer(serializers.ModelSerializer):
    helper_name = serializers.CharField(source="helper.name", read_only=True)
    member = serializers.IntegerField(source="record.member_id", read_only=True, help_text="被帮扶党员")
    member_name = serializers.CharField(source="record.member.name", read_only=True)
    organization = serializers.IntegerField(source="record.member.organization_id", read_only=True)
    help_types = serializers.SerializerMethodField(help_text="帮扶内容（五帮）")
    last_progress_on = serializers.DateField(read_only=True, allow_null=True)
    progress_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Pairing
        fields = [
            "id",
            "helper",
            "helper_name",
            "record",
            "member",
            "member_name",
            "organization",
            "help_types",
            "goals",
            "measures",
            "items",
            "expected_results",
            "started_on",
            "ended_on",
            "outcome",
            "status",
            "last_progress_on",
            "progress_count",
            "updated_at",
        ]
        read_only_fields = fields

    def get_help_types(self, pairing) -> list[str]:
        return [help_type.code for help_type in pairing.help_types.all()]


class ProgressSerializer(serializers.ModelSerializer):
    help_type = serializers.SlugRelatedField(slug_field="code", read_only=True)
    help_type_name = serializers.CharField(source="help_type.name", read_only=True)

    class Meta:
        model = PairingProgress
        fields = ["id", "pairing", "date", "help_type", "help_type_name", "description", "money", "goods", "created_at"]
        read_only_fields = fields


class ProgressCreateSerializer(serializers.Serializer):
    date = serializers.DateField(help_text="不晚于今天，不早于结对开始日期")
    help_type = serializers.SlugRelatedField(
        slug_field="code", queryset=HelpType.objects.all(), help_text="帮扶类型代码，见结对的 help_types"
    )
    description = serializers.CharField(max_length=5000)
    money = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=Decimal("0"), default=Decimal("0"))
    money_source = serializers.ChoiceField(
        choices=MoneySource.choices,
        allow_blank=True,
        default="",
        help_text="钱款来源：care_fund 党内关怀基金，other 其他渠道",
    )
    money_source_note = serializers.CharField(
        max_length=100, allow_blank=True, default="", help_text="其他渠道时写明出处"
    )
    goods = serializers.CharField(max_length=200, allow_blank=True, default="")
