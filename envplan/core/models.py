"""Shared bases and the audit entry every state change leaves behind."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from envplan.core import clock
from envplan.problems import ProblemList


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class FileImportStatus(models.TextChoices):
    STORED = "stored", _("stored")
    PARTIAL = "partial", _("stored with errors")
    REJECTED = "rejected", _("rejected")


class FileImport(models.Model):
    """A data file someone imported (air hours, water samples): what was read, stored and refused, with the
    first problems found. Each app adds its own figures."""

    file_name = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(max_length=64)
    rows = models.PositiveIntegerField(_("rows stored"), default=0)
    rows_read = models.PositiveIntegerField(_("rows read"), default=0)
    # The first problems found (envplan.problems.DEFAULT_LIMIT of them) and how many there were in all.
    errors = models.JSONField(_("errors"), default=list, blank=True)
    error_count = models.PositiveIntegerField(_("errors"), default=0)
    status = models.CharField(_("status"), max_length=16, choices=FileImportStatus.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.status}, {self.rows})"

    @property
    def problems(self) -> ProblemList[dict[str, Any]]:
        """The stored errors and the count of all errors found."""
        return ProblemList.restore(self.errors, self.error_count)


class AuditEntryQuerySet(models.QuerySet["AuditEntry"]):
    def update(self, **kwargs: Any) -> int:
        raise PermissionError("audit entries cannot be changed")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("audit entries cannot be deleted")

    def for_object(self, obj: models.Model) -> AuditEntryQuerySet:
        return self.filter(target_type=ContentType.objects.get_for_model(obj), target_id=str(obj.pk))


class AuditEntry(models.Model):
    """Who did what to which object, with the state before and after. Written, never changed."""

    # The application's clock (the demo's pinned moment in the demo), like every other date on the pages.
    created_at = models.DateTimeField(default=clock.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(max_length=150, blank=True, help_text=_("who, as shown at the time"))
    action = models.CharField(max_length=64, db_index=True)
    target_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    target_id = models.CharField(max_length=64)
    target_repr = models.CharField(max_length=255)
    # The plan the change belongs to, so a plan's or task's history is one indexed query.
    plan_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id"], name="audit_target_idx")]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.target_repr}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("audit entries cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("audit entries cannot be deleted")


class DemoClock(models.Model):
    """When a row exists, the application's clock stands still at `today` `time` (the bundled demo only).

    The demo plan is the 2025 plan; pinning the calendar mid-2025 shows it as a living plan with
    reports due. Every page says so while the clock is pinned.
    """

    today = models.DateField()
    # Local time of day in the district's time zone; see envplan.core.clock.
    time = models.TimeField(default=dt.time(12, 0))
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("demo clock")

    def __str__(self) -> str:
        return f"demo clock {self.today:%Y-%m-%d}"


class JobState(models.TextChoices):
    QUEUED = "queued", _("queued")
    RUNNING = "running", _("running")
    DONE = "done", _("done")
    FAILED = "failed", _("failed")


def job_input_path(job: Job, filename: str) -> str:
    # The person's file name is kept in `input_name`; on disk only our own name is used.
    return f"jobs/{job.created_at:%Y/%m}/{job.token}.upload"


class Job(models.Model):
    """A piece of work a person asked for that is too long for a request: parsing an uploaded file.

    The page that accepts the upload stores the file and queues a job; a worker runs it (envplan.core.jobs)
    and the person watches its page. `result` is JSON: a summary line, the errors found (each with where,
    line, field and message), and a link to what was made.
    """

    kind = models.CharField(max_length=64, db_index=True)
    state = models.CharField(max_length=16, choices=JobState.choices, default=JobState.QUEUED, db_index=True)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(null=True, blank=True)
    message = models.CharField(max_length=500, blank=True)
    params = models.JSONField(default=dict, blank=True)
    result = models.JSONField(default=dict, blank=True)
    token = models.CharField(max_length=32, unique=True, editable=False)
    input_file = models.FileField(upload_to=job_input_path, blank=True, max_length=255)
    input_name = models.CharField(max_length=255, blank=True)
    input_size = models.PositiveBigIntegerField(default=0)
    language = models.CharField(max_length=16, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    worker = models.CharField(max_length=100, blank=True, help_text=_("host:pid of the process running it"))
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("job")
        verbose_name_plural = _("jobs")

    def __str__(self) -> str:
        return f"job {self.pk} {self.kind} ({self.state})"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("job", args=[self.pk])

    @property
    def finished(self) -> bool:
        return self.state in (JobState.DONE, JobState.FAILED)

    @property
    def percent(self) -> int | None:
        if not self.progress_total:
            return None
        return min(100, round(100 * self.progress_done / self.progress_total))
