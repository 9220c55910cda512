"""Inspection records written on site: findings per item, photos, measurements, the result in the
official vocabulary, penalties and follow-ups, and a link to a screening case.

The vocabularies and their codes are those of a real double-random result form
(../shared/reference/data/records/random_check_result_vocab.csv: the Zhejiang market-regulation system
used for joint checks). Its sub-reasons under "A" name market-regulation rules and are left out: an
environment bureau describes the problem in the findings.
"""

from __future__ import annotations

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from envplan.core.models import TimeStampedModel
from envplan.inspections.models.draws import DrawnTarget, InspectionItem, InspectionTask, Inspector
from envplan.inspections.models.files import StoredUpload


class CheckMethod(models.TextChoices):  # 核查方式
    ON_SITE = "1", _("on-site check")
    DOCUMENTS = "2", _("documentary check")
    AUTHORITY = "3", _("another authority's findings or an expert opinion")
    TESTING = "4", _("inspection and testing")
    ONLINE = "5", _("online monitoring")
    COMMISSIONED = "6", _("assisted by a commissioned body")


class CheckResult(models.TextChoices):  # 检查结果
    NO_PROBLEM = "1", _("no problem found")
    FOLLOW_UP = "A", _("problem found, to be followed up")
    CORRECTED = "E", _("problem found and corrected when ordered")
    NO_ACTIVITY = "F", _("none of the inspected activity found")
    CLOSED = "7", _("closed, suspended or in liquidation")
    OBSTRUCTED = "8", _("refused to cooperate, seriously")
    DEREGISTERED = "9", _("deregistered")
    LICENCE_REVOKED = "10", _("licence revoked")
    REGISTRATION_CANCELLED = "11", _("registration cancelled")
    MOVED_AWAY = "12", _("moved away")


OFFICIAL_RESULT = {
    "1": "未发现问题",
    "A": "发现问题待后续处理",
    "E": "发现问题经责令已改正",
    "F": "未发现开展本次抽查涉及的经营活动",
    "7": "已关闭停业或正在组织清算",
    "8": "不配合检查情节严重",
    "9": "注销",
    "10": "被吊销",
    "11": "被撤销",
    "12": "迁出",
}
OFFICIAL_METHOD = {
    "1": "实地检查",
    "2": "书面检查",
    "3": "行政部门检查结果或专业意见",
    "4": "检验检测",
    "5": "网络监测",
    "6": "委托专业机构辅助",
}


class FollowUp(models.TextChoices):  # 后续处置措施: the five standard phrases (and "other", in free text)
    NONE_NEEDED = "none", _("no follow-up: no problem found, or already put right")
    REFERRED = "referred", _("check stopped; referred to the daily supervising department")
    ORDERED = "ordered", _("ordered to put it right; the daily supervising department follows up")
    CASE = "case", _("case clues found; evidence secured and handed to the case office")
    NOTIFIED = "notified", _("breach of another department's rules; that department informed")


class RecordState(models.TextChoices):
    DRAFT = "draft", _("draft")
    COMPLETED = "completed", _("completed")
    PUBLISHED = "published", _("published")


class InspectionRecord(TimeStampedModel):
    task = models.ForeignKey(InspectionTask, on_delete=models.PROTECT, related_name="records")
    drawn_target = models.OneToOneField(
        DrawnTarget, null=True, blank=True, on_delete=models.PROTECT, related_name="record"
    )
    enterprise = models.ForeignKey(
        "sources.Enterprise", on_delete=models.PROTECT, related_name="inspection_records"
    )
    inspectors = models.ManyToManyField(Inspector, related_name="records", verbose_name=_("inspectors"))
    inspected_on = models.DateField(_("inspected on"), null=True, blank=True)
    methods = models.JSONField(_("check methods"), default=list, blank=True)
    result = models.CharField(_("result"), max_length=2, choices=CheckResult.choices, blank=True)
    follow_ups = models.JSONField(_("follow-up"), default=list, blank=True)
    follow_up_other = models.CharField(_("other follow-up"), max_length=300, blank=True)
    follow_up_done = models.BooleanField(_("follow-up finished"), default=False)
    follow_up_done_on = models.DateField(_("follow-up finished on"), null=True, blank=True)
    penalty_amount = models.DecimalField(
        _("fine (yuan)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    penalty_decision = models.CharField(_("penalty decision number"), max_length=100, blank=True)
    summary = models.TextField(_("notes"), blank=True)
    # A screening case (or any other record that led here), by reference: the screening app comes later
    # and sits on a floor below, so this app names it without importing it.
    case_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    case_id = models.CharField(max_length=64, blank=True)
    case = GenericForeignKey("case_type", "case_id")
    state = models.CharField(
        _("state"), max_length=10, choices=RecordState.choices, default=RecordState.DRAFT
    )
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    generated = models.BooleanField(default=False, help_text=_("made up by the demo loader"))

    class Meta:
        ordering = ["-inspected_on", "-pk"]
        indexes = [models.Index(fields=["case_type", "case_id"], name="inspections_record_case")]
        verbose_name = _("inspection record")
        verbose_name_plural = _("inspection records")

    def __str__(self) -> str:
        return f"{self.task.code} · {self.enterprise}"

    def get_absolute_url(self) -> str:
        return reverse("inspections:record", args=[self.pk])

    @property
    def official_result(self) -> str:
        return OFFICIAL_RESULT.get(self.result, "")


class Finding(models.Model):
    """One row of the record's item grid: 检查事项 | 是否检查 | 发现问题情况 | 处置情况."""

    record = models.ForeignKey(InspectionRecord, on_delete=models.CASCADE, related_name="findings")
    item = models.ForeignKey(InspectionItem, on_delete=models.PROTECT, related_name="+")
    checked = models.BooleanField(_("checked"), default=True)
    problem = models.TextField(_("problem found"), blank=True)
    handling = models.TextField(_("handling"), blank=True)

    class Meta:
        ordering = ["record", "item__number"]
        constraints = [models.UniqueConstraint(fields=["record", "item"], name="inspections_finding_item")]

    def __str__(self) -> str:
        return f"{self.record_id} {self.item}"


class Measurement(models.Model):
    """A value measured or read on site (a portable analyser, a meter), against a limit where one applies."""

    record = models.ForeignKey(InspectionRecord, on_delete=models.CASCADE, related_name="measurements")
    parameter = models.CharField(_("parameter"), max_length=100)
    value = models.DecimalField(_("value"), max_digits=16, decimal_places=6)
    unit_of_measure = models.CharField(_("unit of measure"), max_length=20, blank=True)
    limit = models.DecimalField(_("limit"), max_digits=16, decimal_places=6, null=True, blank=True)
    location = models.CharField(_("where"), max_length=200, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["record", "pk"]

    def __str__(self) -> str:
        return f"{self.parameter} {self.value} {self.unit_of_measure}"

    @property
    def over_limit(self) -> bool:
        return self.limit is not None and self.value > self.limit


def photo_path(instance: Photo, filename: str) -> str:
    return f"inspections/records/{instance.record_id}/{filename}"


class Photo(StoredUpload):
    record = models.ForeignKey(InspectionRecord, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(upload_to=photo_path, max_length=300)
    caption = models.CharField(_("caption"), max_length=300, blank=True)

    class Meta:
        ordering = ["record", "uploaded_at", "pk"]
