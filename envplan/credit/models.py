"""Credit rating records: rounds under a scheme, each enterprise's rating and its cycle (notice, objection,
publication, credit repair), evidence entered by hand, and the grades in force over time.

The rules themselves are data (envplan.standards.credit); a round keeps a copy of its scheme so that a
rating stays explainable after the scheme file changes. Every write goes through envplan.credit.services.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from envplan.core.models import TimeStampedModel
from envplan.sources.models import Enterprise
from envplan.standards.credit import Scheme, parse_scheme


class CreditRound(TimeStampedModel):
    """One rating exercise: a scheme applied to every enterprise over a period (usually a calendar year)."""

    title = models.CharField(_("title"), max_length=200)
    scheme_id = models.CharField(_("scheme"), max_length=64)
    scheme_edition = models.CharField(_("edition"), max_length=32)
    # The scheme as it was when the round was created: its ratings are explained by these rules.
    scheme_document = models.JSONField()
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    generated = models.BooleanField(default=False, help_text=_("made up by the demo loader"))

    class Meta:
        ordering = ["-period_end", "-pk"]
        verbose_name = _("credit rating round")
        verbose_name_plural = _("credit rating rounds")

    def __str__(self) -> str:
        return self.title

    @property
    def scheme(self) -> Scheme:
        return parse_scheme(self.scheme_document, label=f"round {self.pk} ({self.scheme_id})")

    def get_absolute_url(self) -> str:
        return reverse("credit:round", args=[self.pk])


class RatingState(models.TextChoices):
    DRAFT = "draft", _("draft")
    NOTICED = "noticed", _("notice issued")
    UNDER_REVIEW = "under_review", _("objection under review")
    PUBLISHED = "published", _("published")


class CreditRating(TimeStampedModel):
    """An enterprise's rating in a round, with its explanation (envplan.standards.credit.Rating.as_dict()).

    `evidence` holds the rows it was computed from: once the notice is issued they are frozen, and an
    objection or a credit repair recomputes from them with more `exclusions` (record -> reason).
    """

    round = models.ForeignKey(CreditRound, on_delete=models.CASCADE, related_name="ratings")
    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="credit_ratings")
    state = models.CharField(
        _("state"), max_length=16, choices=RatingState.choices, default=RatingState.DRAFT
    )
    score = models.DecimalField(_("score"), max_digits=6, decimal_places=2)
    grade = models.CharField(_("grade"), max_length=16)
    score_grade = models.CharField(_("grade by score"), max_length=16)
    vetoed = models.BooleanField(_("one-vote veto"), default=False)
    explanation = models.JSONField(default=dict)
    evidence = models.JSONField(default=list)
    exclusions = models.JSONField(default=dict)
    as_of = models.DateField(_("evidence up to"))
    published_on = models.DateField(_("published on"), null=True, blank=True)
    repaired_on = models.DateField(_("repaired on"), null=True, blank=True)

    class Meta:
        ordering = ["round", "enterprise__name"]
        constraints = [
            models.UniqueConstraint(fields=["round", "enterprise"], name="credit_rating_round_enterprise")
        ]
        verbose_name = _("credit rating")
        verbose_name_plural = _("credit ratings")

    def __str__(self) -> str:
        return f"{self.enterprise} · {self.round} · {self.grade}"

    def get_absolute_url(self) -> str:
        return reverse("credit:rating", args=[self.pk])

    @property
    def is_final(self) -> bool:
        return self.state == RatingState.PUBLISHED


def credit_file_path(instance: Attachment, filename: str) -> str:
    # The person's file name is kept in `original_name`; on disk only our own name (its SHA-256) is used.
    return f"credit/{instance._meta.model_name}/{instance.sha256[:2]}/{instance.sha256}"


class Attachment(models.Model):
    """A document backing a record: a penalty decision, the enterprise's objection, a rectification report."""

    file = models.FileField(upload_to=credit_file_path, max_length=300, blank=True)
    original_name = models.CharField(_("file name"), max_length=255, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)

    class Meta:
        abstract = True


