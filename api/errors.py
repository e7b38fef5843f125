"""One shape for every error the API answers, with a stable code and a Chinese message:

    {"code": "not_found", "message": "未找到该对象，或您无权查看", "fields": {"visited_on": ["…"]}}

`fields` is there for refused input only. DRF's exceptions and the services' DomainError are shaped by
`exception_handler`; everything answered before or around the API's views (an unknown address, a NUL
character refused by core.middleware, a 500, a page's redirect to the second factor) by
`ApiErrorsMiddleware`, for every path under /api/.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, JsonResponse
from rest_framework import exceptions

from core.errors import DomainError

DEFAULTS: dict[int, tuple[str, str]] = {
    400: ("bad_request", "请求格式不正确，或含有无法识别的字符"),
    401: ("not_authenticated", "请先登录，或在 Authorization 头中提供接口令牌"),
    403: ("permission_denied", "您没有权限进行此操作"),
    404: ("not_found", "未找到该对象，或您无权查看"),
    405: ("method_not_allowed", "该地址不支持这种请求方法"),
    406: ("not_acceptable", "不支持所要求的返回格式，请接受 application/json"),
    409: ("rule_refused", "该操作不符合业务规则"),
    413: ("request_too_large", "提交的内容过大"),
    415: ("unsupported_media_type", "请以 JSON 格式提交（Content-Type: application/json）"),
    422: ("unprocessable", "请求无法处理"),
    429: ("throttled", "请求过于频繁，请稍后再试"),
    500: ("server_error", "服务器内部错误，请稍后重试；如果问题持续，请联系系统管理员"),
    503: ("unavailable", "服务暂时不可用，请稍后重试"),
}


def body(status: int, code: str | None = None, message: str | None = None, fields: dict | None = None) -> dict:
    default_code, default_message = DEFAULTS.get(status, DEFAULTS[500] if status >= 500 else DEFAULTS[400])
    data = {"code": code or default_code, "message": message or default_message}
    if fields:
        data["fields"] = fields
    return data


def json_error(
    status: int,
    code: str | None = None,
    message: str | None = None,
    fields: dict | None = None,
    headers: dict | None = None,
) -> JsonResponse:
    response = JsonResponse(
        body(status, code, message, fields), status=status, json_dumps_params={"ensure_ascii": False}
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def _messages(detail) -> list[str]:
    """Every message in a (possibly nested) DRF error detail, flattened."""
    if isinstance(detail, dict):
        return [message for value in detail.values() for message in _messages(value)]
    if isinstance(detail, list):
        return [message for value in detail for message in _messages(value)]
    return [str(detail)]


def _fields(detail) -> dict[str, list[str]]:
    if not isinstance(detail, dict):
        return {"non_field_errors": _messages(detail)}
    return {str(name): _messages(value) for name, value in detail.items()}


def _code(exc: exceptions.APIException) -> str:
    codes = exc.get_codes()
    if isinstance(codes, str):
        return codes
    return exc.default_code


def exception_handler(exc, context):
    """DRF's handler for its headers (WWW-Authenticate, Retry-After, Allow), then our shape."""
    from rest_framework.views import exception_handler as drf_exception_handler  # imports the settings

    if isinstance(exc, DomainError):
        fields = {exc.field: [exc.message]} if exc.field else None
        return _response(409, body(409, "rule_refused", exc.message, fields))
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    status = response.status_code
    if isinstance(exc, exceptions.ValidationError):
        fields = _fields(exc.detail)
        # Our own refusals of input carry their code (invalid_cursor, idempotency_key_required …).
        code = exc.default_code if type(exc) is not exceptions.ValidationError else "invalid"
        only = fields.get("non_field_errors") if list(fields) == ["non_field_errors"] else None
        message = only[0] if only else "提交的内容有误，请按 fields 中的说明修改"
        response.data = body(status, code, message, None if only else fields)
    elif isinstance(exc, exceptions.Throttled):
        wait = int(exc.wait or 1)
        response.data = body(status, "throttled", f"请求过于频繁，请 {wait} 秒后再试")
    elif isinstance(exc, exceptions.ParseError):
        response.data = body(status, "bad_request", "请求内容不是有效的 JSON")
    elif isinstance(exc, exceptions.NotAuthenticated):
        response.data = body(status)
    elif isinstance(exc, exceptions.AuthenticationFailed):
        response.data = body(status, _code(exc), str(exc.detail))
    elif isinstance(exc, exceptions.PermissionDenied):
        message = str(exc.detail)
        response.data = body(
            status,
            _code(exc) if _code(exc) != "permission_denied" else None,
            None if message == str(exceptions.PermissionDenied.default_detail) else message,
        )
    elif type(exc).__module__.startswith("api."):  # the API's own refusals name their code and message
        response.data = body(status, _code(exc), str(exc.detail))
    else:
        response.data = body(status)
    return response


def _response(status: int, data: dict):
    from rest_framework.response import Response

    return Response(data, status=status)


# --- around the views -----------------------------------------------------------------------------


def is_api(request) -> bool:
    return request.path.startswith(settings.API["PREFIX"])


class ApiErrorsMiddleware:
    """Under /api/, every error answer is JSON in the one shape, whoever produced it (the URL resolver's
    404, core.middleware's 400 for NUL characters, a 500 page); and a page's redirect to the second
    factor, which an API client cannot follow, is a 403 saying what to do."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not is_api(request):
            return response
        if response.status_code in (301, 302) and response.get("Location", "").startswith("/accounts/2fa/"):
            return json_error(403, "second_factor_required", "您的账号须先在网页上完成两步验证，然后再调用接口")
        if response.status_code >= 400 and not response.get("Content-Type", "").startswith("application/json"):
            headers = {
                name: response[name]
                for name in ("Allow", "Retry-After", "WWW-Authenticate")
                if response.has_header(name)
            }
            return json_error(response.status_code, headers=headers)
        return response
