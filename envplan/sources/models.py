"""Enterprises, their outlets and data loggers (MN), factor limits, and what the receiver and the
screening left behind (quarantined MNs, refused-frame counters and samples, counts of frames stored with
a known deviation, exceedance events, ingest runs).

The values themselves live in the lake (see envplan.sources.lake)."""

from __future__ import annotations

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class Enterprise(models.Model):
    name = models.CharField(_("name"), max_length=200)
    name_zh = models.CharField(_("name in Chinese"), max_length=200, blank=True)
    # 统一社会信用代码: 18 characters (GB 32100-2015)
    credit_code = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    district = models.CharField(_("district"), max_length=100, blank=True)
    industry = models.CharField(_("industry"), max_length=100, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    illustrative = models.BooleanField(_("illustrative (demo)"), default=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprises")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("sources:enterprise", args=[self.pk])


class OutletKind(models.TextChoices):
    GAS = "gas", _("flue gas")
    WATER = "water", _("waste water")


class Outlet(models.Model):
    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="outlets")
    code = models.CharField(_("code"), max_length=32)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=8, choices=OutletKind.choices, default=OutletKind.GAS)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)

    class Meta:
        ordering = ["enterprise__name", "code"]
        constraints = [models.UniqueConstraint(fields=["enterprise", "code"], name="sources_outlet_code")]
        verbose_name = _("outlet")
        verbose_name_plural = _("outlets")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("sources:outlet", args=[self.pk])


class Edition(models.TextChoices):
    HJT212_2005 = "2005", "HJ/T 212-2005"
    HJ212_2017 = "2017", "HJ 212-2017"
    HJ212_2025 = "2025", "HJ 212-2025"


class Device(models.Model):
    """A data logger (数采仪) known by its MN (HJ 212-2017 §6.3.2)."""

    outlet = models.ForeignKey(Outlet, on_delete=models.CASCADE, related_name="devices")
    mn = models.CharField(_("MN"), max_length=64, unique=True)
    # Empty: any PW accepted (some loggers send none).
    password = models.CharField(_("password"), max_length=64, blank=True)
    edition = models.CharField(
        _("edition"), max_length=4, choices=Edition.choices, default=Edition.HJ212_2017
    )
    # Names of envplan.hj212.crc variants this logger is known to send ("modbus", "modbus-swapped", "arc").
    crc_variants = models.JSONField(_("accepted CRC variants"), default=list, blank=True)
    active = models.BooleanField(_("active"), default=True)
    # Known deviations from HJ 212 (envplan.hj212.tolerance) are stored with a mark unless the device is
    # strict: then such frames are refused, with the deviation as the reason.
    strict = models.BooleanField(
        _("strict"),
        default=False,
        help_text=_(
            "Refuse frames with a known deviation from HJ 212 (length field, lower-case CRC, missing QN, …) "
            "instead of storing them marked with it."
        ),
    )
    # Hourly data (2061) comes at least once an hour (HJ 212-2017 Annex C); loggers often send more often.
    expected_interval = models.PositiveIntegerField(_("expected interval (seconds)"), default=3600)
    last_seen_at = models.DateTimeField(_("last frame"), null=True, blank=True)
    last_frame_kind = models.CharField(_("last frame kind"), max_length=16, blank=True)
    # Silent this long: an alert (envplan.sources.alerts). Empty: ENVPLAN_SILENCE_MINUTES.
    silence_minutes = models.PositiveIntegerField(
        _("alert after silence (minutes)"),
        null=True,
        blank=True,
        help_text=_(
            "An alert is raised when no frame came for this long. Empty: the installation's default."
        ),
    )

    class Meta:
        ordering = ["mn"]
        verbose_name = _("device")
        verbose_name_plural = _("devices")

    def __str__(self) -> str:
        return self.mn


class FactorLimit(models.Model):
    outlet = models.ForeignKey(Outlet, on_delete=models.CASCADE, related_name="limits")
    factor = models.CharField(_("factor (HJ 212-2017 code)"), max_length=16)
    # "ZsAvg" where the standard sets the limit at a reference O2 (折算), "Avg" otherwise.
    field = models.CharField(_("field"), max_length=8, default="Avg")
    limit = models.DecimalField(_("limit"), max_digits=12, decimal_places=4)
    unit_of_measure = models.CharField(_("unit of measure"), max_length=16, default="mg/m³")
    standard = models.CharField(_("standard"), max_length=200, blank=True)
    reference_o2 = models.DecimalField(
        _("reference O2 (%)"), max_digits=4, decimal_places=1, null=True, blank=True
    )

    class Meta:
        ordering = ["outlet", "factor", "field"]
        constraints = [
            models.UniqueConstraint(fields=["outlet", "factor", "field"], name="sources_limit_factor")
        ]
        verbose_name = _("factor limit")
        verbose_name_plural = _("factor limits")

    def __str__(self) -> str:
        return f"{self.factor}-{self.field} ≤ {self.limit} {self.unit_of_measure}"


class QuarantinedDevice(models.Model):
    """An MN that sent frames without being registered (stored with status "quarantine")."""

    mn = models.CharField(_("MN"), max_length=64, unique=True)
    first_seen = models.DateTimeField(_("first seen"))
    last_seen = models.DateTimeField(_("last seen"))
    frames = models.PositiveIntegerField(_("frames"), default=0)
    peer = models.CharField(_("peer"), max_length=100, blank=True)

    class Meta:
        ordering = ["-last_seen"]
        verbose_name = _("quarantined device")
        verbose_name_plural = _("quarantined devices")

    def __str__(self) -> str:
        return self.mn


