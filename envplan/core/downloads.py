"""Files handed to a browser: a made document as an attachment, an Excel workbook, an uploaded file
kept in storage."""

from __future__ import annotations

from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpResponse
from django.utils.http import content_disposition_header
from openpyxl import Workbook

from envplan.core.spreadsheets import workbook_bytes
from envplan.core.uploads import XLSX


def attachment(content: bytes, *, filename: str, content_type: str) -> HttpResponse:
    """Bytes to save under ``filename``."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    return response


def workbook_download(book: Workbook, filename: str) -> HttpResponse:
    """An Excel workbook to save under ``filename``."""
    return attachment(workbook_bytes(book), filename=filename, content_type=XLSX.content_type)


def stored_file(
    file: FieldFile, *, name: str, content_type: str, as_attachment: bool = False
) -> FileResponse:
    """An uploaded file from storage under its original ``name`` (404 when storage has lost it)."""
    try:
        handle = file.open("rb")
    except FileNotFoundError:
        raise Http404("the file is missing from storage") from None
    return FileResponse(handle, as_attachment=as_attachment, filename=name, content_type=content_type)
