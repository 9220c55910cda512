"""The public portal's records: the version of what it shows (for its cache), who owns each public table,
and the correction requests anyone may send about a public item, with their answers."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from envplan.core.models import TimeStampedModel


class PublicStamp(models.Model):
    """One row: bumped after every write that changes what the public pages show (envplan.portal.caching).
    Cached pages are keyed by its version, so every server process sees a change at once."""

    version = models.PositiveBigIntegerField(default=0)
    changed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"public data version {self.version}"


class DataOwner(models.Model):
    """The plan unit that answers for a public table's data (the ecology bureau for monitoring data).
    A table whose rows name their own owner (a task's lead unit) needs none; without either, correction
    requests go to the district office."""

    table = models.CharField(_("public table"), max_length=64, unique=True)
    unit = models.ForeignKey("plans.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))

    class Meta:
        ordering = ["table"]
        verbose_name = _("data owner")
        verbose_name_plural = _("data owners")

    def __str__(self) -> str:
        return f"{self.table}: {self.unit}"


class CorrectionKind(models.TextChoices):
    DATA_ERROR = "data_error", _("data error")
    COMPLAINT = "complaint", _("complaint")


class CorrectionStatus(models.TextChoices):
    RECEIVED = "received", _("received")
    IN_PROGRESS = "in_progress", _("in progress")
    CORRECTED = "corrected", _("corrected")
    REJECTED = "rejected", _("rejected")


FINAL_STATUSES = (CorrectionStatus.CORRECTED, CorrectionStatus.REJECTED)


class CorrectionRequest(TimeStampedModel):
    """A report of a data error, or a complaint, about a public item, routed to the unit that owns its data.

    Public: the reference, the item, the kind, the dates, the status and the unit's answer. Never public:
    the description the sender wrote and the contact details they chose to give."""

    reference = models.CharField(_("reference"), max_length=16, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=CorrectionKind.choices)
    section = models.CharField(_("section"), max_length=64)
    table = models.CharField(_("table"), max_length=64)
    item_key = models.CharField(_("item"), max_length=200, blank=True)
    item_label = models.CharField(_("item as shown"), max_length=300, blank=True)
    description = models.TextField(_("description"))
    contact = models.CharField(_("contact"), max_length=200, blank=True)
    unit = models.ForeignKey(
        "plans.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("unit"),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=CorrectionStatus.choices, default=CorrectionStatus.RECEIVED
    )
    received_on = models.DateField(_("received on"))
    due_on = models.DateField(_("answer due by"))
    answer = models.TextField(_("answer"), blank=True)
    answered_on = models.DateField(_("answered on"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    generated = models.BooleanField(default=False, help_text=_("made up by the demo loader"))

    class Meta:
        ordering = ["-received_on", "-pk"]
        indexes = [models.Index(fields=["unit", "status"], name="portal_correction_unit_status")]
        verbose_name = _("correction request")
        verbose_name_plural = _("correction requests")

    def __str__(self) -> str:
        return self.reference

    def get_absolute_url(self) -> str:
        return reverse("portal:correction", args=[self.reference])

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_STATUSES


class CorrectionAttempt(models.Model):
    """One correction form sent from an address (kept as a keyed hash, never the address), for the rate
    limit; rows older than a day are deleted as new ones come."""

    address = models.CharField(max_length=64, db_index=True)
    at = models.DateTimeField(db_index=True)
