"""Columns that several public tables declare alike: the demo's `generated` flag, and the columns of a
target against its latest value (the plan's targets and the air targets)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from envplan.core.publication import Column

RATING_LABELS = {
    "green": gettext_lazy("on course"),
    "amber": gettext_lazy("to watch"),
    "red": gettext_lazy("off course"),
    "unknown": gettext_lazy("no value yet"),
}

GENERATED = Column(
    "generated",
    gettext_lazy("Generated"),
    gettext_lazy("true when the values were made up by the demo, never measured."),
    type="boolean",
)

UNIT_OF_MEASURE = Column(
    "unit_of_measure", gettext_lazy("Unit of measure"), gettext_lazy("Unit of the values.")
)

DEADLINE = Column("deadline", gettext_lazy("Deadline"), gettext_lazy("When the target is due."), type="date")

LATEST_DATE = Column(
    "latest_date",
    gettext_lazy("Latest value date"),
    gettext_lazy("Date of the latest value."),
    type="date",
)

RATING = Column(
    "rating",
    gettext_lazy("Rating"),
    gettext_lazy("green (met), amber (not yet, on course), red (off course), unknown (no value)."),
    display=lambda row: str(RATING_LABELS.get(row["rating"], row["rating"])),
    css=lambda row: f"rating rating-{row['rating']}",
)
