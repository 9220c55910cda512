"""A finding's sentence in the reader's language, from the numbers the detector kept (`evidence`).

envplan.screening writes each finding's sentence in English and keeps the same numbers as JSON; here
each detector has a translatable template (gettext) filled with those numbers, the channel, the span and
the duration, formatted for the active language. A finding whose numbers do not fit its template (an
older package, a detector added since) keeps the package's English sentence.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from envplan.cases.models import Finding
from envplan.screening import model as screening_model

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

ZONE = ZoneInfo("Asia/Shanghai")  # HJ 212 DataTime is the logger's local time

# Names shown with the HJ 212-2017 code (Tables B.1/B.2): the screening package's, those in words
# translated for the reader (formulas such as SO2 and abbreviations such as COD stay as they are).
FACTOR_NAMES: dict[str, StrOrPromise] = {
    **screening_model.FACTOR_NAMES,
    "a00000": gettext_lazy("flue-gas flow"),
    "a01011": gettext_lazy("flue-gas velocity"),
    "a01012": gettext_lazy("flue-gas temperature"),
    "a34013": gettext_lazy("particulate"),
    "w00000": gettext_lazy("water flow"),
    "w21011": gettext_lazy("total phosphorus"),
    "w21001": gettext_lazy("total nitrogen"),
}

DETECTOR_NAMES: dict[str, StrOrPromise] = {
    "flat_line": gettext_lazy("held value"),
    "variance_collapse": gettext_lazy("variance collapse"),
    "variance_collapse_peers": gettext_lazy("flatter than its peers"),
    "replay": gettext_lazy("replayed segment"),
    "limit_hugging": gettext_lazy("values hugging the limit"),
    "level_shift": gettext_lazy("unexplained level shift"),
    "oxygen_dilution": gettext_lazy("oxygen dilution"),
    "conversion_mismatch": gettext_lazy("conversion mismatch"),
    "mass_balance": gettext_lazy("amount mismatch"),
    "stopped_running": gettext_lazy("stopped while running"),
    "flag_on_exceedance": gettext_lazy("marks on exceedances"),
    "flag_share": gettext_lazy("too many marks"),
    "maintenance_without_record": gettext_lazy("maintenance without a record"),
    "marks_timing": gettext_lazy("marks at odd times"),
    "last_digit": gettext_lazy("odd last digits"),
    "benford": gettext_lazy("first digits against Benford's law"),
}


def detector_name(detector: str) -> str:
    return str(DETECTOR_NAMES.get(detector, detector))


def channel(factor: str, field: str) -> str:
    """`NOx (a21002) Avg`, or the code alone for a factor without a name."""
    name = FACTOR_NAMES.get(factor)
    return f"{name} ({factor}) {field}" if name is not None else f"{factor} {field}"


def number(value: float, decimals: int = 1) -> str:
    """Rounded, without trailing zeros, with the language's decimal separator."""
    text = f"{round(float(value), decimals):.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if text == "-0":
        text = "0"
    return text.replace(".", str(formats.get_format("DECIMAL_SEPARATOR")))


def percent(share: float, decimals: int = 0) -> str:
    """A share as a percentage; one more decimal below 10 % so that small shares do not read as 0."""
    hundred = float(share) * 100.0
    return f"{number(hundred, decimals + 1 if abs(hundred) < 10 else decimals)} %"


def moment(value: dt.datetime) -> str:
    return value.astimezone(ZONE).strftime("%Y-%m-%d %H:%M")


def duration(hours: float) -> str:
    if hours < 1:
        return _("%(minutes)s min") % {"minutes": number(hours * 60, 0)}
    if hours < 72:
        return _("%(hours)s h") % {"hours": number(hours, 1)}
    return _("%(days)s d") % {"days": number(hours / 24, 1)}


def _span_hours(finding: Finding) -> float:
    # DataTimes of the first and last hours, both included.
    return (finding.end - finding.start).total_seconds() / 3600.0 + 1.0


