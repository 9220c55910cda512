"""What the enforcement views share: turning a service's refusal into a page's answer."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from envplan.inspections.errors import ErrorKind, InspectionError


def require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def act(request: HttpRequest, action: Callable[[], Any], *, done: str, success: str) -> HttpResponse:
    """Run one service for a button; its refusal becomes a message on the page it returns to."""
    try:
        action()
    except InspectionError as error:
        if error.kind == ErrorKind.NOT_ALLOWED:
            raise PermissionDenied(error.message) from None
        messages.error(request, error.message)
    else:
        messages.success(request, success)
    return redirect(done)


def refused(form: forms.BaseForm, error: InspectionError) -> None:
    """Show a refusal on its field when the form has it, else on the form."""
    if error.kind == ErrorKind.NOT_ALLOWED:
        raise PermissionDenied(error.message)
    name = error.field if error.field in form.fields else None
    form.add_error(name, error.message)


def edit_page(
    request: HttpRequest,
    form: forms.BaseForm,
    *,
    title: str,
    save: Callable[[], Any],
    done: Callable[[Any], str],
    back: str = "",
    multipart: bool = False,
) -> HttpResponse:
    """A form page: on a valid POST, `save()`; its refusal shows on the form (status 400 or 409)."""
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                saved = save()
            except InspectionError as error:
                refused(form, error)
                status = error.http_status
            else:
                messages.success(request, _("Saved."))
                return redirect(done(saved))
        else:
            status = 400
    context = {"form": form, "title": title, "back": back, "multipart": multipart}
    return render(request, "inspections/edit.html", context, status=status)
