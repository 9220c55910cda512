"""Reads for the emergency pages, the CAP feed, the dashboard card and the indicators."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import polars as pl
from django.db.models import Count, Prefetch, Q, QuerySet

from envplan.emergency import cap, compliance
from envplan.emergency.models import (
    LEVEL_RANK,
    LEVEL_ZH,
    RESPONSE_LEVEL,
    Alert,
    AlertChange,
    ControlType,
    Level,
    ListEntry,
    NeighbourAlert,
    PerformanceGrade,
    ProductionLine,
    ReductionList,
)
from envplan.sources import analytics
from envplan.sources import lake as sources_lake
from envplan.sources.models import Enterprise, OutletKind
from envplan.standards.emergency.grades import (
    NOT_GRADED,
    GradeError,
    Scheme,
    enterprise_grade,
    parse_scheme,
    required_cut,
)
from envplan.standards.emergency.rules import Level as RuleLevel

POLLUTANT_FIELDS = {
    "so2": "baseline_so2",
    "nox": "baseline_nox",
    "pm": "baseline_pm",
    "vocs": "baseline_vocs",
}
MSG_TYPES = {"issue": "Alert", "raise": "Update", "lower": "Update", "update": "Update", "lift": "Cancel"}


# --- alerts ------------------------------------------------------------------------------------------


def alerts_in_force() -> QuerySet[Alert]:
    return Alert.objects.filter(state=Alert.State.ACTIVE).order_by("-issued_at")


def alert_list() -> QuerySet[Alert]:
    return Alert.objects.annotate(notices=Count("changes")).order_by("-issued_at", "-pk")


def latest_alert(*, since: dt.datetime) -> Alert | None:
    """The alert in force, else the latest one lifted after ``since``: what the dashboard card shows."""
    # "active" sorts before "lifted": one query for both.
    return (
        Alert.objects.filter(Q(state=Alert.State.ACTIVE) | Q(lifted_at__gte=since))
        .order_by("state", "-issued_at", "-pk")
        .first()
    )


@dataclass(frozen=True)
class Period:
    start: dt.datetime
    end: dt.datetime
    level: str


def level_periods(changes: Sequence[AlertChange], *, now: dt.datetime) -> list[Period]:
    """The levels in force over the alert's response, from its notices (the last runs to the lift, or
    to ``now`` while in force)."""
    ordered = sorted(changes, key=lambda c: c.sequence)
    periods: list[Period] = []
    for change, following in zip(ordered, [*ordered[1:], None], strict=True):
        if change.action == AlertChange.Action.LIFT:
            break
        end = following.effective_at if following is not None else now
        if end > change.effective_at:
            periods.append(Period(change.effective_at, end, change.level))
    return periods


def _local(moment: dt.datetime) -> dt.datetime:
    """CAP times in the district's time (+08:00), as its notices are."""
    return moment.astimezone(sources_lake.ZONE)


def cap_message(change: AlertChange, earlier: Sequence[AlertChange], *, web: str = "") -> cap.CapMessage:
    """The CAP message of one notice (``earlier``: the alert's previous notices, referenced)."""
    alert = change.alert
    level = Level(change.level)
    lifting = change.action == AlertChange.Action.LIFT
    urgency, severity, certainty = cap.LIFT_TERMS if lifting else cap.LEVEL_TERMS[str(level)]
    verb = {"issue": "发布", "raise": "提升为", "lower": "调整为", "update": "更新", "lift": "解除"}[
        change.action
    ]
    headline = f"{alert.region}{verb}重污染天气{LEVEL_ZH[level]}预警"
    references = tuple(
        f"{alert.sender},{c.cap_identifier()},{cap.cap_time(_local(c.sent_at))}"
        for c in earlier
        if c.sequence < change.sequence
    )
    info = cap.CapInfo(
        event=f"重污染天气{LEVEL_ZH[level]}预警",
        urgency=urgency,
        severity=severity,
        certainty=certainty,
        response_type="AllClear" if lifting else "Execute",
        effective=_local(change.effective_at),
        onset=None if lifting else _local(change.effective_at),
        expires=None if lifting or change.planned_end is None else _local(change.planned_end),
        sender_name=alert.issuer,
        headline=headline,
        description=change.notice_text,
        instruction="" if lifting else change.measures,
        web=web,
        parameters=((cap.LEVEL_PARAMETER, str(level)), (cap.RESPONSE_PARAMETER, RESPONSE_LEVEL[level])),
        area_desc=alert.region,
        geocodes=((cap.GEOCODE_NAME, alert.region_code),) if alert.region_code else (),
    )
    return cap.CapMessage(
        identifier=change.cap_identifier(),
        sender=alert.sender,
        sent=_local(change.sent_at),
        msg_type=MSG_TYPES[change.action],
        references=references,
        info=info,
    )


