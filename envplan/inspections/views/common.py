"""What the enforcement views share: turning a service's refusal into a page's answer, the buttons on an
object's page (one generic view), and the form and edit pages (files to download: envplan.core.downloads)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from envplan.core.services import Person
from envplan.inspections.errors import ErrorKind, InspectionError

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# A valid form's cleaned data (Django types its values as Any).
Data = Mapping[str, Any]


class Located(Protocol):
    def get_absolute_url(self) -> str: ...


Target = TypeVar("Target", bound=Located)
Saved = TypeVar("Saved")
Row = TypeVar("Row", bound=models.Model)


def require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def act(
    request: HttpRequest, action: Callable[[], object], *, done: str, success: StrOrPromise
) -> HttpResponse:
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


def form_errors(form: forms.BaseForm) -> str:
    """A form's errors as one sentence for a message (a button's form has no page of its own)."""
    text = " ".join(str(message) for field_errors in form.errors.values() for message in field_errors)
    return text or _("The form is incomplete.")


def step(
    load: Callable[[int], Target],
    allowed: Callable[[Person, Target], bool],
    service: Callable[..., object],
    *,
    success: StrOrPromise | Callable[[Data], StrOrPromise],
    form: type[forms.Form] | None = None,
    keywords: Callable[[Data], Data] = dict,
    invalid: StrOrPromise | None = None,
    lenient: bool = False,
) -> Callable[[HttpRequest, int], HttpResponse]:
    """The view of a button on an object's page (POST only): load the object (404), check that the person
    may (403), read the button's form, run ``service(target, by=person, **keywords(data))``, and return
    to the object's page with a message.

    The form's cleaned data are the service's keywords unless ``keywords`` turns them into others; without
    a form there are none. An invalid form runs nothing and says ``invalid`` (by default, the form's
    errors); a ``lenient`` one (all its fields optional) runs the service without its keywords, which
    then refuses what it needs. ``success`` is the message, or makes it from the data."""

    @require_POST
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        target = load(pk)
        require(allowed(request.user, target))
        data: Data = {}
        if form is not None:
            bound = form(request.POST, request.FILES)
            if bound.is_valid():
                data = bound.cleaned_data
            elif not lenient:
                messages.error(request, invalid if invalid is not None else form_errors(bound))
                return redirect(target.get_absolute_url())
        return act(
            request,
            lambda: service(target, by=request.user, **keywords(data)),
            done=target.get_absolute_url(),
            success=success(data) if callable(success) else success,
        )

    return view


def refused(form: forms.BaseForm, error: InspectionError) -> None:
    """Show a refusal on its field when the form has it, else on the form."""
    if error.kind == ErrorKind.NOT_ALLOWED:
        raise PermissionDenied(error.message)
    name = error.field if error.field in form.fields else None
    form.add_error(name, error.message)


def form_page(
    request: HttpRequest,
    form: forms.BaseForm,
    save: Callable[[], Saved],
    *,
    template: str,
    context: Mapping[str, object],
    done: Callable[[Saved], str],
    success: Callable[[], StrOrPromise] = lambda: _("Saved."),
) -> HttpResponse:
    """A form page: on a valid POST, `save()` and go to `done(saved)`; a refusal shows on the form (status
    400 for an invalid form, the refusal's own status otherwise)."""
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                saved = save()
            except InspectionError as error:
                refused(form, error)
                status = error.http_status
            else:
                messages.success(request, success())
                return redirect(done(saved))
        else:
            status = 400
    return render(request, template, {**context, "form": form}, status=status)


def edit_page(
    request: HttpRequest,
    form: forms.BaseForm,
    *,
    title: str,
    save: Callable[[], Saved],
    done: Callable[[Saved], str],
    back: str = "",
    multipart: bool = False,
) -> HttpResponse:
    """The plain edit page of a register's form (inspections/edit.html)."""
    return form_page(
        request,
        form,
        save,
        template="inspections/edit.html",
        context={"title": title, "back": back, "multipart": multipart},
        done=done,
    )


def own_page(saved: Located) -> str:
    return saved.get_absolute_url()


def edit_view(
    form_class: type[forms.ModelForm[Row]],
    save: Callable[..., Row],
    *,
    allowed: Callable[[Person], bool],
    title: StrOrPromise,
    back: str,
    keywords: Callable[[Data], Data] = lambda data: {},
    prepare: Callable[[Row, Person], None] | None = None,
    done: Callable[[Row], str] | None = None,
    new: Callable[[HttpRequest], Row] | None = None,
) -> Callable[..., HttpResponse]:
    """The view that adds (no ``pk``) or edits a register's row on inspections/edit.html.

    The person must be ``allowed``. The form's unsaved row, after ``prepare(row, person)``, goes to
    ``save(row, by=person, **keywords(data))``. ``back`` names the list's URL, where a saved row goes
    unless ``done(saved)`` says otherwise. A new row starts as ``new(request)`` (default: empty)."""
    model = form_class._meta.model

    @require_http_methods(["GET", "POST"])
    def view(request: HttpRequest, pk: int | None = None) -> HttpResponse:
        require(allowed(request.user))
        instance = get_object_or_404(model, pk=pk) if pk else new(request) if new else model()
        form = form_class(request.POST or None, instance=instance)

        def save_form() -> Row:
            row = form.save(commit=False)
            if prepare is not None:
                prepare(row, request.user)
            return save(row, by=request.user, **keywords(form.cleaned_data))

        return edit_page(
            request,
            form,
            title=str(title),
            save=save_form,
            done=done or (lambda saved: reverse(back)),
            back=reverse(back),
        )

    return view
