"""Changes to alerts, grades, reduction lists and neighbours' alerts. Each service runs in one transaction
with its audit entry; a refused change raises `EmergencyError` (a message and the field it concerns)
before anything is written.

Side effects: `fetch_cap_source` reads the network (a neighbour's feed) before its transaction.
"""

from __future__ import annotations

import datetime as dt
import math
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from envplan.core import clock
from envplan.core.services import record_audit, snapshot
from envplan.emergency import cap, listxlsx, notice
from envplan.emergency.models import (
    LEVEL_RANK,
    Alert,
    AlertChange,
    CapSource,
    Level,
    ListEntry,
    NeighbourAlert,
    PerformanceGrade,
    ProductionLine,
    ReductionList,
)
from envplan.sources.models import Enterprise, Outlet
from envplan.standards.emergency import Forecast, ForecastError, assess, earliest_lift, rules_for
from envplan.standards.emergency.grades import GradeError, check_grade, is_lower, parse_scheme
from envplan.standards.emergency.regional import RuleFileError

CHANGE_FIELDS = (
    "sequence", "action", "level", "previous_level", "sent_at", "effective_at", "planned_end",
    "forecast_start", "forecast", "rules", "proposed_level", "override_reason", "notice_text",
)  # fmt: skip
GRADE_FIELDS = (
    "enterprise",
    "industry",
    "scheme",
    "grade",
    "valid_from",
    "valid_until",
    "reason",
    "document",
)
LIST_FIELDS = ("title", "year", "state", "revised_on", "note")
AUDIT_VERBS = {
    "issue": "issued",
    "raise": "raised",
    "lower": "lowered",
    "update": "updated",
    "lift": "lifted",
}
FETCH_TIMEOUT_SECONDS = 15
MAX_LINKED_MESSAGES = 50


class EmergencyError(ValueError):
    """A refused change; `field` names the input it concerns."""

    def __init__(self, message: str, *, field: str = "") -> None:
        super().__init__(message)
        self.field = field


# --- proposals from the forecast -----------------------------------------------------------------------


@dataclass(frozen=True)
class Proposal:
    level: str  # none | yellow | orange | red
    rules: str
    reason: str


def forecast_of(start: dt.date | None, values: Sequence[float]) -> Forecast:
    if start is None or not values:
        raise EmergencyError("a forecast needs its first day and at least one daily AQI", field="forecast")
    try:
        return Forecast(start, tuple(float(v) for v in values))
    except (ForecastError, ValueError) as error:
        raise EmergencyError(f"forecast: {error}", field="forecast") from None


def propose(start: dt.date | None, values: Sequence[float], *, edition: str = "auto") -> Proposal:
    """The level the forecast calls for under the national edition in force (or the one named)."""
    forecast = forecast_of(start, values)
    try:
        rules = rules_for(forecast.start, edition)
    except RuleFileError as error:
        raise EmergencyError(str(error), field="rules") from None
    result = assess(forecast, rules)
    return Proposal(str(result.level), rules.name, result.reason)


def parse_aqi_values(text: str) -> list[float]:
    """Daily AQI values as typed in a form: separated by commas, spaces or new lines."""
    values = []
    for part in text.replace("，", ",").replace(",", " ").split():
        try:
            value = float(part)
        except ValueError:
            raise EmergencyError(f"{part!r} is not an AQI value", field="forecast") from None
        if not math.isfinite(value) or value < 0:
            raise EmergencyError(f"{part!r} is not a non-negative AQI", field="forecast")
        values.append(value)
    return values


# --- alerts ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NoticeInput:
    basis: str = ""
    episode: str = ""
    conditions: str = ""
    trend: str = ""
    measures: str = ""
    text: str = ""  # the notice as the person wrote it; empty: composed from the fields


def _level(level: str) -> str:
    if level not in Level.values:
        raise EmergencyError(f"level {level!r} is not yellow, orange or red", field="level")
    return level


def _needs_reason(chosen: str, proposal: Proposal, reason: str) -> None:
    if chosen != proposal.level and not reason.strip():
        raise EmergencyError(
            f"the forecast calls for {proposal.level} ({proposal.reason}); say why the alert is {chosen}",
            field="override_reason",
        )


