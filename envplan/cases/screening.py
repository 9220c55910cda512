"""Screening on the lake: which hours of which data logger to read, and the findings of
:func:`envplan.screening.scan` over them. No writes: envplan.cases.services stores what this returns.

Incremental, per data logger (MN) and day window. A logger screened up to T is read again from
T − LOOKBACK (the 35-day lags of `replay` and the 30-day windows of `limit_hugging`, `flag_share` and
`last_digit` need that much context around the newest hours) to the run's end; a logger never screened
from FIRST_WINDOW before the end. What is usual for each channel is learnt from the HISTORY before the
window (`baselines_of`), so that a manipulation inside the window does not teach the screening that it
is normal; a channel without history is compared with its own readings. Peers (same industry) are
compared through industry baselines computed once per run from those histories, so that an outlet gets
the same findings whichever outlets are read with it (envplan/screening/README.md, "One outlet or
thousands").

Loggers are read in batches of BATCH, each batch with one read of the lake for its histories and one for
its windows, so that memory follows the batch, not the district.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Final

import polars as pl

from envplan.lake import Lake
from envplan.screening import LIMITS_SCHEMA, OUTLETS_SCHEMA, READINGS_SCHEMA, baselines_of, scan
from envplan.screening.baselines import industry_baselines
from envplan.screening.model import TIME
from envplan.sources import lake as sources_lake
from envplan.sources.models import Device, FactorLimit

LOOKBACK: Final = dt.timedelta(days=35)
FIRST_WINDOW: Final = dt.timedelta(days=90)
HISTORY: Final = dt.timedelta(days=90)
BATCH: Final = 50
KIND: Final = "hourly"  # the name `readings export` and `screening scan` use for CN 2061 values


@dataclass(frozen=True)
class Window:
    """The hours of one data logger to screen (start <= DataTime < end), and its history before."""

    mn: str
    outlet_id: int
    enterprise_id: int
    industry: str
    start: dt.datetime
    end: dt.datetime

    @property
    def history_start(self) -> dt.datetime:
        return self.start - HISTORY


def windows(
    *, end: dt.datetime, screened: dict[str, dt.datetime], mns: Iterable[str] | None = None
) -> list[Window]:
    """One window per registered data logger (all of them, or `mns`), given how far each was screened."""
    devices = Device.objects.select_related("outlet__enterprise").order_by("mn")
    if mns is not None:
        devices = devices.filter(mn__in=list(mns))
    found = []
    for device in devices:
        until = screened.get(device.mn)
        start = end - FIRST_WINDOW if until is None else min(until, end) - LOOKBACK
        found.append(
            Window(
                mn=device.mn,
                outlet_id=device.outlet_id,
                enterprise_id=device.outlet.enterprise_id,
                industry=device.outlet.enterprise.industry,
                start=start,
                end=end,
            )
        )
    return found


def limits_frame(batch: list[Window]) -> pl.DataFrame:
    """The registry's limits of the batch's outlets, per MN (LIMITS_SCHEMA)."""
    outlets: dict[int, list[str]] = {}
    for window in batch:
        outlets.setdefault(window.outlet_id, []).append(window.mn)
    rows = [
        (
            mn,
            limit.factor,
            limit.field,
            float(limit.limit),
            None if limit.reference_o2 is None else float(limit.reference_o2),
        )
        for limit in FactorLimit.objects.filter(outlet_id__in=list(outlets)).order_by("pk")
        for mn in outlets[limit.outlet_id]
    ]
    return pl.DataFrame(rows, schema=LIMITS_SCHEMA, orient="row")


def outlets_frame(batch: list[Window]) -> pl.DataFrame:
    """Each MN's industry (OUTLETS_SCHEMA), for the comparison with peers."""
    rows = [(window.mn, window.industry) for window in batch if window.industry]
    return pl.DataFrame(rows, schema=OUTLETS_SCHEMA, orient="row")


def read_hours(
    batch: list[Window], *, start: dt.datetime, end: dt.datetime, lake: Lake | None = None
) -> pl.DataFrame:
    """Accepted hourly values of the batch's loggers with start <= DataTime < end, in the readings layout
    (READINGS_SCHEMA) plus `generated`."""
    frame = (
        sources_lake.scan("hourly", mns=[w.mn for w in batch], start=start, end=end, store_=lake)
        .filter(pl.col("status").fill_null("accepted") == "accepted")
        .select(
            "mn",
            pl.lit(KIND).alias("kind"),
            "time",
            "factor",
            "field",
            "value",
            "flag",
            pl.col("generated").fill_null(False),
        )
        .collect()
    )
    return frame.cast({name: dtype for name, dtype in READINGS_SCHEMA.items() if name != "time"})


def _within(frame: pl.DataFrame, batch: list[Window], *, history: bool) -> pl.DataFrame:
    """The rows of each MN inside its window (or its history)."""
    bounds = pl.DataFrame(
        {
            "mn": [w.mn for w in batch],
            "_from": [w.history_start if history else w.start for w in batch],
            "_to": [w.start if history else w.end for w in batch],
        }
    ).with_columns(pl.col("_from", "_to").cast(pl.Datetime("us", "UTC")).cast(TIME))
    return (
        frame.join(bounds, on="mn")
        .filter((pl.col("time") >= pl.col("_from")) & (pl.col("time") < pl.col("_to")))
        .drop("_from", "_to")
    )


def batches(found: list[Window]) -> Iterator[list[Window]]:
    for first in range(0, len(found), BATCH):
        yield found[first : first + BATCH]


def screen(found: list[Window], *, lake: Lake | None = None) -> pl.DataFrame:
    """Findings (envplan.screening FINDINGS_SCHEMA plus `generated`: the logger's hours in the window
    include generated ones) over the windows, highest score first."""
    if not found:
        return _empty()
    learnt: list[pl.DataFrame] = []
    for batch in batches(found):
        history = read_hours(
            batch, start=min(w.history_start for w in batch), end=max(w.start for w in batch), lake=lake
        )
        history = _within(history, batch, history=True)
        if history.height:
            learnt.append(baselines_of(history.select(list(READINGS_SCHEMA)), limits=limits_frame(batch)))
    baselines = pl.concat(learnt, how="diagonal_relaxed") if learnt else None
    industries = industry_baselines(baselines, outlets_frame(found)) if baselines is not None else None
    results = []
    for batch in batches(found):
        hours = _within(
            read_hours(batch, start=min(w.start for w in batch), end=max(w.end for w in batch), lake=lake),
            batch,
            history=False,
        )
        if hours.height == 0:
            continue
        findings = scan(
            hours.select(list(READINGS_SCHEMA)),
            limits=limits_frame(batch),
            baselines=baselines,
            industries=industries,
            outlets=outlets_frame(batch),
        )
        generated = hours.group_by("mn").agg(pl.col("generated").any())
        results.append(findings.join(generated, on="mn", how="left"))
    if not results:
        return _empty()
    return pl.concat(results).sort(
        ["score", "mn", "factor", "start", "detector"], descending=[True, False, False, False, False]
    )


def _empty() -> pl.DataFrame:
    from envplan.screening import FINDINGS_SCHEMA

    return pl.DataFrame(schema={**FINDINGS_SCHEMA, "generated": pl.Boolean()})
