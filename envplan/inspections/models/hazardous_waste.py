"""Hazardous-waste management assessments: a round per year and one assessment per unit and role.
The checklists and the scoring are envplan.inspections.hazardous_waste (pure)."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from envplan.core.models import TimeStampedModel
from envplan.inspections.hazardous_waste import BASIC_AT, PASS_AT, SCHEME
from envplan.inspections.models.draws import Inspector


class WasteRole(models.TextChoices):
    PRODUCER = "producer", _("waste producer")
    OPERATOR = "operator", _("licensed operator")


class Outcome(models.TextChoices):
    PASS = "pass", _("pass")
    BASIC = "basic", _("basic pass")
    FAIL = "fail", _("fail")


class HazardousWasteRound(TimeStampedModel):
    """A year's assessment round. The cut-offs are settings of the round: the scheme's exact figures were
    not found (see envplan.inspections.hazardous_waste)."""

    year = models.PositiveSmallIntegerField(_("year"))
    name = models.CharField(_("name"), max_length=200)
    scheme = models.CharField(_("scheme"), max_length=100, default=SCHEME)
    pass_at = models.DecimalField(
        _("pass at (% of the applicable points)"), max_digits=5, decimal_places=1, default=PASS_AT
    )
    basic_at = models.DecimalField(
        _("basic pass at (% of the applicable points)"), max_digits=5, decimal_places=1, default=BASIC_AT
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["-year", "name"]
        verbose_name = _("hazardous-waste assessment round")
        verbose_name_plural = _("hazardous-waste assessment rounds")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("inspections:waste_round", args=[self.pk])


class HazardousWasteAssessment(TimeStampedModel):
    round = models.ForeignKey(HazardousWasteRound, on_delete=models.PROTECT, related_name="assessments")
    enterprise = models.ForeignKey("sources.Enterprise", on_delete=models.PROTECT, related_name="+")
    role = models.CharField(_("role"), max_length=10, choices=WasteRole.choices)
    assessed_on = models.DateField(_("assessed on"))
    assessors = models.ManyToManyField(Inspector, blank=True, related_name="+", verbose_name=_("assessors"))
    # item code -> 0, 1, 2, or null when the item does not apply
    scores = models.JSONField(default=dict)
    veto_items = models.JSONField(default=list, blank=True)
    points = models.PositiveSmallIntegerField(default=0)
    maximum = models.PositiveSmallIntegerField(default=0)
    percent = models.DecimalField(_("score (%)"), max_digits=5, decimal_places=1, default=Decimal(0))
    outcome = models.CharField(_("outcome"), max_length=8, choices=Outcome.choices)
    note = models.TextField(_("note"), blank=True)
    generated = models.BooleanField(default=False, help_text=_("made up by the demo loader"))

    class Meta:
        ordering = ["round", "assessed_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "enterprise", "role"], name="inspections_waste_unit_role"
            )
        ]
        verbose_name = _("hazardous-waste assessment")
        verbose_name_plural = _("hazardous-waste assessments")

    def __str__(self) -> str:
        return f"{self.round} · {self.enterprise} ({self.role})"
