from django.http import HttpResponse
from django.utils.http import content_disposition_header

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def attachment(content: bytes, *, filename: str, content_type: str = XLSX_MIME) -> HttpResponse:
    """A download whose Chinese file name every browser shows right (RFC 5987 filename*)."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    return response
