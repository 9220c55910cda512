"""Reads of the portal: a public item by table and key, the owner of its data, the public correction list."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet

from envplan.core.publication import Row, Section, Table, table
from envplan.plans.models import Unit
from envplan.portal.models import CorrectionRequest, DataOwner


@dataclass(frozen=True)
class Item:
    section: Section
    table: Table
    row: Row | None  # None: the table as a whole

    @property
    def key(self) -> str:
        return "" if self.row is None else str(self.row.get(self.table.key, ""))

    @property
    def label(self) -> str:
        if self.row is None:
            return str(self.table.title)
        return str(self.row.get(self.table.label, ""))[:300]


def find_item(table_name: str, key: str, *, now: dt.datetime) -> Item | None:
    """The public item `key` of a table (the table itself when `key` is empty); None when unknown."""
    try:
        section, found = table(table_name)
    except KeyError:
        return None
    if not key:
        return Item(section, found, None)
    for row in found.rows(now):
        if str(row.get(found.key, "")) == key:
            return Item(section, found, row)
    return None


def owner_of(item: Item) -> Unit | None:
    """The unit answering for the item's data: the row's own (a task's lead unit), else the table's
    assigned owner, else None (the district office)."""
    if item.row is not None and item.table.owner is not None:
        code = item.table.owner(item.row)
        if code:
            unit = Unit.objects.filter(code=code).first()
            if unit is not None:
                return unit
    assigned = DataOwner.objects.filter(table=item.table.name).select_related("unit").first()
    return assigned.unit if assigned is not None else None


def public_corrections(status: str | None = None) -> QuerySet[CorrectionRequest]:
    requests = CorrectionRequest.objects.select_related("unit").order_by("-received_on", "-pk")
    if status:
        requests = requests.filter(status=status)
    return requests


def owners_by_table() -> dict[str, DataOwner]:
    return {owner.table: owner for owner in DataOwner.objects.select_related("unit")}
