"""Request-wide guards that no single view should have to remember."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404
from django.shortcuts import render
from django.views.defaults import page_not_found

from core.http import no_store

NUL = "\x00"


class RejectUnreadableInput:
    """A NUL character is never part of what a person types, and PostgreSQL refuses it in any text:
    a parameter holding one (`%00` in a search, a reason, a title) gets a 400 with a Chinese message
    before any view reads it, instead of an error deep in a query."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if NUL in request.path or _has_nul(request.GET) or (request.method == "POST" and _has_nul(request.POST)):
            return render(
                request, "400.html", {"message": "提交的内容中含有无法识别的字符，请删除后重新填写。"}, status=400
            )
        return self.get_response(request)


def _has_nul(params) -> bool:
    return any(NUL in key or any(NUL in value for value in params.getlist(key)) for key in params)


class PrivateResponses:
    """Every page a signed-in user gets holds someone's data (names, ID numbers, income, talks):
    neither the browser's cache nor a proxy keeps a copy. A view that sets its own Cache-Control
    (a static download) keeps it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not response.has_header("Cache-Control"):
            no_store(response)
        return response


class ChineseNotFoundUnderDebug:
    """With DEBUG on, Django answers a 404 with its English technical page listing every URL pattern; a
    newcomer under `make run` should meet the product's own Chinese page, as in production (403s are
    the product's page already). The API keeps its JSON errors."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            settings.DEBUG
            and response.status_code == 404
            and not request.path.startswith("/api/")
            and response.get("Content-Type", "").startswith("text/html")
        ):
            return page_not_found(request, Http404())
        return response
