"""What the services, pages and queued jobs of data-file imports (air hours, water samples) share:
reading the file, the upload form's size check, the import page (upload, queue, recent imports), an
import's page, and its errors as a job lists them. Each app passes its own form, job kind, model,
template and permission."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, ClassVar, Protocol, TypeVar

from django import forms
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from envplan.core.jobs import enqueue, error_entry
from envplan.core.models import FileImport
from envplan.core.uploads import upload_limit_bytes

Record = TypeVar("Record", bound=FileImport)

RECENT_IMPORTS = 20


class Upload(Protocol):
    """An uploaded file as a service reads it (Django's UploadedFile, an open file)."""

    name: str | None

    def read(self, size: int = -1, /) -> bytes: ...


def read_upload(file: str | os.PathLike[str] | Upload, *, error: type[Exception]) -> tuple[str, bytes]:
    """The name and bytes of a file named by a path (one that cannot be read raises `error`, naming it)
    or uploaded."""
    if isinstance(file, (str, os.PathLike)):
        path = Path(file)
        try:
            return path.name, path.read_bytes()
        except OSError as problem:
            raise error(f"{path.name}: cannot read: {problem.strerror}") from None
    return Path(file.name or "upload.csv").name, file.read()


class DataFileForm(forms.Form):
    """An upload form whose `file` may be no larger than the upload limit of `upload_kind`."""

    upload_kind: ClassVar[str]

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        limit = upload_limit_bytes(self.upload_kind)
        if upload.size > limit:
            raise forms.ValidationError(
                _("The file is larger than %(limit)d MB.") % {"limit": limit // 1024 // 1024}
            )
        return upload


def import_page(
    request: HttpRequest,
    *,
    app: str,
    allowed: bool,
    form_class: type[DataFileForm],
    job_kind: str,
    params: Callable[[Mapping[str, Any]], dict[str, Any]] | None = None,
    imports: QuerySet[Record],
    template: str,
) -> HttpResponse:
    """The import page of `app` (its URL namespace): a valid upload is queued as a job of `job_kind`
    (checking every row outlasts a request: the worker does it) with `params(cleaned_data)`, and the
    person is sent to the job's page; otherwise the form (status 400 when it has errors) and the recent
    imports."""
    if not allowed:
        raise PermissionDenied
    form = form_class()
    if request.method == "POST":
        form = form_class(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            job_params = params(form.cleaned_data) if params else None
            return redirect(enqueue(job_kind, by=request.user, upload=upload, params=job_params))
    status = 400 if form.errors else 200
    recent = imports.select_related("by").defer("errors")[:RECENT_IMPORTS]
    return render(request, template, {"app": app, "form": form, "imports": recent}, status=status)


def import_detail_page(
    request: HttpRequest, *, allowed: bool, imports: QuerySet[Record], import_id: int, template: str
) -> HttpResponse:
    """One import: its figures and its errors (the first ones kept, all counted)."""
    if not allowed:
        raise PermissionDenied
    record = get_object_or_404(imports.select_related("by"), pk=import_id)
    return render(request, template, {"record": record, "problems": record.problems})


def import_errors(record: FileImport) -> list[dict[str, Any]]:
    """The import's stored errors (file, line, field, message) as job errors."""
    return [
        error_entry(
            where=e.get("file") or "", line=e.get("line"), field=e.get("field") or "", message=e["message"]
        )
        for e in record.errors
    ]
