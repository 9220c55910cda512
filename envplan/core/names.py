"""Display names of pollutants, water items, frame kinds and units of measure, in the reader's language.

One place for every page: a code stored in the data ("pm10", "codmn", "hourly") is never shown as is.
Air pollutants are written as chemists write them (PM₁₀, SO₂), the same in every language; water items take
GB 3838-2002's own Chinese names on Chinese pages and our catalogue's translation of the English name on
the others.
"""

from __future__ import annotations

import re

from django.utils.translation import get_language, gettext, gettext_noop

from envplan.standards.water.limits import ITEM_BY_CODE

# Formula symbols with Unicode subscripts: one spelling in every language.
SYMBOLS: dict[str, str] = {
    "pm25": "PM₂.₅",
    "pm2_5": "PM₂.₅",
    "pm10": "PM₁₀",
    "so2": "SO₂",
    "no2": "NO₂",
    "nox": "NOₓ",
    "co": "CO",
    "o3": "O₃",
    "o3_8h": "O₃-8h",
    "vocs": "VOCs",
    "nh3": "NH₃",
}

# Names that are words, not symbols: translated through the catalogues.
WORDS: dict[str, str] = {
    "pm": gettext_noop("particulate matter"),
    "dust": gettext_noop("particulate matter"),
}

# GB 3838-2002 items' English names, marked so that the catalogues carry their French (the Chinese pages
# use the standard's own names, `Item.name_cn`).
WATER_ITEM_NAMES = (
    gettext_noop("pH"),
    gettext_noop("dissolved oxygen"),
    gettext_noop("permanganate index"),
    gettext_noop("chemical oxygen demand"),
    gettext_noop("BOD5"),
    gettext_noop("ammonia nitrogen"),
    gettext_noop("total phosphorus"),
    gettext_noop("total nitrogen"),
    gettext_noop("copper"),
    gettext_noop("zinc"),
    gettext_noop("fluoride"),
    gettext_noop("selenium"),
    gettext_noop("arsenic"),
    gettext_noop("mercury"),
    gettext_noop("cadmium"),
    gettext_noop("chromium (VI)"),
    gettext_noop("lead"),
    gettext_noop("cyanide"),
    gettext_noop("volatile phenol"),
    gettext_noop("petroleum"),
    gettext_noop("anionic surfactant"),
    gettext_noop("sulfide"),
    gettext_noop("fecal coliforms"),
)

# HJ 212 data kinds as the receiver records them (Device.last_frame_kind, lake kinds).
FRAME_KINDS: dict[str, str] = {
    "realtime": gettext_noop("real-time"),
    "minute": gettext_noop("per minute"),
    "hourly": gettext_noop("hourly"),
    "daily": gettext_noop("daily"),
}

# Units of measure: bare numbers carry none; words are translated; symbols (mg/L, µg/m³, %, MW, km²) stay
# as written.
BARE_MEASURES = frozenset({"", "count", "coefficient", "dimensionless"})
SYMBOL_SPELLINGS: dict[str, str] = {"ug/m3": "µg/m³", "μg/m³": "µg/m³", "mg/m3": "mg/m³", "km2": "km²"}
WORD_MEASURES: dict[str, str] = {
    "count/L": gettext_noop("count/L"),
    "days": gettext_noop("days"),
    "day": gettext_noop("days"),
}


def chinese_page() -> bool:
    return (get_language() or "en").lower().startswith("zh")


def pollutant_name(code: str) -> str:
    """An air pollutant's or emission factor's display name: "pm10" -> "PM₁₀"."""
    key = (code or "").strip().lower()
    if key in SYMBOLS:
        return SYMBOLS[key]
    if key in WORDS:
        return gettext(WORDS[key])
    if key in ITEM_BY_CODE:
        return water_item_name(key)
    return code


def water_item_name(code: str) -> str:
    """A GB 3838-2002 item's display name: "codmn" -> 高锰酸盐指数 (zh), indice de permanganate (fr)."""
    item = ITEM_BY_CODE.get((code or "").strip().lower())
    if item is None:
        return code
    if chinese_page():
        return item.name_cn
    return gettext(item.name_en)


def substance_names(codes: str | list[str] | tuple[str, ...], separator: str | None = None) -> str:
    """Several codes (a list, or one string separated by commas or semicolons) as one line of names."""
    if isinstance(codes, str):
        codes = [part for part in (c.strip() for c in re.split(r"[,;]", codes)) if part]
    if separator is None:
        separator = "、" if chinese_page() else ", "
    return separator.join(pollutant_name(code) for code in codes)


def frame_kind_name(kind: str) -> str:
    """An HJ 212 data kind ("hourly", "minute" …) in the reader's language."""
    label = FRAME_KINDS.get(kind or "")
    return gettext(label) if label else kind


def measure_name(measure: str) -> str:
    """A unit of measure as shown after a number ("" when the number stands alone)."""
    if measure in BARE_MEASURES:
        return ""
    if measure in WORD_MEASURES:
        return gettext(WORD_MEASURES[measure])
    return SYMBOL_SPELLINGS.get(measure, measure)


def provenance_label(text: str) -> str:
    """An indicator's provenance note ("set by the city"), translated when it is one of ours."""
    return gettext(text) if text else text


# Provenance notes the apps store (air/demo_data.py, water and inspections indicators); marked here so the
# catalogues carry them.
PROVENANCES = (
    gettext_noop("set by the city"),
    gettext_noop("computed from the monitoring sections"),
    gettext_noop("computed from the enforcement records"),
)


# Places the data names in English (the air registry's city column); the catalogues carry their names in
# the other languages. A place not listed here is shown as stored.
PLACES = (gettext_noop("Baotou"),)


def place_name(name: str) -> str:
    """A city's or district's name in the reader's language ("Baotou" -> 包头市 on Chinese pages)."""
    return gettext(name) if name else name


def local_name(obj: object) -> str:
    """A station's, section's or enterprise's name: its Chinese name on Chinese pages when it has one."""
    name = str(getattr(obj, "name", "") or "")
    chinese = str(getattr(obj, "name_zh", "") or "")
    return chinese if chinese and chinese_page() else name


def other_name(obj: object) -> str:
    """The name `local_name` did not show (shown beside it, muted), or ""."""
    name = str(getattr(obj, "name", "") or "")
    chinese = str(getattr(obj, "name_zh", "") or "")
    if not chinese:
        return ""
    return name if chinese_page() else chinese
