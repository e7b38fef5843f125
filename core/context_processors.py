from core.registry import nav_for


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    match = getattr(request, "resolver_match", None)
    namespace = match.namespace if match else ""
    return {
        "nav_items": [
            {"item": item, "active": bool(namespace) and item.url_name.split(":")[0] == namespace}
            for item in nav_for(user)
        ]
    }
