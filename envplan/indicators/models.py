"""Where a target's value comes from, and its values over time."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from envplan.plans.models import Target


class Source(models.TextChoices):
    REPORTED = "reported", _("reported by the unit")
    COMPUTED = "computed", _("computed from data")
    MILESTONE = "milestone", _("milestone (done or not)")


class Indicator(models.Model):
    """Every target has one. A computed indicator names a function registered in `indicators.registry`."""

    target = models.OneToOneField(Target, on_delete=models.CASCADE, related_name="indicator_link")
    source = models.CharField(_("source"), max_length=16, choices=Source.choices, default=Source.REPORTED)
    computation = models.CharField(_("computation"), max_length=100, blank=True)
    parameters = models.JSONField(_("parameters"), default=dict, blank=True)
    # Labels the figure's owner where it is not the plan itself, e.g. "set by the city" for air targets.
    provenance = models.CharField(_("provenance"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")

    def __str__(self) -> str:
        return f"{self.target} ({self.source})"


class IndicatorValue(models.Model):
    """A dated value of an indicator: approved report values, computed results, or milestone flags."""

    # PROTECT: values are history. The indicator itself is configuration and goes with its target, but a
    # target (and so a plan) with values cannot be deleted.
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="values")
    date = models.DateField(_("date"))
    value = models.DecimalField(_("value"), max_digits=16, decimal_places=6)
    note = models.CharField(_("note"), max_length=300, blank=True)
    # What produced it: "report:<id>", "computed:<name>", "demo".
    origin = models.CharField(max_length=100, blank=True)
    generated = models.BooleanField(default=False, help_text=_("made up by the demo loader"))

    class Meta:
        ordering = ["indicator", "date"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "date"], name="indicator_value_unique_date")
        ]
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.date}: {self.value}"