def _compose(action: str, alert: Alert, change: AlertChange, text: NoticeInput) -> str:
    if text.text.strip():
        return text.text.strip()
    return notice.compose(
        notice.NoticeFields(
            action=action,
            issuer=alert.issuer,
            region=alert.region,
            level=change.level,
            previous_level=change.previous_level,
            sent_at=change.sent_at,
            effective_at=change.effective_at,
            planned_end=change.planned_end,
            basis=text.basis,
            episode=text.episode,
            conditions=text.conditions,
            trend=text.trend,
            measures=text.measures,
        )
    )


def _record(alert: Alert, change: AlertChange, *, by: Any, before: dict[str, Any] | None) -> None:
    record_audit(
        alert,
        action=f"emergency.alert_{AUDIT_VERBS[change.action]}",
        actor=by,
        before=before,
        after={
            **snapshot(alert, ("level", "state", "planned_end", "lifted_at")),
            **snapshot(change, CHANGE_FIELDS),
        },
    )


@transaction.atomic
def issue_alert(
    *,
    region: str,
    issuer: str,
    sender: str,
    level: str,
    forecast_start: dt.date | None,
    forecast: Sequence[float],
    issued_at: dt.datetime,
    response_start: dt.datetime,
    planned_end: dt.datetime | None = None,
    region_code: str = "",
    override_reason: str = "",
    text: NoticeInput = NoticeInput(),
    edition: str = "auto",
    by: Any,
    generated: bool = False,
) -> Alert:
    """Issue an alert at ``level``; when the forecast calls for another level, ``override_reason`` says
    why. Writes the alert, its first notice and the audit entry."""
    for name, value in (("region", region), ("issuer", issuer)):
        if not value.strip():
            raise EmergencyError(f"the {name} is required", field=name)
    try:
        cap.check_token(sender, "sender")
    except cap.CapError as error:
        raise EmergencyError(str(error), field="sender") from None
    _level(level)
    if response_start < issued_at:
        raise EmergencyError("the response cannot start before the alert is issued", field="response_start")
    if planned_end is not None and planned_end <= response_start:
        raise EmergencyError("the planned end comes after the response starts", field="planned_end")
    proposal = propose(forecast_start, forecast, edition=edition)
    _needs_reason(level, proposal, override_reason)
    alert = Alert.objects.create(
        region=region.strip(),
        region_code=region_code.strip(),
        issuer=issuer.strip(),
        sender=sender,
        level=level,
        rules=proposal.rules,
        issued_at=issued_at,
        response_start=response_start,
        planned_end=planned_end,
        generated=generated,
    )
    change = AlertChange(
        alert=alert,
        sequence=1,
        action=AlertChange.Action.ISSUE,
        level=level,
        sent_at=issued_at,
        effective_at=response_start,
        planned_end=planned_end,
        forecast_start=forecast_start,
        forecast=[float(v) for v in forecast],
        rules=proposal.rules,
        proposed_level=proposal.level,
        proposal=proposal.reason,
        override_reason=override_reason.strip(),
        basis=text.basis,
        episode=text.episode,
        conditions=text.conditions,
        trend=text.trend,
        measures=text.measures,
        by=by if getattr(by, "pk", None) else None,
    )
    change.notice_text = _compose("issue", alert, change, text)
    change.save()
    _record(alert, change, by=by, before=None)
    return alert


def _next(alert: Alert, sent_at: dt.datetime, effective_at: dt.datetime) -> tuple[AlertChange, int]:
    if alert.state != Alert.State.ACTIVE:
        raise EmergencyError("the alert was lifted; issue a new one", field="state")
    last = alert.changes.order_by("-sequence").first()
    assert last is not None
    if sent_at < last.sent_at:
        raise EmergencyError("a notice cannot come before the previous one", field="sent_at")
    if effective_at < last.effective_at:
        raise EmergencyError("a change cannot take effect before the previous one did", field="effective_at")
    return last, last.sequence + 1


