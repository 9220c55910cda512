"""The monthly briefing of the district office: the plan's status, overdue tasks, targets, air and water,
alerts, with charts, as a Word document (python-docx) or a PDF (WeasyPrint), in the reader's language.

`build_briefing` gathers the figures (as of the month's last day, or today within the current month);
`briefing_docx` and `briefing_pdf` write them. Charts are PNG images drawn here with Pillow, so that Word
and PDF show the same picture; they carry numbers only, and the words beside them are in the document's
text. A PDF is refused (`FontsMissing`) when its text needs Chinese glyphs and no CJK font is installed:
boxes in place of characters are never produced silently.
"""

from __future__ import annotations

import base64
import calendar
import datetime as dt
import io
from collections import Counter
from dataclasses import dataclass, field

import polars as pl
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from PIL import Image, ImageDraw, ImageFont

from envplan.air import charts as air_charts
from envplan.air.indicators import city_days
from envplan.air.models import Station
from envplan.dashboard.queries import plan_dashboard
from envplan.emergency.models import Alert
from envplan.exports.ledger import rating_label
from envplan.exports.pdf import CJK_FONT_FAMILY, html_to_pdf
from envplan.plans.content import content_text
from envplan.plans.models import Plan, language_key
from envplan.progress.status import DONE, ON_TRACK, OVERDUE, STATUS_LABELS, STATUS_ORDER
from envplan.standards.air.tables import CATEGORIES
from envplan.water.models import MonitoringSection
from envplan.water.queries import year_results

STATUS_COLOURS = {ON_TRACK: "#2da44e", "at_risk": "#d4a72c", OVERDUE: "#cf222e", DONE: "#0969da"}
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class BriefingError(ValueError):
    """The briefing cannot be made as asked (a month in the future, before the plan's year)."""


@dataclass
class Figure:
    """A chart: its caption (document text, in the reader's language), its PNG, and its text alternative."""

    caption: str
    png: bytes
    alt: str

    @property
    def data_uri(self) -> str:
        return "data:image/png;base64," + base64.b64encode(self.png).decode("ascii")


@dataclass
class StatusLine:
    status: str
    label: str
    count: int
    colour: str


@dataclass
class TargetLine:
    where: str
    indicator: str
    target: str
    latest: str
    rating: str


@dataclass
class AirCity:
    city: str
    days: int
    good_days: int
    heavy_days: int
    mean_aqi: float | None
    worst: tuple[dt.date, int, str] | None
    daily: list[tuple[dt.date, int | None, int | None]]
    generated: bool


@dataclass
class WaterLine:
    name: str
    month_class: str
    target_class: str
    meets: bool | None


@dataclass
class AlertLine:
    level: str
    issued: dt.datetime
    lifted: dt.datetime | None


@dataclass
class Briefing:
    plan: Plan
    month: dt.date
    as_of: dt.date
    language: str
    title: str
    plan_title: str
    statuses: list[StatusLine]
    overdue: list[tuple[int, str, str]]
    targets: list[TargetLine]
    air: list[AirCity]
    water: list[WaterLine]
    alerts: list[AlertLine]
    figures: list[Figure] = field(default_factory=list)

    @property
    def task_total(self) -> int:
        return sum(line.count for line in self.statuses)

    def all_text(self) -> str:
        parts = [self.title, self.plan_title]
        parts += [f"{n} {t} {r}" for n, t, r in self.overdue]
        parts += [f"{t.where} {t.indicator} {t.target} {t.rating}" for t in self.targets]
        parts += [line.name for line in self.water] + [figure.caption for figure in self.figures]
        return " ".join(parts)


def parse_month(text: str) -> dt.date:
    try:
        year, month = (int(part) for part in text.split("-"))
        return dt.date(year, month, 1)
    except ValueError:
        raise BriefingError(f"--month {text!r}: expected YYYY-MM, e.g. 2025-10") from None


def month_end(month: dt.date) -> dt.date:
    return dt.date(month.year, month.month, calendar.monthrange(month.year, month.month)[1])


def number(value: object, places: int = 1) -> str:
    if value is None:
        return "—"
    return f"{float(str(value)):.{places}f}".rstrip("0").rstrip(".")


