"""Queued work of the imports app: parsing an uploaded plan document (see envplan.core.jobs)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from envplan.core.jobs import JobOutcome, JobRejected, Progress, job_kind, open_input
from envplan.core.models import Job
from envplan.imports import services

PLAN_KIND = "imports.plan"


@job_kind(PLAN_KIND, label=gettext_lazy("Plan document import"))
def run_plan_import(job: Job, progress: Progress) -> JobOutcome:
    """The import page's upload, parsed by `create_import` into a draft to review, as the page used to."""
    progress(0, 1)
    with open_input(job) as upload:
        content = upload.read()
    try:
        imp, created = services.create_import(filename=job.input_name, content=content, by=job.created_by)
    except services.PlanImportError as error:
        raise JobRejected(str(error)) from None
    if created:
        title = (imp.draft.get("meta") or {}).get("title") or imp.source_name
        summary = _("The draft of %(title)s is ready for review.") % {"title": title}
    else:
        summary = _("This document was already imported; nothing changed.")
    return JobOutcome(
        summary=summary, url=imp.get_absolute_url(), data={"import": imp.pk, "created": created}
    )
