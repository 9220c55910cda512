from __future__ import annotations

import datetime as dt
from typing import Any, TypedDict

from django import forms
from django.utils.translation import gettext_lazy as _

from envplan.emergency.models import Level
from envplan.emergency.services import EmergencyError, NoticeInput, parse_aqi_values
from envplan.standards.emergency.grades import GRADES, NOT_GRADED, Scheme

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
LEVEL_CHOICES = [("", _("as the forecast calls for")), *Level.choices]


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


def moment(label: Any, *, required: bool = True, help_text: Any = "") -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        required=required,
        input_formats=DATETIME_FORMATS,
        widget=LocalDateTimeInput(),
        help_text=help_text,
    )


class ForecastMixin(forms.Form):
    forecast_start = forms.DateField(
        label=_("forecast from"), widget=forms.DateInput(attrs={"type": "date"}), required=False
    )
    forecast = forms.CharField(
        label=_("forecast daily AQI"),
        required=False,
        help_text=_("One value per day from the first day, separated by commas or spaces."),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )

    def clean_forecast(self) -> list[float]:
        try:
            return parse_aqi_values(self.cleaned_data.get("forecast") or "")
        except EmergencyError as error:
            raise forms.ValidationError(str(error)) from None


class NoticeMixin(forms.Form):
    basis = forms.CharField(
        label=_("basis"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("e.g. the consultation of the weather and environment offices, or the region's warning"),
    )  # fmt: skip
    episode = forms.CharField(label=_("episode period"), required=False, max_length=200)
    conditions = forms.CharField(
        label=_("adverse weather conditions"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    trend = forms.CharField(
        label=_("expected trend"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    measures = forms.CharField(
        label=_("response measures"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    notice_text = forms.CharField(
        label=_("notice text"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Leave empty to compose it from the fields above, in the order of real notices."),
    )
    override_reason = forms.CharField(
        label=_("reason for departing from the proposal"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def notice(self) -> NoticeInput:
        data = self.cleaned_data
        return NoticeInput(
            basis=data.get("basis", ""),
            episode=data.get("episode", ""),
            conditions=data.get("conditions", ""),
            trend=data.get("trend", ""),
            measures=data.get("measures", ""),
            text=data.get("notice_text", ""),
        )


class Sent(TypedDict):
    """What every notice of an alert hands its service: the forecast, the reason for departing from the
    proposal, and the notice's text or parts."""

    forecast_start: dt.date | None
    forecast: list[float]
    override_reason: str
    text: NoticeInput


class AlertForm(ForecastMixin, NoticeMixin):
    """The fields of every notice: issue, change and lift."""

    def sent(self) -> Sent:
        data = self.cleaned_data
        return {
            "forecast_start": data["forecast_start"],
            "forecast": data["forecast"],
            "override_reason": data["override_reason"],
            "text": self.notice(),
        }


class IssueForm(AlertForm):
    region = forms.CharField(label=_("region"), max_length=100)
    region_code = forms.CharField(label=_("region code"), max_length=12, required=False)
    issuer = forms.CharField(label=_("issuer"), max_length=200)
    sender = forms.CharField(
        label=_("CAP sender"),
        max_length=120,
        help_text=_("How neighbours' systems name us: no spaces or commas."),
    )
    level = forms.ChoiceField(label=_("level"), choices=LEVEL_CHOICES, required=False)
    issued_at = moment(_("issued at"))
    response_start = moment(_("response starts"))
    planned_end = moment(_("planned end"), required=False, help_text=_("Empty: to be announced."))

    field_order = ["region", "region_code", "issuer", "sender", "forecast_start", "forecast", "level"]


class ChangeForm(AlertForm):
    level = forms.ChoiceField(label=_("new level"), choices=LEVEL_CHOICES, required=False)
    sent_at = moment(_("notice time"))
    effective_at = moment(_("takes effect"))
    planned_end = moment(_("planned end"), required=False, help_text=_("Empty: to be announced."))

    field_order = ["forecast_start", "forecast", "level"]


class LiftForm(AlertForm):
    lifted_at = moment(_("lifted at"))

    field_order = ["forecast_start", "forecast", "lifted_at"]


class ListForm(forms.Form):
    title = forms.CharField(label=_("title"), max_length=200)
    year = forms.IntegerField(label=_("year of revision"), min_value=2000, max_value=2100)


class AdoptForm(forms.Form):
    revised_on = forms.DateField(label=_("revised on"), widget=forms.DateInput(attrs={"type": "date"}))


class UploadForm(forms.Form):
    file = forms.FileField(label=_("file"))


def grade_choices() -> list[tuple[str, str]]:
    return [
        (grade, grade) for grade in dict.fromkeys([*GRADES[Scheme.G2020], *GRADES[Scheme.G2026], NOT_GRADED])
    ]


class GradeForm(forms.Form):
    industry = forms.CharField(label=_("industry"), max_length=100)
    scheme = forms.ChoiceField(label=_("scheme"), choices=[(s.value, s.value) for s in Scheme])
    grade = forms.ChoiceField(label=_("grade"), choices=grade_choices)
    valid_from = forms.DateField(label=_("valid from"), widget=forms.DateInput(attrs={"type": "date"}))
    valid_until = forms.DateField(
        label=_("valid until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    document = forms.CharField(label=_("document"), max_length=200, required=False)


class DowngradeForm(forms.Form):
    grade = forms.ChoiceField(label=_("new grade"), choices=grade_choices)
    on = forms.DateField(label=_("from"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 2}))


class CapSourceForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=200)
    url = forms.URLField(label=_("feed address"), max_length=500, assume_scheme="https")
