"""The shape of most small write views: a POSTed form, one service call, a message, a redirect.

`act_on_form` does the middle part; the view builds the form, says what to call and where to go next.
`upload_to_job` does it for an upload that the worker reads (a plan's text, a batch of reports), and
`act_on_shown_form` for a page that shows its form again with the refusal on it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from django import forms
from django.contrib import messages
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from envplan.core.jobs import enqueue
from envplan.core.models import Job

T = TypeVar("T")


class HasUrl(Protocol):
    """Where a view may send the person next: an object with its own page."""

    def get_absolute_url(self) -> str: ...


def act_on_form(
    request: HttpRequest,
    form: forms.Form,
    act: Callable[[dict[str, Any]], T],
    *,
    refused: type[Exception],
    invalid: str,
    done: str = "",
) -> T | None:
    """Call `act` with the valid form's cleaned data (django-stubs types it dict[str, Any]) and say `done`
    when it is not empty; a refusal (a `refused` error) becomes an error message with the error's text.
    A form that does not validate says `invalid` and calls nothing. Returns what `act` returned, or None
    when it was not called or was refused."""
    if not form.is_valid():
        messages.error(request, invalid)
        return None
    try:
        result = act(form.cleaned_data)
    except refused as error:
        messages.error(request, str(error))
        return None
    if done:
        messages.success(request, done)
    return result


def upload_to_job(
    request: HttpRequest,
    form: forms.Form,
    kind: str,
    *,
    check: Callable[[UploadedFile[bytes]], object],
    refused: type[Exception],
    params: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
) -> Job | None:
    """An upload too long to read within a request: when the form (its file in the `file` field) is valid
    and `check` does not refuse the file, queue a job of `kind` for the worker, with `params` made from the
    form's data, and return it. A refusal is shown on the file field; None when nothing was queued."""
    if not form.is_valid():
        return None
    upload = form.cleaned_data["file"]
    try:
        check(upload)
    except refused as error:
        form.add_error("file", str(error))
        return None
    return enqueue(kind, by=request.user, upload=upload, params=params(form.cleaned_data) if params else None)


def act_on_shown_form(
    request: HttpRequest,
    form: forms.Form,
    act: Callable[[dict[str, Any]], HasUrl | str],
    *,
    refused: type[Exception],
    done: str,
) -> HttpResponse | None:
    """For a page that shows its form again when something is wrong. On a POST with valid data, `act`
    calls the service and returns where to go next (an object or a URL): the answer is that redirect, with
    `done` said. A refusal goes on the form, on the field it names (its `field`) when the form has one; then
    and on a GET the answer is None: the view renders the page with the form."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        target = act(form.cleaned_data)
    except refused as error:
        field = getattr(error, "field", "")
        form.add_error(field if field in form.fields else None, str(error))
        return None
    messages.success(request, done)
    return redirect(target)
