"""Small pieces the API's serializers share."""

from __future__ import annotations

from rest_framework import serializers

from members.models import Member, Organization


class PersonSerializer(serializers.Serializer):
    """A member named in another object (a visitor, a participant): id and name only."""

    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)


class OrganizationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organization
        fields = ["id", "name", "kind", "parent", "is_active"]
        read_only_fields = fields


def people(members) -> list[dict]:
    return [{"id": member.pk, "name": member.name} for member in members]


class ScopedMembers(serializers.PrimaryKeyRelatedField):
    """Ids of members (or, with `model`, other rows) the caller may name for this write: the queryset
    comes from the view (scoped by the role table), so an id outside it reads as "does not exist",
    whether it exists or not. The refusal says so in words a secretary understands (an entry logged
    offline may name a member who has since been transferred out or died)."""

    def __init__(self, choices: str = "members", model=Member, **kwargs):
        self.choices_key = choices  # the serializer context's key for the scoped queryset
        kwargs.setdefault("queryset", model.objects.none())
        if model is Member:
            kwargs.setdefault(
                "error_messages",
                {"does_not_exist": "编号为 {pk_value} 的党员不能选择：已转出或已逝世，或不在您管理的支部"},
            )
        super().__init__(**kwargs)

    def get_queryset(self):
        rows = self.context.get(self.choices_key)
        return rows if rows is not None else self.queryset.none()

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int) or not 0 < data < 2**63:
            self.fail("incorrect_type", data_type=type(data).__name__)
        return super().to_internal_value(data)