def _recurrence(surprise: float) -> str:
    """`about once in N years` for a run expected once in 10**(surprise + 3) hourly slots."""
    hours = 10.0 ** min(surprise + 3.0, 12.0)
    years = hours / 8760.0
    if years >= 1000:
        return _("less than once in a thousand years")
    if years >= 2:
        return _("about once in %(years)s years") % {"years": number(years, 0)}
    if hours >= 72:
        return _("about once in %(days)s days") % {"days": number(hours / 24, 0)}
    return _("about once in %(hours)s h") % {"hours": number(hours, 0)}


# A finding's numbers as kept in its JSON evidence.
Evidence = Mapping[str, Any]
Template = Callable[[Finding, Evidence, dict[str, str]], str]
Fill = Callable[[Evidence], str]


def _num(key: str, decimals: int = 1) -> Fill:
    return lambda e: number(e[key], decimals)


def _pct(key: str, decimals: int = 0) -> Fill:
    return lambda e: percent(e[key], decimals)


def _off(key: str) -> Fill:
    """A relative deviation, either way."""
    return lambda e: percent(abs(float(e[key])))


def _count(key: str) -> Fill:
    return lambda e: str(int(e[key]))


def _sentence(text: StrOrPromise, **fills: Fill) -> Template:
    """A detector's template that is one sentence: the channel, span and duration, and the placeholders
    ``fills`` make from the evidence."""

    def template(f: Finding, e: Evidence, base: dict[str, str]) -> str:
        return str(text) % {**base, **{name: fill(e) for name, fill in fills.items()}}

    return template


def _flat_line(f: Finding, e: Evidence, base: dict[str, str]) -> str:
    values = {
        **base,
        "value": number(e["value"], 4),
        "count": str(int(e["longest_run"])),
        "runs": str(int(e["runs"])),
        "tolerance": number(e["tolerance"], 6),
        "still": percent(e["still_rate"], 2),
        "recurrence": _recurrence(float(e["surprise"])),
    }
    if int(e["runs"]) > 1:
        text = _(
            "%(channel)s held still in %(runs)s runs between %(start)s and %(end)s, the longest %(count)s "
            "values in a row at %(value)s (within ±%(tolerance)s)."
        )
    else:
        text = _(
            "%(channel)s held at %(value)s for %(count)s values in a row (within ±%(tolerance)s) from "
            "%(start)s to %(end)s."
        )
    reason = _(
        "At this outlet a value stays still after only %(still)s of changes, so such a run is expected "
        "%(recurrence)s."
    )
    return f"{text % values} {reason % values}"


def _variance_collapse(f: Finding, e: Evidence, base: dict[str, str]) -> str:
    text = _(
        "%(channel)s varied by %(spread)s (standard deviation over %(window)s h) for %(duration)s from "
        "%(start)s: its relative variation was %(ratio)s of what is usual at this outlet."
    ) % {
        **base,
        "spread": number(e["spread"], 3),
        "window": number(e["window_hours"], 0),
        "ratio": percent(e["relative_spread_ratio"], 1),
    }
    if e.get("covariate_ratio") is not None:
        text += " " + _("Its load, flow or flue-gas temperature varied at %(ratio)s of its usual.") % {
            "ratio": percent(e["covariate_ratio"])
        }
    return text


_variance_collapse_peers = _sentence(
    gettext_lazy(
        "%(channel)s varied by about %(own)s of its level for %(duration)s from %(start)s, against "
        "%(peer)s typical of the %(peers)s outlets of its industry."
    ),
    own=_pct("relative_spread", 2),
    peer=_pct("peer_relative_spread", 2),
    peers=_count("peers"),
)