@transaction.atomic
def change_alert(
    alert: Alert,
    *,
    level: str,
    forecast_start: dt.date | None,
    forecast: Sequence[float],
    sent_at: dt.datetime,
    effective_at: dt.datetime,
    planned_end: dt.datetime | None = None,
    override_reason: str = "",
    text: NoticeInput = NoticeInput(),
    by: Any,
) -> AlertChange:
    """Raise, lower or update (same level: a new forecast or end) an alert in force."""
    alert = Alert.objects.select_for_update().get(pk=alert.pk)
    _level(level)
    _last, sequence = _next(alert, sent_at, effective_at)
    if planned_end is not None and planned_end <= effective_at:
        raise EmergencyError("the planned end comes after the change takes effect", field="planned_end")
    proposal = propose(forecast_start, forecast, edition=alert.rules.split("+")[0] or "auto")
    _needs_reason(level, proposal, override_reason)
    before = snapshot(alert, ("level", "state", "planned_end", "lifted_at"))
    rank, previous = LEVEL_RANK[level], LEVEL_RANK[alert.level]
    action = (
        AlertChange.Action.RAISE
        if rank > previous
        else AlertChange.Action.LOWER
        if rank < previous
        else AlertChange.Action.UPDATE
    )
    change = AlertChange(
        alert=alert,
        sequence=sequence,
        action=action,
        level=level,
        previous_level=alert.level,
        sent_at=sent_at,
        effective_at=effective_at,
        planned_end=planned_end,
        forecast_start=forecast_start,
        forecast=[float(v) for v in forecast],
        rules=proposal.rules,
        proposed_level=proposal.level,
        proposal=proposal.reason,
        override_reason=override_reason.strip(),
        basis=text.basis,
        episode=text.episode,
        conditions=text.conditions,
        trend=text.trend,
        measures=text.measures,
        by=by if getattr(by, "pk", None) else None,
    )
    change.notice_text = _compose(str(action), alert, change, text)
    change.save()
    alert.level = level
    alert.planned_end = planned_end
    alert.save(update_fields=["level", "planned_end"])
    _record(alert, change, by=by, before=before)
    return change


@transaction.atomic
def lift_alert(
    alert: Alert,
    *,
    lifted_at: dt.datetime,
    sent_at: dt.datetime | None = None,
    forecast_start: dt.date | None = None,
    forecast: Sequence[float] = (),
    override_reason: str = "",
    text: NoticeInput = NoticeInput(),
    by: Any,
) -> AlertChange:
    """Lift an alert. The forecast from the lift day must stay clean for the edition's lifting days
    (36 h: 2 days in 2024); otherwise, or without a forecast, ``override_reason`` says why."""
    alert = Alert.objects.select_for_update().get(pk=alert.pk)
    sent = sent_at or lifted_at
    _last, sequence = _next(alert, sent, lifted_at)
    day = lifted_at.astimezone(notice.ZONE).date()
    if forecast:
        parsed = forecast_of(forecast_start, forecast)
        rules = rules_for(parsed.start, alert.rules.split("+")[0] or "auto")
        earliest = earliest_lift(parsed, rules, not_before=day)
        may = earliest == day
        reason = (
            f"the forecast stays clean for {rules.lift_after_days} days from {day} under {rules.name}"
            if may
            else f"under {rules.name} the forecast allows lifting on {earliest}"
            if earliest
            else f"under {rules.name} the forecast shows no {rules.lift_after_days} clean days from {day}"
        )
        rules_name = rules.name
    else:
        may, reason, rules_name = False, "no forecast given", alert.rules
    if not may and not override_reason.strip():
        raise EmergencyError(f"{reason}; say why the alert is lifted now", field="override_reason")
    before = snapshot(alert, ("level", "state", "planned_end", "lifted_at"))
    change = AlertChange(
        alert=alert,
        sequence=sequence,
        action=AlertChange.Action.LIFT,
        level=alert.level,
        previous_level=alert.level,
        sent_at=sent,
        effective_at=lifted_at,
        forecast_start=forecast_start if forecast else None,
        forecast=[float(v) for v in forecast],
        rules=rules_name,
        proposed_level="lift" if may else "",
        proposal=reason,
        override_reason=override_reason.strip(),
        basis=text.basis,
        conditions=text.conditions,
        trend=text.trend,
        measures=text.measures,
        by=by if getattr(by, "pk", None) else None,
    )
    change.notice_text = _compose("lift", alert, change, text)
    change.save()
    alert.state = Alert.State.LIFTED
    alert.lifted_at = lifted_at
    alert.save(update_fields=["state", "lifted_at"])
    _record(alert, change, by=by, before=before)
    return change


