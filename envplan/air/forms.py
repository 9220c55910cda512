from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from envplan.air.jobs import HOURLY_IMPORT_KIND
from envplan.core.file_imports import DataFileForm


class HourlyUploadForm(DataFileForm):
    app = "air"
    job_kind = HOURLY_IMPORT_KIND  # read by envplan.air.jobs
    file = forms.FileField(
        label=_("Hourly data file"),
        help_text=_(
            "Our CSV (station_code, time, pm25, pm10, so2, no2, co, o3; CO in mg/m³) or a national "
            "monitoring centre release (CSV or GeoJSON)."
        ),
    )
    format = forms.ChoiceField(
        label=_("Format"),
        choices=[("csv", _("documented CSV")), ("cnemc", _("national monitoring centre release"))],
        initial="csv",
    )
    strict = forms.BooleanField(
        label=_("Strict: reject the whole file if any row has an error"), required=False
    )

    def job_params(self) -> dict[str, object]:
        return {"strict": self.cleaned_data["strict"], "format": self.cleaned_data["format"]}
