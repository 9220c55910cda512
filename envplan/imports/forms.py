from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from envplan.core.uploads import upload_limit_bytes


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
        limit = upload_limit_bytes("plan")
        if upload.size > limit:
            raise forms.ValidationError(
                _("%(name)s is larger than %(limit)d MB."),
                params={"name": upload.name, "limit": limit // (1024 * 1024)},
            )
        return upload
