"""Monitoring stations and the record of hourly imports (the hourly values themselves live in the lake)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from envplan.problems import ProblemList


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


class ImportStatus(models.TextChoices):
    STORED = "stored", _("stored")
    PARTIAL = "partial", _("stored with errors")
    REJECTED = "rejected", _("rejected")


class AirImport(models.Model):
    file_name = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(max_length=64)
    format = models.CharField(_("format"), max_length=16, default="csv")
    strict = models.BooleanField(_("strict"), default=False)
    rows = models.PositiveIntegerField(_("rows stored"), default=0)
    rows_read = models.PositiveIntegerField(_("rows read"), default=0)
    # The first problems found (envplan.problems.DEFAULT_LIMIT of them) and how many there were in all.
    errors = models.JSONField(_("errors"), default=list, blank=True)
    error_count = models.PositiveIntegerField(_("errors"), default=0)
    days = models.JSONField(default=list, blank=True, help_text=_("days whose hours were stored"))
    evaluated = models.BooleanField(default=False)
    status = models.CharField(_("status"), max_length=16, choices=ImportStatus.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("air data import")
        verbose_name_plural = _("air data imports")

    def __str__(self) -> str:
        return f"{self.file_name} ({self.status}, {self.rows})"

    @property
    def problems(self) -> ProblemList[dict[str, Any]]:
        """The stored errors and the count of all errors found."""
        return ProblemList.restore(self.errors, self.error_count)
