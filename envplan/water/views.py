"""Water pages: the sections table, a section's trend, the plan's water indicators, sample imports."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from envplan.accounts import permissions
from envplan.core import clock
from envplan.core.charts import series_chart
from envplan.core.file_imports import import_views
from envplan.core.names import water_item_name
from envplan.standards.water import ITEM_BY_CODE
from envplan.water import queries
from envplan.water.forms import MonitoringSectionForm, SampleUploadForm
from envplan.water.models import MonitoringSection, WaterImport
from envplan.water.services import WaterError, create_monitoring_section, update_monitoring_section

DEFAULT_ITEM = "codmn"


def monitoring_section_list(request: HttpRequest) -> HttpResponse:
    table = queries.monitoring_sections_table(today=clock.today())
    context = {
        "table": table,
        "can_manage": permissions.can_manage_monitoring(request.user),
        "generated": table.generated,
    }
    return render(request, "water/section_list.html", context)


def monitoring_section_detail(request: HttpRequest, code: str) -> HttpResponse:
    monitoring_section = get_object_or_404(MonitoringSection, code=code)
    today = clock.today()
    try:
        year = int(request.GET.get("year", today.year))
    except ValueError:
        year = today.year
    year = min(max(year, 2000), today.year)
    item = request.GET.get("item", DEFAULT_ITEM)
    if item not in queries.CHART_ITEMS:
        item = DEFAULT_ITEM
    trend = queries.monitoring_section_trend(monitoring_section, year=year, today=today, item=item)
    definition = ITEM_BY_CODE[item]
    limit_label = _("class III limit %(limit)s %(unit)s") % {"limit": trend.limit, "unit": definition.unit}
    chart = series_chart(
        trend.points,
        label=f"{water_item_name(definition.code)} ({definition.unit})",
        css_class="water-chart",
        testid="trend-chart",
        unit_of_measure=definition.unit,
        limit=trend.limit,
        limit_title=limit_label,
    )
    context = {
        "monitoring_section": monitoring_section,
        "trend": trend,
        "chart": chart,
        "item": definition,
        "limit_label": limit_label,
        "items": [ITEM_BY_CODE[code] for code in queries.CHART_ITEMS],
        "can_manage": permissions.can_manage_monitoring(request.user),
        "generated": trend.generated,
        "next_year": year + 1 if year < today.year else None,
    }
    return render(request, "water/section_detail.html", context)


def water_indicators(request: HttpRequest) -> HttpResponse:
    figures = queries.water_indicators(today=clock.today())
    return render(request, "water/indicators.html", {"figures": figures, "generated": figures.generated})


@require_http_methods(["GET", "POST"])
def monitoring_section_create(request: HttpRequest) -> HttpResponse:
    if not permissions.can_manage_monitoring(request.user):
        raise PermissionDenied
    form = MonitoringSectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            monitoring_section = create_monitoring_section(by=request.user, **form.cleaned_data)
        except WaterError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request, _("Monitoring section %(code)s created.") % {"code": monitoring_section.code}
            )
            return redirect(monitoring_section.get_absolute_url())
    status = 400 if form.errors else 200
    return render(
        request, "water/section_form.html", {"form": form, "monitoring_section": None}, status=status
    )


@require_http_methods(["GET", "POST"])
def monitoring_section_edit(request: HttpRequest, code: str) -> HttpResponse:
    if not permissions.can_manage_monitoring(request.user):
        raise PermissionDenied
    monitoring_section = get_object_or_404(MonitoringSection, code=code)
    form = MonitoringSectionForm(request.POST or None, instance=monitoring_section)
    if request.method == "POST":
        form.fields["code"].disabled = True
        if form.is_valid():
            fields = {k: v for k, v in form.cleaned_data.items() if k != "code"}
            try:
                update_monitoring_section(
                    get_object_or_404(MonitoringSection, code=code), by=request.user, **fields
                )
            except WaterError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("Monitoring section %(code)s saved.") % {"code": code})
                return redirect("water:monitoring_section", code=code)
    else:
        form.fields["code"].disabled = True
    status = 400 if form.errors else 200
    return render(
        request,
        "water/section_form.html",
        {"form": form, "monitoring_section": monitoring_section},
        status=status,
    )


import_samples_view, import_detail = import_views(
    SampleUploadForm, WaterImport, may_import=permissions.can_manage_monitoring
)
