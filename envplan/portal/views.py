"""The public portal (/public/, no login) and the owning units' correction pages (login).

Public pages are cached (envplan.portal.caching): they never depend on who asks, read no session and
write no cookie. The correction form is the exception: never cached, it carries a CSRF token and a
time token (envplan.portal.antispam)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from envplan.accounts.permissions import is_supervisor
from envplan.core import clock
from envplan.core.publication import Column, Row, Section, Table, sections, table, tables
from envplan.portal import antispam, opendata, queries, services
from envplan.portal.caching import public_page
from envplan.portal.errors import PortalError, PortalErrorKind
from envplan.portal.forms import AnswerForm, CorrectionForm, OwnerForm, RouteForm
from envplan.portal.models import CorrectionRequest, CorrectionStatus
from envplan.portal.permissions import can_answer, can_manage_owners, corrections_visible_to

LANGUAGE_CODES = {code for code, _name in settings.LANGUAGES}


# --- shaping tables for a page -----------------------------------------------------------------------------


@dataclass
class Cell:
    text: str
    css: str
    label: str
    numeric: bool


@dataclass
class TableRow:
    key: str
    label: str
    cells: list[Cell]


@dataclass
class TableView:
    section: Section
    table: Table
    rows: list[TableRow] = field(default_factory=list)
    updated: dt.datetime | None = None


def display(column: Column, row: Row) -> str:
    if column.display is not None:
        return column.display(row)
    value = row.get(column.name)
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, dt.datetime):
        return (
            timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
            if timezone.is_aware(value)
            else f"{value:%Y-%m-%d %H:%M}"
        )
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def table_view(section: Section, found: Table, now: dt.datetime) -> TableView:
    view = TableView(section, found, updated=opendata.updated_at(found))
    for row in found.rows(now):
        view.rows.append(
            TableRow(
                key=str(row.get(found.key, "")),
                label=str(row.get(found.label, "")),
                cells=[
                    Cell(
                        text=display(column, row),
                        css=column.css(row) if column.css is not None else "",
                        label=str(column.label),
                        numeric=column.type in ("integer", "number"),
                    )
                    for column in found.columns
                ],
            )
        )
    return view


def public_now() -> dt.datetime:
    """The moment public pages show, to the minute: within a minute every page and table computes from the
    same moment, so one computation serves them all (envplan.portal.sections.memo)."""
    return clock.now().replace(second=0, microsecond=0)


def _context(**extra: Any) -> dict[str, Any]:
    url, name = opendata.licence()
    return {
        "sections": sections(),
        "licence_url": url,
        "licence_name": name,
        "publisher": opendata.publisher(),
        **extra,
    }


# --- public pages ------------------------------------------------------------------------------------------


@public_page
def home(request: HttpRequest) -> HttpResponse:
    now = public_now()
    cards = [(s, list(s.highlights(now)) if s.highlights else []) for s in sections()]
    recent = queries.public_corrections()[:5]
    return render(request, "portal/home.html", _context(cards=cards, recent=recent, today=now.date()))


@public_page
def section_page(request: HttpRequest, key: str) -> HttpResponse:
    try:
        section = next(s for s in sections() if s.key == key)
    except StopIteration:
        raise Http404 from None
    now = public_now()
    views = [table_view(section, found, now) for found in section.tables]
    return render(request, "portal/section.html", _context(section=section, views=views, now=now))


@public_page
def data_index(request: HttpRequest) -> HttpResponse:
    found = [(s, t, opendata.updated_at(t)) for s, t in tables()]
    return render(request, "portal/data.html", _context(found=found))


def _table(name: str) -> tuple[Section, Table]:
    try:
        return table(name)
    except KeyError:
        raise Http404 from None


@public_page
def data_csv(request: HttpRequest, name: str) -> HttpResponse:
    _section, found = _table(name)
    response = HttpResponse(
        opendata.csv_bytes(found, found.rows(public_now())), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{found.name}.csv"'
    return response


@public_page
def data_json(request: HttpRequest, name: str) -> HttpResponse:
    section, found = _table(name)
    document = opendata.json_document(request, section, found, found.rows(public_now()))
    return JsonResponse(document, json_dumps_params={"ensure_ascii": False})


@public_page
def data_schema(request: HttpRequest, name: str) -> HttpResponse:
    _section, found = _table(name)
    return JsonResponse(opendata.table_schema(found), json_dumps_params={"ensure_ascii": False})


@public_page
def catalogue(request: HttpRequest) -> HttpResponse:
    body = json.dumps(opendata.catalogue(request), ensure_ascii=False, indent=1)
    return HttpResponse(body, content_type="application/ld+json; charset=utf-8")


@public_page
def corrections(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status") or ""
    if status not in CorrectionStatus.values:
        status = ""
    requests = queries.public_corrections(status or None)[:200]
    context = _context(
        requests=requests, status=status, statuses=CorrectionStatus.choices, today=clock.today()
    )
    return render(request, "portal/corrections.html", context)


@public_page
def correction(request: HttpRequest, reference: str) -> HttpResponse:
    found = get_object_or_404(CorrectionRequest.objects.select_related("unit"), reference=reference)
    return render(request, "portal/correction.html", _context(item=found, today=clock.today()))


@login_not_required
@never_cache
def correction_new(request: HttpRequest) -> HttpResponse:
    """The correction form: anyone, about any public item. Robots are turned away quietly (the honeypot, a
    form sent too fast); an address that sent too many forms this hour gets 429."""
    if request.method == "POST":
        form = CorrectionForm(request.POST)
        if request.POST.get(antispam.HONEYPOT):
            return render(request, "portal/correction_thanks.html", _context(item=None))
        verdict = antispam.token_verdict(request.POST.get("token", ""))
        if verdict in ("too_fast", "bad"):
            return render(request, "portal/correction_thanks.html", _context(item=None))
        if not antispam.allow(request, now=timezone.now()):
            return render(request, "portal/rate_limited.html", _context(), status=429)
        if verdict == "expired":
            data = request.POST.copy()
            data["token"] = antispam.form_token()
            form = CorrectionForm(data)
            form.is_valid()
            form.add_error(None, _("The form was open too long; check it and send it again."))
        elif form.is_valid():
            cleaned = form.cleaned_data
            try:
                created = services.submit_correction(
                    kind=cleaned["kind"],
                    table=cleaned["table"],
                    item=cleaned["item"],
                    description=cleaned["description"],
                    contact=cleaned["contact"],
                )
            except PortalError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
            else:
                return render(request, "portal/correction_thanks.html", _context(item=created), status=201)
    else:
        table_name = request.GET.get("table", "")
        form = CorrectionForm(
            initial={
                "table": table_name,
                "item": request.GET.get("item", ""),
                "kind": request.GET.get("kind", "data_error"),
                "token": antispam.form_token(),
            }
        )
    item = None
    table_name = str(form["table"].value() or "")
    key = str(form["item"].value() or "")
    if table_name:
        item = queries.find_item(table_name, key, now=public_now())
    return render(request, "portal/correction_form.html", _context(form=form, item=item))


@login_not_required
def switch_language(request: HttpRequest, code: str) -> HttpResponse:
    """A link, not a form: public pages are cached and carry no CSRF token. Only the language cookie is
    set, so a forged link can do no more than change a reader's language."""
    if code not in LANGUAGE_CODES:
        raise Http404
    target = request.GET.get("next") or reverse("portal:home")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("portal:home")
    response = HttpResponseRedirect(target)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )
    return response


