"""Heavy-pollution alerts and their notices, the emergency reduction list, performance grades, and the
alerts of neighbouring regions read from their CAP feeds.

An alert is issued, raised, lowered, updated and lifted; each of these is an `AlertChange` (one notice,
one CAP message). The `Alert` row carries the state now. Rules (warning levels, grades) are pure
functions in envplan.standards.emergency; these models are records.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from envplan.sources.models import Enterprise, Outlet


class Level(models.TextChoices):
    YELLOW = "yellow", _("yellow")
    ORANGE = "orange", _("orange")
    RED = "red", _("red")


LEVEL_RANK = {"": 0, "none": 0, Level.YELLOW: 1, Level.ORANGE: 2, Level.RED: 3}
# 环办大气函〔2018〕875号: yellow / orange / red alerts start response levels Ⅲ / Ⅱ / Ⅰ.
RESPONSE_LEVEL = {Level.YELLOW: "Ⅲ", Level.ORANGE: "Ⅱ", Level.RED: "Ⅰ"}
LEVEL_ZH = {Level.YELLOW: "黄色", Level.ORANGE: "橙色", Level.RED: "红色"}


class Alert(models.Model):
    class State(models.TextChoices):
        ACTIVE = "active", _("in force")
        LIFTED = "lifted", _("lifted")

    region = models.CharField(_("region"), max_length=100)
    # GB/T 2260 administrative code (Kundulun District: 150203), given to neighbours as a CAP geocode.
    region_code = models.CharField(_("region code"), max_length=12, blank=True)
    issuer = models.CharField(_("issuer"), max_length=200)
    # CAP <sender>: who neighbours' systems see as the originator; no spaces, commas or < &.
    sender = models.CharField(_("CAP sender"), max_length=120)
    level = models.CharField(_("level"), max_length=8, choices=Level.choices)
    state = models.CharField(_("state"), max_length=8, choices=State.choices, default=State.ACTIVE)
    rules = models.CharField(_("rules"), max_length=40)
    issued_at = models.DateTimeField(_("issued at"))
    response_start = models.DateTimeField(_("response starts"))
    planned_end = models.DateTimeField(_("planned end"), null=True, blank=True)
    lifted_at = models.DateTimeField(_("lifted at"), null=True, blank=True)
    generated = models.BooleanField(_("generated"), default=False)

    class Meta:
        ordering = ["-issued_at", "-pk"]
        verbose_name = _("heavy-pollution alert")
        verbose_name_plural = _("heavy-pollution alerts")

    def __str__(self) -> str:
        return f"{self.region} {self.level} {self.issued_at:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("emergency:alert", args=[self.pk])

    @property
    def response_level(self) -> str:
        return RESPONSE_LEVEL.get(Level(self.level), "") if self.level else ""


class AlertChange(models.Model):
    """One notice: the alert issued, raised, lowered, updated or lifted. Published as one CAP message."""

    class Action(models.TextChoices):
        ISSUE = "issue", _("issued")
        RAISE = "raise", _("raised")
        LOWER = "lower", _("lowered")
        UPDATE = "update", _("updated")
        LIFT = "lift", _("lifted")

    alert = models.ForeignKey(Alert, on_delete=models.PROTECT, related_name="changes")
    sequence = models.PositiveIntegerField(_("number"))
    action = models.CharField(_("action"), max_length=8, choices=Action.choices)
    # The level from this notice on; for a lift, the level that was lifted.
    level = models.CharField(_("level"), max_length=8, choices=Level.choices)
    previous_level = models.CharField(_("previous level"), max_length=8, blank=True)
    sent_at = models.DateTimeField(_("notice time"))
    effective_at = models.DateTimeField(_("takes effect"))
    planned_end = models.DateTimeField(_("planned end"), null=True, blank=True)
    forecast_start = models.DateField(_("forecast from"), null=True, blank=True)
    forecast = models.JSONField(_("forecast daily AQI"), default=list, blank=True)
    rules = models.CharField(_("rules"), max_length=40, blank=True)
    proposed_level = models.CharField(_("proposed level"), max_length=8, blank=True)
    proposal = models.TextField(_("why this level is proposed"), blank=True)
    override_reason = models.TextField(_("reason for departing from the proposal"), blank=True)
    # The notice's fields, in the order real notices give them (records.md 1c).
    basis = models.TextField(_("basis"), blank=True)
    episode = models.CharField(_("episode period"), max_length=200, blank=True)
    conditions = models.TextField(_("adverse weather conditions"), blank=True)
    trend = models.TextField(_("expected trend"), blank=True)
    measures = models.TextField(_("response measures"), blank=True)
    notice_text = models.TextField(_("notice text"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["alert", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["alert", "sequence"], name="emergency_change_sequence")
        ]
        verbose_name = _("alert notice")
        verbose_name_plural = _("alert notices")

    def __str__(self) -> str:
        return f"{self.alert} #{self.sequence} {self.action}"

    def cap_identifier(self) -> str:
        code = self.alert.region_code or "region"
        return f"envplan.{code}.{self.alert.issued_at:%Y%m%d}.{self.alert_id}.{self.sequence}"


# --- performance grades ------------------------------------------------------------------------------


class PerformanceGrade(models.Model):
    """An enterprise's grade in one industry under a scheme, from a date; a downgrade is a new row that
    ends the one it replaces."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="performance_grades")
    industry = models.CharField(_("industry"), max_length=100)
    scheme = models.CharField(_("scheme"), max_length=8)
    grade = models.CharField(_("grade"), max_length=8)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    downgrade_of = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="downgraded_by"
    )
    reason = models.TextField(_("reason"), blank=True)
    document = models.CharField(_("document"), max_length=200, blank=True)

    class Meta:
        ordering = ["enterprise", "industry", "-valid_from"]
        verbose_name = _("performance grade")
        verbose_name_plural = _("performance grades")

    def __str__(self) -> str:
        return f"{self.enterprise} {self.industry}: {self.grade} ({self.scheme})"


