"""The plan as data: Plan > Chapter > Section > Task, the unit registry, who does what, and targets.

Models stay slim: every write goes through `envplan.plans.services`, which also writes the audit entry.

A plan changes by revisions (`PlanRevision`): a new version of its document updates the chapters,
sections, tasks and targets it keeps (same rows, so their reports and values stay attached) and archives
the ones it drops (`archived_in`), never deleting them. The default manager of each of these models leaves
archived rows out, so every list of a plan (here and in the other apps) shows the plan as it stands;
`with_archived` reaches them, e.g. for the page of an archived task and its reports.
"""

from __future__ import annotations

import unicodedata
from typing import Any, TypeVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from envplan.core.models import TimeStampedModel
from envplan.core.numbers import decimals_of, format_quantity


def normalize_unit_name(name: str) -> str:
    """The form under which unit names and aliases are compared: case, accents, spaces, punctuation."""
    decomposed = unicodedata.normalize("NFKD", name)
    without_marks = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    kept = "".join(ch if ch.isalnum() else " " for ch in without_marks.casefold())
    return " ".join(kept.split())


def language_key(code: str | None) -> str:
    """The content language a language code stands for: `zh`, `zh-CN`, `zh_Hans` → `zh-hans`."""
    primary = (code or "en").replace("_", "-").split("-")[0].lower()
    if primary == "zh":
        return "zh-hans"
    return primary or "en"


# The registry keeps a unit's Chinese and French names beside its name (plan content has `translations`).
UNIT_NAME_FIELDS = {"zh-hans": "name_zh", "fr": "name_fr"}


class Plan(TimeStampedModel):
    """A yearly action plan; identified by issuer and document number, else by the content hash."""

    title = models.CharField(_("title"), max_length=300)
    issuer = models.CharField(_("issuer"), max_length=200, blank=True)
    doc_number = models.CharField(_("document number"), max_length=100, blank=True)
    date = models.DateField(_("date"), null=True, blank=True)
    year = models.PositiveSmallIntegerField(_("year"))
    language = models.CharField(_("language"), max_length=10, default="en")
    summary = models.TextField(_("summary"), blank=True)
    content_hash = models.CharField(max_length=64, unique=True)
    translations = models.JSONField(_("translations"), default=dict, blank=True)

    class Meta:
        ordering = ["-year", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["issuer", "doc_number"],
                condition=~Q(doc_number=""),
                name="plan_unique_issuer_doc_number",
            )
        ]
        verbose_name = _("plan")
        verbose_name_plural = _("plans")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("plans:plan", args=[self.pk])


class PlanRevision(models.Model):
    """One accepted version of a plan's document. Revision 1 created the plan; each later one changed it
    in place and archived what it dropped. `summary` is what changed (`envplan.plans.diff.PlanDiff`)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveSmallIntegerField(_("revision"))
    content_hash = models.CharField(max_length=64)
    source_name = models.CharField(_("file name"), max_length=255, blank=True)
    accepted_at = models.DateTimeField(_("accepted at"))
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("accepted by"),
    )
    summary = models.JSONField(_("changes"), default=dict, blank=True)

    class Meta:
        ordering = ["plan", "number"]
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="revision_unique_number")]
        verbose_name = _("plan revision")
        verbose_name_plural = _("plan revisions")

    def __str__(self) -> str:
        return f"{self.plan} · {self.number}"


ModelT = TypeVar("ModelT", bound=models.Model)


class CurrentManager(models.Manager[ModelT]):
    """Leaves out the rows a later revision of their plan archived."""

    def get_queryset(self) -> models.QuerySet[ModelT]:
        return super().get_queryset().filter(archived_in__isnull=True)


def translations_field() -> Any:
    """Translations of the row's content beside its original: {language: {field: text}} (plans.content)."""
    return models.JSONField(_("translations"), default=dict, blank=True)


def archived_in_field() -> Any:
    # RESTRICT, not PROTECT: a revision cannot be deleted on its own while rows name it, yet deleting the
    # whole plan (which takes its revisions and rows together) is not blocked by this link.
    return models.ForeignKey(
        PlanRevision,
        null=True,
        blank=True,
        on_delete=models.RESTRICT,
        related_name="+",
        verbose_name=_("archived in revision"),
    )


CURRENT = Q(archived_in__isnull=True)


class Revisable(models.Model):
    """What every part of a plan shares: its content's translations, and the revision that archived it (the
    current ones have none). The default manager leaves archived rows out; `with_archived` reaches them."""

    translations = translations_field()
    archived_in = archived_in_field()

    objects = CurrentManager()
    with_archived = models.Manager()

    class Meta:
        abstract = True

    @property
    def is_archived(self) -> bool:
        return self.archived_in_id is not None


class PlanPart(Revisable):
    """What a chapter and a section share: a place in their parent, a printed number and a title."""

    position = models.PositiveSmallIntegerField()
    title = models.CharField(_("title"), max_length=300)

    class Meta:
        abstract = True


