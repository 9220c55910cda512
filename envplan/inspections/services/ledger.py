"""Importing a rectification ledger from Excel (the layout of envplan.inspections.spreadsheets): every
row checked first, every problem listed (sheet, row, column), and nothing stored unless all rows pass.
Rows already registered (same round and number) are updated when they changed, so importing the same
file twice changes nothing."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from envplan.core.services import Actor
from envplan.inspections.errors import InspectionError
from envplan.inspections.models import RectificationTask
from envplan.inspections.services.common import require_office
from envplan.inspections.services.rectifications import save_rectification
from envplan.inspections.spreadsheets import RowError, SpreadsheetError, read_ledger

FIELDS = ("problem", "subject", "accepting_unit", "goal", "deadline", "measures")


class LedgerRejected(Exception):
    def __init__(self, message: str, errors: list[RowError], total: int) -> None:
        super().__init__(message)
        self.message = message
        self.errors = errors
        self.total = total


@dataclass(frozen=True)
class LedgerImport:
    created: int
    updated: int
    unchanged: int


@transaction.atomic
def import_ledger(
    name: str,
    content: bytes,
    *,
    by: Actor,
    round_name: str,
    feedback_on: dt.date | None = None,
    now: dt.datetime | None = None,
) -> LedgerImport:
    require_office(by, _("The rectification register is kept by the district office and the bureau."))
    if not round_name.strip():
        raise InspectionError(_("Name the inspection round the tasks come from."), field="round")
    try:
        rows = read_ledger(name, content)
    except SpreadsheetError as error:
        raise LedgerRejected(str(error), [], 0) from None
    if rows.error_count:
        raise LedgerRejected(
            _("%(name)s: %(count)d problems; nothing was stored.")
            % {"name": name, "count": rows.error_count},
            rows.errors,
            rows.error_count,
        )
    existing = {t.number: t for t in RectificationTask.objects.filter(round=round_name.strip())}
    created = updated = unchanged = 0
    for row in rows.rows:
        task = existing.get(row["number"])
        values = {key: row.get(key, "") for key in FIELDS}
        if task is None:
            task = RectificationTask(
                round=round_name.strip(), number=row["number"], feedback_on=feedback_on, **values
            )
            created += 1
        elif all(getattr(task, key) == value for key, value in values.items()):
            unchanged += 1
            continue
        else:
            for key, value in values.items():
                setattr(task, key, value)
            updated += 1
        try:
            save_rectification(task, by=by, now=now)
        except InspectionError as error:
            problem = RowError("", row["row"], "", error.field, error.message)
            raise LedgerRejected(_("%(name)s: nothing was stored.") % {"name": name}, [problem], 1) from None
    return LedgerImport(created, updated, unchanged)