# --- the owning units' pages (login) ------------------------------------------------------------------------


def inbox(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status") or ""
    requests = corrections_visible_to(request.user).order_by("status", "due_on", "pk")
    if status in CorrectionStatus.values:
        requests = requests.filter(status=status)
    context = {
        "requests": requests[:500],
        "status": status,
        "statuses": CorrectionStatus.choices,
        "today": clock.today(),
        "can_manage_owners": can_manage_owners(request.user),
    }
    return render(request, "portal/inbox.html", context)


def manage(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(corrections_visible_to(request.user), pk=pk)
    answerer = can_answer(request.user, item)
    context = {
        "item": item,
        "can_answer": answerer,
        "can_route": is_supervisor(request.user),
        "answer_form": AnswerForm(),
        "route_form": RouteForm(initial={"unit": item.unit}),
        "today": clock.today(),
        # Contact details are for whoever answers, nobody else.
        "show_contact": answerer,
    }
    return render(request, "portal/manage.html", context)


@require_POST
def manage_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    item = get_object_or_404(corrections_visible_to(request.user), pk=pk)
    try:
        if action == "start":
            services.start_correction(item, by=request.user)
            messages.success(request, _("Taken up: the public status is now “in progress”."))
        elif action == "answer":
            form = AnswerForm(request.POST)
            if not form.is_valid():
                messages.error(request, _("Choose the outcome and write the public answer."))
                return redirect("corrections:manage", pk=item.pk)
            services.answer_correction(
                item, status=form.cleaned_data["status"], answer=form.cleaned_data["answer"], by=request.user
            )
            messages.success(request, _("Answered: the answer is public."))
        elif action == "route":
            route = RouteForm(request.POST)
            if route.is_valid():
                services.route_correction(item, unit=route.cleaned_data["unit"], by=request.user)
                messages.success(request, _("Sent on."))
        else:
            raise Http404
    except PortalError as error:
        if error.kind == PortalErrorKind.NOT_ALLOWED:
            raise PermissionDenied(error.message) from None
        messages.error(request, error.message)
    return redirect("corrections:manage", pk=item.pk)


def owners(request: HttpRequest) -> HttpResponse:
    if not can_manage_owners(request.user):
        raise PermissionDenied("the district office assigns data owners")
    if request.method == "POST":
        form = OwnerForm(request.POST)
        if form.is_valid():
            name = form.cleaned_data["table"]
            if name not in {t.name for _s, t in tables()}:
                raise Http404
            services.set_data_owner(name, unit=form.cleaned_data["unit"], by=request.user)
            messages.success(request, _("Saved."))
            return redirect("corrections:owners")
    assigned = queries.owners_by_table()
    rows = [
        (
            s,
            t,
            assigned.get(t.name),
            OwnerForm(initial={"table": t.name, "unit": getattr(assigned.get(t.name), "unit", None)}),
        )
        for s, t in tables()
    ]
    return render(request, "portal/owners.html", {"rows": rows})