def _replay(f: Finding, e: Evidence, base: dict[str, str]) -> str:
    hours = float(e["lag_hours"])
    if hours % 24 == 0:
        days = int(hours // 24)
        lag = ngettext("%(count)s day", "%(count)s days", days) % {"count": days}
    else:
        lag = _("%(hours)s h") % {"hours": number(hours, 0)}
    return _(
        "%(channel)s from %(start)s to %(end)s repeats the values of %(lag)s earlier: %(matched)s of "
        "%(informative)s changes from one value to the next are the same (a copied, shifted or rescaled "
        "segment)."
    ) % {**base, "lag": lag, "matched": str(int(e["matched"])), "informative": str(int(e["informative"]))}


def _limit_hugging(f: Finding, e: Evidence, base: dict[str, str]) -> str:
    near, above = float(e["near_limit"]), float(e["at_or_above"])
    text = _(
        "%(channel)s, from %(start)s to %(end)s: in its most telling window %(near)s values lay within "
        "10 %% below the limit %(limit)s but only %(above)s at or above the limit itself (%(share)s), "
        "where this outlet usually has %(usual)s of such values at or above the limit."
    ) % {
        **base,
        "near": str(int(near)),
        "above": str(int(above)),
        "limit": number(e["limit"], 3),
        "share": percent(above / near if near else 0.0),
        "usual": percent(e["usual_share_above"]),
    }
    if e.get("cap_count") is not None and e.get("cap_value") is not None and int(e["cap_count"]) >= 3:
        text += " " + _("%(value)s occurs %(count)s times just under the limit.") % {
            "value": number(e["cap_value"], 4),
            "count": str(int(e["cap_count"])),
        }
    return text


def _level_shift(f: Finding, e: Evidence, base: dict[str, str]) -> str:
    before, after = float(e["before"]), float(e["after"])
    values = {
        **base,
        "change": percent(abs(after / before - 1.0) if before else 0.0),
        "before": number(before, 2),
        "after": number(after, 2),
        "window": number(e["window_hours"], 0),
    }
    if float(e["shift_log"]) < 0:
        text = _(
            "%(channel)s fell by %(change)s (from about %(before)s over the %(window)s h before to about "
            "%(after)s over the %(window)s h after), suspicious from %(start)s to %(end)s."
        )
    else:
        text = _(
            "%(channel)s rose by %(change)s (from about %(before)s over the %(window)s h before to about "
            "%(after)s over the %(window)s h after), suspicious from %(start)s to %(end)s."
        )
    moved = [
        (label, e.get(f"{role}_shift_log"))
        for role, label in (
            ("load", _("load")),
            ("flow", _("flow")),
            ("temperature", _("flue-gas temperature")),
        )
    ]
    known = [
        f"{label} {percent(math.exp(float(value)) - 1.0)}"
        for label, value in moved
        if value is not None and not math.isnan(float(value))
    ]
    tail = (
        _("Meanwhile: %(changes)s.") % {"changes": ", ".join(known)}
        if known
        else _("There is no load, flow or temperature channel to compare.")
    )
    return f"{text % values} {tail}"


_oxygen_dilution = _sentence(
    gettext_lazy(
        "O2 averaged %(o2)s %% (usually %(low)s to %(high)s %%) while measured %(channel)s was %(fall)s "
        "below its usual, for %(duration)s from %(start)s: the pattern of dilution with %(gas)s."
    ),
    o2=_num("o2", 2),
    low=_num("o2_usual_low", 2),
    high=_num("o2_usual_high", 2),
    fall=_pct("fall"),
    gas=lambda e: (
        _("air (or a leaking probe)")
        if float(e["o2"]) > float(e["o2_usual_high"])
        else _("an inert gas such as nitrogen")
    ),
)

_conversion_mismatch = _sentence(
    gettext_lazy(
        "%(channel)s averaged %(converted)s for %(duration)s from %(start)s, %(deviation)s off the "
        "%(recomputed)s recomputed from the measured value and O2 (HJ 212-2017 Annex D)."
    ),
    converted=_num("converted", 2),
    deviation=_off("deviation"),
    recomputed=_num("recomputed", 2),
)

_mass_balance = _sentence(
    gettext_lazy(
        "%(channel)s averaged %(amount)s per period for %(duration)s from %(start)s, %(deviation)s off "
        "the %(recomputed)s given by concentration × flow (HJ 212-2017 Annex D)."
    ),
    amount=_num("amount", 4),
    deviation=_off("deviation"),
    recomputed=_num("recomputed", 4),
)

STOP_REASONS: dict[str, StrOrPromise] = {
    "was declared stopped (flag F)": gettext_lazy("was declared stopped (flag F)"),
    "was declared stopped (facility state 0)": gettext_lazy("was declared stopped (facility state 0)"),
    "read zero": gettext_lazy("read zero"),
    "had no value": gettext_lazy("had no value"),
}


def _stopped_running(f: Finding, e: Evidence, base: dict[str, str]) -> str:
    reason = STOP_REASONS[str(e["reason"])]
    shares = [
        template % {"share": percent(e[key])}
        for key, template in (
            ("load_share", _("load at %(share)s of its running level")),
            ("flow_share", _("flow at %(share)s of its running level")),
            ("temperature_share", _("flue-gas temperature at %(share)s of its running level")),
        )
        if e.get(key) is not None and not math.isnan(float(e[key]))
    ]
    return _(
        "%(channel)s %(reason)s for %(duration)s from %(start)s while the plant was running: %(evidence)s."
    ) % {**base, "reason": reason, "evidence": ", ".join(shares)}


_flag_on_exceedance = _sentence(
    gettext_lazy(
        "%(channel)s: %(marked)s of %(high)s hours above %(level)s between %(start)s and %(end)s were "
        "marked invalid (%(marks)s), against %(rate)s of its other hours."
    ),
    marked=_count("marked_high"),
    high=_count("high"),
    level=_num("level", 3),
    marks=lambda e: str(e["marks"]),
    rate=_pct("other_marked_rate", 1),
)

_flag_share = _sentence(
    gettext_lazy(
        "%(channel)s: %(marked)s of %(present)s values between %(start)s and %(end)s were marked invalid "
        "(%(share)s; %(marks)s), against %(usual)s usually at this outlet."
    ),
    marked=_count("marked"),
    present=_count("present"),
    share=lambda e: percent(float(e["marked"]) / float(e["present"]) if float(e["present"]) else 0.0),
    marks=lambda e: str(e["marks"]),
    usual=_pct("usual_share", 1),
)

_maintenance_without_record = _sentence(
    gettext_lazy(
        "%(channel)s was marked maintenance (M) for %(duration)s from %(start)s to %(end)s, but no "
        "maintenance record of this outlet covers that time."
    ),
    duration=lambda e: duration(float(e["hours"])),
)


def _marks_timing(f: Finding, e: Evidence, base: dict[str, str]) -> str:
    if "calibrations" in e:
        return _(
            "%(channel)s was marked calibration (C) %(count)s times on %(day)s, more than once a day."
        ) % {**base, "count": str(int(e["calibrations"])), "day": base["start"][:10]}
    return (
        _(
            "%(channel)s was marked maintenance (M) from %(start)s to %(end)s (local time), outside working "
            "hours."
        )
        % base
    )


_last_digit = _sentence(
    gettext_lazy(
        "%(channel)s: between %(start)s and %(end)s, last digit %(digit)s makes up %(share)s of the "
        "values against %(usual)s in this channel's history."
    ),
    digit=_count("digit"),
    share=_pct("share", 1),
    usual=_pct("usual_share", 1),
)

_benford = _sentence(
    gettext_lazy(
        "%(channel)s: the first digits of %(values)s values (spanning %(decades)s decades) depart from "
        "Benford's law (mean absolute deviation %(mad)s)."
    ),
    values=_count("values"),
    decades=_num("decades", 1),
    mad=_num("mad", 4),
)

TEMPLATES: dict[str, Template] = {
    "flat_line": _flat_line,
    "variance_collapse": _variance_collapse,
    "variance_collapse_peers": _variance_collapse_peers,
    "replay": _replay,
    "limit_hugging": _limit_hugging,
    "level_shift": _level_shift,
    "oxygen_dilution": _oxygen_dilution,
    "conversion_mismatch": _conversion_mismatch,
    "mass_balance": _mass_balance,
    "stopped_running": _stopped_running,
    "flag_on_exceedance": _flag_on_exceedance,
    "flag_share": _flag_share,
    "maintenance_without_record": _maintenance_without_record,
    "marks_timing": _marks_timing,
    "last_digit": _last_digit,
    "benford": _benford,
}


def explain(finding: Finding) -> str:
    """The finding's sentence in the active language; the package's English one when its numbers do
    not fit the detector's template."""
    template = TEMPLATES.get(finding.detector)
    evidence = finding.evidence if isinstance(finding.evidence, dict) else {}
    if template is None:
        return finding.explanation
    base = {
        "channel": channel(finding.factor, finding.field),
        "start": moment(finding.start),
        "end": moment(finding.end),
        "duration": duration(_span_hours(finding)),
    }
    try:
        return template(finding, evidence, base)
    except (KeyError, TypeError, ValueError):
        return finding.explanation