class ManualEvidence(Attachment, TimeStampedModel):
    """A fact about an enterprise that envplan does not compute (a penalty decision, a finding, a veto
    item), entered by an officer with its document. It counts in every rating whose period covers `on`."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="credit_evidence")
    code = models.CharField(_("kind"), max_length=40)
    on = models.DateField(_("date"))
    quantity = models.DecimalField(_("quantity"), max_digits=16, decimal_places=4)
    reference = models.CharField(_("document number"), max_length=200)
    description = models.TextField(_("description"))
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    withdrawn_reason = models.TextField(_("why withdrawn"), blank=True)
    generated = models.BooleanField(default=False, help_text=_("made up by the demo loader"))

    class Meta:
        ordering = ["enterprise", "-on", "-pk"]
        verbose_name = _("credit evidence")
        verbose_name_plural = _("credit evidence")

    def __str__(self) -> str:
        return f"{self.enterprise} {self.code} {self.on:%Y-%m-%d} {self.reference}"

    @property
    def record(self) -> str:
        return f"credit.evidence:{self.pk}"


class CreditNotice(TimeStampedModel):
    """The notice of a draft rating to the enterprise (a record and its document, kept as issued). The
    enterprise has no login: it objects through an officer until `objection_deadline`."""

    rating = models.ForeignKey(CreditRating, on_delete=models.CASCADE, related_name="notices")
    number = models.CharField(_("number"), max_length=64, unique=True)
    issued_on = models.DateField(_("issued on"))
    objection_deadline = models.DateField(_("objections until"))
    score = models.DecimalField(_("score"), max_digits=6, decimal_places=2)
    grade = models.CharField(_("grade"), max_length=16)
    language = models.CharField(max_length=16, default="zh-hans")
    document = models.TextField(_("document"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-issued_on", "-pk"]
        verbose_name = _("credit notice")
        verbose_name_plural = _("credit notices")

    def __str__(self) -> str:
        return self.number


class Decision(models.TextChoices):
    PENDING = "pending", _("pending")
    UPHELD = "upheld", _("upheld")
    REJECTED = "rejected", _("rejected")


class Decided(Attachment, TimeStampedModel):
    """What an objection and a repair application share: received on a day with evidence, entered by an
    officer, then decided with reasons; `before`/`after` keep the rating as it was and became."""

    received_on = models.DateField(_("received on"))
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decision = models.CharField(
        _("decision"), max_length=16, choices=Decision.choices, default=Decision.PENDING
    )
    decision_reason = models.TextField(_("reasons"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)

    class Meta:
        abstract = True


class Objection(Decided):
    """The enterprise's objection to a notified rating, entered by an officer with its evidence, and its
    review. Upheld, the contested records stop counting and the rating is recomputed."""

    rating = models.ForeignKey(CreditRating, on_delete=models.CASCADE, related_name="objections")
    statement = models.TextField(_("the enterprise's statement"))
    records = models.JSONField(_("records contested"), default=list)

    class Meta:
        ordering = ["rating", "received_on", "pk"]
        verbose_name = _("objection")
        verbose_name_plural = _("objections")

    def __str__(self) -> str:
        return f"objection {self.pk} to {self.rating}"


class RepairRequest(Decided):
    """An application for credit repair of a published rating, once the scheme's waiting period has passed,
    with the rectification evidence. Accepted, the rectified records stop counting and the grade changes
    from that day."""

    rating = models.ForeignKey(CreditRating, on_delete=models.CASCADE, related_name="repairs")
    statement = models.TextField(_("what was rectified"))
    records = models.JSONField(_("records rectified"), default=list)

    class Meta:
        ordering = ["rating", "received_on", "pk"]
        verbose_name = _("credit repair")
        verbose_name_plural = _("credit repairs")

    def __str__(self) -> str:
        return f"credit repair {self.pk} of {self.rating}"


class GradeInForce(models.Model):
    """From `valid_from`, the enterprise's grade is this one (published, or changed by a credit repair).
    The latest row on or before a date answers `credit_grade(enterprise, on)`."""

    class Reason(models.TextChoices):
        PUBLISHED = "published", _("published")
        REPAIRED = "repaired", _("credit repair")

    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="credit_grades")
    rating = models.ForeignKey(CreditRating, on_delete=models.PROTECT, related_name="grades_in_force")
    grade = models.CharField(_("grade"), max_length=16)
    score = models.DecimalField(_("score"), max_digits=6, decimal_places=2)
    valid_from = models.DateField(_("valid from"))
    reason = models.CharField(_("reason"), max_length=16, choices=Reason.choices)

    class Meta:
        ordering = ["enterprise", "-valid_from", "-pk"]
        indexes = [models.Index(fields=["enterprise", "valid_from"], name="credit_grade_enterprise_from")]
        verbose_name = _("grade in force")
        verbose_name_plural = _("grades in force")

    def __str__(self) -> str:
        return f"{self.enterprise} {self.grade} from {self.valid_from:%Y-%m-%d}"
