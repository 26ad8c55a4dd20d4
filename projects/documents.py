"""Which files a project's ledger accepts as evidence (七(五) 资料收集整理), and their checksum.

PDF, images and office files only, checked by extension *and* by the file's first bytes, so a
renamed executable is refused; the size limit is the setting JINGYUAN_DOCUMENT_MAX_MB.
"""

import hashlib
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError

_PDF = (b"%PDF-",)
_OLE = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)  # legacy .doc / .xls
_ZIP = (b"PK\x03\x04",)  # .docx / .xlsx / .pptx are zip packages

ALLOWED: dict[str, tuple[str, tuple[bytes, ...]]] = {
    ".pdf": ("application/pdf", _PDF),
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".doc": ("application/msword", _OLE),
    ".xls": ("application/vnd.ms-excel", _OLE),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", _ZIP),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", _ZIP),
    ".pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", _ZIP),
}


# What a user reads for each accepted type (「文件类型：图片」, never "image/png").
CONTENT_TYPE_LABELS: dict[str, str] = {
    "application/pdf": "PDF 文档",
    "image/jpeg": "图片",
    "image/png": "图片",
    "application/msword": "Word 文档",
    "application/vnd.ms-excel": "Excel 表格",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word 文档",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "Excel 表格",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "PowerPoint 演示文稿",
}


def max_bytes() -> int:
    return settings.JINGYUAN_DOCUMENT_MAX_MB * 1024 * 1024


def document_check(uploaded) -> dict:
    """Validate an uploaded file; return its content type, size and SHA-256, or raise ValidationError."""
    suffix = PurePath(uploaded.name or "").suffix.lower()
    if suffix not in ALLOWED:
        raise ValidationError(
            f"不支持的文件类型“{suffix or '无扩展名'}”：只接受 PDF、图片（JPG/PNG）和 Office 文件"
            f"（{'、'.join(sorted(s.lstrip('.') for s in ALLOWED))}）。"
        )
    if uploaded.size > max_bytes():
        raise ValidationError(
            f"文件过大：{uploaded.size / 1024 / 1024:.1f} MB，上限为 {settings.JINGYUAN_DOCUMENT_MAX_MB} MB。"
        )
    if uploaded.size == 0:
        raise ValidationError("文件为空。")
    content_type, signatures = ALLOWED[suffix]
    uploaded.seek(0)
    head = uploaded.read(16)
    if not any(head.startswith(signature) for signature in signatures):
        raise ValidationError(
            f"文件内容与扩展名“{suffix}”不符，请上传真实的 {suffix.lstrip('.').upper()} 文件。"
        )
    digest = hashlib.sha256()
    uploaded.seek(0)
    for chunk in uploaded.chunks():
        digest.update(chunk)
    uploaded.seek(0)
    return {"content_type": content_type, "size_bytes": uploaded.size, "sha256": digest.hexdigest()}
