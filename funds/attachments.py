"""Checks an uploaded supporting document passes before it is stored: the content decides, not the name."""

from __future__ import annotations

import io

from django.conf import settings

from core.errors import DomainError

PDF, JPEG, PNG = "application/pdf", "image/jpeg", "image/png"
SIGNATURES = ((b"%PDF-", PDF), (b"\x89PNG\r\n\x1a\n", PNG), (b"\xff\xd8\xff", JPEG))
PILLOW_FORMATS = {JPEG: "JPEG", PNG: "PNG"}


def sniff(data: bytes) -> str | None:
    for signature, content_type in SIGNATURES:
        if data.startswith(signature):
            return content_type
    return None


def check_attachment(upload) -> tuple[bytes, str]:
    """Read an upload within the size limit and return (content, content type), or refuse in Chinese."""
    limit = settings.CARE["ATTACHMENT_MAX_BYTES"]
    megabytes = limit // (1024 * 1024)
    if upload.size == 0:
        raise DomainError(f"附件“{upload.name}”是空文件")
    if upload.size > limit:
        raise DomainError(f"附件“{upload.name}”超过 {megabytes} MB，请压缩后再上传")
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise DomainError(f"附件“{upload.name}”超过 {megabytes} MB，请压缩后再上传")
    content_type = sniff(data)
    if content_type is None:
        raise DomainError(f"附件“{upload.name}”不是 PDF、JPG 或 PNG 文件，请上传证明材料的扫描件或照片")
    if content_type == PDF:
        if b"%%EOF" not in data[-2048:]:
            raise DomainError(f"附件“{upload.name}”不是完整的 PDF 文件")
    else:
        from PIL import Image

        try:
            with Image.open(io.BytesIO(data)) as image:
                if image.format != PILLOW_FORMATS[content_type]:
                    raise DomainError(f"附件“{upload.name}”的图片格式与内容不符")
                image.verify()
        except DomainError:
            raise
        except Exception as exc:
            raise DomainError(f"附件“{upload.name}”不是有效的图片文件") from exc
    return data, content_type
