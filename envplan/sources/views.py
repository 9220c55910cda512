"""Sources pages: device status, enterprises (flag accounting, validity rate), an outlet's chart,
exceedances, and the registry forms (supervisors and bureau officers only)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar, runtime_checkable

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Model
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.functional import Promise
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from envplan.accounts import permissions
from envplan.core import clock
from envplan.core.charts import LIMIT_COLOUR, time_chart
from envplan.core.services import Actor
from envplan.sources import queries, services
from envplan.sources.alerts import open_alerts
from envplan.sources.forms import DeviceForm, EnterpriseForm, LimitForm, OutletForm
from envplan.sources.models import Device, Enterprise, ExceedanceEvent, FactorLimit, Outlet

MAX_DAYS = 31

Registered = TypeVar("Registered", bound=Model)
StrOrPromise = str | Promise


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


@runtime_checkable
class _HasPage(Protocol):
    def get_absolute_url(self) -> str: ...


class _Save(Protocol[Registered]):
    def __call__(self, obj: Registered, /, *, by: Actor) -> Registered: ...


@dataclass(frozen=True)
class _Registry(Generic[Registered]):
    """A registry form (supervisors and bureau officers only): which objects it edits, with which form and
    service. A new object belongs to a `parent` (the field, and the parent's model), named in the URL by
    the same word. Once saved, the person goes to the object's page, or to its parent's when it has none
    (devices and limits are shown on their outlet's page)."""

    model: type[Registered]
    form_class: type[ModelForm[Any]]
    save: _Save[Registered]
    title: StrOrPromise
    parent: tuple[str, type[Model]] | None = None
    prefill: Callable[[HttpRequest, Registered], None] | None = None  # a new object, from the query

    def edit_view(self) -> Callable[..., HttpResponse]:
        @require_http_methods(["GET", "POST"])
        def edit(request: HttpRequest, pk: int | None = None, **parent_pk: int) -> HttpResponse:
            if not permissions.can_manage_monitoring(request.user):
                raise PermissionDenied
            if pk:
                instance = get_object_or_404(self.model, pk=pk)
            elif self.parent is None:
                instance = self.model()
            else:
                field, model = self.parent
                instance = self.model(**{field: get_object_or_404(model, pk=parent_pk.get(field))})
                if self.prefill is not None:
                    self.prefill(request, instance)
            return self._edit(request, instance)

        return edit

    def _edit(self, request: HttpRequest, instance: Registered) -> HttpResponse:
        form = self.form_class(request.POST or None, instance=instance)
        if request.method == "POST" and form.is_valid():
            obj = form.save(commit=False)
            try:
                self.save(obj, by=request.user)
            except (ValidationError, services.SourcesError) as error:
                form.add_error(None, error.messages if isinstance(error, ValidationError) else str(error))
            else:
                messages.success(request, _("Saved."))
                return redirect(self._page_of(obj))
        return render(request, "sources/edit.html", {"form": form, "title": self.title})

    def _page_of(self, obj: Registered) -> _HasPage:
        """The object, or its parent when it has no page of its own."""
        shown = obj if isinstance(obj, _HasPage) or self.parent is None else getattr(obj, self.parent[0])
        assert isinstance(shown, _HasPage)
        return shown


def _device_mn(request: HttpRequest, device: Device) -> None:
    """A new device's MN from the query (`?mn=`: the unknown sender a person registers)."""
    mn = request.GET.get("mn")
    if mn:
        device.mn = mn


enterprise_edit = _Registry(
    Enterprise, EnterpriseForm, services.save_enterprise, gettext_lazy("Enterprise")
).edit_view()
outlet_edit = _Registry(
    Outlet, OutletForm, services.save_outlet, gettext_lazy("Outlet"), parent=("enterprise", Enterprise)
).edit_view()
device_edit = _Registry(
    Device,
    DeviceForm,
    services.save_device,
    gettext_lazy("Device"),
    parent=("outlet", Outlet),
    prefill=_device_mn,
).edit_view()
limit_edit = _Registry(
    FactorLimit, LimitForm, services.save_limit, gettext_lazy("Factor limit"), parent=("outlet", Outlet)
).edit_view()


def outlet_chart(item: queries.FactorSeries, *, start: dt.datetime, end: dt.datetime) -> SafeString:
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
