"""The water demo: six illustrative assessed sections of the Kundulun district, GENERATED monthly samples
for 2025-01 … 2025-10 (one seasonal section dry in some months, so that the plan's rule and national
practice differ), and the plan's water targets linked to the computed indicators. `load_water_demo()` is
called by the demo loader; it is idempotent."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl
from django.db import transaction

from envplan.core.services import Actor
from envplan.indicators.models import Indicator, Source
from envplan.indicators.services import configure_indicator
from envplan.plans.models import Plan, Target
from envplan.standards.water import ITEM_CODES
from envplan.water import indicators
from envplan.water.services import evaluate_water, import_monitoring_sections, store_generated_samples

DEMO_FOLDER = Path(__file__).resolve().parent / "demo"
YEAR = 2025
MONTHS = tuple(range(1, 11))
SEED = 3838

# Ranges (low, high) per item, chosen inside one GB 3838-2002 Table 1 class per item so that each section
# has a known class: W01 II (lake limits for TP), W02 III, W03 IV, W04 II, W05 III when it flows, W06 II-III.
Ranges = dict[str, tuple[float, float]]
PROFILES: dict[str, Ranges] = {
    "KDL-W01": {
        "ph": (7.6, 8.2),
        "do": (7.6, 9.0),
        "codmn": (2.2, 3.6),
        "cod": (10, 14),
        "bod5": (1.5, 2.8),
        "nh3n": (0.16, 0.45),
        "tp": (0.012, 0.024),
        "tn": (0.6, 0.9),
    },
    "KDL-W02": {
        "ph": (7.4, 8.3),
        "do": (5.5, 6.8),
        "codmn": (4.3, 5.6),
        "cod": (16, 19.5),
        "bod5": (3.2, 3.9),
        "nh3n": (0.55, 0.95),
        "tp": (0.11, 0.19),
    },
    "KDL-W03": {
        "ph": (7.5, 8.4),
        "do": (4.0, 5.5),
        "codmn": (6.5, 9.0),
        "cod": (21, 28),
        "bod5": (4.2, 5.5),
        "nh3n": (1.05, 1.45),
        "tp": (0.21, 0.29),
    },
    "KDL-W04": {
        "ph": (7.8, 8.4),
        "do": (7.0, 8.5),
        "codmn": (2.5, 3.8),
        "cod": (10, 14.5),
        "bod5": (2.0, 2.9),
        "nh3n": (0.2, 0.45),
        "tp": (0.06, 0.095),
    },
    "KDL-W05": {
        "ph": (7.6, 8.5),
        "do": (5.2, 6.0),
        "codmn": (4.5, 5.8),
        "cod": (16, 19),
        "bod5": (3.1, 3.8),
        "nh3n": (0.6, 0.95),
        "tp": (0.12, 0.18),
    },
    "KDL-W06": {
        "ph": (7.6, 8.3),
        "do": (6.2, 7.4),
        "codmn": (3.2, 3.9),
        "cod": (12, 14.8),
        "bod5": (2.2, 2.9),
        "nh3n": (0.3, 0.48),
        "tp": (0.09, 0.14),
    },
}
#: Months in which a section had no water (a seasonal stream: frozen or dry in winter, dry in autumn).
DRY_MONTHS = {"KDL-W05": frozenset({1, 2, 3, 9, 10})}
#: One-off values: the summer flood carries phosphorus past the intake (class IV in July).
OVERRIDES = {("KDL-W04", 7): {"tp": 0.24}}
WATERBODY = {"KDL-W01": "lake"}

PROVENANCE = "computed from the monitoring sections"


def generated_samples(
    *, year: int = YEAR, months: tuple[int, ...] = MONTHS, seed: int = SEED
) -> pl.DataFrame:
    """One sample per section and month (the 10th, 09:00), in the lake's sample columns (without generated
    and import_id). Deterministic for a seed."""
    rng = random.Random(seed)
    rows: list[dict[str, Any]] = []
    for code, ranges in PROFILES.items():
        for month in months:
            row: dict[str, Any] = dict.fromkeys(ITEM_CODES)
            row.update(
                monitoring_section=code,
                time=dt.datetime(year, month, 10, 9, 0),
                waterbody=WATERBODY.get(code, "river"),
                dry=month in DRY_MONTHS.get(code, frozenset()),
            )
            if not row["dry"]:
                for item, (low, high) in ranges.items():
                    row[item] = round(rng.uniform(low, high), 3)
                row.update(OVERRIDES.get((code, month), {}))
            rows.append(row)
    schema = pl.Schema(
        {
            "monitoring_section": pl.String(),
            "time": pl.Datetime("us"),
            "waterbody": pl.String(),
            **{code: pl.Float64() for code in ITEM_CODES},
            "dry": pl.Boolean(),
        }
    )
    return pl.DataFrame(rows, schema=schema)


def _link(target: Target, computation: str, *, by: Actor) -> bool:
    indicator, _ = Indicator.objects.get_or_create(target=target)
    if indicator.source == Source.COMPUTED and indicator.computation == computation:
        return False
    configure_indicator(
        indicator, by=by, source=Source.COMPUTED, computation=computation, provenance=PROVENANCE
    )
    return True


@transaction.atomic
def link_plan_targets(plan: Plan, *, by: Actor = None) -> list[Target]:
    """The plan's 83.3 % class-III goal (found by value; also the same target under its task) measured by
    the plan's rule, and the 100 % drinking-water target measured by the sources' compliance."""
    linked = []
    for target in Target.objects.filter(plan=plan, value=Decimal("83.3"), unit_of_measure="%").order_by(
        "position"
    ):
        _link(target, indicators.PLAN_RULE, by=by)
        linked.append(target)
    drinking = Target.objects.filter(
        plan=plan, value=Decimal("100"), unit_of_measure="%", indicator__icontains="drinking"
    ).order_by("position")
    for target in drinking:
        _link(target, indicators.DRINKING, by=by)
        linked.append(target)
    return linked


def load_water_demo(*, plan: Plan | None = None, today: dt.date = dt.date(2025, 10, 20)) -> dict[str, int]:
    """Sections, generated samples (stored once; a re-run writes nothing), the year's evaluation record,
    and the water targets of `plan` (the first plan when not given) linked to the computed indicators."""
    monitoring_sections = import_monitoring_sections(DEMO_FOLDER / "sections.csv", by=None)
    written = store_generated_samples(generated_samples())
    evaluated = evaluate_water(str(YEAR), today=today)
    chosen = plan or Plan.objects.order_by("pk").first()
    targets = link_plan_targets(chosen) if chosen is not None else []
    return {
        "sections": len(monitoring_sections),
        "generated_samples": written,
        "evaluations": evaluated["rows"],
        "targets": len(targets),
    }