def feed_changes(limit: int = 200) -> list[AlertChange]:
    """The latest notices, newest first, each with its alert's earlier notices prefetched."""
    return list(
        AlertChange.objects.select_related("alert")
        .prefetch_related(Prefetch("alert__changes", queryset=AlertChange.objects.order_by("sequence")))
        .order_by("-sent_at", "-pk")[:limit]
    )


# --- grades and lists ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class GradeInForce:
    scheme: str
    grade: str
    reason: str


def grades_in_force(enterprise_ids: Iterable[int], *, on: dt.date) -> dict[int, GradeInForce]:
    """Each enterprise's grade on ``on``: the lowest of its industries' grades in force (one query)."""
    rows = PerformanceGrade.objects.filter(
        Q(valid_until__isnull=True) | Q(valid_until__gte=on),
        enterprise_id__in=list(enterprise_ids),
        valid_from__lte=on,
    ).order_by("enterprise_id", "industry", "-valid_from", "-pk")
    latest: dict[int, dict[str, PerformanceGrade]] = defaultdict(dict)
    for row in rows:
        latest[row.enterprise_id].setdefault(row.industry, row)
    result: dict[int, GradeInForce] = {}
    for enterprise_id, by_industry in latest.items():
        schemes = {row.scheme for row in by_industry.values()}
        # Grades of two schemes cannot be compared: the newer scheme's grades stand.
        scheme = max(schemes)
        chosen = {i: r.grade for i, r in by_industry.items() if r.scheme == scheme}
        try:
            graded = enterprise_grade(parse_scheme(scheme), chosen)
        except GradeError:
            continue
        result[enterprise_id] = GradeInForce(scheme, graded.grade, graded.reason)
    return result


def list_in_force(on: dt.date) -> ReductionList | None:
    return (
        ReductionList.objects.filter(state=ReductionList.State.ADOPTED, revised_on__lte=on)
        .order_by("-revised_on", "-pk")
        .first()
    )


def list_entries(reduction_list: ReductionList) -> QuerySet[ListEntry]:
    return reduction_list.entries.select_related("enterprise").prefetch_related(
        Prefetch(
            "lines", queryset=ProductionLine.objects.prefetch_related("outlets").order_by("position", "pk")
        )
    )


def owed_cut(entry: ListEntry, level: str, grade: GradeInForce | None) -> Decimal:
    """The cut (% of baseline) an entry owes at a level, by its control type, grade and measures."""
    if entry.control_type in (ControlType.LIVELIHOOD, ControlType.EXEMPT):
        return Decimal(0)
    if entry.control_type == ControlType.STOPPED:
        return Decimal(100)
    listed = entry.listed_cut(level)
    graded = grade is not None and entry.control_type == ControlType.GRADED and grade.grade != NOT_GRADED
    return required_cut(
        RuleLevel(level),
        scheme=Scheme(grade.scheme) if graded and grade else None,
        grade=grade.grade if graded and grade else None,
        listed=listed if isinstance(listed, Decimal) else None,
    )


def hourly_rate(entry: ListEntry, pollutant: str) -> float | None:
    """kg/h of the baseline: annual tonnes over the operating hours."""
    annual = getattr(entry, POLLUTANT_FIELDS[pollutant])
    if annual is None or not entry.annual_hours:
        return None
    return float(annual) * 1000 / entry.annual_hours


def daily_caps(entry: ListEntry, level: str, grade: GradeInForce | None) -> dict[str, float | None]:
    """Emission caps per day (kg/d) at a level: the baseline rate less the cut owed, over 24 h."""
    cut = float(owed_cut(entry, level, grade))
    caps: dict[str, float | None] = {}
    for pollutant in POLLUTANT_FIELDS:
        rate = hourly_rate(entry, pollutant)
        caps[pollutant] = None if rate is None else round(rate * 24 * (1 - cut / 100), 1)
    return caps


# --- compliance during an alert ------------------------------------------------------------------------