def build_briefing(plan: Plan, month: dt.date, *, today: dt.date, language: str) -> Briefing:
    """The briefing's figures for `month` (its first day), in `language` (a site language code)."""
    if month > today:
        raise BriefingError(f"{month:%Y-%m} has not begun yet (today is {today:%Y-%m-%d})")
    as_of = min(month_end(month), today)
    with translation.override(language):
        data = plan_dashboard(plan, today=as_of)
        statuses = [
            StatusLine(
                status, str(STATUS_LABELS[status]), data.totals[status], STATUS_COLOURS.get(status, "#888")
            )
            for status in STATUS_ORDER
        ]
        overdue = [
            (state.task.number, content_text(state.task, "title"), ", ".join(str(r) for r in state.reasons))
            for state in data.overdue
        ]
        targets = []
        for row in data.targets:
            target = row.target
            measure = target.value_display
            where = str(row.task_number) if row.task_number is not None else _("plan goal")
            latest = row.attainment.latest
            targets.append(
                TargetLine(
                    where=where,
                    indicator=content_text(target, "indicator"),
                    target=f"{target.get_comparator_display()} {measure}",
                    latest=number(latest, 2),
                    rating=rating_label(row.attainment.rating),
                )
            )
        briefing = Briefing(
            plan=plan,
            month=month,
            as_of=as_of,
            language=language,
            title=_("Monthly briefing, %(month)s") % {"month": f"{month:%Y-%m}"},
            plan_title=content_text(plan, "title"),
            statuses=statuses,
            overdue=overdue,
            targets=targets,
            air=air_month(month, as_of),
            water=water_month(month, as_of),
            alerts=alerts_in(month, as_of),
        )
        briefing.figures = figures(briefing)
    return briefing


def air_month(month: dt.date, as_of: dt.date) -> list[AirCity]:
    result = []
    for city in sorted(set(Station.objects.values_list("city", flat=True))):
        days = city_days(city, start=month, end=as_of)
        if days.height == 0:
            continue
        daily = {
            record["date"]: (record.get("aqi"), record.get("category"))
            for record in days.select("date", "aqi", "category").iter_rows(named=True)
        }
        calendar_days = [month + dt.timedelta(days=offset) for offset in range((as_of - month).days + 1)]
        series = [(day, *daily.get(day, (None, None))) for day in calendar_days]
        valued = [(day, aqi, category) for day, aqi, category in series if aqi is not None]
        worst = max(valued, key=lambda item: item[1], default=None)
        result.append(
            AirCity(
                city=city,
                days=len(valued),
                good_days=sum(1 for _, _, category in valued if category is not None and category <= 2),
                heavy_days=sum(1 for _, _, category in valued if category is not None and category >= 5),
                mean_aqi=sum(aqi for _, aqi, _ in valued) / len(valued) if valued else None,
                worst=(worst[0], worst[1], category_name(worst[2])) if worst else None,
                daily=series,
                generated=bool(days.get_column("generated").fill_null(False).any()),
            )
        )
    return result


def category_name(level: int | None) -> str:
    if level is None or not 1 <= level <= len(CATEGORIES):
        return "—"
    category = CATEGORIES[level - 1]
    language = language_key(translation.get_language())
    if language == "zh-hans":
        return category.name_zh
    return category.name_fr if language == "fr" else category.name_en


def water_month(month: dt.date, as_of: dt.date) -> list[WaterLine]:
    sections = list(MonitoringSection.objects.order_by("code"))
    results = year_results(sections, year=month.year, through=as_of)
    if results.height == 0:
        return []
    rows = results.filter(pl.col("basis") == "month", pl.col("period") == month)
    rows = rows.with_columns(pl.col("class").cast(pl.String))
    by_code = {record["monitoring_section"]: record for record in rows.iter_rows(named=True)}
    chinese = language_key(translation.get_language()) == "zh-hans"
    lines = []
    for section in sections:
        record = by_code.get(section.code)
        if record is None:
            continue
        water_class = str(record.get("class") or "")
        if record.get("dry"):
            water_class = _("dry")
        lines.append(
            WaterLine(
                name=(section.name_zh if chinese and section.name_zh else section.name),
                month_class=water_class or "—",
                target_class=section.target_class,
                meets=record.get("meets_target"),
            )
        )
    return lines


