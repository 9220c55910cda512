"""Background work of the water app: the scheduled evaluation (run by `envplan worker`, see
envplan.core.worker) and queued sample imports (see envplan.core.jobs)."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from envplan.core.file_imports import import_errors
from envplan.core.jobs import JobOutcome, JobRejected, Progress, counts_only, job_kind, open_input
from envplan.core.models import Job
from envplan.core.worker import register
from envplan.water import lake as water_lake
from envplan.water.services import WaterError, evaluate_water, import_samples


def evaluate_water_job(today: dt.date) -> dict[str, int]:
    """Monthly and year-to-date results of the sections for the year so far, stored as the record."""
    counts = evaluate_water(None, today=today)
    # Each run re-writes the year's results: keep one file per partition, the last result per key.
    water_lake.lake().compact(water_lake.EVALUATIONS, unique_on=water_lake.EVALUATIONS_KEY)
    return counts


register("water-evaluation", evaluate_water_job, daily_at=dt.time(2, 30))


# --- queued: a sample file uploaded on the import page (see envplan.core.jobs) ----------------------------

SAMPLES_IMPORT_KIND = "water.samples"


@job_kind(SAMPLES_IMPORT_KIND, label=gettext_lazy("Water sample import"))
def run_samples_import(job: Job, progress: Progress) -> JobOutcome:
    """The import page's upload, read by `import_samples` as the page itself used to: stored whole or
    rejected whole."""
    progress(0, 1)
    try:
        with open_input(job) as upload:
            record = import_samples(upload, by=job.created_by, progress=counts_only(progress))
    except WaterError as error:
        raise JobRejected(str(error)) from None
    url = reverse("water:import_detail", args=[record.pk])
    if record.errors:
        errors = import_errors(record)
        message = _("The file was rejected: %(errors)d errors; nothing was stored.") % {
            "errors": len(record.errors)
        }
        raise JobRejected(message, errors, url=url)
    summary = _("%(rows)d rows accepted, %(new)d new.") % {"rows": record.rows, "new": record.rows_new}
    return JobOutcome(summary=summary, url=url, data={"import": record.pk})
