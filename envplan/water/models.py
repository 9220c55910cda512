"""Monitoring sections (断面) and the record of sample imports (the samples themselves live in the lake).

A `MonitoringSection` is a river or lake sampling point assessed against a GB 3838 target class; never call
it a `Section`, which is a part of the plan.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from envplan.core.models import FileImport, FileImportStatus
from envplan.standards.water import CLASS_LABELS


class Waterbody(models.TextChoices):
    RIVER = "river", _("river")
    LAKE = "lake", _("lake or reservoir")


class MonitoringSectionLevel(models.TextChoices):
    NATIONAL = "national", _("national")
    PROVINCIAL = "provincial", _("provincial")
    MUNICIPAL = "municipal", _("municipal")
    DISTRICT = "district", _("district")


TARGET_CLASS_CHOICES = [(label, label) for label in CLASS_LABELS if label != "劣V"]


class MonitoringSection(models.Model):
    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_zh = models.CharField(_("name in Chinese"), max_length=200, blank=True)
    river_or_lake = models.CharField(_("river or lake"), max_length=200)
    waterbody = models.CharField(
        _("water-body type"), max_length=8, choices=Waterbody.choices, default=Waterbody.RIVER
    )
    level = models.CharField(
        _("level"),
        max_length=16,
        choices=MonitoringSectionLevel.choices,
        default=MonitoringSectionLevel.NATIONAL,
    )
    target_class = models.CharField(
        _("target class"), max_length=4, choices=TARGET_CLASS_CHOICES, default="III"
    )
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    is_drinking_water_source = models.BooleanField(_("drinking-water source"), default=False)
    active = models.BooleanField(
        _("assessed"), default=True, help_text=_("counted in the district's shares and compliance")
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("monitoring section")
        verbose_name_plural = _("monitoring sections")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("water:monitoring_section", args=[self.code])


ImportStatus = FileImportStatus


class WaterImport(FileImport):
    """One sample file: stored whole, or rejected whole with its per-row errors."""

    rows_new = models.PositiveIntegerField(_("new rows"), default=0, help_text=_("rows not already stored"))

    class Meta(FileImport.Meta):
        verbose_name = _("water sample import")
        verbose_name_plural = _("water sample imports")