def alerts_in(month: dt.date, as_of: dt.date) -> list[AlertLine]:
    start = dt.datetime.combine(month, dt.time.min, tzinfo=dt.UTC)
    end = dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time.min, tzinfo=dt.UTC)
    alerts = Alert.objects.filter(issued_at__lt=end).exclude(lifted_at__lt=start).order_by("issued_at")
    return [AlertLine(alert.get_level_display(), alert.issued_at, alert.lifted_at) for alert in alerts]


# Charts -----------------------------------------------------------------------------------------------

SCALE = 2  # drawn at twice the size they are shown, for print


def font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size * SCALE)


def status_chart(briefing: Briefing) -> Figure:
    """One bar of the plan's tasks by status, with counts (the document's table is the legend)."""
    width, height = 640 * SCALE, 70 * SCALE
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    total = briefing.task_total or 1
    x = 10.0 * SCALE
    usable = width - 20 * SCALE
    for line in briefing.statuses:
        if not line.count:
            continue
        span = usable * line.count / total
        draw.rectangle([x, 10 * SCALE, x + span, 50 * SCALE], fill=line.colour, outline="white", width=SCALE)
        if span > 24 * SCALE:
            draw.text((x + span / 2, 30 * SCALE), str(line.count), fill="white", font=font(14), anchor="mm")
        x += span
    alt = ", ".join(f"{line.label}: {line.count}" for line in briefing.statuses)
    return Figure(_("Tasks by status (%(total)d tasks)") % {"total": briefing.task_total}, png(image), alt)


