"""Screening of suspicious online-monitoring data, as records: how far each data logger was screened,
the findings of the detectors (envplan.screening), grouped into one case per enterprise while it waits
for an inspector's judgement, and each run of the screening (the target of its audit entry).

A finding keeps the package's English sentence and the numbers behind it (`evidence`), from which the
pages write the sentence in the reader's language (envplan.cases.explain)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from envplan.sources.models import Enterprise, Outlet

ZONE = ZoneInfo("Asia/Shanghai")  # HJ 212 DataTime is the logger's local time


class ScreeningState(models.Model):
    """How far the hourly values of a data logger (MN) have been screened: the next run reads from a
    little before `screened_until` (see envplan.cases.screening), never the whole history again."""

    mn = models.CharField(_("MN"), max_length=64, unique=True)
    screened_until = models.DateTimeField(_("screened until"))
    updated = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["mn"]

    def __str__(self) -> str:
        return f"{self.mn} until {self.screened_until:%Y-%m-%d %H:%M}"


class Outcome(models.TextChoices):
    NOT_CHECKED = "not_checked", _("not checked")
    CONFIRMED = "confirmed", _("confirmed")
    FALSE_ALARM = "false_alarm", _("false alarm")


class Case(models.Model):
    """The findings on one enterprise's data, for inspectors: open while its outcome is "not checked";
    once judged (confirmed or false alarm) new findings on the enterprise open a new case."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="screening_cases")
    opened_at = models.DateTimeField(_("opened"))
    outcome = models.CharField(
        _("outcome"), max_length=16, choices=Outcome.choices, default=Outcome.NOT_CHECKED
    )
    outcome_note = models.TextField(_("note"), blank=True)
    judged_at = models.DateTimeField(_("judged"), null=True, blank=True)
    judged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Refreshed by the services whenever findings or outcomes change (envplan.cases.ranking).
    risk = models.FloatField(_("risk"), default=0.0)
    first_start = models.DateTimeField(_("first suspicious value"), null=True, blank=True)
    last_end = models.DateTimeField(_("last suspicious value"), null=True, blank=True)
    generated = models.BooleanField(_("on generated data"), default=False)

    class Meta:
        ordering = ["-risk", "-opened_at", "pk"]
        indexes = [models.Index(fields=["outcome", "-risk"], name="cases_case_outcome_risk")]
        verbose_name = _("case")
        verbose_name_plural = _("cases")

    def __str__(self) -> str:
        return f"#{self.pk} {self.enterprise}"

    def get_absolute_url(self) -> str:
        return reverse("cases:case", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.outcome == Outcome.NOT_CHECKED


class Finding(models.Model):
    """One detector's hit on one channel of a data logger: the span of DataTimes (both included), the
    score in [0, 1], the package's English sentence and its numbers."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="findings")
    outlet = models.ForeignKey(Outlet, on_delete=models.CASCADE, related_name="screening_findings")
    mn = models.CharField(_("MN"), max_length=64)
    kind = models.CharField(_("data kind"), max_length=16, default="hourly")
    factor = models.CharField(_("factor"), max_length=16)
    field = models.CharField(_("field"), max_length=8)
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    detector = models.CharField(_("detector"), max_length=40)
    score = models.FloatField(_("score"))
    points = models.PositiveIntegerField(_("values"))
    explanation = models.TextField(_("explanation (English)"))
    evidence = models.JSONField(_("evidence"), default=dict)
    found_at = models.DateTimeField(_("found"))
    updated_at = models.DateTimeField(_("updated"))
    generated = models.BooleanField(_("on generated data"), default=False)

    class Meta:
        ordering = ["-score", "start", "pk"]
        indexes = [models.Index(fields=["mn", "factor", "field", "detector"], name="cases_finding_channel")]
        verbose_name = _("finding")
        verbose_name_plural = _("findings")

    def __str__(self) -> str:
        start = self.start.astimezone(ZONE)
        return f"{self.mn} {self.factor}-{self.field} {self.detector} {start:%Y-%m-%d %H:%M}"


class ScreeningRun(models.Model):
    """One run of the screening (the target of its audit entry)."""

    started_at = models.DateTimeField(auto_now_add=True)
    summary = models.JSONField(default=dict)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"screening {self.started_at:%Y-%m-%d %H:%M}"