@dataclass
class EnterpriseResult:
    entry: ListEntry
    grade: GradeInForce | None
    cuts: dict[str, Decimal]
    pollutants: list[dict[str, Any]] = field(default_factory=list)
    stopped: list[dict[str, Any]] = field(default_factory=list)
    has_data: bool = False

    @property
    def compliant(self) -> bool | None:
        if not self.has_data:
            return None
        return all(p["compliant"] for p in self.pollutants) and not self.stopped


@dataclass
class ComplianceReport:
    alert: Alert
    periods: list[Period]
    reduction_list: ReductionList | None
    results: list[EnterpriseResult]
    totals: list[dict[str, Any]]
    generated: bool

    @property
    def non_compliant(self) -> list[EnterpriseResult]:
        return [r for r in self.results if r.compliant is False]

    @property
    def without_data(self) -> list[EnterpriseResult]:
        return [r for r in self.results if r.compliant is None and owes_something(r)]

    @property
    def compliant_results(self) -> list[EnterpriseResult]:
        return [r for r in self.results if r.compliant is True]


def owes_something(result: EnterpriseResult) -> bool:
    return any(cut > 0 for cut in result.cuts.values()) or any(
        line.stop_from for line in result.entry.lines.all()
    )


def _stops(entries: Sequence[ListEntry]) -> pl.DataFrame:
    """Outlets all of whose lines stop at some level: the level from which all of them are stopped."""
    ranks: dict[tuple[int, int], list[int | None]] = defaultdict(list)
    for entry in entries:
        for line in entry.lines.all():
            for outlet in line.outlets.all():
                ranks[(entry.enterprise_id, outlet.pk)].append(LEVEL_RANK[line.stop_from] or None)
    rows = [(e, o, max(r)) for (e, o), r in ranks.items() if None not in r]  # type: ignore[type-var]
    return pl.DataFrame(
        rows, schema={"enterprise_id": pl.Int64, "outlet_id": pl.Int64, "stop_rank": pl.Int64}, orient="row"
    )


def compliance_report(alert: Alert, *, now: dt.datetime) -> ComplianceReport:
    changes = list(alert.changes.order_by("sequence"))
    periods = level_periods(changes, now=now)
    start_day = alert.response_start.astimezone(sources_lake.ZONE).date()
    reduction_list = list_in_force(start_day)
    entries = list(list_entries(reduction_list)) if reduction_list else []
    grades = grades_in_force([e.enterprise_id for e in entries], on=start_day)
    levels = sorted({p.level for p in periods}, key=lambda lv: LEVEL_RANK[lv])
    results = {
        e.enterprise_id: EnterpriseResult(
            entry=e,
            grade=grades.get(e.enterprise_id),
            cuts={lv: owed_cut(e, lv, grades.get(e.enterprise_id)) for lv in levels},
        )
        for e in entries
    }
    if not periods or not entries:
        return ComplianceReport(alert, periods, reduction_list, list(results.values()), [], alert.generated)
    baselines = pl.DataFrame(
        [
            (e.enterprise_id, pollutant, rate)
            for e in entries
            for pollutant in POLLUTANT_FIELDS
            if (rate := hourly_rate(e, pollutant)) is not None
        ],
        schema={"enterprise_id": pl.Int64, "pollutant": pl.Utf8, "rate": pl.Float64},
        orient="row",
    )
    cuts = pl.DataFrame(
        [(eid, lv, float(cut)) for eid, r in results.items() for lv, cut in r.cuts.items()],
        schema={"enterprise_id": pl.Int64, "level": pl.Utf8, "cut": pl.Float64},
        orient="row",
    )
    devices = analytics.devices_frame(enterprises=list(results))
    hourly = sources_lake.devices_hourly(devices, start=periods[0].start, end=periods[-1].end)
    emissions = compliance.hourly_emissions(hourly, devices=devices)
    leveled = compliance.with_levels(
        emissions,
        pl.DataFrame(
            {
                "start": [p.start for p in periods],
                "end": [p.end for p in periods],
                "level": [p.level for p in periods],
            }
        ),
    )
    by_pollutant = compliance.pollutant_results(leveled, baselines=baselines, cuts=cuts)
    for row in by_pollutant.to_dicts():
        result = results[row["enterprise_id"]]
        result.pollutants.append(row)
        result.has_data = True
    outlet_codes = dict((o.pk, o.code) for e in entries for line in e.lines.all() for o in line.outlets.all())
    for row in compliance.stopped_outlets_emitting(leveled, stops=_stops(entries)).to_dicts():
        row["outlet"] = outlet_codes.get(row["outlet_id"], str(row["outlet_id"]))
        results[row["enterprise_id"]].stopped.append(row)
        results[row["enterprise_id"]].has_data = True
    generated = bool(leveled.height and leveled.get_column("generated").any())
    ordered = sorted(
        results.values(), key=lambda r: (r.compliant is not False, r.compliant is None, r.entry.row_number)
    )
    return ComplianceReport(
        alert, periods, reduction_list, ordered, compliance.totals(by_pollutant).to_dicts(), generated
    )


