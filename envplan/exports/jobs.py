"""Queued work of the exports app: reading a unit's batch of reports (see envplan.core.jobs)."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from envplan.core.jobs import JobOutcome, JobRejected, Progress, error_entry, job_kind, open_input
from envplan.core.models import Job
from envplan.exports import batch as batches
from envplan.plans.models import Plan, Unit
from envplan.progress.errors import ProgressError

BATCH_KIND = "exports.batch"


@job_kind(BATCH_KIND, label=_("Batch of reports in Excel"))
def run_batch_import(job: Job, progress: Progress) -> JobOutcome:
    """The batch page's upload, read by `import_batch` as the page itself used to: all rows or none."""
    plan = Plan.objects.get(pk=job.params["plan"])
    unit = Unit.objects.get(code=job.params["unit"])
    page = reverse("exports:batch", args=[plan.pk, unit.code])
    progress(0, 1)
    try:
        with open_input(job) as upload:
            saved = batches.import_batch(
                plan,
                unit,
                upload=upload,
                by=job.created_by or AnonymousUser(),
                submit=bool(job.params.get("submit")),
            )
    except batches.BatchRejected as rejected:
        errors = [
            error_entry(where=e.sheet, line=e.row, column=e.column, field=e.field, message=e.message)
            for e in rejected.errors
        ]
        total = rejected.problems.total
        message = ngettext(
            "%(name)s was not saved: %(count)d problem.",
            "%(name)s was not saved: %(count)d problems.",
            total,
        ) % {"name": job.input_name, "count": total}
        raise JobRejected(message, errors, total=total) from None
    except (batches.BatchError, ProgressError) as problem:
        raise JobRejected(str(problem)) from None
    summary = ngettext("%(count)d report was saved.", "%(count)d reports were saved.", len(saved)) % {
        "count": len(saved)
    }
    return JobOutcome(summary=summary, url=page, data={"reports": len(saved)})
