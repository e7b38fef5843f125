from typing import BinaryIO

from django.conf import settings
from django.http import FileResponse, HttpResponse
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.http import content_disposition_header
from ipware import get_client_ip

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def attachment(content: bytes | BinaryIO, *, filename: str, content_type: str = XLSX_MIME):
    """A download whose Chinese file name every browser shows right (RFC 5987 filename*). A file (what
    `core.xlsx.Workbook.detach` gives) is streamed in blocks and closed when sent, never read into memory.
    Downloads hold personal data: never stored by a browser or a proxy."""
    if isinstance(content, bytes | bytearray):
        response: HttpResponse | FileResponse = HttpResponse(content, content_type=content_type)
    else:
        response = FileResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename) or ""
    no_store(response)
    return response


def no_store(response):
    """Neither the browser nor any proxy keeps a copy (pages and files with personal data)."""
    add_never_cache_headers(response)
    patch_cache_control(response, no_store=True, private=True)
    return response


def client_ip(request) -> str | None:
    """The client's address, by one policy for the audit trail, the access log and the login lockout.

    With `TRUSTED_PROXY_COUNT` = n reverse proxies in front of the app, the address is the one the
    outermost of them saw: the n-th entry of X-Forwarded-For counted from the right. Entries further
    left were written by the client and prove nothing (a forged leftmost entry is the classic way to
    hide). With no proxy, X-Forwarded-For is ignored and REMOTE_ADDR is the client."""
    count = settings.TRUSTED_PROXY_COUNT
    if not count:
        return request.META.get("REMOTE_ADDR") or None
    address, _routable = get_client_ip(
        request,
        proxy_order="right-most",
        proxy_count=count,
        request_header_order=("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"),
    )
    return address or request.META.get("REMOTE_ADDR") or None
