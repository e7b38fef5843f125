"""What drf-spectacular cannot see: the one error shape every route may answer with, and when."""

from __future__ import annotations

ERROR = {
    "type": "object",
    "required": ["code", "message"],
    "properties": {
        "code": {"type": "string", "description": "稳定的错误代码，如 not_found、invalid、rule_refused、throttled"},
        "message": {"type": "string", "description": "中文说明，可直接显示给用户"},
        "fields": {
            "type": "object",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
            "description": "提交的内容有误时，每个字段的问题",
        },
    },
}
ALWAYS = {
    "400": "请求有误（参数、游标或提交的内容）",
    "401": "未登录，或接口令牌无效、过期、已吊销",
    "403": "角色权限表不允许该调用者进行此操作",
    "404": "对象不存在，或不在调用者的组织范围内",
    "405": "该地址不支持这种请求方法",
    "406": "不支持所要求的返回格式",
    "429": "请求过于频繁",
}
WRITES = {
    "409": "业务规则不允许（如申请当前状态不能进行此步骤），message 说明原因",
    "413": "提交的内容过大",
    "415": "请以 JSON 格式提交",
    "422": "幂等键已用于另一个请求",
}


def error_responses(result, generator, request, public):
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR
    reference = {"$ref": "#/components/schemas/Error"}
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            wanted = dict(ALWAYS) | (WRITES if method in ("post", "put", "patch", "delete") else {})
            for status, description in wanted.items():
                response = responses.setdefault(status, {"description": description})
                response.setdefault("content", {"application/json": {"schema": reference}})
                if status == "429":
                    response.setdefault("headers", {})["Retry-After"] = {
                        "description": "多少秒后可以再试",
                        "schema": {"type": "integer"},
                    }
    return result
