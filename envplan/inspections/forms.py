"""Forms of the enforcement pages. They parse input; every rule is the services' (one path per write)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from envplan.core.uploads import upload_limit_bytes
from envplan.inspections import hazardous_waste as scheme
from envplan.inspections.models import (
    CheckMethod,
    CheckResult,
    FollowUp,
    HazardousWasteRound,
    InspectionItem,
    InspectionTask,
    Inspector,
    Qualification,
    RatioRule,
    RectificationTask,
    SupervisionObject,
)
from envplan.sources.models import Enterprise

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

DATE = forms.DateInput(attrs={"type": "date"})


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field; their type and size are the service's to check."""

    def __init__(self, *args: Any, accept: str = "", capture: bool = False, **kwargs: Any) -> None:
        attrs = {"accept": accept} if accept else {}
        if capture:
            attrs["capture"] = "environment"  # a phone opens its back camera
        kwargs.setdefault("widget", MultipleFileInput(attrs=attrs))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile[bytes]]:
        files: Sequence[Any] = data if isinstance(data, list | tuple) else ([data] if data else [])
        if not files and self.required:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        return [super(MultipleFileField, self).clean(item, initial) for item in files]


class SupervisionObjectForm(forms.ModelForm):  # type: ignore[type-arg]  # generic in django-stubs only, not at run time
    class Meta:
        model = SupervisionObject
        fields = ["year", "enterprise", "category", "reason"]


class RatioRuleForm(forms.ModelForm):  # type: ignore[type-arg]  # generic in django-stubs only, not at run time
    class Meta:
        model = RatioRule
        fields = ["year", "category", "per", "percent", "objects_per_inspector", "basis"]


class ItemForm(forms.ModelForm):  # type: ignore[type-arg]  # generic in django-stubs only, not at run time
    class Meta:
        model = InspectionItem
        fields = [
            "year", "number", "category", "name", "content", "targets", "item_class", "mode",
            "ratio_frequency", "inspecting_body", "legal_basis", "remark",
        ]  # fmt: skip
        widgets = {
            "content": forms.Textarea(attrs={"rows": 3}),
            "legal_basis": forms.Textarea(attrs={"rows": 2}),
        }


def _qualifications(label: StrOrPromise) -> forms.MultipleChoiceField:
    """Qualifications (an inspector's, or those a task requires) as boxes to tick."""
    return forms.MultipleChoiceField(
        label=label, choices=Qualification.choices, widget=forms.CheckboxSelectMultiple, required=False
    )


