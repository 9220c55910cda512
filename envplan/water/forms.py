from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from envplan.core.file_imports import DataFileForm
from envplan.water.jobs import SAMPLES_IMPORT_KIND
from envplan.water.models import MonitoringSection
from envplan.water.services import MONITORING_SECTION_FIELDS


class SampleUploadForm(DataFileForm):
    app = "water"
    job_kind = SAMPLES_IMPORT_KIND  # read by envplan.water.jobs
    file = forms.FileField(
        label=_("Sample file (CSV)"),
        help_text=_(
            "UTF-8 CSV: section (the section's code), time (YYYY-MM-DD or YYYY-MM-DD HH:MM), waterbody "
            "(river or lake), then any GB 3838 items: ph, do, codmn, cod, bod5, nh3n, tp, tn, cu, zn, f, se, "
            "as, hg, cd, cr6, pb, cn, phenol, petroleum, las, sulfide (mg/L), fecal_coliform (per litre); "
            "<0.01 or 0.01L below a detection limit; dry = 1 when the section had no water. A file with any "
            "bad row is rejected whole."
        ),
    )


class MonitoringSectionForm(forms.ModelForm):  # type: ignore[type-arg]  # generic in django-stubs only, not at run time
    class Meta:
        model = MonitoringSection
        fields = list(MONITORING_SECTION_FIELDS)
