"""Columns that several public tables declare alike: the demo's `generated` flag, and the columns of a
target against its latest value (the plan's targets and the air targets)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from envplan.core.publication import Column

RATING_LABELS = {
    "green": _("on course"),
    "amber": _("to watch"),
    "red": _("off course"),
    "unknown": _("no value yet"),
}

GENERATED = Column(
    "generated",
    _("Generated"),
    _("true when the values were made up by the demo, never measured."),
    type="boolean",
)

UNIT_OF_MEASURE = Column("unit_of_measure", _("Unit of measure"), _("Unit of the values."))

DEADLINE = Column("deadline", _("Deadline"), _("When the target is due."), type="date")

LATEST_DATE = Column("latest_date", _("Latest value date"), _("Date of the latest value."), type="date")

RATING = Column(
    "rating",
    _("Rating"),
    _("green (met), amber (not yet, on course), red (off course), unknown (no value)."),
    display=lambda row: str(RATING_LABELS.get(row["rating"], row["rating"])),
    css=lambda row: f"rating rating-{row['rating']}",
)
