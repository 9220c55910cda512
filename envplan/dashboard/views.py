from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from envplan.accounts import permissions
from envplan.core import clock
from envplan.dashboard.queries import plan_dashboard
from envplan.indicators import registry
from envplan.indicators.models import Indicator, Source
from envplan.indicators.services import configure_indicator, ensure_indicators, record_value
from envplan.plans.models import Plan
from envplan.progress.status import STATUS_ORDER


def dashboard(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = get_object_or_404(Plan, pk=plan_id)
    data = plan_dashboard(plan, today=clock.today())
    context = {
        "plan": plan,
        "data": data,
        "status_order": STATUS_ORDER,
        "can_configure": permissions.is_supervisor(request.user),
    }
    return render(request, "dashboard/dashboard.html", context)


def indicator_settings(request: HttpRequest, plan_id: int) -> HttpResponse:
    """Supervisors say where each target's value comes from, and record milestones or figures by hand."""
    if not permissions.is_supervisor(request.user):
        raise PermissionDenied
    plan = get_object_or_404(Plan, pk=plan_id)
    ensure_indicators(plan)
    indicators = (
        # A join does not go through Target's manager: leave out targets a plan revision archived.
        Indicator.objects.filter(target__plan=plan, target__archived_in__isnull=True)
        .select_related("target__task")
        .prefetch_related("values")
        .order_by("target__position")
    )
    context = {
        "plan": plan,
        "indicators": indicators,
        "sources": Source.choices,
        "computations": registry.choices(),
        "today": clock.today(),
    }
    return render(request, "dashboard/indicator_settings.html", context)


@require_POST
def indicator_update(request: HttpRequest, plan_id: int, indicator_id: int) -> HttpResponse:
    if not permissions.is_supervisor(request.user):
        raise PermissionDenied
    indicator = get_object_or_404(Indicator, pk=indicator_id, target__plan_id=plan_id)
    try:
        if request.POST.get("action") == "value":
            value = Decimal(request.POST.get("value", "").replace(",", "."))
            date = dt.date.fromisoformat(request.POST.get("date", ""))
            record_value(
                indicator, by=request.user, date=date, value=value, note=request.POST.get("note", "")[:300]
            )
        else:
            configure_indicator(
                indicator,
                by=request.user,
                source=request.POST.get("source", ""),
                computation=request.POST.get("computation", ""),
                provenance=request.POST.get("provenance", "")[:200],
            )
    except (InvalidOperation, ValueError, registry.UnknownComputation) as error:
        messages.error(request, _("Not saved: %(error)s") % {"error": error or _("invalid value")})
    else:
        messages.success(request, _("Saved."))
    return redirect("dashboard:indicators", plan_id=plan_id)
