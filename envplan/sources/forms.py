from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from envplan.sources.models import Device, Enterprise, FactorLimit, Outlet
from envplan.sources.services import SourcesError, clean_crc_variants


class EnterpriseForm(forms.ModelForm):  # type: ignore[type-arg]  # generic in django-stubs only, not at run time
    class Meta:
        model = Enterprise
        fields = ["name", "name_zh", "credit_code", "district", "industry", "address"]


class OutletForm(forms.ModelForm):  # type: ignore[type-arg]  # generic in django-stubs only, not at run time
    class Meta:
        model = Outlet
        fields = ["code", "name", "kind", "latitude", "longitude"]


class DeviceForm(forms.ModelForm):  # type: ignore[type-arg]  # generic in django-stubs only, not at run time
    crc_variants = forms.CharField(
        label=_("accepted CRC variants"),
        required=False,
        help_text=_("Comma-separated: modbus, modbus-swapped, arc. Empty: the standard CRC only."),
    )
    password = forms.CharField(label=_("password"), required=False, max_length=64)

    class Meta:
        model = Device
        fields = [
            "mn",
            "password",
            "edition",
            "crc_variants",
            "active",
            "strict",
            "expected_interval",
            "silence_minutes",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["crc_variants"] = ", ".join(self.instance.crc_variants or [])

    def clean_crc_variants(self) -> list[str]:
        text = self.cleaned_data.get("crc_variants") or ""
        try:
            return clean_crc_variants(n for n in text.split(",") if n.strip())
        except SourcesError as error:
            raise forms.ValidationError(str(error)) from None


class LimitForm(forms.ModelForm):  # type: ignore[type-arg]  # generic in django-stubs only, not at run time
    class Meta:
        model = FactorLimit
        fields = ["factor", "field", "limit", "unit_of_measure", "standard", "reference_o2"]
