"""Rectification tasks from an inspection's feedback, to closure (整改: 拉条挂账、督办落实、办结销号).

A task moves: not started → in progress → acceptance applied → accepted → closure notice published
(公示) → closed (销号); a look-back review (回头看) may reopen a closed task. Overdue is not a state: it is
read from the deadline (hj212-and-processes.md B.6; records.md §4).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from envplan.core.models import TimeStampedModel
from envplan.inspections.models.files import StoredUpload
from envplan.inspections.models.records import InspectionRecord


class RectificationState(models.TextChoices):
    ISSUED = "issued", _("not started")
    IN_PROGRESS = "in_progress", _("in progress")
    APPLIED = "applied", _("acceptance applied for")
    ACCEPTED = "accepted", _("accepted")
    PUBLICISED = "publicised", _("closure notice published")
    CLOSED = "closed", _("closed")
    REOPENED = "reopened", _("reopened by a look-back review")


# The words public progress reports use (Hohhot 2023; records.md §8): 未启动 / 序时推进 / 滞后 /
# 已完成 / 已验收 / 已销号.
OFFICIAL_STATUS = {
    "issued": "未启动",
    "in_progress": "序时推进",
    "late": "滞后",
    "applied": "已完成",
    "accepted": "已验收",
    "publicised": "已验收",
    "closed": "已销号",
    "reopened": "序时推进",
}
OPEN_STATES = (
    RectificationState.ISSUED,
    RectificationState.IN_PROGRESS,
    RectificationState.REOPENED,
)


class AcceptanceLevel(models.TextChoices):
    DISTRICT = "district", _("district")
    CITY = "city", _("city")
    PROVINCE = "province", _("province")


class RectificationTask(TimeStampedModel):
    round = models.CharField(_("inspection round"), max_length=200)
    feedback_on = models.DateField(_("feedback received on"), null=True, blank=True)
    # As numbered in the rectification plan: published lists are often not contiguous.
    number = models.PositiveIntegerField(_("number"))
    problem = models.TextField(_("problem"))
    subject = models.CharField(_("carried out by"), max_length=300)
    accepting_unit = models.ForeignKey(
        "plans.Unit",
        on_delete=models.PROTECT,
        related_name="rectifications",
        verbose_name=_("accepting unit"),
    )
    goal = models.TextField(_("goal"))
    deadline = models.DateField(_("deadline"))
    measures = models.TextField(_("measures"), blank=True)
    acceptance_level = models.CharField(
        _("acceptance level"),
        max_length=10,
        choices=AcceptanceLevel.choices,
        default=AcceptanceLevel.DISTRICT,
    )
    source_record = models.ForeignKey(
        InspectionRecord,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="rectifications",
        verbose_name=_("from the inspection"),
    )
    state = models.CharField(
        _("state"), max_length=12, choices=RectificationState.choices, default=RectificationState.ISSUED
    )
    completion = models.TextField(_("what was done"), blank=True)
    applied_on = models.DateField(_("applied on"), null=True, blank=True)
    accepted_on = models.DateField(_("accepted on"), null=True, blank=True)
    notice_start = models.DateField(_("notice from"), null=True, blank=True)
    notice_end = models.DateField(_("notice until"), null=True, blank=True)
    contact = models.CharField(_("contact for objections"), max_length=200, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    generated = models.BooleanField(default=False, help_text=_("made up by the demo loader"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["round", "number"]
        constraints = [models.UniqueConstraint(fields=["round", "number"], name="inspections_rect_number")]
        verbose_name = _("rectification task")
        verbose_name_plural = _("rectification tasks")

    def __str__(self) -> str:
        return f"{self.number}. {self.problem[:60]}"

    def get_absolute_url(self) -> str:
        return reverse("inspections:rectification", args=[self.pk])

    def get_public_url(self) -> str:
        return reverse("inspections:public_rectification", args=[self.pk])

    @property
    def notice_is_public(self) -> bool:
        return self.notice_start is not None and self.state in (
            RectificationState.PUBLICISED,
            RectificationState.CLOSED,
        )


class RectificationAction(models.TextChoices):
    CREATED = "created", _("registered")
    PROGRESS = "progress", _("progress reported")
    EVIDENCE = "evidence", _("evidence added")
    APPLIED = "applied", _("acceptance applied for")
    ACCEPTED = "accepted", _("accepted")
    REFUSED = "refused", _("acceptance refused")
    PUBLICISED = "publicised", _("closure notice published")
    CLOSED = "closed", _("closed")
    CONFIRMED = "confirmed", _("look-back: holds")
    REOPENED = "reopened", _("look-back: reopened")


class RectificationEvent(models.Model):
    """The history of a task, shown on its page (the audit trail holds the same, for the office)."""

    task = models.ForeignKey(RectificationTask, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=12, choices=RectificationAction.choices)
    at = models.DateTimeField()
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    by_unit = models.ForeignKey(
        "plans.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    comment = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.task_id} {self.action} {self.at:%Y-%m-%d}"


class RectificationUpdate(models.Model):
    """A month's progress (整改情况(月) | 存在问题 | 下步措施), as ledgers keep it."""

    task = models.ForeignKey(RectificationTask, on_delete=models.CASCADE, related_name="updates")
    month = models.DateField(_("month"))
    progress = models.TextField(_("progress this month"))
    problems = models.TextField(_("problems"), blank=True)
    next_steps = models.TextField(_("next steps"), blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField()

    class Meta:
        ordering = ["task", "month"]
        constraints = [models.UniqueConstraint(fields=["task", "month"], name="inspections_rect_month")]

    def __str__(self) -> str:
        return f"{self.task_id} {self.month:%Y-%m}"


def evidence_path(instance: RectificationEvidence, filename: str) -> str:
    return f"inspections/rectifications/{instance.task_id}/{filename}"


class RectificationEvidence(StoredUpload):
    """Closure evidence (销号台账资料): acceptance opinions, photos, documents."""

    task = models.ForeignKey(RectificationTask, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(upload_to=evidence_path, max_length=300)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["task", "uploaded_at", "pk"]


class LookBackOutcome(models.TextChoices):
    HOLDS = "holds", _("the fix holds")
    REBOUND = "rebound", _("the problem is back")


class LookBack(models.Model):
    """A look-back review (回头看) of a closed task."""

    task = models.ForeignKey(RectificationTask, on_delete=models.CASCADE, related_name="look_backs")
    reviewed_on = models.DateField(_("reviewed on"))
    outcome = models.CharField(_("outcome"), max_length=8, choices=LookBackOutcome.choices)
    note = models.TextField(_("note"), blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["task", "reviewed_on", "pk"]

    def __str__(self) -> str:
        return f"{self.task_id} {self.reviewed_on} {self.outcome}"