def aqi_chart(city: AirCity, month: dt.date) -> Figure:
    """The city's daily AQI of the month as bars in the HJ 633 category colours, with the 100 line."""
    width, height = 640 * SCALE, 220 * SCALE
    left, right, top, bottom = 40 * SCALE, 10 * SCALE, 10 * SCALE, 26 * SCALE
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    highest = max([aqi for _, aqi, _ in city.daily if aqi is not None] + [150])
    top_value = 50 * (int(highest) // 50 + 1)
    plot_height = height - top - bottom
    days = calendar.monthrange(month.year, month.month)[1]
    slot = (width - left - right) / days

    def y(value: float) -> float:
        return top + plot_height * (1 - value / top_value)

    for tick in range(0, top_value + 1, 50):
        draw.line([left, y(tick), width - right, y(tick)], fill="#d0d7de", width=1)
        draw.text((left - 6 * SCALE, y(tick)), str(tick), fill="#57606a", font=font(10), anchor="rm")
    for day, aqi, category in city.daily:
        x0 = left + (day.day - 1) * slot + slot * 0.15
        if aqi is not None:
            draw.rectangle([x0, y(aqi), x0 + slot * 0.7, y(0)], fill=air_charts.colour(category))
        if day.day == 1 or day.day % 5 == 0:
            draw.text(
                (x0 + slot * 0.35, height - bottom + 6 * SCALE),
                str(day.day),
                fill="#57606a",
                font=font(10),
                anchor="mt",
            )
    draw.line([left, y(100), width - right, y(100)], fill="#cf222e", width=SCALE)
    alt = "; ".join(f"{day:%m-%d} {aqi}" for day, aqi, _ in city.daily if aqi is not None)
    caption = _("Daily AQI of the month, city average (the red line is AQI 100)")
    return Figure(caption, png(image), alt)


def png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def figures(briefing: Briefing) -> list[Figure]:
    result = [status_chart(briefing)]
    result += [aqi_chart(city, briefing.month) for city in briefing.air]
    return result


# Word -------------------------------------------------------------------------------------------------


def briefing_docx(briefing: Briefing) -> bytes:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    with translation.override(briefing.language):
        document = Document()
        normal = document.styles["Normal"]
        normal.font.size = Pt(10.5)
        fonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
        fonts.set(qn("w:eastAsia"), "Microsoft YaHei")
        document.core_properties.title = briefing.title
        document.core_properties.language = briefing.language
        document.add_heading(briefing.title, level=0)
        document.add_paragraph(
            f"{briefing.plan_title} · " + _("as of %(day)s") % {"day": f"{briefing.as_of:%Y-%m-%d}"}
        )

        def table(headers: list[str], rows: list[list[str]]) -> None:
            grid = document.add_table(rows=1, cols=len(headers))
            grid.style = "Light Grid Accent 1"
            for cell, text in zip(grid.rows[0].cells, headers, strict=True):
                cell.text = text
            for row in rows:
                cells = grid.add_row().cells
                for cell, text in zip(cells, row, strict=True):
                    cell.text = text

        def picture(figure: Figure) -> None:
            document.add_picture(io.BytesIO(figure.png), width=Cm(16))
            caption = document.add_paragraph(figure.caption)
            caption.alignment = WD_ALIGN_PARAGRAPH.CENTER

        document.add_heading(_("Status of the plan"), level=1)
        picture(briefing.figures[0])
        table(
            [_("Status"), _("Tasks")],
            [[line.label, str(line.count)] for line in briefing.statuses],
        )
        document.add_heading(_("Overdue tasks"), level=1)
        if briefing.overdue:
            table([_("No."), _("Task"), _("Why")], [[str(n), t, r] for n, t, r in briefing.overdue])
        else:
            document.add_paragraph(_("No task is overdue."))
        document.add_heading(_("Targets"), level=1)
        table(
            [_("Task"), _("Indicator"), _("Target"), _("Latest value"), _("Rating")],
            [[t.where, t.indicator, t.target, t.latest, t.rating] for t in briefing.targets],
        )
        document.add_heading(_("Air quality"), level=1)
        if not briefing.air:
            document.add_paragraph(_("No air data for this month."))
        for city, figure in zip(briefing.air, briefing.figures[1:], strict=True):
            document.add_paragraph(air_sentence(city))
            picture(figure)
        document.add_heading(_("Surface water"), level=1)
        if briefing.water:
            table(
                [_("Monitoring section"), _("Class this month"), _("Target class"), _("Meets its target")],
                [[w.name, w.month_class, w.target_class, yes_no(w.meets)] for w in briefing.water],
            )
        else:
            document.add_paragraph(_("No water results for this month."))
        document.add_heading(_("Heavy-pollution alerts"), level=1)
        if briefing.alerts:
            table(
                [_("Level"), _("Issued"), _("Lifted")],
                [
                    [
                        a.level,
                        f"{a.issued:%Y-%m-%d %H:%M}",
                        f"{a.lifted:%Y-%m-%d %H:%M}" if a.lifted else _("in force"),
                    ]
                    for a in briefing.alerts
                ],
            )
        else:
            document.add_paragraph(_("No alert this month."))
        buffer = io.BytesIO()
        document.save(buffer)
        return buffer.getvalue()


def air_sentence(city: AirCity) -> str:
    text = _(
        "%(days)d days with data: %(good)d good or excellent, %(heavy)d heavily polluted; mean AQI %(mean)s."
    ) % {
        "days": city.days,
        "good": city.good_days,
        "heavy": city.heavy_days,
        "mean": number(city.mean_aqi, 0),
    }
    if city.worst:
        day, aqi, name = city.worst
        text += " " + _("Worst day: %(day)s, AQI %(aqi)d (%(category)s).") % {
            "day": f"{day:%Y-%m-%d}",
            "aqi": aqi,
            "category": name,
        }
    return text


def yes_no(value: bool | None) -> str:
    if value is None:
        return "—"
    return _("yes") if value else _("no")


# PDF --------------------------------------------------------------------------------------------------


def briefing_html(briefing: Briefing) -> str:
    with translation.override(briefing.language):
        return render_to_string(
            "exports/briefing_pdf.html",
            {
                "b": briefing,
                "font_family": CJK_FONT_FAMILY,
                "air": [
                    (city, air_sentence(city), figure)
                    for city, figure in zip(briefing.air, briefing.figures[1:], strict=True)
                ],
                "water": [(w, yes_no(w.meets)) for w in briefing.water],
                "language": briefing.language,
            },
        )


def briefing_pdf(briefing: Briefing) -> bytes:
    return html_to_pdf(briefing_html(briefing), text=briefing.all_text())


def status_counts(briefing: Briefing) -> Counter[str]:
    return Counter({line.status: line.count for line in briefing.statuses})
