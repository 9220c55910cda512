"""Running the plan: units' progress reports per task and period, their evidence and review history,
the plan's reporting calendar, and in-app notifications.

Kept apart from `plans` (the plan as a document) because it is the plan's daily workflow: a second concept.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from envplan.core import clock
from envplan.core.models import TimeStampedModel
from envplan.plans.models import Plan, Target, Task, Unit


class Frequency(models.TextChoices):
    MONTHLY = "monthly", _("monthly")
    QUARTERLY = "quarterly", _("quarterly")


class ReportingSettings(models.Model):
    """How a plan is run: reporting calendar and the weights of the year-end assessment of units."""

    plan = models.OneToOneField(Plan, on_delete=models.CASCADE, related_name="reporting")
    frequency = models.CharField(_("frequency"), max_length=16, choices=Frequency.choices, default="monthly")
    due_day = models.PositiveSmallIntegerField(
        _("due day of the month"), default=25, validators=[MinValueValidator(1), MaxValueValidator(28)]
    )
    first_period = models.DateField(_("first reporting period"), help_text=_("first day of a month"))
    last_period = models.DateField(_("last reporting period"), help_text=_("first day of a month"))
    closed_through = models.DateField(
        _("periods closed through"),
        null=True,
        blank=True,
        help_text=_("no report can be changed for this period or earlier"),
    )
    remind_days_before = models.PositiveSmallIntegerField(
        _("remind this many days before the due day"), default=5
    )
    weight_timeliness = models.DecimalField(
        _("weight: timeliness"), max_digits=5, decimal_places=2, default=Decimal(30)
    )
    weight_completion = models.DecimalField(
        _("weight: approved completion"), max_digits=5, decimal_places=2, default=Decimal(40)
    )
    weight_attainment = models.DecimalField(
        _("weight: target attainment"), max_digits=5, decimal_places=2, default=Decimal(30)
    )

    class Meta:
        verbose_name = _("reporting settings")
        verbose_name_plural = _("reporting settings")

    def __str__(self) -> str:
        return f"reporting of {self.plan}"


class ReportStatus(models.TextChoices):
    """Where the task stands, in the reporting unit's words."""

    NOT_STARTED = "not_started", _("not started")
    IN_PROGRESS = "in_progress", _("in progress")
    AT_RISK = "at_risk", _("at risk")
    DONE = "done", _("done")


class ReportState(models.TextChoices):
    """Where the report stands in its review."""

    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("submitted")
    RETURNED = "returned", _("returned")
    APPROVED = "approved", _("approved")


class ProgressReport(TimeStampedModel):
    """One unit's account of one task for one period (the period is named by its first day)."""

    # PROTECT: a report is history; neither a plan revision nor a deleted plan may take it away.
    task = models.ForeignKey(Task, on_delete=models.PROTECT, related_name="reports")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="reports")
    period = models.DateField(_("period"))
    narrative = models.TextField(_("progress"), blank=True)
    status = models.CharField(_("status"), max_length=16, choices=ReportStatus.choices, default="not_started")
    state = models.CharField(_("state"), max_length=16, choices=ReportState.choices, default="draft")
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    # Incremented on every change: a form carries the version it was made from, so a stale form is refused.
    version = models.PositiveIntegerField(default=1)
    generated = models.BooleanField(default=False, help_text=_("made up by the demo loader"))

    class Meta:
        ordering = ["task__position", "unit__name", "-period"]
        constraints = [
            models.UniqueConstraint(fields=["task", "unit", "period"], name="report_unique_task_unit_period")
        ]
        indexes = [models.Index(fields=["state", "period"], name="report_state_period_idx")]
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")

    def __str__(self) -> str:
        return f"{self.task.number} · {self.unit.code} · {self.period:%Y-%m}"

    def get_absolute_url(self) -> str:
        return reverse("progress:report", args=[self.pk])

    def last_event(self, action: str) -> ReportEvent | None:
        """The latest event of one kind (from the prefetched events when the page prefetched them)."""
        found = [event for event in self.events.all() if event.action == action]
        return found[-1] if found else None

    @property
    def approval(self) -> ReportEvent | None:
        """Who approved the report and when (the latest approval)."""
        return self.last_event(ReportAction.APPROVED) if self.approved_at else None

    @property
    def return_event(self) -> ReportEvent | None:
        """The reviewer's return, with its comment, while the report stays returned."""
        return self.last_event(ReportAction.RETURNED) if self.state == ReportState.RETURNED else None


# The precision of a reported value: ten digits before the decimal mark, six after.
VALUE_MAX_DIGITS = 16
VALUE_DECIMAL_PLACES = 6


class ReportValue(models.Model):
    """The value a report gives for one of its task's targets."""

    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="values")
    target = models.ForeignKey(Target, on_delete=models.PROTECT, related_name="reported_values")
    value = models.DecimalField(_("value"), max_digits=VALUE_MAX_DIGITS, decimal_places=VALUE_DECIMAL_PLACES)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["report", "target"], name="report_value_unique")]
        verbose_name = _("reported value")
        verbose_name_plural = _("reported values")

    def __str__(self) -> str:
        return f"{self.target_id}={self.value}"


def evidence_path(instance: Evidence, filename: str) -> str:
    return f"evidence/{instance.report.task.plan_id}/{instance.report_id}/{filename}"


class Evidence(models.Model):
    """A file backing a report. Stored through Django storage so an object store can replace the disk."""

    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(upload_to=evidence_path, max_length=300)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # The application's clock, as for the report's own dates (the demo's pinned moment in the demo).
    uploaded_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")

    def __str__(self) -> str:
        return self.original_name


class ReportAction(models.TextChoices):
    SAVED = "saved", _("saved")
    SUBMITTED = "submitted", _("submitted")
    RETURNED = "returned", _("returned")
    APPROVED = "approved", _("approved")
    EVIDENCE_ADDED = "evidence_added", _("evidence added")


class ReportEvent(models.Model):
    """The review history of a report, shown in full on the report page."""

    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=20, choices=ReportAction.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    by_unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    comment = models.TextField(blank=True)
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("report event")
        verbose_name_plural = _("report events")

    def __str__(self) -> str:
        return f"{self.report} {self.action}"


class Notification(models.Model):
    """An in-app message for one user (reminders, returned reports...)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=32)
    message = models.TextField()
    link = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)
    # Reminders are sent once per (user, key): e.g. "due:<report period>:<task id>:<unit id>".
    dedup_key = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "dedup_key"],
                condition=~models.Q(dedup_key=""),
                name="notification_unique_dedup",
            )
        ]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self) -> str:
        return f"{self.user_id}: {self.kind}"


def period_start(day: dt.date) -> dt.date:
    return day.replace(day=1)
