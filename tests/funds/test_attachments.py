"""Supporting documents: PDF/JPG/PNG by content, size-limited, stored under random names, read through a scoped view."""

import io
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from core.errors import DomainError
from funds import services
from funds.models import AssistanceApplication, Attachment

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, "PNG")
    return buffer.getvalue()


def jpeg_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "blue").save(buffer, "JPEG")
    return buffer.getvalue()


def create(unit, *files):
    return services.create_application(
        by=unit.dangyuan1,
        member=unit.dangyuan1.member,
        kind="living",
        amount_requested="1000",
        reason="困难",
        files=list(files),
    )


def test_pdf_jpg_and_png_are_stored_under_random_names(unit, fund):
    app = create(
        unit,
        SimpleUploadedFile("诊断证明.pdf", PDF),
        SimpleUploadedFile("照片.jpg", jpeg_bytes()),
        SimpleUploadedFile("收入证明.png", png_bytes()),
    )
    stored = list(app.attachments.order_by("pk"))
    assert [a.content_type for a in stored] == ["application/pdf", "image/jpeg", "image/png"]
    assert [a.original_name for a in stored] == ["诊断证明.pdf", "照片.jpg", "收入证明.png"]
    for attachment in stored:
        name = os.path.basename(attachment.file.name)
        assert "证明" not in name and len(name.split(".")[0]) == 32
        assert os.path.exists(attachment.file.path)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("证明.pdf", b"MZ\x90\x00 this is an executable", "不是 PDF、JPG 或 PNG"),
        ("照片.png", b"<html><script>alert(1)</script></html>", "不是 PDF、JPG 或 PNG"),
        ("照片.jpg", b"\xff\xd8\xff\xe0 not really a jpeg at all", "不是有效的图片"),
        ("照片.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "不是有效的图片"),
        ("证明.pdf", b"%PDF-1.4 truncated", "不是完整的 PDF"),
        ("空.pdf", b"", "空文件"),
    ],
)
def test_spoofed_or_broken_files_are_refused_and_nothing_is_created(unit, fund, name, content, message):
    with pytest.raises(DomainError, match=message):
        create(unit, SimpleUploadedFile(name, content))
    assert not AssistanceApplication.objects.exists()
    assert not Attachment.objects.exists()


def test_a_jpeg_named_png_is_stored_as_what_it_is(unit, fund):
    app = create(unit, SimpleUploadedFile("照片.png", jpeg_bytes()))
    attachment = app.attachments.get()
    assert attachment.content_type == "image/jpeg" and attachment.file.name.endswith(".jpg")


def test_size_limit(unit, fund, settings):
    settings.CARE = {**settings.CARE, "ATTACHMENT_MAX_BYTES": 1024 * 1024}
    big = PDF[:-6] + b"0" * (1024 * 1024) + b"\n%%EOF\n"
    with pytest.raises(DomainError, match="超过 1 MB"):
        create(unit, SimpleUploadedFile("大文件.pdf", big))


def test_download_only_through_the_scoped_view(unit, fund, login, client):
    app = create(unit, SimpleUploadedFile("诊断证明.pdf", PDF))
    attachment = app.attachments.get()
    url = f"/funds/attachments/{attachment.pk}/"
    response = login(unit.shuji1).get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "attachment" in response["Content-Disposition"]
    assert login(unit.shuji2).get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302
    assert client.get("/media/" + attachment.file.name).status_code == 404


def test_files_written_for_an_application_that_rolls_back_are_removed(unit, fund, settings):
    """The files pass their checks and are written; then the submission fails and everything rolls back."""
    from unittest import mock

    failing = mock.patch("funds.services.applications._submit", side_effect=DomainError("提交失败"))
    with failing, pytest.raises(DomainError):
        services.create_application(
            by=unit.shuji1,
            member=unit.member1,
            kind="living",
            amount_requested="1000",
            reason="困难",
            files=[SimpleUploadedFile("a.pdf", PDF)],
            submit=True,
        )
    assert [f for _, _, files in os.walk(settings.MEDIA_ROOT) for f in files] == []
    assert not Attachment.objects.exists()
