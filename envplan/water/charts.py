"""The water pages' class colours (charts are drawn with `envplan.core.charts`)."""

from __future__ import annotations

# 环办〔2011〕22号 qualitative status colours: I-II blue (优), III green (良好), IV yellow (轻度污染),
# V orange (中度污染), 劣V red (重度污染). Exact shades are ours.
CLASS_COLOURS = {
    "I": "#1f78d1",
    "II": "#1f78d1",
    "III": "#2e9e44",
    "IV": "#f2c200",
    "V": "#f08c00",
    "劣V": "#d62828",
}
DRY_COLOUR = "#c8c8c8"
NO_DATA_COLOUR = "#f0f0f0"


def colour(label: str | None, *, dry: bool = False) -> str:
    if dry:
        return DRY_COLOUR
    return CLASS_COLOURS.get(label or "", NO_DATA_COLOUR)


def text_colour(label: str | None) -> str:
    # WCAG AA contrast (4.5:1 at least): black on class III's green.
    return "#ffffff" if label in ("I", "II", "劣V") else "#000000"