CASE_COLUMNS = (
    "enterprise", "credit_code", "finding", "pollutant", "outlet", "hours", "emitted_kg", "allowed_kg",
    "baseline_kg", "cut_required", "cut_achieved",
)  # fmt: skip


def case_rows(report: ComplianceReport) -> list[dict[str, Any]]:
    """One row per finding, for inspectors: over its allowance, a stopped line emitting, no data."""
    rows: list[dict[str, Any]] = []
    for result in report.results:
        enterprise = result.entry.enterprise
        base = {"enterprise": enterprise.name, "credit_code": enterprise.credit_code}
        for item in result.pollutants:
            if not item["compliant"]:
                rows.append(
                    {
                        **base,
                        "finding": "over_allowance",
                        "pollutant": item["pollutant"],
                        "outlet": "",
                        "hours": item["hours"],
                        "emitted_kg": round(item["emitted_kg"], 1),
                        "allowed_kg": round(item["allowed_kg"], 1),
                        "baseline_kg": round(item["baseline_kg"], 1),
                        "cut_required": round(item["cut_required"], 1),
                        "cut_achieved": None
                        if item["cut_achieved"] is None
                        else round(item["cut_achieved"], 1),
                    }
                )
        for item in result.stopped:
            rows.append(
                {**base, "finding": "stopped_line_emitting", "pollutant": "", "outlet": item["outlet"],
                 "hours": item["hours"], "emitted_kg": round(item["kg"], 1), "allowed_kg": 0.0,
                 "baseline_kg": None, "cut_required": None, "cut_achieved": None}
            )  # fmt: skip
        if result.compliant is None and owes_something(result):
            rows.append({**base, "finding": "no_data", **dict.fromkeys(CASE_COLUMNS[3:], None)})
    return rows


# --- neighbours ----------------------------------------------------------------------------------------


def neighbour_alerts_in_force(*, now: dt.datetime) -> list[NeighbourAlert]:
    """Per neighbour alert (thread), its latest actual message, unless it cancels or has expired."""
    latest: dict[str, NeighbourAlert] = {}
    for message in NeighbourAlert.objects.filter(status="Actual").order_by("thread", "-sent", "-pk"):
        latest.setdefault(message.thread, message)
    return sorted(
        (m for m in latest.values() if m.msg_type != "Cancel" and (m.expires is None or m.expires > now)),
        key=lambda m: m.sent,
        reverse=True,
    )


def neighbour_messages(limit: int = 100) -> QuerySet[NeighbourAlert]:
    return NeighbourAlert.objects.select_related("source").order_by("-sent", "-pk")[:limit]


# --- indicators ----------------------------------------------------------------------------------------


def gas_related_enterprise_ids() -> set[int]:
    """Enterprises with a flue-gas outlet in the registry."""
    return set(Enterprise.objects.filter(outlets__kind=OutletKind.GAS).values_list("pk", flat=True))


def revision_of_year(year: int, *, on: dt.date) -> ReductionList | None:
    """The list adopted in ``year`` up to ``on`` (the latest one)."""
    return (
        ReductionList.objects.filter(state=ReductionList.State.ADOPTED, year=year, revised_on__lte=on)
        .order_by("-revised_on", "-pk")
        .first()
    )


def coverage_share(reduction_list: ReductionList) -> Decimal | None:
    """% of gas-related enterprises (a flue-gas outlet, or listed as emitting to air) on the list."""
    listed = dict(reduction_list.entries.values_list("enterprise_id", "gas_related"))
    gas = gas_related_enterprise_ids() | {e for e, gas_related in listed.items() if gas_related}
    if not gas:
        return None
    covered = len(gas & set(listed))
    return (Decimal(covered) * 100 / Decimal(len(gas))).quantize(Decimal("0.1"))
