"""The changes feed: what changed since a cursor, so another system stays in step without reading
everything again.

It is read from the audit trail (django-auditlog's LogEntry, written for every save and delete of the
audited models, with the organization path each change belongs to): the cursor is an entry's id,
entries come in the order they were written, and each names the kind and id of the object and whether
it was created, changed or deleted — not the values (read the object again through its route, which
masks what the caller may not read). A caller sees the changes of the kinds the role table lets them
list, under the organizations where they hold those roles (a member's own objects, which they read on
their page, are not in it). An object that moved out of the caller's organizations is seen changing
no more; a full read every now and then puts that right.
"""

from __future__ import annotations

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models import Max, Q
from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import exceptions, serializers
from rest_framework.response import Response

from api.views.base import ApiView
from core.params import id_param
from members import access
from members.access import LIST, SIGNED_IN
from members.scoping import covers_everything, org_paths

# type: (app label, model, kind of the role table, the object's route on the API or None)
TYPES: dict[str, tuple[str, str, str, str | None]] = {
    "member": ("members", "member", "member", "api:member"),
    "ledger_line": ("hardship", "hardshiprecord", "ledger", "api:ledger_line"),
    "pairing": ("hardship", "pairing", "pairing", "api:pairing"),
    "pairing_progress": ("hardship", "pairingprogress", "pairing", None),
    "visit": ("visits", "visit", "visit", "api:visit"),
    "talk": ("visits", "talk", "talk", "api:talk"),
    "application": ("funds", "assistanceapplication", "application", "api:application"),
    "fund_entry": ("funds", "fundentry", "fund", None),
}
ACTIONS = {LogEntry.Action.CREATE: "created", LogEntry.Action.UPDATE: "updated", LogEntry.Action.DELETE: "deleted"}
MAX_LIMIT = 500


def _content_types() -> dict[int, str]:
    types = {}
    for name, (app_label, model, _, _) in TYPES.items():
        types[ContentType.objects.get_by_natural_key(app_label, model).pk] = name
    return types


def visible(user, names) -> Q | None:
    """The audit entries of `names` the user may read, or None when there are none."""
    content_types = {name: pk for pk, name in _content_types().items()}
    condition = Q(pk__in=[])
    any_type = False
    for name in names:
        kind = TYPES[name][2]
        if not access.may(user, kind, LIST):
            continue
        roles = access.real_roles(kind, LIST)
        part = Q(content_type_id=content_types[name])
        if not covers_everything(user, *roles):
            paths = sorted(org_paths(user, *roles))
            if not paths:
                continue
            where = Q(pk__in=[])
            for path in paths:
                where |= Q(additional_data__org_path__startswith=path)
            part &= where
        condition |= part
        any_type = True
    return condition if any_type else None


class Changes(ApiView):
    access = SIGNED_IN

    @extend_schema(
        parameters=[
            OpenApiParameter("since", str, description="上次返回的 cursor；不传则从头读起；latest 只返回当前的 cursor"),
            OpenApiParameter("types", str, description=f"只看这些类型，逗号分隔：{', '.join(TYPES)}"),
            OpenApiParameter("limit", int, description=f"最多返回条数，1–{MAX_LIMIT}，默认 100"),
        ],
        responses=inline_serializer(
            "Changes",
            {
                "cursor": serializers.IntegerField(help_text="下次请求的 since"),
                "more": serializers.BooleanField(help_text="是否还有更多变更，有则马上用 cursor 再读"),
                "results": inline_serializer(
                    "Change",
                    {
                        "id": serializers.IntegerField(help_text="变更编号（即游标）"),
                        "type": serializers.ChoiceField(choices=list(TYPES)),
                        "object_id": serializers.IntegerField(),
                        "action": serializers.ChoiceField(choices=list(ACTIONS.values())),
                        "at": serializers.DateTimeField(),
                        "url": serializers.CharField(
                            allow_null=True, help_text="对象在接口中的地址；已删除或无详情时为 null"
                        ),
                    },
                    many=True,
                ),
            },
        ),
    )
    def get(self, request):
        params = request.query_params
        raw_since = params.get("since", "0")
        if raw_since == "latest":
            latest = LogEntry.objects.aggregate(top=Max("pk"))["top"] or 0
            return Response({"cursor": latest, "more": False, "results": []})
        since = 0 if raw_since == "0" else id_param(raw_since)
        if since is None:
            raise exceptions.ValidationError({"since": ["cursor 应为上次返回的非负整数，或 latest"]})
        names = [name.strip() for name in params.get("types", "").split(",") if name.strip()] or list(TYPES)
        unknown = [name for name in names if name not in TYPES]
        if unknown:
            raise exceptions.ValidationError({"types": [f"没有这种类型：{'、'.join(unknown)}"]})
        raw_limit = params.get("limit", "100")
        limit = id_param(raw_limit)
        if limit is None or limit > MAX_LIMIT:
            raise exceptions.ValidationError({"limit": [f"limit 应为 1–{MAX_LIMIT} 的整数"]})
        condition = visible(request.user, names)
        if condition is None:
            return Response({"cursor": since, "more": False, "results": []})
        types = _content_types()
        rows = list(
            LogEntry.objects.filter(condition, pk__gt=since, action__in=list(ACTIONS))
            .order_by("pk")
            .values_list("pk", "content_type_id", "object_id", "object_pk", "action", "timestamp")[: limit + 1]
        )
        more = len(rows) > limit
        rows = rows[:limit]
        results = []
        for pk, content_type_id, object_id, object_pk, action, timestamp in rows:
            name = types[content_type_id]
            object_id = object_id if object_id is not None else int(object_pk)
            route = TYPES[name][3]
            url = None
            if route and action != LogEntry.Action.DELETE:
                url = request.build_absolute_uri(reverse(route, kwargs={"pk": object_id}))
            results.append(
                {
                    "id": pk,
                    "type": name,
                    "object_id": object_id,
                    "action": ACTIONS.get(action, "updated"),
                    "at": timestamp,
                    "url": url,
                }
            )
        return Response({"cursor": rows[-1][0] if rows else since, "more": more, "results": results})
