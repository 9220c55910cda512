from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from envplan.imports.services import MAX_UPLOAD_BYTES


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Plan document"),
        help_text=_(
            "Text (.txt, UTF-8 or GB18030), Word (.docx), a saved web page (.html) or a PDF with a text "
            "layer, at most 5 MB."
        ),
        allow_empty_file=True,  # the service explains an empty file in its own words
    )

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("%(name)s is larger than %(limit)d MB."),
                params={"name": upload.name, "limit": MAX_UPLOAD_BYTES // (1024 * 1024)},
            )
        return upload
