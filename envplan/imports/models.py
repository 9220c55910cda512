"""A plan document on its way in: the parser's draft, reviewed by a person, then accepted or discarded.

Models stay slim: every write goes through `envplan.imports.services`, which also writes the audit entry.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from envplan.core.models import TimeStampedModel


class ImportStatus(models.TextChoices):
    PENDING = "pending", _("pending review")
    ACCEPTED = "accepted", _("accepted")
    DISCARDED = "discarded", _("discarded")


class PlanImport(TimeStampedModel):
    """One uploaded document. `draft` is the parser's JSON plus the review state of each unit ("link")."""

    source_name = models.CharField(_("file name"), max_length=255)
    source_sha256 = models.CharField(_("SHA-256 of the file"), max_length=64, db_index=True)
    draft = models.JSONField(_("draft"))
    status = models.CharField(
        _("status"), max_length=16, choices=ImportStatus.choices, default=ImportStatus.PENDING
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    plan = models.ForeignKey(
        "plans.Plan",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="imports",
        verbose_name=_("accepted plan"),
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # The same bytes are one import until it is discarded: uploading them again finds it.
            models.UniqueConstraint(
                fields=["source_sha256"],
                condition=~Q(status="discarded"),
                name="planimport_unique_live_sha256",
            )
        ]
        verbose_name = _("plan import")
        verbose_name_plural = _("plan imports")

    def __str__(self) -> str:
        return f"{self.source_name} ({self.status})"

    def get_absolute_url(self) -> str:
        return reverse("imports:review", args=[self.pk])

    @property
    def is_pending(self) -> bool:
        return bool(self.status == ImportStatus.PENDING)

    @property
    def title(self) -> str:
        return str(self.draft.get("meta", {}).get("title") or self.source_name)
