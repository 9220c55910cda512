"""Storing a checked upload (a site photo, a piece of closure evidence): its type is read from its
content, its size capped (envplan.core.uploads), its SHA-256 kept."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from envplan.core.services import Actor, person
from envplan.core.uploads import EVIDENCE_KINDS, GIF, JPEG, PNG, WEBP, FileKind, UploadRejected, check_upload
from envplan.inspections.errors import ErrorKind, InspectionError
from envplan.inspections.models.files import StoredUpload
from envplan.progress.services import safe_file_name

Stored = TypeVar("Stored", bound=StoredUpload)

PHOTO_KINDS = (JPEG, PNG, WEBP, GIF)
MAX_FILES_PER_UPLOAD = 5


@dataclass(frozen=True)
class Checked:
    upload: UploadedFile[bytes]
    kind: FileKind
    sha256: str


def check_files(
    uploads: Sequence[UploadedFile[bytes]], *, allowed: tuple[FileKind, ...] = EVIDENCE_KINDS
) -> list[Checked]:
    """Every file checked before any is stored: one refused file refuses them all."""
    if not uploads:
        raise InspectionError(_("Choose a file."), kind=ErrorKind.BAD_FILE, field="files")
    if len(uploads) > MAX_FILES_PER_UPLOAD:
        raise InspectionError(
            _("At most %(count)d files at a time.") % {"count": MAX_FILES_PER_UPLOAD},
            kind=ErrorKind.BAD_FILE,
            field="files",
        )
    checked = []
    for upload in uploads:
        try:
            kind = check_upload(upload, allowed=allowed)
        except UploadRejected as error:
            raise InspectionError(str(error), kind=ErrorKind.BAD_FILE, field="files") from None
        digest = hashlib.sha256()
        upload.seek(0)
        for chunk in upload.chunks():
            digest.update(chunk)
        upload.seek(0)
        checked.append(Checked(upload, kind, digest.hexdigest()))
    return checked


def store(row: Stored, checked: Checked) -> Stored:
    """Fill a file row (Photo, RectificationEvidence) from a checked upload and save it."""
    upload = checked.upload
    row.original_name = (upload.name or "file")[:255]
    row.content_type = checked.kind.content_type
    row.size = upload.size or 0
    row.sha256 = checked.sha256
    row.file.save(safe_file_name(upload.name or "file"), upload, save=False)
    row.save()
    return row


def store_all(
    checked: Sequence[Checked], row: Callable[..., Stored], *, by: Actor, at: dt.datetime, generated: bool
) -> list[Stored]:
    """One saved row per checked upload: ``row(**who_and_when)`` makes it (its owner and note already
    bound), :func:`store` fills in the file."""
    return [store(row(uploaded_by=person(by), uploaded_at=at, generated=generated), item) for item in checked]
