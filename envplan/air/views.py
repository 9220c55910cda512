"""Air pages: stations and map, a station's hours and days, a city's dashboard, hourly imports."""

from __future__ import annotations

import datetime as dt

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from envplan.accounts import permissions
from envplan.air import charts, queries
from envplan.air.forms import HourlyUploadForm
from envplan.air.models import AirImport, Station
from envplan.core import clock
from envplan.core.file_imports import import_views

MAX_DAYS = 31


def _map_points(rows: list[queries.StationRow]) -> list[charts.MapPoint]:
    return [
        charts.MapPoint(
            code=row.station.code,
            label=row.station.name_zh or row.station.name,
            latitude=float(row.station.latitude),
            longitude=float(row.station.longitude),
            level=row.category,
            aqi=row.aqi,
            url=row.station.get_absolute_url(),
        )
        for row in rows
        if row.station.latitude is not None and row.station.longitude is not None
    ]


def station_list(request: HttpRequest) -> HttpResponse:
    rows = queries.stations_with_latest(clock.now())
    cities = sorted({row.station.city for row in rows})
    context = {
        "rows": rows,
        "cities": cities,
        "map": charts.station_map(_map_points(rows)),
        "can_import": permissions.can_manage_monitoring(request.user),
        "generated": any(row.generated for row in rows),
    }
    return render(request, "air/station_list.html", context)


def _month(text: str | None, default: dt.date) -> dt.date:
    if text:
        try:
            return dt.date.fromisoformat(f"{text}-01")
        except ValueError:
            pass
    return default.replace(day=1)


def station_detail(request: HttpRequest, code: str) -> HttpResponse:
    station = get_object_or_404(Station, code=code)
    try:
        days = min(max(int(request.GET.get("days", "7")), 1), MAX_DAYS)
    except ValueError:
        days = 7
    now = clock.now()
    end = now.replace(tzinfo=None, minute=0, second=0, microsecond=0)
    start = end - dt.timedelta(days=days)
    hours = queries.hourly_aqi(start=start, end=end, codes=[station.code])
    points = list(zip(hours.get_column("time").to_list(), hours.get_column("aqi").to_list(), strict=True))
    month = _month(request.GET.get("month"), now.date())
    weeks = queries.month_calendar(station.code, month)
    previous = (month - dt.timedelta(days=1)).replace(day=1)
    following = (month + dt.timedelta(days=32)).replace(day=1)
    generated = bool(hours.height and hours.get_column("generated").fill_null(False).any()) or any(
        cell.generated for week in weeks for cell in week
    )
    context = {
        "station": station,
        "days": days,
        "day_choices": (1, 3, 7, 14, 31),
        "chart": charts.hourly_chart(points, start=start, end=end),
        "hours": hours.height,
        "latest": hours.filter(hours.get_column("aqi").is_not_null()).tail(1).to_dicts(),
        "month": month,
        "previous": previous,
        "following": following,
        "weeks": weeks,
        "generated": generated,
        "weekdays": [_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun")],
    }
    return render(request, "air/station_detail.html", context)


def city_dashboard(request: HttpRequest, city: str) -> HttpResponse:
    if not Station.objects.filter(city=city).exists():
        raise Http404
    figures = queries.city_figures(city, today=clock.today(), now=clock.now())
    context = {
        "figures": figures,
        "map": charts.station_map(_map_points(figures.stations)),
        "generated": figures.generated or any(row.generated for row in figures.stations),
    }
    return render(request, "air/city_dashboard.html", context)


import_hourly_view, import_detail = import_views(
    HourlyUploadForm, AirImport, may_import=permissions.can_manage_monitoring
)
