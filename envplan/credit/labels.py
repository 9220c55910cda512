"""Interface names of evidence codes, units and roles (a scheme's own names are in its file)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

CODE_LABELS = {
    "exceedance_hours": _("exceedance at a monitored outlet"),
    "outlet_compliance": _("compliance of a monitored outlet"),
    "transmission_validity": _("transmission validity of online monitoring"),
    "penalty": _("administrative penalty (fine)"),
    "risk_management_finding": _("environmental-risk management deficiency"),
    "solid_waste_finding": _("ordinary solid-waste deficiency"),
    "noise_finding": _("noise exceedance found"),
    "siting_finding": _("ecological protection neglected in siting"),
    "incident_general": _("general sudden environmental incident"),
    "incident_major": _("larger-or-above sudden environmental incident"),
    "veto_crime": _("environmental crime"),
    "veto_no_eia": _("built without an approved EIA"),
    "veto_no_acceptance": _("operating without accepted environmental facilities"),
    "veto_unapproved_change": _("major change without re-approval"),
    "veto_total_load": _("total-load quota exceeded"),
    "veto_bypass": _("hidden pipe, seepage well or bypass"),
    "veto_hazardous_waste": _("illegal handling of hazardous waste"),
    "screening_case_confirmed": _("confirmed screening case (suspicious monitoring data)"),
    "rectification_late": _("rectification late"),
    "hazardous_waste_result": _("hazardous-waste management assessment result"),
    "alert_noncompliance": _("alert reduction measures not applied"),
}

UNIT_LABELS = {
    "h": _("h"),
    "%": "%",
    "yuan": _("yuan"),
    "count": "",
    "level": _("of 2 (2 pass, 1 basic pass, 0 fail)"),
    "days": _("days"),
}

ROLE_LABELS = {
    "counted": _("counted"),
    "capped": _("counted up to the cap"),
    "not_used": _("not counted by this scheme"),
    "excluded": _("set aside"),
    "veto": _("one-vote veto"),
    "downgrade": _("lowers the grade"),
}

PROVIDER_LABELS = {
    "sources": _("computed from online monitoring (sources)"),
    "manual": _("entered by hand with a document"),
    "cases": _("confirmed screening cases (entered by hand until that app registers)"),
    "inspections": _("rectification of inspection findings (entered by hand until that app registers)"),
    "hazardous_waste": _("hazardous-waste assessment (entered by hand until an app registers)"),
    "emergency": _("heavy-pollution alerts (entered by hand until that app registers)"),
}


def code_label(code: str) -> str:
    return str(CODE_LABELS.get(code, code))