# --- performance grades --------------------------------------------------------------------------------


def _clean_grade(scheme: str, grade: str) -> tuple[str, str]:
    try:
        parsed = parse_scheme(scheme)
        return parsed.value, check_grade(parsed, grade)
    except GradeError as error:
        raise EmergencyError(str(error), field="grade") from None


@transaction.atomic
def record_grade(
    enterprise: Enterprise,
    *,
    industry: str,
    scheme: str,
    grade: str,
    valid_from: dt.date,
    valid_until: dt.date | None = None,
    document: str = "",
    reason: str = "",
    by: Any,
) -> PerformanceGrade:
    scheme, grade = _clean_grade(scheme, grade)
    if valid_until is not None and valid_until < valid_from:
        raise EmergencyError("a grade cannot end before it starts", field="valid_until")
    row = PerformanceGrade.objects.create(
        enterprise=enterprise,
        industry=industry.strip(),
        scheme=scheme,
        grade=grade,
        valid_from=valid_from,
        valid_until=valid_until,
        document=document,
        reason=reason,
    )
    record_audit(row, action="emergency.grade_recorded", actor=by, after=snapshot(row, GRADE_FIELDS))
    return row


@transaction.atomic
def downgrade(current: PerformanceGrade, *, to: str, on: dt.date, reason: str, by: Any) -> PerformanceGrade:
    """A lower grade from ``on`` (after a violation, say); the current grade ends the day before."""
    current = PerformanceGrade.objects.select_for_update().get(pk=current.pk)
    scheme, grade = _clean_grade(current.scheme, to)
    if not reason.strip():
        raise EmergencyError("say why the grade is lowered", field="reason")
    if not is_lower(parse_scheme(scheme), grade, current.grade):
        raise EmergencyError(f"{grade} is not lower than {current.grade}", field="grade")
    if on <= current.valid_from:
        raise EmergencyError(f"a downgrade starts after the grade did ({current.valid_from})", field="on")
    if hasattr(current, "downgraded_by"):
        raise EmergencyError("this grade was already replaced by a downgrade", field="grade")
    before = snapshot(current, GRADE_FIELDS)
    current.valid_until = on - dt.timedelta(days=1)
    current.save(update_fields=["valid_until"])
    record_audit(
        current,
        action="emergency.grade_ended",
        actor=by,
        before=before,
        after=snapshot(current, GRADE_FIELDS),
    )
    row = PerformanceGrade.objects.create(
        enterprise=current.enterprise,
        industry=current.industry,
        scheme=scheme,
        grade=grade,
        valid_from=on,
        downgrade_of=current,
        reason=reason.strip(),
    )
    record_audit(row, action="emergency.grade_downgraded", actor=by, after=snapshot(row, GRADE_FIELDS))
    return row


# --- reduction lists -----------------------------------------------------------------------------------


@transaction.atomic
def create_list(*, title: str, year: int, note: str = "", by: Any, generated: bool = False) -> ReductionList:
    if not title.strip():
        raise EmergencyError("the title is required", field="title")
    if not 2000 <= year <= 2100:
        raise EmergencyError(f"{year} is not a year of revision", field="year")
    made = ReductionList.objects.create(title=title.strip(), year=year, note=note, generated=generated)
    record_audit(made, action="emergency.list_created", actor=by, after=snapshot(made, LIST_FIELDS))
    return made