# --- the emergency reduction list ----------------------------------------------------------------------


class ReductionList(models.Model):
    """One yearly revision of the district's list (revised before the autumn-winter season)."""

    class State(models.TextChoices):
        DRAFT = "draft", _("draft")
        ADOPTED = "adopted", _("adopted")

    title = models.CharField(_("title"), max_length=200)
    year = models.PositiveIntegerField(_("year of revision"))
    state = models.CharField(_("state"), max_length=8, choices=State.choices, default=State.DRAFT)
    revised_on = models.DateField(_("revised on"), null=True, blank=True)
    revision_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="revisions"
    )
    note = models.TextField(_("note"), blank=True)
    generated = models.BooleanField(_("generated"), default=False)

    class Meta:
        ordering = ["-year", "-pk"]
        verbose_name = _("emergency reduction list")
        verbose_name_plural = _("emergency reduction lists")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("emergency:list", args=[self.pk])


class ControlType(models.TextChoices):
    GRADED = "graded", _("graded control")
    GENERAL = "general", _("general measures (not a key industry)")
    LIVELIHOOD = "livelihood", _("livelihood guarantee")
    EXEMPT = "exempt", _("exempt")
    STOPPED = "stopped", _("stopped for a long time")


CONTROL_TYPE_ZH = {
    ControlType.GRADED: "绩效分级管控",
    ControlType.GENERAL: "一般管控",
    ControlType.LIVELIHOOD: "民生保障",
    ControlType.EXEMPT: "豁免",
    ControlType.STOPPED: "长期停产",
}