class PlanItem(Revisable):
    """What a task and a target share: their plan and their place in it."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="%(class)ss")
    position = models.PositiveSmallIntegerField(help_text=_("order in the plan"))

    class Meta:
        abstract = True
        ordering = ["plan", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "position"], condition=CURRENT, name="%(class)s_unique_position"
            )
        ]


class Chapter(PlanPart):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="chapters")
    number = models.CharField(_("number"), max_length=16, help_text=_("as printed, e.g. VI or 四"))

    class Meta:
        ordering = ["plan", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "position"], condition=CURRENT, name="chapter_unique_position"
            )
        ]
        verbose_name = _("chapter")
        verbose_name_plural = _("chapters")

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


class Section(PlanPart):
    chapter = models.ForeignKey(Chapter, on_delete=models.CASCADE, related_name="sections")
    number = models.CharField(_("number"), max_length=16, help_text=_("as printed, without brackets"))

    class Meta:
        ordering = ["chapter", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["chapter", "position"], condition=CURRENT, name="section_unique_position"
            )
        ]
        verbose_name = _("section")
        verbose_name_plural = _("sections")

    def __str__(self) -> str:
        return f"({self.number}) {self.title}"


class Unit(TimeStampedModel):
    """A government body named in plans. One registry across plans, so aliases learned once serve again.

    A group unit stands for a collective mention ("all sub-districts and towns"); its members are units.
    """

    code = models.SlugField(_("code"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_fr = models.CharField(_("name in French"), max_length=300, blank=True)
    name_zh = models.CharField(_("name in Chinese"), max_length=200, blank=True)
    is_group = models.BooleanField(_("group"), default=False)
    members = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="groups", verbose_name=_("members")
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.name_in(get_language()) or self.name

    def name_in(self, language: str | None) -> str:
        """The registry's name of the unit in `language` (its Chinese or French name), "" if none."""
        field = UNIT_NAME_FIELDS.get(language_key(language))
        return str(getattr(self, field)) if field else ""

    def get_absolute_url(self) -> str:
        return reverse("plans:unit", args=[self.code])


class UnitAlias(models.Model):
    """A spelling under which a unit has been seen; `normalized` is unique so a spelling means one unit."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="aliases")
    text = models.CharField(_("as written"), max_length=400)
    normalized = models.CharField(max_length=400, unique=True)
    confirmed = models.BooleanField(_("confirmed by a person"), default=False)

    class Meta:
        ordering = ["unit", "text"]
        verbose_name = _("unit alias")
        verbose_name_plural = _("unit aliases")

    def __str__(self) -> str:
        return self.text


class Task(PlanItem):
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="tasks")
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=300)
    summary = models.TextField(_("summary"))
    units = models.ManyToManyField(Unit, through="Assignment", related_name="tasks")

    class Meta(PlanItem.Meta):
        verbose_name = _("task")
        verbose_name_plural = _("tasks")

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"

    def get_absolute_url(self) -> str:
        # An archived task's number may belong to a current task now: its page goes by primary key.
        if self.is_archived:
            return reverse("plans:archived_task", args=[self.plan_id, self.pk])
        return reverse("plans:task", args=[self.plan_id, self.number])


class Role(models.TextChoices):
    LEAD = "lead", _("lead unit")
    RESPONSIBLE = "responsible", _("responsible unit")
    IMPLEMENTING = "implementing", _("implementing unit")


class CurrentAssignmentManager(models.Manager["Assignment"]):
    """Leaves out the assignments of archived tasks: nobody is asked to report on a removed task."""

    def get_queryset(self) -> models.QuerySet[Assignment]:
        return super().get_queryset().filter(task__archived_in__isnull=True)


class Assignment(models.Model):
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="assignments")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="assignments")
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    as_written = models.CharField(_("as written"), max_length=400, blank=True)

    objects = CurrentAssignmentManager()
    with_archived = models.Manager()

    class Meta:
        ordering = ["task", "role", "unit__name"]
        constraints = [
            models.UniqueConstraint(fields=["task", "unit", "role"], name="assignment_unique_task_unit_role")
        ]
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")

    def __str__(self) -> str:
        return f"{self.task} / {self.unit} ({self.role})"


class Comparator(models.TextChoices):
    AT_LEAST = ">=", "≥"
    MORE_THAN = ">", ">"
    EQUAL = "=", "="
    AT_MOST = "<=", "≤"
    LESS_THAN = "<", "<"


class Target(PlanItem):
    """A number to reach by a deadline. A target without a task is one of the plan's goals."""

    task = models.ForeignKey(Task, null=True, blank=True, on_delete=models.CASCADE, related_name="targets")
    indicator = models.CharField(_("indicator"), max_length=300)
    comparator = models.CharField(_("comparator"), max_length=2, choices=Comparator.choices)
    value = models.DecimalField(_("value"), max_digits=16, decimal_places=6)
    unit_of_measure = models.CharField(_("unit of measure"), max_length=40, blank=True)
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    as_written = models.TextField(_("as written"), blank=True)

    class Meta(PlanItem.Meta):
        verbose_name = _("target")
        verbose_name_plural = _("targets")

    def __str__(self) -> str:
        return f"{self.indicator} {self.get_comparator_display()} {self.value_display}"

    @property
    def value_display(self) -> str:
        """The value and its unit in the reader's locale (0,71 in French), as written (no added decimals)."""
        if self.unit_of_measure == "milestone":
            return str(_("done"))
        return format_quantity(self.value, self.unit_of_measure, decimals_of(self.value))
