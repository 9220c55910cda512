from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class BatchUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Filled-in template"),
        help_text=_("The Excel file (.xlsx) downloaded from this page, with the yellow cells filled in."),
        allow_empty_file=True,  # the service names an empty file in its own words
    )
    mode = forms.ChoiceField(
        label=_("Save the reports as"),
        choices=[("draft", _("drafts, to check before submitting")), ("submit", _("submitted for review"))],
        initial="draft",
        widget=forms.RadioSelect,
    )