class InspectorForm(forms.ModelForm):  # type: ignore[type-arg]  # generic in django-stubs only, not at run time
    qualifications = _qualifications(_("Qualifications"))

    class Meta:
        model = Inspector
        fields = ["user", "code", "name", "qualifications", "active"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = get_user_model().objects.order_by("username")  # type: ignore[attr-defined]  # Field has no queryset in the stubs


class RecusalForm(forms.Form):
    inspector = forms.ModelChoiceField(label=_("Inspector"), queryset=Inspector.objects.filter(active=True))
    enterprise = forms.ModelChoiceField(label=_("Enterprise"), queryset=Enterprise.objects.none())
    reason = forms.CharField(label=_("Reason"), max_length=300)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["enterprise"].queryset = Enterprise.objects.order_by("name")  # type: ignore[attr-defined]  # Field has no queryset in the stubs


class TaskForm(forms.ModelForm):  # type: ignore[type-arg]  # generic in django-stubs only, not at run time
    required_qualifications = _qualifications(_("Required qualifications"))

    class Meta:
        model = InspectionTask
        fields = [
            "year", "code", "name", "kind", "items", "frequency", "period_start", "period_end", "team_size",
            "required_qualifications", "max_targets",
        ]  # fmt: skip
        widgets = {"items": forms.CheckboxSelectMultiple, "period_start": DATE, "period_end": DATE}


class CommitForm(forms.Form):
    seed_sha256 = forms.CharField(
        label=_("SHA-256 of the office's seed (optional)"),
        required=False,
        max_length=64,
        help_text=_("Leave empty and envplan makes a 32-byte seed and keeps it secret until it is revealed."),
    )


class MakeDrawForm(forms.Form):
    seed = forms.CharField(
        label=_("The seed (only when the office keeps it)"), required=False, max_length=256
    )


class RecordForm(forms.Form):
    inspected_on = forms.DateField(label=_("Inspected on"), required=False, widget=DATE)
    methods = forms.MultipleChoiceField(
        label=_("Check methods"),
        choices=CheckMethod.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    result = forms.ChoiceField(label=_("Result"), choices=[("", "—"), *CheckResult.choices], required=False)
    follow_ups = forms.MultipleChoiceField(
        label=_("Follow-up"), choices=FollowUp.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    follow_up_other = forms.CharField(label=_("Other follow-up"), max_length=300, required=False)
    follow_up_done = forms.BooleanField(label=_("Follow-up finished"), required=False)
    follow_up_done_on = forms.DateField(label=_("Follow-up finished on"), required=False, widget=DATE)
    penalty_amount = forms.DecimalField(
        label=_("Fine (yuan)"), required=False, max_digits=14, decimal_places=2, min_value=0
    )
    penalty_decision = forms.CharField(label=_("Penalty decision number"), max_length=100, required=False)
    summary = forms.CharField(label=_("Notes"), widget=forms.Textarea(attrs={"rows": 4}), required=False)

    def __init__(self, *args: Any, items: Sequence[InspectionItem] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.items = list(items)
        for item in self.items:
            self.fields[f"checked_{item.pk}"] = forms.BooleanField(label=_("Checked"), required=False)
            self.fields[f"problem_{item.pk}"] = forms.CharField(
                label=_("Problem found"), required=False, widget=forms.Textarea(attrs={"rows": 2})
            )
            self.fields[f"handling_{item.pk}"] = forms.CharField(
                label=_("Handling"), required=False, widget=forms.Textarea(attrs={"rows": 2})
            )

    def item_rows(self) -> list[tuple[InspectionItem, forms.BoundField, forms.BoundField, forms.BoundField]]:
        return [
            (item, self[f"checked_{item.pk}"], self[f"problem_{item.pk}"], self[f"handling_{item.pk}"])
            for item in self.items
        ]


class PhotoForm(forms.Form):
    photos = MultipleFileField(label=_("Photos"), accept="image/*", capture=True)
    caption = forms.CharField(label=_("Caption"), max_length=300, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["photos"].help_text = _("JPEG, PNG, WebP or GIF; at most %(limit)d MB each.") % {
            "limit": upload_limit_bytes("evidence") // 1024 // 1024
        }


class MeasurementForm(forms.Form):
    parameter = forms.CharField(label=_("Parameter"), max_length=100)
    value = forms.DecimalField(label=_("Value"), max_digits=16, decimal_places=6)
    unit_of_measure = forms.CharField(label=_("Unit of measure"), max_length=20, required=False)
    limit = forms.DecimalField(label=_("Limit"), max_digits=16, decimal_places=6, required=False)
    location = forms.CharField(label=_("Where"), max_length=200, required=False)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class WasteRoundForm(forms.ModelForm):  # type: ignore[type-arg]  # generic in django-stubs only, not at run time
    class Meta:
        model = HazardousWasteRound
        fields = ["year", "name", "pass_at", "basic_at", "note"]


SCORE_CHOICES = [("2", "2"), ("1", "1"), ("0", "0"), ("na", _("does not apply"))]


class AssessmentForm(forms.Form):
    enterprise = forms.ModelChoiceField(label=_("Unit"), queryset=Enterprise.objects.none())
    assessed_on = forms.DateField(label=_("Assessed on"), widget=DATE)
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args: Any, role: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["enterprise"].queryset = Enterprise.objects.order_by("name")  # type: ignore[attr-defined]  # Field has no queryset in the stubs
        self.items = scheme.checklist(role)
        for item in self.items:
            self.fields[f"score_{item.code}"] = forms.ChoiceField(
                label=f"{item.name_zh} · {item.name_en}", choices=SCORE_CHOICES, initial="2"
            )
            self.fields[f"veto_{item.code}"] = forms.BooleanField(label=_("veto finding"), required=False)

    def item_rows(self) -> list[tuple[scheme.Item, forms.BoundField, forms.BoundField]]:
        return [(item, self[f"score_{item.code}"], self[f"veto_{item.code}"]) for item in self.items]

    def scores(self) -> dict[str, int | None]:
        return {
            item.code: None
            if self.cleaned_data[f"score_{item.code}"] == "na"
            else int(self.cleaned_data[f"score_{item.code}"])
            for item in self.items
        }

    def veto(self) -> list[str]:
        return [item.code for item in self.items if self.cleaned_data.get(f"veto_{item.code}")]


class RectificationForm(forms.ModelForm):  # type: ignore[type-arg]  # generic in django-stubs only, not at run time
    class Meta:
        model = RectificationTask
        fields = [
            "round", "feedback_on", "number", "problem", "subject", "accepting_unit", "goal", "deadline",
            "measures", "acceptance_level",
        ]  # fmt: skip
        widgets = {
            "feedback_on": DATE,
            "deadline": DATE,
            "problem": forms.Textarea(attrs={"rows": 3}),
            "goal": forms.Textarea(attrs={"rows": 2}),
            "measures": forms.Textarea(attrs={"rows": 3}),
        }


class ProgressForm(forms.Form):
    month = forms.DateField(
        label=_("Month"), widget=forms.DateInput(attrs={"type": "month"}), input_formats=["%Y-%m", "%Y-%m-%d"]
    )
    progress = forms.CharField(label=_("Progress this month"), widget=forms.Textarea(attrs={"rows": 3}))
    problems = forms.CharField(label=_("Problems"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    next_steps = forms.CharField(
        label=_("Next steps"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class EvidenceForm(forms.Form):
    # Not "files": a form's `files` attribute holds the uploaded files, and a field of that name is hidden.
    attachments = MultipleFileField(
        label=_("Evidence files"),
        accept=".pdf,.png,.jpg,.jpeg,.gif,.webp,.docx,.xlsx,.pptx,.doc,.xls,.ppt,image/*",
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class ApplyForm(forms.Form):
    completion = forms.CharField(label=_("What was done"), widget=forms.Textarea(attrs={"rows": 3}))


class DecideForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=[("accept", _("accept")), ("refuse", _("refuse"))]
    )
    comment = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class PubliciseForm(forms.Form):
    start = forms.DateField(label=_("Notice from"), widget=DATE)
    end = forms.DateField(
        label=_("Notice until"), widget=DATE, required=False, help_text=_("Empty: 10 working days.")
    )
    contact = forms.CharField(label=_("Contact for objections"), max_length=200, required=False)


class LookBackForm(forms.Form):
    reviewed_on = forms.DateField(label=_("Reviewed on"), widget=DATE)
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=[("holds", _("the fix holds")), ("rebound", _("the problem is back"))]
    )
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class LedgerUploadForm(forms.Form):
    file = forms.FileField(label=_("Ledger (.xlsx)"))
    round = forms.CharField(label=_("Inspection round"), max_length=200)
    feedback_on = forms.DateField(label=_("Feedback received on"), widget=DATE, required=False)

    def clean_file(self) -> UploadedFile[bytes]:
        upload: UploadedFile[bytes] = self.cleaned_data["file"]
        limit = upload_limit_bytes("batch")
        if (upload.size or 0) > limit:
            raise forms.ValidationError(
                _("The file is larger than %(limit)d MB.") % {"limit": limit // 1024 // 1024}
            )
        return upload
