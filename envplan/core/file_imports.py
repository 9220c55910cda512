"""What the services, pages and queued jobs of data-file imports (air hours, water samples) share:
reading the file, the upload form's size check, the import page (upload, queue, recent imports), an
import's page, and its errors as a job lists them. Each app passes its own form, job kind, model,
template and permission."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar, NamedTuple, Protocol

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from envplan.core.jobs import enqueue, error_entry
from envplan.core.models import FileImport
from envplan.core.services import Person
from envplan.core.uploads import upload_limit, upload_limit_bytes

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
    """The upload form of an app's data files: the `file` (no larger than the app's upload limit), queued
    as a job of `job_kind` with `job_params()`. `app` names the upload limit, the URL namespace and the
    templates' folder."""

    app: ClassVar[str]
    job_kind: ClassVar[str]

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        limit = upload_limit_bytes(self.app)
        if upload.size > limit:
            raise forms.ValidationError(
                _("The file is larger than %(limit)d MB.") % {"limit": limit // 1024 // 1024}
            )
        return upload

    def job_params(self) -> dict[str, object] | None:
        """The job's parameters from the cleaned data, beside the file (none by default)."""
        return None


class ImportViews(NamedTuple):
    page: Callable[[HttpRequest], HttpResponse]
    detail: Callable[[HttpRequest, int], HttpResponse]


def import_views(
    form_class: type[DataFileForm], model: type[FileImport], *, may_import: Callable[[Person], bool]
) -> ImportViews:
    """The two pages of an app's data-file imports (the form's `app`), for whoever `may_import`:

    - the import page (`<app>/import.html`, uploads up to the app's upload limit): a valid upload is
      queued as a job of the form's `job_kind` with its `job_params()` (checking every row outlasts a
      request: the worker does it) and the person is sent to the job's page; otherwise the form (status
      400 when it has errors) and the recent imports (`model`);
    - an import's page (`<app>/import_detail.html`): its figures and its errors (the first ones kept,
      all counted)."""
    app = form_class.app

    @upload_limit(lambda: upload_limit_bytes(app))
    @require_http_methods(["GET", "POST"])
    def page(request: HttpRequest) -> HttpResponse:
        if not may_import(request.user):
            raise PermissionDenied
        form = form_class()
        if request.method == "POST":
            form = form_class(request.POST, request.FILES)
            if form.is_valid():
                upload = form.cleaned_data["file"]
                job = enqueue(form.job_kind, by=request.user, upload=upload, params=form.job_params())
                return redirect(job)
        status = 400 if form.errors else 200
        recent = model._default_manager.select_related("by").defer("errors")[:RECENT_IMPORTS]
        context = {"app": app, "form": form, "imports": recent}
        return render(request, f"{app}/import.html", context, status=status)

    def detail(request: HttpRequest, import_id: int) -> HttpResponse:
        if not may_import(request.user):
            raise PermissionDenied
        record = get_object_or_404(model._default_manager.select_related("by"), pk=import_id)
        context = {"record": record, "problems": record.problems}
        return render(request, f"{app}/import_detail.html", context)

    return ImportViews(page, detail)


def import_errors(record: FileImport) -> list[dict[str, Any]]:
    """The import's stored errors (file, line, field, message) as job errors."""
    return [
        error_entry(
            where=e.get("file") or "", line=e.get("line"), field=e.get("field") or "", message=e["message"]
        )
        for e in record.errors
    ]
