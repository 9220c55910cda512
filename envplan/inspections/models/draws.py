"""The "one list, two registers" (一单两库) of random inspections and the draws made from them: supervision
objects and their ratios per year, the inspection item list, the inspector register with recusals, the
inspection tasks, and each task's verifiable draws (method: docs/draw-method.md)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from envplan.core.models import TimeStampedModel


class SupervisionCategory(models.TextChoices):
    KEY = "key", _("key supervision object")
    GENERAL = "general", _("general supervision object")
    SPECIAL = "special", _("special supervision object")


# The terms of the ratio rules as offices print them (Guangzhou task list, records.md §2a).
OFFICIAL_CATEGORY = {"key": "重点监管对象", "general": "一般监管对象", "special": "特殊监管对象"}


class SupervisionObject(TimeStampedModel):
    """An enterprise in the year's register of inspection objects (检查对象名录库), with its category."""

    year = models.PositiveSmallIntegerField(_("year"))
    enterprise = models.ForeignKey(
        "sources.Enterprise",
        on_delete=models.PROTECT,
        related_name="supervision_objects",
        verbose_name=_("enterprise"),
    )
    category = models.CharField(_("category"), max_length=16, choices=SupervisionCategory.choices)
    reason = models.CharField(_("reason"), max_length=300, blank=True)

    class Meta:
        ordering = ["year", "category", "enterprise__name"]
        constraints = [
            models.UniqueConstraint(fields=["year", "enterprise"], name="inspections_object_year_enterprise")
        ]
        verbose_name = _("supervision object")
        verbose_name_plural = _("supervision objects")

    def __str__(self) -> str:
        return f"{self.year} {self.enterprise} ({self.category})"


class Period(models.TextChoices):
    QUARTER = "quarter", _("per quarter")
    YEAR = "year", _("per year")