class DeviceCounter(models.Model):
    """Frames refused by the receiver (crc, length, password, unknown-device, a deviation refused by the
    strict setting, ...) or that the ingest could not read ("unusable"), per MN ("?" when none could be
    read), reason and hour."""

    device = models.ForeignKey(
        Device, on_delete=models.SET_NULL, null=True, blank=True, related_name="counters"
    )
    mn = models.CharField(_("MN"), max_length=64)
    reason = models.CharField(_("reason"), max_length=32)
    hour = models.DateTimeField(_("hour"))  # the start of the hour the frames were counted in
    count = models.PositiveBigIntegerField(_("count"), default=0)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["mn", "reason", "hour"]
        constraints = [
            models.UniqueConstraint(fields=["mn", "reason", "hour"], name="sources_counter_mn_reason_hour")
        ]

    def __str__(self) -> str:
        return f"{self.mn} {self.reason} {self.hour:%Y-%m-%d %H}h: {self.count}"


class RejectedSample(models.Model):
    """A refused frame kept as it came, so that someone can see what a device sends: the first few per MN
    and reason."""

    mn = models.CharField(_("MN"), max_length=64)
    reason = models.CharField(_("reason"), max_length=32)
    received_at = models.DateTimeField(_("received"))
    peer = models.CharField(_("peer"), max_length=100, blank=True)
    message = models.CharField(_("message"), max_length=500, blank=True)
    # the bytes as received, non-printable ones written as escapes (\r, \x00)
    frame = models.TextField(_("frame"))

    class Meta:
        ordering = ["mn", "reason", "received_at", "pk"]
        indexes = [models.Index(fields=["mn", "reason"], name="sources_sample_mn_reason")]

    def __str__(self) -> str:
        return f"{self.mn} {self.reason} {self.received_at:%Y-%m-%d %H:%M:%S}"


class VariantCount(models.Model):
    """Frames stored despite a known deviation from HJ 212 (a name of envplan.hj212.tolerance), per MN."""

    mn = models.CharField(_("MN"), max_length=64)
    variant = models.CharField(_("deviation"), max_length=32)
    frames = models.PositiveBigIntegerField(_("frames"), default=0)
    first_seen = models.DateTimeField(_("first seen"))
    last_seen = models.DateTimeField(_("last seen"))

    class Meta:
        ordering = ["mn", "variant"]
        constraints = [models.UniqueConstraint(fields=["mn", "variant"], name="sources_variant_mn")]

    def __str__(self) -> str:
        return f"{self.mn} {self.variant}: {self.frames}"


class ExceedanceEvent(models.Model):
    """Consecutive hours whose hourly value is above the outlet's limit for a factor."""

    outlet = models.ForeignKey(Outlet, on_delete=models.CASCADE, related_name="exceedances")
    factor = models.CharField(_("factor"), max_length=16)
    field = models.CharField(_("field"), max_length=8)
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    max_value = models.FloatField(_("maximum"))
    limit = models.DecimalField(_("limit"), max_digits=12, decimal_places=4)
    hours = models.PositiveIntegerField(_("hours"))
    generated = models.BooleanField(_("generated"), default=False)

    class Meta:
        ordering = ["-start", "outlet", "factor"]
        verbose_name = _("exceedance")
        verbose_name_plural = _("exceedances")

    def __str__(self) -> str:
        return f"{self.outlet} {self.factor} {self.start:%Y-%m-%d %H:%M} ({self.hours} h)"


class SourcesRun(models.Model):
    """One run of `ingest_landing` or `detect_exceedances` (the target of its audit entry)."""

    class Kind(models.TextChoices):
        INGEST = "ingest", _("landing ingest")
        EXCEEDANCES = "exceedances", _("exceedance screening")

    kind = models.CharField(max_length=16, choices=Kind.choices)
    started_at = models.DateTimeField(auto_now_add=True)
    summary = models.JSONField(default=dict)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.kind} {self.started_at:%Y-%m-%d %H:%M}"


class SourceAlert(models.Model):
    """Something an operator must look at, raised by the `sources-alerts` worker job
    (envplan.sources.alerts): a device that stopped sending, a landing backlog that grows, a job that
    failed. Open until what raised it is over; one open alert per key, so each is told once."""

    class Kind(models.TextChoices):
        SILENT_DEVICE = "silent_device", _("device silent")
        BACKLOG = "backlog", _("ingest backlog")
        JOB_FAILED = "job_failed", _("job failed")

    kind = models.CharField(_("kind of alert"), max_length=16, choices=Kind.choices)
    # What the alert is about: "device:<MN>", "backlog", "job:<name>".
    key = models.CharField(max_length=200)
    device = models.ForeignKey(Device, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # The figures the message is written from, in the reader's language (SourceAlert.text).
    details = models.JSONField(default=dict, blank=True)
    raised_at = models.DateTimeField(_("alert raised at"))
    cleared_at = models.DateTimeField(_("alert cleared at"), null=True, blank=True)
    notified = models.PositiveIntegerField(_("people notified"), default=0)

    class Meta:
        ordering = ["-raised_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["key"],
                condition=models.Q(cleared_at__isnull=True),
                name="source_alert_one_open_per_key",
            )
        ]
        verbose_name = _("monitoring alert")
        verbose_name_plural = _("monitoring alerts")

    def __str__(self) -> str:
        return f"{self.kind} {self.key} ({'cleared' if self.cleared_at else 'open'})"