@transaction.atomic
def revise_list(previous: ReductionList, *, title: str, year: int, by: Any) -> ReductionList:
    """A draft for next season's revision: a copy of ``previous`` with its entries and lines."""
    made = create_list(title=title, year=year, note=previous.note, by=by, generated=previous.generated)
    made.revision_of = previous
    made.save(update_fields=["revision_of"])
    for entry in previous.entries.prefetch_related("lines__outlets"):
        lines = list(entry.lines.all())
        entry.pk = None
        entry.reduction_list = made
        entry.save()
        for line in lines:
            # A new object: the old one's prefetched outlets would make `set` believe they are there.
            copy = ProductionLine.objects.create(
                entry=entry,
                position=line.position,
                name=line.name,
                description=line.description,
                stop_from=line.stop_from,
            )
            copy.outlets.set(list(line.outlets.all()))
    return made


@transaction.atomic
def adopt_list(reduction_list: ReductionList, *, on: dt.date, by: Any) -> ReductionList:
    reduction_list = ReductionList.objects.select_for_update().get(pk=reduction_list.pk)
    if reduction_list.state == ReductionList.State.ADOPTED:
        raise EmergencyError("the list is adopted already", field="state")
    if not reduction_list.entries.exists():
        raise EmergencyError("an empty list cannot be adopted", field="entries")
    before = snapshot(reduction_list, LIST_FIELDS)
    reduction_list.state = ReductionList.State.ADOPTED
    reduction_list.revised_on = on
    reduction_list.save(update_fields=["state", "revised_on"])
    record_audit(
        reduction_list,
        action="emergency.list_adopted",
        actor=by,
        before=before,
        after=snapshot(reduction_list, LIST_FIELDS),
    )
    return reduction_list


@dataclass
class ListImport:
    entries: int = 0
    lines: int = 0
    grades: int = 0
    problems: list[listxlsx.Problem] = field(default_factory=list)


def _match(parsed: list[listxlsx.ParsedEntry], problems: list[listxlsx.Problem]) -> dict[int, Enterprise]:
    by_code = {e.credit_code: e for e in Enterprise.objects.exclude(credit_code="")}
    by_name: dict[str, Enterprise] = {}
    for enterprise in Enterprise.objects.all():
        by_name.setdefault(enterprise.name, enterprise)
        if enterprise.name_zh:
            by_name.setdefault(enterprise.name_zh, enterprise)
    matched: dict[int, Enterprise] = {}
    for entry in parsed:
        found = by_code.get(entry.credit_code) if entry.credit_code else None
        found = found or by_name.get(entry.enterprise_name)
        if found is None:
            column = "统一社会信用代码" if entry.credit_code else "企业名称"
            problems.append(
                listxlsx.Problem(
                    listxlsx.SHEET,
                    entry.sheet_row,
                    column,
                    f"no enterprise {entry.credit_code or entry.enterprise_name!r} in the sources registry",
                )
            )
            continue
        matched[entry.sheet_row] = found
    return matched


def _check_draft(reduction_list: ReductionList) -> None:
    """Refuse an adopted list, as stored now (the caller's copy may be older)."""
    if not ReductionList.objects.filter(pk=reduction_list.pk, state=ReductionList.State.DRAFT).exists():
        raise EmergencyError("an adopted list is a record: revise it to make a new draft", field="state")


