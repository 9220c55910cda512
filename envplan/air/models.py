"""Monitoring stations and the record of hourly imports (the hourly values themselves live in the lake)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from envplan.core.models import FileImport, FileImportStatus


class StationKind(models.TextChoices):
    NATIONAL = "national", _("national")
    PROVINCIAL = "provincial", _("provincial")
    MUNICIPAL = "municipal", _("municipal")
    MICRO = "micro", _("micro-station")


class Station(models.Model):
    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_zh = models.CharField(_("name in Chinese"), max_length=200, blank=True)
    city = models.CharField(_("city"), max_length=100)
    district = models.CharField(_("district"), max_length=100, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    kind = models.CharField(
        _("kind"), max_length=16, choices=StationKind.choices, default=StationKind.NATIONAL
    )

    class Meta:
        ordering = ["city", "code"]
        verbose_name = _("station")
        verbose_name_plural = _("stations")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("air:station", args=[self.code])


ImportStatus = FileImportStatus


class AirImport(FileImport):
    format = models.CharField(_("format"), max_length=16, default="csv")
    strict = models.BooleanField(_("strict"), default=False)
    days = models.JSONField(default=list, blank=True, help_text=_("days whose hours were stored"))
    evaluated = models.BooleanField(default=False)

    class Meta(FileImport.Meta):
        verbose_name = _("air data import")
        verbose_name_plural = _("air data imports")
