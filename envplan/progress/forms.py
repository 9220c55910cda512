"""Forms of the progress pages. Rules live in the services; forms only parse input and show refusals."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from envplan.core.uploads import max_upload_bytes
from envplan.plans.models import Target
from envplan.progress.errors import ProgressError, target_of_field
from envplan.progress.models import ReportingSettings, ReportStatus
from envplan.progress.periods import parse_period


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field. Their type and size are the service's to check (one path per write)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget",
            MultipleFileInput(
                attrs={"accept": ".pdf,.png,.jpg,.jpeg,.gif,.webp,.docx,.xlsx,.pptx,.doc,.xls,.ppt"}
            ),
        )
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile[bytes]]:
        files: Sequence[Any] = data if isinstance(data, list | tuple) else ([data] if data else [])
        return [super(MultipleFileField, self).clean(item, initial) for item in files]


def value_field_name(target: Target) -> str:
    return f"value_{target.pk}"


class ReportForm(forms.Form):
    """Parses the report page's input; every rule (numbers, ranges, files, versions) is the service's."""

    narrative = forms.CharField(label=_("Progress"), widget=forms.Textarea(attrs={"rows": 8}), required=False)
    status = forms.CharField(label=_("Status"), widget=forms.Select(choices=ReportStatus.choices))
    evidence = MultipleFileField(label=_("Evidence files"))
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args: Any, targets: Sequence[Target] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.targets = list(targets)
        self.fields["evidence"].help_text = _(
            "PDF, images (PNG, JPEG, GIF, WebP) or Office documents; at most %(limit)d MB each."
        ) % {"limit": max_upload_bytes() // 1024 // 1024}
        for target in self.targets:
            self.fields[value_field_name(target)] = forms.CharField(
                label=f"{target.indicator} ({target.get_comparator_display()} {target.value_display})",
                required=False,
                max_length=60,
                widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
            )

    def value_fields(self) -> list[forms.BoundField]:
        return [self[value_field_name(target)] for target in self.targets]

    def values(self) -> dict[int, str]:
        return {target.pk: self.cleaned_data.get(value_field_name(target)) or "" for target in self.targets}

    def add_problems(self, error: ProgressError) -> None:
        """Show each problem of a refused save on its own field (values, status, files), else on the form."""
        for problem in error.problems:
            target_id = target_of_field(problem.field)
            name = f"value_{target_id}" if target_id is not None else problem.field
            shown = name in self.fields and not self.fields[name].widget.is_hidden
            self.add_error(name if shown else None, problem.message)


class ReviewForm(forms.Form):
    comment = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class ReportingSettingsForm(forms.ModelForm):  # type: ignore[type-arg]  # generic in django-stubs only, not at run time
    class Meta:
        model = ReportingSettings
        fields = [
            "frequency",
            "due_day",
            "first_period",
            "last_period",
            "remind_days_before",
            "weight_timeliness",
            "weight_completion",
            "weight_attainment",
        ]
        widgets = {
            "first_period": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "last_period": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in ("first_period", "last_period"):
            if data.get(name):
                data[name] = data[name].replace(day=1)
        if (
            data.get("first_period")
            and data.get("last_period")
            and data["first_period"] > data["last_period"]
        ):
            self.add_error("last_period", _("The last period comes before the first."))
        weights = [data.get(n) for n in ("weight_timeliness", "weight_completion", "weight_attainment")]
        given = [w for w in weights if w is not None]
        if len(given) == len(weights) and sum(given) != 100:
            raise forms.ValidationError(_("The three assessment weights must add up to 100."))
        return data


class ClosePeriodsForm(forms.Form):
    through = forms.CharField(
        label=_("Close every period through (YYYY-MM)"),
        max_length=7,
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "2025-06"}),
    )

    def clean_through(self) -> Any:
        period = parse_period(self.cleaned_data["through"])
        if period is None:
            raise forms.ValidationError(_("Give a month as YYYY-MM."))
        return period
