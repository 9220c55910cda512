"""The per-row oracle of single-factor water classification (GB 3838-2002), written the obvious way.

One sample at a time, in plain Python, straight from Table 1 (`ITEMS`): the worst class of the routine
items, and the items worse than class III ranked by class, then by how many times over the class III limit
they are (items without a multiple last), then by their order in the table. The property tests check
`classify_samples` against it, and `bench/water.py` times it as the baseline of the vectorised classifier.
"""

from __future__ import annotations

from collections.abc import Mapping

from envplan.standards.water import ITEMS

LABELS = ("I", "II", "III", "IV", "V", "劣V")


def classify_row(record: Mapping[str, object]) -> tuple[str | None, list[str]]:
    """(class label or None when nothing is measured, up to three main pollutants) of one sample."""
    lake = record["waterbody"] == "lake"
    worst = 0
    ranked: list[tuple[int, float, int, str]] = []
    for item in ITEMS:
        value = record.get(item.code)
        if value is None or not item.routine:
            continue
        assert isinstance(value, float | int)
        multiple = -1.0
        if item.direction == "range":
            rank = 1 if 6 <= value <= 9 else 6
        else:
            limits = item.lake_limits if lake and item.lake_limits else item.limits
            assert limits is not None
            rank = 6
            for k, limit in enumerate(limits, start=1):
                if (value <= limit) if item.direction == "max" else (value >= limit):
                    rank = k
                    break
            if item.direction == "max" and value > limits[2]:
                multiple = (value - limits[2]) / limits[2]
        worst = max(worst, rank)
        if rank > 3:
            ranked.append((rank, multiple, -item.table_number, item.code))
    ranked.sort(reverse=True)
    return (LABELS[worst - 1] if worst else None), [code for *_, code in ranked[:3]]
