"""What the public portal shows: sections, each with open-data tables and their data dictionary.

The portal (envplan.portal, on the top floor) reads this registry; it sits here, on the bottom floor, so
that any app may register its own section from its AppConfig.ready(), whatever its floor:

    from envplan.core.publication import Column, Section, Table, register_section

    register_section(
        Section(
            key="alerts",
            title=_("Heavy-pollution alerts"),
            summary=_("Alerts issued for the district, current and past."),
            order=40,
            watch=("emergency.Alert",),  # writes to these models refresh the cached public pages
            tables=(
                Table(
                    name="alerts",  # stable: /public/data/alerts.csv, .json, .schema.json
                    title=_("Alerts"),
                    description=_("Every alert with its level, start and lift."),
                    columns=(
                        Column("id", _("Alert"), _("Number of the alert."), type="integer"),
                        Column("level", _("Level"), _("yellow, orange or red."),
                               display=lambda row: level_label(row["level"])),
                        Column("issued", _("Issued"), _("When it was issued."), type="datetime"),
                    ),
                    rows=lambda now: alert_rows(now),  # list of dicts, keys = column names
                    key="id",  # the column naming an item (a correction request points at it)
                    label="level",  # the column a person reads as the item's name
                    owner=lambda row: "ecology-bureau-kundulun",  # or None: the table's assigned owner
                ),
            ),
        )
    )

Rows are public as they are: never put a person's name, contact or an internal narrative in them. Values
are text, numbers, booleans, dates, datetimes or None.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

Row = Mapping[str, Any]
# Frictionless Table Schema field types used by the data dictionaries (https://specs.frictionlessdata.io/).
COLUMN_TYPES = ("string", "integer", "number", "boolean", "date", "datetime")
NAME = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass(frozen=True)
class Column:
    name: str
    label: StrOrPromise  # lazy translatable text
    description: StrOrPromise  # the data dictionary's entry
    type: str = "string"
    unit: str = ""
    # What a person reads on the page (a translated label for a code, a rounded number); the downloads
    # keep the value itself.
    display: Callable[[Row], str] | None = None
    # A CSS class for the cell (colours by category); never a style attribute (Content-Security-Policy).
    css: Callable[[Row], str] | None = None

    def __post_init__(self) -> None:
        if self.type not in COLUMN_TYPES:
            raise ValueError(
                f"column {self.name!r}: type {self.type!r} is not one of {', '.join(COLUMN_TYPES)}"
            )


@dataclass(frozen=True)
class Table:
    name: str
    title: StrOrPromise
    description: StrOrPromise
    columns: tuple[Column, ...]
    rows: Callable[[dt.datetime], Sequence[Row]]
    key: str
    label: str
    owner: Callable[[Row], str | None] | None = None  # the code of the plan Unit that owns a row's data
    keywords: tuple[str, ...] = ()
    # When the table's data last changed, if the app knows; otherwise the portal's last refresh is stated.
    updated: Callable[[], dt.datetime | None] | None = None

    def __post_init__(self) -> None:
        if not NAME.match(self.name):
            raise ValueError(f"table name {self.name!r}: lower-case letters, digits and dashes only")
        names = [column.name for column in self.columns]
        if len(set(names)) != len(names):
            raise ValueError(f"table {self.name!r}: column names must differ")
        for needed in (self.key, self.label):
            if needed not in names:
                raise ValueError(f"table {self.name!r}: {needed!r} is not one of its columns")

    def column(self, name: str) -> Column:
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(name)


@dataclass(frozen=True)
class Section:
    key: str
    title: StrOrPromise
    summary: StrOrPromise
    tables: tuple[Table, ...]
    order: int = 100
    # The models whose writes change what the section shows: "app_label.ModelName", or
    # "app_label.ModelName:field=value" for only the rows holding that value (approved reports, not drafts).
    watch: tuple[str, ...] = ()
    # A few headline figures for the portal's front page: (label, value) pairs.
    highlights: Callable[[dt.datetime], Sequence[tuple[str, str]]] | None = None

    def __post_init__(self) -> None:
        if not NAME.match(self.key):
            raise ValueError(f"section key {self.key!r}: lower-case letters, digits and dashes only")


REGISTRY: dict[str, Section] = {}


def register_section(section: Section) -> None:
    """Register a public section; the same key twice (with another section) or a table name already used
    by another section is a mistake."""
    existing = REGISTRY.get(section.key)
    if existing is not None and existing is not section:
        raise ValueError(f"public section {section.key!r} is already registered")
    used = {
        table.name: other.key
        for other in REGISTRY.values()
        if other is not existing
        for table in other.tables
    }
    for table in section.tables:
        if table.name in used:
            raise ValueError(f"public table {table.name!r} already belongs to section {used[table.name]!r}")
    REGISTRY[section.key] = section


def unregister_section(key: str) -> None:
    """For tests that register a section of their own."""
    REGISTRY.pop(key, None)


def sections() -> list[Section]:
    return sorted(REGISTRY.values(), key=lambda s: (s.order, s.key))


def section(key: str) -> Section:
    return REGISTRY[key]


def tables() -> list[tuple[Section, Table]]:
    return [(s, t) for s in sections() for t in s.tables]


def table(name: str) -> tuple[Section, Table]:
    for found in tables():
        if found[1].name == name:
            return found
    raise KeyError(name)


def watched_models() -> dict[str, list[tuple[str, str] | None]]:
    """Model label -> the conditions (field, value) under which its writes count; None: every write."""
    found: dict[str, list[tuple[str, str] | None]] = {}
    for entry in (label for s in REGISTRY.values() for label in s.watch):
        model, _, condition = entry.partition(":")
        field, _, value = condition.partition("=")
        found.setdefault(model, []).append((field, value) if condition else None)
    return found


def counts_as_change(label: str, instance: Any) -> bool:
    """Whether a write of `instance` (of the model `label`) changes what a public section shows."""
    for condition in watched_models().get(label, []):
        if condition is None or str(getattr(instance, condition[0], None)) == condition[1]:
            return True
    return False
