"""Who belongs to which unit, and as what. The district supervisor role is the `supervisors` group."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

SUPERVISORS_GROUP = "supervisors"


class MemberRole(models.TextChoices):
    ADMIN = "admin", _("unit administrator")
    REPORTER = "reporter", _("reporter")
    VIEWER = "viewer", _("viewer")


class Membership(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    unit = models.ForeignKey("plans.Unit", on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=16, choices=MemberRole.choices, default=MemberRole.REPORTER)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "unit"], name="membership_unique_user_unit")]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self) -> str:
        return f"{self.user} @ {self.unit} ({self.role})"


# The ecology and environment bureau's officers (air, water, sources, inspections in later issues).
BUREAU_OFFICERS_GROUP = "bureau_officers"
