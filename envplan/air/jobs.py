"""Background work of the air app: the scheduled daily evaluation (run by `envplan worker`, see
envplan.core.worker) and queued hourly imports (see envplan.core.jobs)."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from envplan.air.models import ImportStatus
from envplan.air.services import AirError, evaluate_days, import_hourly
from envplan.core.file_imports import import_errors
from envplan.core.jobs import JobOutcome, JobRejected, Progress, counts_only, job_kind, open_input
from envplan.core.models import Job
from envplan.core.worker import register


def evaluate_air_days_job(today: dt.date) -> dict[str, int]:
    """Daily statistics and daily AQI of the days with new hourly data."""
    return evaluate_days()


register("air-daily", evaluate_air_days_job, every=dt.timedelta(hours=1))


# --- queued: an hourly file uploaded on the import page (see envplan.core.jobs) ---------------------------

HOURLY_IMPORT_KIND = "air.hourly"


@job_kind(HOURLY_IMPORT_KIND, label=gettext_lazy("Hourly air data import"))
def run_hourly_import(job: Job, progress: Progress) -> JobOutcome:
    """The import page's upload, read by `import_hourly` as the page itself used to."""
    progress(0, 1)
    try:
        with open_input(job) as upload:
            record = import_hourly(
                upload,
                by=job.created_by,
                strict=bool(job.params.get("strict")),
                fmt=job.params.get("format", "csv"),
                progress=counts_only(progress),
            )
    except AirError as error:
        raise JobRejected(str(error)) from None
    url = reverse("air:import_detail", args=[record.pk])
    errors = import_errors(record)
    if record.errors:
        summary = _("%(rows)d rows stored, %(errors)d errors.") % {
            "rows": record.rows,
            "errors": len(record.errors),
        }
    else:
        summary = _("%(rows)d rows stored.") % {"rows": record.rows}
    if record.status == ImportStatus.REJECTED:
        raise JobRejected(summary, errors, url=url)
    return JobOutcome(summary=summary, errors=errors, url=url, data={"import": record.pk})
