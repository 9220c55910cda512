"""Sources pages: device status, enterprises (flag accounting, validity rate), an outlet's chart,
exceedances, and the registry forms (supervisors and bureau officers only)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from envplan.accounts import permissions
from envplan.core import clock
from envplan.core.charts import LIMIT_COLOUR, time_chart
from envplan.sources import queries, services
from envplan.sources.alerts import open_alerts
from envplan.sources.forms import DeviceForm, EnterpriseForm, LimitForm, OutletForm
from envplan.sources.models import Device, Enterprise, ExceedanceEvent, FactorLimit, Outlet

MAX_DAYS = 31


def device_status(request: HttpRequest) -> HttpResponse:
    now = clock.now()
    status = queries.device_status(now)
    context = {
        "rows": status.rows,
        "now": now,
        "online": sum(1 for row in status.rows if row.online),
        "quarantined": status.quarantined,
        "unknown_senders": status.unknown_senders,
        "can_edit": permissions.can_manage_monitoring(request.user),
        "alerts": open_alerts(),
    }
    return render(request, "sources/device_status.html", context)


def enterprise_list(request: HttpRequest) -> HttpResponse:
    enterprises = Enterprise.objects.annotate(
        outlet_count=Count("outlets", distinct=True), device_count=Count("outlets__devices", distinct=True)
    )
    context = {"enterprises": enterprises, "can_edit": permissions.can_manage_monitoring(request.user)}
    return render(request, "sources/enterprise_list.html", context)


def _year_window(today: dt.date) -> tuple[dt.datetime, dt.datetime]:
    zone = clock.now().tzinfo
    start = dt.datetime.combine(dt.date(today.year, 1, 1), dt.time(), tzinfo=zone)
    end = dt.datetime.combine(today + dt.timedelta(days=1), dt.time(), tzinfo=zone)
    return start, end


def enterprise_detail(request: HttpRequest, pk: int) -> HttpResponse:
    enterprise = get_object_or_404(Enterprise, pk=pk)
    outlets = enterprise.outlets.prefetch_related("devices", "limits")
    start, end = _year_window(clock.today())
    figures = queries.enterprise_figures(enterprise, start=start, end=end)
    context = {
        "enterprise": enterprise,
        "outlets": outlets,
        "figures": figures,
        "flags": ("N", "F", "M", "S", "D", "C", "T", "B", "none"),
        "can_edit": permissions.can_manage_monitoring(request.user),
        "exceedances": ExceedanceEvent.objects.filter(outlet__enterprise=enterprise).select_related("outlet")[
            :20
        ],
    }
    return render(request, "sources/enterprise_detail.html", context)


def outlet_detail(request: HttpRequest, pk: int) -> HttpResponse:
    outlet = get_object_or_404(Outlet.objects.select_related("enterprise"), pk=pk)
    try:
        days = min(max(int(request.GET.get("days", "7")), 1), MAX_DAYS)
    except ValueError:
        days = 7
    now = clock.now()
    end = now.replace(minute=0, second=0, microsecond=0) + dt.timedelta(hours=1)
    start = end - dt.timedelta(days=days)
    series = queries.outlet_series(outlet, start=start, end=end)
    charts_ = [
        (
            item,
            outlet_chart(item, start=start, end=end),
        )
        for item in series
    ]
    context = {
        "outlet": outlet,
        "days": days,
        "day_choices": (1, 3, 7, 14, 31),
        "charts": charts_,
        "limits": outlet.limits.all(),
        "devices": outlet.devices.all(),
        "generated": any(item.generated for item in series),
        "can_edit": permissions.can_manage_monitoring(request.user),
    }
    return render(request, "sources/outlet_detail.html", context)


def exceedance_list(request: HttpRequest) -> HttpResponse:
    events = ExceedanceEvent.objects.select_related("outlet__enterprise").order_by("-start", "outlet_id")
    enterprise_id = request.GET.get("enterprise")
    if enterprise_id and enterprise_id.isdigit():
        events = events.filter(outlet__enterprise_id=int(enterprise_id))
    page = Paginator(events, 100).get_page(request.GET.get("page"))
    return render(request, "sources/exceedance_list.html", {"page": page, "events": page.object_list})


def _edit(
    request: HttpRequest,
    *,
    form_class: type[ModelForm],  # type: ignore[type-arg]  # django-stubs generic
    instance: Any,
    save: Callable[..., Any],
    title: str,
    done: Callable[[Any], str],
) -> HttpResponse:
    if not permissions.can_manage_monitoring(request.user):
        raise PermissionDenied
    form = form_class(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        obj = form.save(commit=False)
        try:
            save(obj, by=request.user)
        except (ValidationError, services.SourcesError) as error:
            form.add_error(None, error.messages if isinstance(error, ValidationError) else str(error))
        else:
            messages.success(request, _("Saved."))
            return redirect(done(obj))
    return render(request, "sources/edit.html", {"form": form, "title": title})


@require_http_methods(["GET", "POST"])
def enterprise_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    instance = get_object_or_404(Enterprise, pk=pk) if pk else Enterprise()
    return _edit(
        request,
        form_class=EnterpriseForm,
        instance=instance,
        save=services.save_enterprise,
        title=_("Enterprise"),
        done=lambda e: e.get_absolute_url(),
    )


@require_http_methods(["GET", "POST"])
def outlet_edit(request: HttpRequest, pk: int | None = None, enterprise: int | None = None) -> HttpResponse:
    if pk:
        instance = get_object_or_404(Outlet, pk=pk)
    else:
        instance = Outlet(enterprise=get_object_or_404(Enterprise, pk=enterprise))
    return _edit(
        request,
        form_class=OutletForm,
        instance=instance,
        save=services.save_outlet,
        title=_("Outlet"),
        done=lambda o: o.get_absolute_url(),
    )


@require_http_methods(["GET", "POST"])
def device_edit(request: HttpRequest, pk: int | None = None, outlet: int | None = None) -> HttpResponse:
    if pk:
        instance = get_object_or_404(Device, pk=pk)
    else:
        instance = Device(outlet=get_object_or_404(Outlet, pk=outlet))
        mn = request.GET.get("mn")
        if mn:
            instance.mn = mn
    return _edit(
        request,
        form_class=DeviceForm,
        instance=instance,
        save=services.save_device,
        title=_("Device"),
        done=lambda d: d.outlet.get_absolute_url(),
    )


@require_http_methods(["GET", "POST"])
def limit_edit(request: HttpRequest, pk: int | None = None, outlet: int | None = None) -> HttpResponse:
    if pk:
        instance = get_object_or_404(FactorLimit, pk=pk)
    else:
        instance = FactorLimit(outlet=get_object_or_404(Outlet, pk=outlet))
    return _edit(
        request,
        form_class=LimitForm,
        instance=instance,
        save=services.save_limit,
        title=_("Factor limit"),
        done=lambda limit: limit.outlet.get_absolute_url(),
    )


def outlet_chart(item: Any, *, start: dt.datetime, end: dt.datetime) -> SafeString:
    """An outlet's hourly values of one factor against its limit, values above it marked in red."""
    limit = float(item.limit.limit) if item.limit is not None else None
    values = [v for _, v in item.points if v is not None]
    return time_chart(
        item.points,
        start=start,
        end=end,
        label=f"{item.factor}-{item.field}",
        css_class="sources-chart",
        testid="outlet-chart",
        ceiling=max([*values, (limit or 0) * 1.2, 1.0]),
        limit=limit,
        dot=lambda value: LIMIT_COLOUR if limit is not None and value > limit else None,
        height=220,
    )
