"""Water, public: every monitoring section with its class (GB 3838-2002) for the latest month and the year
so far, against its target class (envplan.water)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import TYPE_CHECKING, Any

from django.db.models import Max
from django.utils.translation import gettext_lazy

from envplan.core.publication import Column, Section, Table, register_section
from envplan.portal.sections.columns import GENERATED
from envplan.portal.sections.memo import once
from envplan.water.models import WaterImport
from envplan.water.queries import monitoring_sections_table
from envplan.water.templatetags.water_tags import class_css

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def _rows(now: dt.datetime) -> list[dict[str, Any]]:
    def compute() -> list[dict[str, Any]]:
        table = monitoring_sections_table(today=now.date())
        rows = []
        for row in table.rows:
            section = row.monitoring_section
            month, ytd = row.month, row.year_to_date
            rows.append(
                {
                    "section": section.code,
                    "name": section.name,
                    "name_zh": section.name_zh,
                    "river_or_lake": section.river_or_lake,
                    "level": section.level,
                    "target_class": section.target_class,
                    "drinking_water_source": section.is_drinking_water_source,
                    "month": table.month,
                    "month_class": (month.water_class or "") if month else "",
                    "month_dry": bool(month and month.dry),
                    "year_to_date_class": (ytd.water_class or "") if ytd else "",
                    "meets_target": None if ytd is None else ytd.meets_target,
                    "main_pollutants": ", ".join(ytd.main_pollutants) if ytd else "",
                    "generated": row.generated,
                }
            )
        return rows

    return once(("water", now.date()), compute)


def _updated() -> dt.datetime | None:
    value = WaterImport.objects.aggregate(last=Max("at"))["last"]
    return value if isinstance(value, dt.datetime) else None


def _highlights(now: dt.datetime) -> list[tuple[str, str]]:
    rows = _rows(now)
    classes = Counter(row["year_to_date_class"] for row in rows if row["year_to_date_class"])
    good = sum(classes[c] for c in ("I", "II", "III"))
    meets = sum(1 for row in rows if row["meets_target"])
    return [
        (str(gettext_lazy("sections at class III or better")), f"{good} / {sum(classes.values())}"),
        (str(gettext_lazy("sections meeting their target")), f"{meets} / {len(rows)}"),
    ]


def _class_display(value: str, dry: bool = False) -> str:
    if dry:
        return str(gettext_lazy("dry"))
    return value or "—"


def _class_column(name: str, label: StrOrPromise, description: StrOrPromise, *, dry: str = "") -> Column:
    """A GB 3838-2002 class, coloured by class; "dry" where the `dry` field says the section was."""
    return Column(
        name,
        label,
        description,
        display=lambda row: _class_display(row[name], bool(dry and row[dry])),
        css=lambda row: f"water-class {class_css(row[name])}",
    )


def register() -> None:
    table = Table(
        name="water-sections",
        title=gettext_lazy("Water quality by monitoring section"),
        description=gettext_lazy(
            "Every monitoring section with its GB 3838-2002 class for the latest month and the year so far, "
            "against its target class."
        ),
        columns=(
            Column("section", gettext_lazy("Section"), gettext_lazy("Monitoring section code.")),
            Column("name", gettext_lazy("Name"), gettext_lazy("Section name.")),
            Column("name_zh", gettext_lazy("Name in Chinese"), gettext_lazy("Section name in Chinese.")),
            Column("river_or_lake", gettext_lazy("River or lake"), gettext_lazy("The water body sampled.")),
            Column(
                "level",
                gettext_lazy("Level"),
                gettext_lazy("national, provincial, municipal or district section."),
            ),
            Column(
                "target_class",
                gettext_lazy("Target class"),
                gettext_lazy("The class the section must reach (I–V)."),
            ),
            Column(
                "drinking_water_source",
                gettext_lazy("Drinking-water source"),
                gettext_lazy("true for a drinking-water source."),
                type="boolean",
            ),
            Column(
                "month",
                gettext_lazy("Month"),
                gettext_lazy("First day of the latest month evaluated."),
                type="date",
            ),
            _class_column(
                "month_class",
                gettext_lazy("Class, month"),
                gettext_lazy("GB 3838-2002 single-factor class of the month; empty when not evaluated."),
                dry="month_dry",
            ),
            Column(
                "month_dry",
                gettext_lazy("Dry"),
                gettext_lazy("true when the section was dry (断流) in the month."),
                type="boolean",
            ),
            _class_column(
                "year_to_date_class",
                gettext_lazy("Class, year so far"),
                gettext_lazy("Class of the year-to-date means."),
            ),
            Column(
                "meets_target",
                gettext_lazy("Meets target"),
                gettext_lazy("true when the year-to-date class meets the target class."),
                type="boolean",
            ),
            Column(
                "main_pollutants",
                gettext_lazy("Main pollutants"),
                gettext_lazy("Items above the target class (GB 3838-2002 evaluation method)."),
            ),
            GENERATED,
        ),
        rows=_rows,
        key="section",
        label="name",
        keywords=("water quality", "GB 3838"),
        updated=_updated,
    )
    register_section(
        Section(
            key="water",
            title=gettext_lazy("Water quality"),
            summary=gettext_lazy("Rivers and lakes: each monitoring section's class against its target."),
            order=30,
            watch=("water.MonitoringSection", "water.WaterImport", "indicators.IndicatorValue"),
            tables=(table,),
            highlights=_highlights,
        )
    )