class ListEntry(models.Model):
    """An enterprise on a list: its baseline (减排基数) and, per level, its measures and cut."""

    reduction_list = models.ForeignKey(ReductionList, on_delete=models.CASCADE, related_name="entries")
    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="reduction_entries")
    row_number = models.PositiveIntegerField(_("row"))
    industry = models.CharField(_("industry"), max_length=100, blank=True)
    control_type = models.CharField(
        _("control type"), max_length=12, choices=ControlType.choices, default=ControlType.GRADED
    )
    gas_related = models.BooleanField(_("emits to air"), default=True)
    # Annual emissions (t/a), consistent with the discharge permit: the baseline cuts are measured from.
    baseline_so2 = models.DecimalField(_("SO2 (t/a)"), max_digits=12, decimal_places=3, null=True, blank=True)
    baseline_nox = models.DecimalField(_("NOx (t/a)"), max_digits=12, decimal_places=3, null=True, blank=True)
    baseline_pm = models.DecimalField(
        _("particulate matter (t/a)"), max_digits=12, decimal_places=3, null=True, blank=True
    )
    baseline_vocs = models.DecimalField(
        _("VOCs (t/a)"), max_digits=12, decimal_places=3, null=True, blank=True
    )
    annual_hours = models.PositiveIntegerField(_("operating hours a year"), default=8760)
    red_measures = models.TextField(_("red alert measures"), blank=True)
    orange_measures = models.TextField(_("orange alert measures"), blank=True)
    yellow_measures = models.TextField(_("yellow alert measures"), blank=True)
    # The cut (% of baseline) the measures amount to; empty: the share the grade asks (grades.required_cut).
    red_cut = models.DecimalField(_("red cut (%)"), max_digits=5, decimal_places=2, null=True, blank=True)
    orange_cut = models.DecimalField(
        _("orange cut (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    yellow_cut = models.DecimalField(
        _("yellow cut (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )

    class Meta:
        ordering = ["reduction_list", "row_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["reduction_list", "enterprise"], name="emergency_entry_enterprise"
            )
        ]
        verbose_name = _("list entry")
        verbose_name_plural = _("list entries")

    def __str__(self) -> str:
        return f"{self.reduction_list}: {self.enterprise}"

    def measures(self, level: str) -> str:
        return str(getattr(self, f"{level}_measures", ""))

    def listed_cut(self, level: str) -> object:
        return getattr(self, f"{level}_cut", None)


class ProductionLine(models.Model):
    """A production line or process of a listed enterprise, its outlets, and the level that stops it."""

    entry = models.ForeignKey(ListEntry, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField(_("position"), default=0)
    name = models.CharField(_("line or process"), max_length=200)
    description = models.CharField(_("description"), max_length=300, blank=True)
    outlets = models.ManyToManyField(Outlet, blank=True, related_name="production_lines")
    # Stopped from this level up (measures grow with the level); empty: never stopped.
    stop_from = models.CharField(_("stopped from level"), max_length=8, choices=Level.choices, blank=True)

    class Meta:
        ordering = ["entry", "position", "pk"]
        verbose_name = _("production line")
        verbose_name_plural = _("production lines")

    def __str__(self) -> str:
        return self.name


# --- neighbours' alerts (regional joint response) ------------------------------------------------------


class CapSource(models.Model):
    """A neighbour's CAP feed, fetched by the worker."""

    name = models.CharField(_("name"), max_length=200)
    url = models.URLField(_("feed address"), max_length=500, unique=True)
    active = models.BooleanField(_("fetched"), default=True)
    last_fetched_at = models.DateTimeField(_("last fetched"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("neighbour feed")
        verbose_name_plural = _("neighbour feeds")

    def __str__(self) -> str:
        return self.name


class NeighbourAlert(models.Model):
    """One CAP message of a neighbour. Messages of one alert share a thread (the first message's key)."""

    source = models.ForeignKey(
        CapSource, null=True, blank=True, on_delete=models.SET_NULL, related_name="alerts"
    )
    sender = models.CharField(_("sender"), max_length=200)
    identifier = models.CharField(_("identifier"), max_length=200)
    sent = models.DateTimeField(_("sent"))
    status = models.CharField(_("status"), max_length=16)
    msg_type = models.CharField(_("message type"), max_length=16)
    references = models.TextField(_("references"), blank=True)
    thread = models.CharField(_("thread"), max_length=420, db_index=True)
    event = models.CharField(_("event"), max_length=300, blank=True)
    headline = models.CharField(_("headline"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)
    area = models.CharField(_("area"), max_length=300, blank=True)
    level = models.CharField(_("level"), max_length=8, blank=True)
    severity = models.CharField(_("severity"), max_length=16, blank=True)
    urgency = models.CharField(_("urgency"), max_length=16, blank=True)
    certainty = models.CharField(_("certainty"), max_length=16, blank=True)
    effective = models.DateTimeField(_("effective"), null=True, blank=True)
    expires = models.DateTimeField(_("expires"), null=True, blank=True)
    imported_at = models.DateTimeField(_("imported"), auto_now_add=True)

    class Meta:
        ordering = ["-sent", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["sender", "identifier"], name="emergency_neighbour_message")
        ]
        verbose_name = _("neighbour alert")
        verbose_name_plural = _("neighbour alerts")

    def __str__(self) -> str:
        return f"{self.sender} {self.identifier}"
