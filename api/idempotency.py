"""Writes made at most once: a client sends `Idempotency-Key: <its own unique value>` with a write,
and sends the same key again when it does not know whether the first attempt arrived (a phone in a
basement, a timeout). The first request to complete records the key with a hash of the request and the
id of what it made, in the write's own transaction; a retry then makes nothing and gets the same
answer (the same status and the object as it is now, header `Idempotent-Replayed: true`). The same key
with another request (other route or body) is refused with 422 `idempotency_key_reused`.

Two attempts at once: the second one's INSERT of the same key waits on the unique index until the
first commits, then fails, and the second answers as a retry. A write the rules refuse records no key,
so it may be tried again after the client corrects it.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable

from django.db import IntegrityError, transaction
from rest_framework import exceptions, status
from rest_framework.response import Response

from api.models import IdempotencyKey

HEADER = "Idempotency-Key"
KEY_PATTERN = re.compile(r"[\x21-\x7e]{8,100}", re.ASCII)


class KeyRequired(exceptions.ValidationError):
    default_code = "idempotency_key_required"


class KeyInvalid(exceptions.ValidationError):
    default_code = "idempotency_key_invalid"


class KeyReused(exceptions.APIException):
    status_code = 422
    default_code = "idempotency_key_reused"
    default_detail = "该幂等键已用于另一个请求；新的请求请使用新的幂等键"


def fingerprint(request, route: str) -> str:
    payload = json.dumps(
        [route, request.parser_context.get("kwargs", {}), request.data], sort_keys=True, ensure_ascii=False, default=str
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def key_of(request, *, required: bool) -> str | None:
    key = request.headers.get(HEADER)
    if key is None:
        if required:
            raise KeyRequired(
                {HEADER: ["请在请求头 Idempotency-Key 中提供客户端生成的唯一值（如 UUID），重试时使用同一个值"]}
            )
        return None
    if not KEY_PATTERN.fullmatch(key):
        raise KeyInvalid({HEADER: ["幂等键应为 8–100 个可见 ASCII 字符（如 UUID）"]})
    return key


def once(
    request,
    *,
    route: str,
    required: bool,
    perform: Callable[[], int],
    render: Callable[[int], dict],
    created: int = status.HTTP_201_CREATED,
) -> Response:
    """Run `perform` (returns the id of what it made or changed) at most once per key; answer with
    `render(id)`."""
    key = key_of(request, required=required)
    if key is None:
        with transaction.atomic():
            object_id = perform()
        return Response(render(object_id), status=created)
    digest = fingerprint(request, route)
    prior = IdempotencyKey.objects.filter(user=request.user, key=key).first()
    if prior is None:
        try:
            with transaction.atomic():
                record = IdempotencyKey.objects.create(
                    user=request.user, key=key, route=route, fingerprint=digest, status=created, object_id=0
                )
                record.object_id = perform()
                record.save(update_fields=["object_id"])
        except IntegrityError:
            prior = IdempotencyKey.objects.filter(user=request.user, key=key).first()
            if prior is None:  # the write's own constraint, not the key
                raise
        else:
            return Response(render(record.object_id), status=created)
    if prior.route != route or prior.fingerprint != digest:
        raise KeyReused
    return Response(render(prior.object_id), status=prior.status, headers={"Idempotent-Replayed": "true"})
