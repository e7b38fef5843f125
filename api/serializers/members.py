"""Members as the roster pages show them: the 身份证号, birth date, address and health masked per row
for roles that may not read them (members.permissions.Disclosure, the same object the pages use)."""

from __future__ import annotations

from rest_framework import serializers

from members.models import Member


class MemberSerializer(serializers.ModelSerializer):
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    state = serializers.ChoiceField(choices=Member.State.choices, read_only=True, help_text="在册状态")
    id_number = serializers.CharField(read_only=True, help_text="无权查看时只有后四位：**************3132")
    birth_date = serializers.DateField(read_only=True, allow_null=True, help_text="无权查看时为 null，见 birth_year")
    birth_year = serializers.IntegerField(source="birth_date.year", read_only=True)
    address = serializers.CharField(read_only=True, allow_null=True, help_text="无权查看时为 null")
    health = serializers.CharField(read_only=True, allow_null=True, help_text="无权查看时为 null")
    sensitive_masked = serializers.SerializerMethodField(help_text="身份证号、出生日期、住址和健康情况是否已脱敏")

    class Meta:
        model = Member
        fields = [
            "id",
            "organization",
            "organization_name",
            "name",
            "gender",
            "id_number",
            "birth_date",
            "birth_year",
            "phone",
            "address",
            "join_date",
            "full_member_date",
            "party_status",
            "employment",
            "is_retired_cadre",
            "work_capacity",
            "health",
            "is_hospitalized",
            "lives_alone",
            "is_model_worker",
            "state",
            "deceased_on",
            "transferred_out_on",
            "sensitive_masked",
            "updated_at",
        ]
        read_only_fields = fields

    def get_sensitive_masked(self, member) -> bool:
        return not self.context["disclosure"].full(member)

    def to_representation(self, member):
        data = super().to_representation(member)
        if data["sensitive_masked"]:
            data.update(id_number=member.masked_id_number, birth_date=None, address=None, health=None)
        return data
