"""Checking uploaded files by their content, not their name: what a file claims to be is not trusted."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.core.files import File
from django.utils.translation import gettext as _

from envplan.archives import ArchiveError, check_zip_archive


class UploadRejected(ValueError):
    """The file is not accepted; the message says why in words for the person who sent it."""


@dataclass(frozen=True)
class FileKind:
    content_type: str
    label: str


PDF = FileKind("application/pdf", "PDF")
PNG = FileKind("image/png", "PNG")
JPEG = FileKind("image/jpeg", "JPEG")
GIF = FileKind("image/gif", "GIF")
WEBP = FileKind("image/webp", "WebP")
DOCX = FileKind("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "Word")
XLSX = FileKind("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Excel")
PPTX = FileKind("application/vnd.openxmlformats-officedocument.presentationml.presentation", "PowerPoint")
OLE = FileKind("application/x-ole-storage", "Office 97-2003")

EVIDENCE_KINDS = (PDF, PNG, JPEG, GIF, WEBP, DOCX, XLSX, PPTX, OLE)


def sniff(head: bytes, whole: bytes | None = None) -> FileKind | None:
    """The kind of a file from its first bytes (and, for Office zip files, their parts)."""
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith((b"GIF87a", b"GIF89a")):
        return GIF
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return OLE
    if head.startswith(b"PK\x03\x04") and whole is not None:
        try:
            names = set(zipfile.ZipFile(io.BytesIO(whole)).namelist())
        except zipfile.BadZipFile:
            return None
        if "[Content_Types].xml" not in names:
            return None
        if "word/document.xml" in names:
            return DOCX
        if "xl/workbook.xml" in names:
            return XLSX
        if "ppt/presentation.xml" in names:
            return PPTX
    return None


def upload_limit_bytes(kind: str) -> int:
    """The largest upload of a kind ("evidence", "batch", "plan", "air", "water"), from the settings."""
    limits: dict[str, int] = getattr(settings, "ENVPLAN_UPLOAD_LIMITS_MB", {})
    return int(limits.get(kind, getattr(settings, "ENVPLAN_MAX_UPLOAD_MB", 20))) * 1024 * 1024


def max_upload_bytes() -> int:
    """The limit of evidence files and Excel batches (ENVPLAN_MAX_UPLOAD_MB)."""
    return upload_limit_bytes("evidence")


View = TypeVar("View", bound=Callable[..., Any])
LIMIT_ATTRIBUTE = "envplan_request_limit_bytes"


def upload_limit(limit_bytes: int | Callable[[], int]) -> Callable[[View], View]:
    """Declare the largest file a view accepts: a request announcing more is refused with 413 before it is
    read (envplan.core.middleware.RequestSizeLimitMiddleware). A callable is read at each request, so that
    a limit from the settings follows them."""

    def decorate(view: View) -> View:
        # An attribute, not a wrapper: decorators applied over it copy it along (functools.wraps).
        setattr(view, LIMIT_ATTRIBUTE, limit_bytes)
        return view

    return decorate


def request_limit_bytes(view: Callable[..., Any]) -> int:
    """The body size a view accepts: its own `upload_limit`, else ENVPLAN_MAX_REQUEST_MB."""
    declared = getattr(view, LIMIT_ATTRIBUTE, None)
    if declared is None:
        return int(getattr(settings, "ENVPLAN_MAX_REQUEST_MB", 50)) * 1024 * 1024
    return int(declared() if callable(declared) else declared)


def check_upload(upload: File[bytes], *, allowed: tuple[FileKind, ...] = EVIDENCE_KINDS) -> FileKind:
    """Return the file's kind, or raise UploadRejected naming the file and the reason."""
    name = upload.name or "?"
    limit = max_upload_bytes()
    if upload.size is None or upload.size == 0:
        raise UploadRejected(_("%(name)s is empty.") % {"name": name})
    if upload.size > limit:
        raise UploadRejected(
            _("%(name)s is %(size).1f MB; the limit is %(limit)d MB.")
            % {"name": name, "size": upload.size / 1024 / 1024, "limit": limit // 1024 // 1024}
        )
    upload.seek(0)
    whole = upload.read()
    upload.seek(0)
    kind = sniff(whole[:16], whole)
    if kind is None or kind not in allowed:
        labels = ", ".join(k.label for k in allowed)
        raise UploadRejected(
            _("%(name)s is not an accepted file type (accepted: %(labels)s).")
            % {"name": name, "labels": labels}
        )
    if kind in (DOCX, XLSX, PPTX):
        check_archive(whole, name=name)  # whoever opens it later must not meet a zip bomb
    return kind


def archive_message(reason: str, *, name: str, params: dict[str, int | str]) -> str:
    """The person's message for a zip-based file (.docx, .xlsx) refused before opening (envplan.archives)."""
    figures: dict[str, object] = {k: f"{v:,}" if isinstance(v, int) else v for k, v in params.items()}
    figures["name"] = name
    if reason == "size":
        figures["size"] = f"{int(params['size']) / 2**20:,.1f}"
        figures["limit"] = f"{int(params['limit']) // 2**20:,}"
    messages = {
        "damaged": _("%(name)s is a damaged zip archive."),
        "size": _(
            "%(name)s would expand to %(size)s MB, more than the %(limit)s MB allowed; it was refused "
            "before opening."
        ),
        "members": _(
            "%(name)s holds %(members)s files, more than the %(limit)s a document may hold; it was refused "
            "before opening."
        ),
        "ratio": _(
            "%(name)s is compressed %(ratio)s to 1, more than any real document; it was refused before "
            "opening."
        ),
    }
    return messages[reason] % figures


def check_archive(content: bytes, *, name: str) -> None:
    """Refuse an Office file whose archive would expand too far, before anything opens it."""
    try:
        check_zip_archive(content, name=name)
    except ArchiveError as error:
        raise UploadRejected(archive_message(error.reason, name=name, params=dict(error.params))) from None
