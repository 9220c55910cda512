from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from envplan.cases.models import Outcome


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Outcome.choices, widget=forms.RadioSelect)
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What the inspection found, or why the case was not checked."),
    )
