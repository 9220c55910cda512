"""Forms of the portal. The correction form's honeypot and time token are checked by the view
(envplan.portal.antispam); the service decides everything else."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from envplan.core.publication import tables
from envplan.plans.models import Unit
from envplan.portal.antispam import HONEYPOT
from envplan.portal.models import CorrectionKind, CorrectionStatus


class CorrectionForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What is it?"), choices=CorrectionKind.choices, initial=CorrectionKind.DATA_ERROR
    )
    table = forms.ChoiceField(label=_("Public table"))
    item = forms.CharField(required=False, widget=forms.HiddenInput)
    description = forms.CharField(
        label=_("What is wrong?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("This text goes to the unit that owns the data; it is not published."),
    )
    contact = forms.CharField(
        label=_("Contact (optional)"),
        max_length=200,
        required=False,
        help_text=_("An e-mail or phone number if you want to be contacted. Never published."),
    )
    token = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "table").choices = [(t.name, f"{s.title} · {t.title}") for s, t in tables()]
        # The honeypot: hidden from people by the stylesheet, filled in by robots that fill every field.
        self.fields[HONEYPOT] = forms.CharField(
            label=_("Leave this field empty"),
            required=False,
            widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
        )


class AnswerForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Outcome"),
        choices=[(CorrectionStatus.CORRECTED, _("corrected")), (CorrectionStatus.REJECTED, _("rejected"))],
        widget=forms.RadioSelect,
    )
    answer = forms.CharField(
        label=_("Public answer"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Published with the request: what was corrected, or why it is rejected. No personal data."
        ),
    )


class RouteForm(forms.Form):
    unit = forms.ModelChoiceField(
        label=_("Unit"),
        queryset=Unit.objects.filter(is_group=False),
        required=False,
        empty_label=_("the district office"),
    )


class OwnerForm(forms.Form):
    table = forms.CharField(widget=forms.HiddenInput)
    unit = forms.ModelChoiceField(
        label=_("Unit"),
        queryset=Unit.objects.filter(is_group=False),
        required=False,
        empty_label=_("the district office"),
    )


def choice_field(form: forms.BaseForm, name: str) -> forms.ChoiceField:
    """A form's choice field, to set its choices at run time."""
    field = form.fields[name]
    if not isinstance(field, forms.ChoiceField):
        raise TypeError(f"{name} is not a choice field")
    return field
