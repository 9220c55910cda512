"""Forms of the credit pages. They parse input; the services decide (envplan.credit.services)."""

from __future__ import annotations

import datetime as dt
from typing import Any, TypedDict

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from envplan.credit.labels import code_label
from envplan.credit.registry import manual_codes
from envplan.credit.schemes import available
from envplan.standards.credit import SchemeError


class DateInput(forms.DateInput):
    input_type = "date"


class RoundForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    scheme_id = forms.ChoiceField(label=_("Scheme"))
    period_start = forms.DateField(label=_("Period start"), widget=DateInput)
    period_end = forms.DateField(label=_("Period end"), widget=DateInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        try:
            schemes = available()
        except SchemeError:
            schemes = {}
        choice_field(self, "scheme_id").choices = [
            (key, f"{key} ({s.document})") for key, s in sorted(schemes.items())
        ]


class EvidenceEntry(TypedDict):
    code: str
    on: dt.date
    quantity: str
    reference: str
    description: str
    upload: UploadedFile[bytes] | None


class EvidenceForm(forms.Form):
    code = forms.ChoiceField(label=_("Kind"))
    on = forms.DateField(label=_("Date"), widget=DateInput)
    quantity = forms.CharField(
        label=_("Quantity"),
        help_text=_(
            "In the kind's unit: the fine in yuan, the number of findings, the assessment result (2, 1, 0)."
        ),
    )
    reference = forms.CharField(label=_("Document number"), max_length=200)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}))
    file = forms.FileField(label=_("Document"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "code").choices = [(code, code_label(code)) for code in manual_codes()]

    def entry(self) -> EvidenceEntry:
        """The valid form as `services.add_evidence` takes it."""
        data = self.cleaned_data
        return {
            "code": data["code"],
            "on": data["on"],
            "quantity": data["quantity"],
            "reference": data["reference"],
            "description": data["description"],
            "upload": data["file"],
        }


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("Why"), widget=forms.Textarea(attrs={"rows": 2}))


class RecordsForm(forms.Form):
    """An objection or a repair application: the records concerned, the statement, its document."""

    received_on = forms.DateField(label=_("Received on"), widget=DateInput)
    records = forms.MultipleChoiceField(label=_("Records"), widget=forms.CheckboxSelectMultiple)
    statement = forms.CharField(label=_("Statement"), widget=forms.Textarea(attrs={"rows": 4}))
    file = forms.FileField(label=_("Document"))

    def __init__(self, *args: Any, records: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "records").choices = records


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("uphold", _("Uphold")), ("reject", _("Reject"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(label=_("Reasons"), widget=forms.Textarea(attrs={"rows": 3}))


def choice_field(form: forms.BaseForm, name: str) -> forms.ChoiceField:
    """A form's choice field, to set its choices at run time."""
    field = form.fields[name]
    if not isinstance(field, forms.ChoiceField):
        raise TypeError(f"{name} is not a choice field")
    return field
