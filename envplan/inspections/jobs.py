"""Queued work of the enforcement app (envplan.core.jobs): reading an uploaded rectification ledger."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from envplan.core.jobs import JobOutcome, JobRejected, Progress, error_entry, job_kind, open_input
from envplan.core.models import Job
from envplan.inspections.errors import InspectionError
from envplan.inspections.services.ledger import LedgerRejected, import_ledger

LEDGER_IMPORT_KIND = "inspections.ledger"


@job_kind(LEDGER_IMPORT_KIND, label=gettext_lazy("Rectification ledger import"))
def run_ledger_import(job: Job, progress: Progress) -> JobOutcome:
    progress(0, 1)
    feedback = job.params.get("feedback_on") or ""
    with open_input(job) as upload:
        content = upload.read()
        name = upload.name or "ledger.xlsx"
    try:
        outcome = import_ledger(
            name,
            content,
            by=job.created_by,
            round_name=str(job.params.get("round", "")),
            feedback_on=dt.date.fromisoformat(feedback) if feedback else None,
        )
    except LedgerRejected as rejected:
        errors = [
            error_entry(where=e.sheet, line=e.row, column=e.column, field=e.field, message=e.message)
            for e in rejected.errors
        ]
        raise JobRejected(rejected.message, errors, total=rejected.total) from None
    except InspectionError as error:
        raise JobRejected(error.message) from None
    summary = _("%(created)d tasks registered, %(updated)d updated, %(unchanged)d unchanged.") % {
        "created": outcome.created,
        "updated": outcome.updated,
        "unchanged": outcome.unchanged,
    }
    return JobOutcome(summary=summary, url=reverse("inspections:rectifications"), data=outcome.__dict__)