class RatioRule(models.Model):
    """How much of a category is inspected (抽查比例及频次): a percentage per period, or a number of objects
    per on-duty inspector (e.g. 1:2.5 a year). See envplan.inspections.ratios."""

    year = models.PositiveSmallIntegerField(_("year"))
    category = models.CharField(_("category"), max_length=16, choices=SupervisionCategory.choices)
    per = models.CharField(_("per"), max_length=8, choices=Period.choices, default=Period.QUARTER)
    percent = models.DecimalField(_("percentage"), max_digits=6, decimal_places=2, null=True, blank=True)
    objects_per_inspector = models.DecimalField(
        _("objects per inspector"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    basis = models.CharField(_("basis"), max_length=300, blank=True)

    class Meta:
        ordering = ["year", "category"]
        constraints = [
            models.UniqueConstraint(fields=["year", "category"], name="inspections_ratio_year_category"),
            models.CheckConstraint(
                condition=models.Q(percent__isnull=False, objects_per_inspector__isnull=True)
                | models.Q(percent__isnull=True, objects_per_inspector__isnull=False),
                name="inspections_ratio_one_kind",
                violation_error_message=_(
                    "Give either a percentage or a number of objects per inspector, not both."
                ),
            ),
        ]
        verbose_name = _("ratio rule")
        verbose_name_plural = _("ratio rules")

    def __str__(self) -> str:
        if self.percent is not None:
            return f"{self.category}: {self.percent.normalize():f} % {self.per}"
        assert self.objects_per_inspector is not None
        return f"{self.category}: 1:{self.objects_per_inspector.normalize():f} {self.per}"


class ItemClass(models.TextChoices):
    GENERAL = "general", _("general inspection item")
    KEY = "key", _("key inspection item")


class CheckMode(models.TextChoices):
    ON_SITE = "on_site", _("on-site check")
    DOCUMENTS = "documents", _("documentary check")
    BOTH = "both", _("on-site and documentary check")


class InspectionItem(models.Model):
    """A row of the year's inspection item list (随机抽查事项清单), in the columns offices publish."""

    year = models.PositiveSmallIntegerField(_("year"))
    number = models.PositiveSmallIntegerField(_("number"))
    category = models.CharField(_("inspection category"), max_length=200)
    name = models.CharField(_("inspection item"), max_length=300)
    content = models.TextField(_("what is checked"), blank=True)
    targets = models.CharField(_("inspected objects"), max_length=300, blank=True)
    item_class = models.CharField(
        _("item class"), max_length=8, choices=ItemClass.choices, default=ItemClass.GENERAL
    )
    mode = models.CharField(
        _("check mode"), max_length=10, choices=CheckMode.choices, default=CheckMode.ON_SITE
    )
    ratio_frequency = models.CharField(_("ratio and frequency"), max_length=300, blank=True)
    inspecting_body = models.CharField(_("inspecting body"), max_length=200, blank=True)
    legal_basis = models.TextField(_("legal basis"), blank=True)
    remark = models.CharField(_("remark"), max_length=300, blank=True)

    class Meta:
        ordering = ["year", "number"]
        constraints = [
            models.UniqueConstraint(fields=["year", "number"], name="inspections_item_year_number")
        ]
        verbose_name = _("inspection item")
        verbose_name_plural = _("inspection items")

    def __str__(self) -> str:
        return f"{self.number}. {self.name}"


class Qualification(models.TextChoices):
    ENFORCEMENT = "enforcement", _("administrative enforcement certificate")
    HAZARDOUS_WASTE = "hazardous-waste", _("hazardous waste")
    RADIATION = "radiation", _("radiation safety")
    MONITORING = "monitoring", _("monitoring")


class Inspector(TimeStampedModel):
    """A person in the register of enforcement inspectors (执法检查人员名录库). `code` (the enforcement
    certificate number) is the inspector's id in a draw's roster."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="inspector", verbose_name=_("login")
    )
    code = models.CharField(_("certificate number"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    qualifications = models.JSONField(_("qualifications"), default=list, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("inspector")
        verbose_name_plural = _("inspectors")

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Recusal(models.Model):
    """An inspector who must not inspect an enterprise (回避: a conflict of interest)."""

    inspector = models.ForeignKey(Inspector, on_delete=models.PROTECT, related_name="recusals")
    enterprise = models.ForeignKey("sources.Enterprise", on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("reason"), max_length=300)
    declared_on = models.DateField(_("declared on"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["inspector", "enterprise__name"]
        constraints = [
            models.UniqueConstraint(fields=["inspector", "enterprise"], name="inspections_recusal_unique")
        ]
        verbose_name = _("recusal")
        verbose_name_plural = _("recusals")

    def __str__(self) -> str:
        return f"{self.inspector} ↛ {self.enterprise}"


class TaskKind(models.TextChoices):
    UNTARGETED = "untargeted", _("random (untargeted)")
    TARGETED = "targeted", _("targeted")


class InspectionTask(TimeStampedModel):
    """A random-inspection task (抽查任务) for one period: what is checked, by teams of what size."""

    year = models.PositiveSmallIntegerField(_("year"))
    code = models.CharField(_("task number"), max_length=40, unique=True)
    name = models.CharField(_("task name"), max_length=300)
    kind = models.CharField(_("kind"), max_length=12, choices=TaskKind.choices, default=TaskKind.UNTARGETED)
    items = models.ManyToManyField(InspectionItem, blank=True, related_name="tasks", verbose_name=_("items"))
    frequency = models.CharField(_("frequency"), max_length=8, choices=Period.choices, default=Period.QUARTER)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    team_size = models.PositiveSmallIntegerField(_("inspectors per target"), default=2)
    required_qualifications = models.JSONField(_("required qualifications"), default=list, blank=True)
    max_targets = models.PositiveSmallIntegerField(_("most targets per inspector"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-period_start", "code"]
        verbose_name = _("inspection task")
        verbose_name_plural = _("inspection tasks")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("inspections:task", args=[self.pk])


class DrawState(models.TextChoices):
    PLANNED = "planned", _("planned")
    COMMITTED = "committed", _("committed")
    DRAWN = "drawn", _("drawn (confidential)")
    REVEALED = "revealed", _("seed revealed")
    PUBLISHED = "published", _("published")


class Draw(TimeStampedModel):
    """One verifiable draw of a task: the targets of one stratum and their inspector teams.

    Before the draw the pool and roster are frozen and their hashes published with the seed's hash
    (commit); the draw is then made from them (draw) and stays confidential until the inspections are
    done; the seed is disclosed (reveal) and the draw made public (publish). `result` is the JSON that
    `envplan inspections draw` prints, so that `envplan inspections verify` checks it as it stands.
    """

    task = models.ForeignKey(InspectionTask, on_delete=models.PROTECT, related_name="draws")
    stratum = models.CharField(_("stratum"), max_length=64)
    category = models.CharField(_("category"), max_length=16, choices=SupervisionCategory.choices)
    multiplier = models.DecimalField(_("frequency multiplier"), max_digits=5, decimal_places=2, default=1)
    count = models.PositiveIntegerField(_("targets"))
    quota_basis = models.CharField(_("how many, and why"), max_length=300, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=DrawState.choices, default=DrawState.PLANNED)
    # Frozen at commitment: [{"id", "enterprise", "name", "credit_code", "reasons"}].
    pool = models.JSONField(default=list, blank=True)
    # Frozen at commitment: [{"id", "inspector", "name", "qualifications", "recused_from",
    # "recently_inspected"}].
    roster = models.JSONField(default=list, blank=True)
    pool_sha256 = models.CharField(max_length=64, blank=True)
    roster_sha256 = models.CharField(max_length=64, blank=True)
    seed_sha256 = models.CharField(max_length=64, blank=True)
    # Secret until revealed. Empty while the office keeps the seed itself (it gives it at the draw).
    seed_hex = models.CharField(max_length=128, blank=True)
    seed_from_office = models.BooleanField(default=False)
    result = models.JSONField(null=True, blank=True)
    committed_at = models.DateTimeField(null=True, blank=True)
    drawn_at = models.DateTimeField(null=True, blank=True)
    revealed_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["task", "stratum"]
        constraints = [models.UniqueConstraint(fields=["task", "stratum"], name="inspections_draw_stratum")]
        verbose_name = _("draw")
        verbose_name_plural = _("draws")

    def __str__(self) -> str:
        return f"{self.task.code} · {self.stratum}"

    def get_absolute_url(self) -> str:
        return reverse("inspections:draw", args=[self.pk])

    def get_public_url(self) -> str:
        return reverse("inspections:public_draw", args=[self.pk])

    @property
    def is_public(self) -> bool:
        """The commitment is public from the moment it is made; the rest once published."""
        return self.state != DrawState.PLANNED


class DrawnTarget(models.Model):
    """A target of a made draw, in draw order, with its inspector team (from `Draw.result`)."""

    draw = models.ForeignKey(Draw, on_delete=models.CASCADE, related_name="targets")
    position = models.PositiveSmallIntegerField()
    pool_id = models.CharField(max_length=64)
    enterprise = models.ForeignKey("sources.Enterprise", on_delete=models.PROTECT, related_name="+")
    inspectors = models.ManyToManyField(Inspector, related_name="drawn_targets")

    class Meta:
        ordering = ["draw", "position"]
        constraints = [
            models.UniqueConstraint(fields=["draw", "position"], name="inspections_target_position"),
            models.UniqueConstraint(fields=["draw", "enterprise"], name="inspections_target_enterprise"),
        ]

    def __str__(self) -> str:
        return f"{self.draw} #{self.position} {self.pool_id}"