def import_list(reduction_list: ReductionList, *, name: str, content: bytes, by: Any) -> ListImport:
    """Replace a draft list's entries with those of a workbook. Every problem is returned and nothing is
    written when there is one; a grade the registry does not have yet is recorded."""
    _check_draft(reduction_list)
    try:
        parsed, problems = listxlsx.read_workbook(name, content)
    except listxlsx.ListFileError as error:
        raise EmergencyError(str(error), field="file") from None
    matched = _match(parsed, problems)
    outlets: dict[tuple[int, str], Outlet] = {
        (o.enterprise_id, o.code): o for o in Outlet.objects.filter(enterprise__in=list(matched.values()))
    }
    seen: dict[int, int] = {}
    for entry in parsed:
        enterprise = matched.get(entry.sheet_row)
        if enterprise is None:
            continue
        if enterprise.pk in seen:
            problems.append(
                listxlsx.Problem(
                    listxlsx.SHEET,
                    entry.sheet_row,
                    "企业名称",
                    f"the same enterprise as row {seen[enterprise.pk]}",
                )
            )
        seen[enterprise.pk] = entry.sheet_row
        for line in entry.lines:
            for code in line.outlet_codes:
                if (enterprise.pk, code) not in outlets:
                    problems.append(
                        listxlsx.Problem(
                            listxlsx.SHEET,
                            entry.sheet_row,
                            "排放口编号",
                            f"{enterprise} has no outlet {code!r}",
                        )
                    )
    if problems:
        return ListImport(problems=problems)
    with transaction.atomic():
        result = ListImport()
        reduction_list = ReductionList.objects.select_for_update().get(pk=reduction_list.pk)
        _check_draft(reduction_list)
        removed = reduction_list.entries.count()
        reduction_list.entries.all().delete()
        for entry in parsed:
            enterprise = matched[entry.sheet_row]
            values = entry.values
            row = ListEntry.objects.create(
                reduction_list=reduction_list,
                enterprise=enterprise,
                row_number=entry.row_number,
                industry=values["industry"],
                control_type=values["control_type"],
                gas_related=values["gas_related"],
                baseline_so2=values["so2"],
                baseline_nox=values["nox"],
                baseline_pm=values["pm"],
                baseline_vocs=values["vocs"],
                annual_hours=values["annual_hours"] or 8760,
                red_measures=values["red_measures"],
                orange_measures=values["orange_measures"],
                yellow_measures=values["yellow_measures"],
                red_cut=values["red_cut"],
                orange_cut=values["orange_cut"],
                yellow_cut=values["yellow_cut"],
            )
            result.entries += 1
            for position, line in enumerate(entry.lines, start=1):
                made = ProductionLine.objects.create(
                    entry=row,
                    position=position,
                    name=line.name,
                    description=line.description,
                    stop_from=line.stop_from,
                )
                made.outlets.set([outlets[(enterprise.pk, code)] for code in line.outlet_codes])
                result.lines += 1
            grade = entry.grade
            if (
                grade is not None
                and not PerformanceGrade.objects.filter(
                    enterprise=enterprise,
                    industry=values["industry"],
                    scheme=grade.scheme,
                    grade=grade.grade,
                    valid_from=grade.valid_from,
                ).exists()
            ):
                record_grade(
                    enterprise,
                    industry=values["industry"],
                    scheme=grade.scheme,
                    grade=grade.grade,
                    valid_from=grade.valid_from,
                    valid_until=grade.valid_until,
                    reason=f"from the list file {name}",
                    by=by,
                )
                result.grades += 1
        record_audit(
            reduction_list,
            action="emergency.list_imported",
            actor=by,
            after={"file": name, "entries": result.entries, "lines": result.lines, "replaced": removed},
        )
    return result


# --- neighbours' CAP feeds -----------------------------------------------------------------------------


@transaction.atomic
def save_cap_source(*, name: str, url: str, by: Any) -> CapSource:
    parsed = urllib.parse.urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise EmergencyError(f"{url!r} is not an http(s) address", field="url")
    if not name.strip():
        raise EmergencyError("the name is required", field="name")
    if CapSource.objects.filter(url=url).exists():
        raise EmergencyError("this feed is registered already", field="url")
    source = CapSource.objects.create(name=name.strip(), url=url)
    record_audit(source, action="emergency.feed_added", actor=by, after=snapshot(source, ("name", "url")))
    return source


@dataclass
class CapImport:
    new: int = 0
    known: int = 0
    links: list[str] = field(default_factory=list)


def _thread(message: cap.CapMessage) -> str:
    """The key of the first message of the alert a message belongs to."""
    keys = [cap.reference_key(r) for r in message.references]
    if not keys:
        return message.key
    known = NeighbourAlert.objects.filter(thread__in=keys).values_list("thread", flat=True).first()
    if known:
        return str(known)
    earliest = (
        NeighbourAlert.objects.filter(
            sender__in=[k.split(",")[0] for k in keys], identifier__in=[k.split(",")[-1] for k in keys]
        )
        .order_by("sent")
        .first()
    )
    return earliest.thread if earliest else keys[0]


