"""Alerts: issue, raise, lower, update and lift, each a notice with its audit entry."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from envplan.core.services import Actor, person, record_audit, snapshot
from envplan.emergency import cap, notice
from envplan.emergency.models import (
    LEVEL_RANK,
    Alert,
    AlertChange,
    Level,
)
from envplan.emergency.services.errors import EmergencyError
from envplan.standards.emergency import Forecast, ForecastError, assess, earliest_lift, rules_for
from envplan.standards.emergency.regional import RuleFileError

CHANGE_FIELDS = (
    "sequence", "action", "level", "previous_level", "sent_at", "effective_at", "planned_end",
    "forecast_start", "forecast", "rules", "proposed_level", "override_reason", "notice_text",
)  # fmt: skip
AUDIT_VERBS = {
    "issue": "issued",
    "raise": "raised",
    "lower": "lowered",
    "update": "updated",
    "lift": "lifted",
}


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

    def fields(self, *, episode: bool = True) -> dict[str, str]:
        """The notice's parts as an AlertChange stores them."""
        parts = {
            "basis": self.basis,
            "conditions": self.conditions,
            "trend": self.trend,
            "measures": self.measures,
        }
        return {**parts, "episode": self.episode} if episode else parts


def _proposed(proposal: Proposal, override_reason: str) -> dict[str, str]:
    """What the forecast proposed, as an AlertChange stores it, with the reason for departing from it."""
    return {
        "rules": proposal.rules,
        "proposed_level": proposal.level,
        "proposal": proposal.reason,
        "override_reason": override_reason.strip(),
    }


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


# What an alert's audit entries show of the alert itself, before and after a notice.
ALERT_FIELDS = ("level", "state", "planned_end", "lifted_at")


def _send(
    alert: Alert,
    change: AlertChange,
    text: NoticeInput,
    *,
    by: Actor,
    before: dict[str, Any] | None,
    **alert_now: object,
) -> None:
    """Compose and save the notice (the officer's own text, else composed from its parts), bring the alert
    to what the notice says (`alert_now`: its fields' new values), and audit the change."""
    change.notice_text = _compose(str(change.action), alert, change, text)
    change.save()
    if alert_now:
        for name, value in alert_now.items():
            setattr(alert, name, value)
        alert.save(update_fields=list(alert_now))
    record_audit(
        alert,
        action=f"emergency.alert_{AUDIT_VERBS[change.action]}",
        actor=by,
        before=before,
        after={
            **snapshot(alert, ALERT_FIELDS),
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
    by: Actor,
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
        **_proposed(proposal, override_reason),
        **text.fields(),
        by=person(by),
    )
    _send(alert, change, text, by=by, before=None)
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
    by: Actor,
) -> AlertChange:
    """Raise, lower or update (same level: a new forecast or end) an alert in force."""
    alert = Alert.objects.select_for_update().get(pk=alert.pk)
    _level(level)
    _last, sequence = _next(alert, sent_at, effective_at)
    if planned_end is not None and planned_end <= effective_at:
        raise EmergencyError("the planned end comes after the change takes effect", field="planned_end")
    proposal = propose(forecast_start, forecast, edition=alert.rules.split("+")[0] or "auto")
    _needs_reason(level, proposal, override_reason)
    before = snapshot(alert, ALERT_FIELDS)
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
        **_proposed(proposal, override_reason),
        **text.fields(),
        by=person(by),
    )
    _send(alert, change, text, by=by, before=before, level=level, planned_end=planned_end)
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
    by: Actor,
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
    before = snapshot(alert, ALERT_FIELDS)
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
        **text.fields(episode=False),  # a lift notice ends the episode: it describes none
        by=person(by),
    )
    _send(alert, change, text, by=by, before=before, state=Alert.State.LIFTED, lifted_at=lifted_at)
    return change