def store_messages(
    messages: Sequence[cap.CapMessage], *, source: CapSource | None, by: Any, name: str
) -> CapImport:
    result = CapImport()
    with transaction.atomic():
        for message in sorted(messages, key=lambda m: m.sent):
            if message.msg_type not in ("Alert", "Update", "Cancel"):
                continue
            if NeighbourAlert.objects.filter(sender=message.sender, identifier=message.identifier).exists():
                result.known += 1
                continue
            info = message.info
            NeighbourAlert.objects.create(
                source=source,
                sender=message.sender[:200],
                identifier=message.identifier[:200],
                sent=message.sent,
                status=message.status[:16],
                msg_type=message.msg_type,
                references=" ".join(message.references),
                thread=_thread(message)[:420],
                event=(info.event if info else "")[:300],
                headline=(info.headline if info else "")[:300],
                description=info.description if info else "",
                area=(info.area_desc if info else "")[:300],
                level=cap.level_of(message),
                severity=(info.severity if info else "")[:16],
                urgency=(info.urgency if info else "")[:16],
                certainty=(info.certainty if info else "")[:16],
                effective=(info.effective or info.onset) if info else None,
                expires=info.expires if info else None,
            )
            result.new += 1
        if result.new:
            target = source if source is not None else NeighbourAlert.objects.order_by("-pk").first()
            assert target is not None
            record_audit(
                target,
                action="emergency.neighbour_alerts_imported",
                actor=by,
                after={"from": name, "new": result.new, "known": result.known},
            )
    return result


def import_cap(data: bytes, *, name: str, source: CapSource | None = None, by: Any) -> CapImport:
    """Store the messages of a CAP document or Atom feed not seen before (by sender and identifier).
    Linked messages (an Atom feed of links) are returned in ``links``, not fetched."""
    try:
        parsed = cap.parse_document(data, name=name)
    except cap.CapError as error:
        raise EmergencyError(str(error), field="file") from None
    result = store_messages(parsed.messages, source=source, by=by, name=name)
    result.links = parsed.links
    return result


Fetcher = Callable[[str], bytes]


def http_get(url: str) -> bytes:
    """GET ``url`` with a timeout and a size limit (a feed larger than cap.MAX_BYTES is refused)."""
    request = urllib.request.Request(
        url,
        headers={
            "User-Agent": "envplan-cap/1",
            "Accept": "application/atom+xml, application/cap+xml, application/xml",
        },
    )
    # The address is http(s): save_cap_source refuses any other scheme.
    with urllib.request.urlopen(request, timeout=FETCH_TIMEOUT_SECONDS) as response:
        data = response.read(cap.MAX_BYTES + 1)
    if len(data) > cap.MAX_BYTES:
        raise cap.CapError(f"{url}: more than {cap.MAX_BYTES // 2**20} MB")
    return bytes(data)


def fetch_cap_source(source: CapSource, *, fetch: Fetcher = http_get, by: Any = None) -> CapImport:
    """Read a neighbour's feed (and the CAP messages it links to) and store what is new. A feed that
    cannot be read is noted on the source (its last error) and changes nothing else."""
    messages: list[cap.CapMessage] = []
    try:
        parsed = cap.parse_document(fetch(source.url), name=source.url)
        messages.extend(parsed.messages)
        for link in parsed.links[:MAX_LINKED_MESSAGES]:
            absolute = urllib.parse.urljoin(source.url, link)
            messages.extend(cap.parse_document(fetch(absolute), name=absolute).messages)
    except (cap.CapError, urllib.error.URLError, OSError, ValueError) as error:
        CapSource.objects.filter(pk=source.pk).update(
            last_fetched_at=clock.now(), last_error=str(error)[:500]
        )
        raise EmergencyError(f"{source.name}: {error}", field="url") from None
    result = store_messages(messages, source=source, by=by, name=source.url)
    CapSource.objects.filter(pk=source.pk).update(last_fetched_at=clock.now(), last_error="")
    return result
