"""The alerts section of the public portal (envplan.core.publication), registered from
EmergencyConfig.ready(): every heavy-pollution alert of the district, in force or past, with each of its
notices. What is published is what the notices said; the proposal the office departed from and its
reasons stay inside."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Max
from django.utils.translation import gettext_lazy as _

from envplan.core.publication import Column, Row, Section, Table, register_section
from envplan.emergency.models import Alert, AlertChange, Level

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def _level(value: str) -> str:
    return str(Level(value).label) if value in Level.values else value or "—"


def alert_rows(now: dt.datetime) -> list[dict[str, Any]]:
    alerts = (
        Alert.objects.filter(issued_at__lte=now)
        .annotate(notices=Count("changes"))
        .order_by("-issued_at", "-pk")
    )
    return [
        {
            "alert": alert.pk,
            "region": alert.region,
            "level": alert.level,
            "response_level": alert.response_level,
            "in_force": alert.state == Alert.State.ACTIVE,
            "issued": alert.issued_at,
            "response_start": alert.response_start,
            "planned_end": alert.planned_end,
            "lifted": alert.lifted_at,
            "issuer": alert.issuer,
            "notices": alert.notices,
            "generated": alert.generated,
        }
        for alert in alerts
    ]


def notice_rows(now: dt.datetime) -> list[dict[str, Any]]:
    changes = (
        AlertChange.objects.filter(sent_at__lte=now)
        .select_related("alert")
        .order_by("-sent_at", "-alert_id", "-sequence")
    )
    return [
        {
            "notice": f"{change.alert_id}-{change.sequence}",
            "alert": change.alert_id,
            "number": change.sequence,
            "action": change.action,
            "level": change.level,
            "previous_level": change.previous_level,
            "sent": change.sent_at,
            "takes_effect": change.effective_at,
            "planned_end": change.planned_end,
            "measures": change.measures,
            "notice_text": change.notice_text,
            "generated": change.alert.generated,
        }
        for change in changes
    ]


def _updated() -> dt.datetime | None:
    value = AlertChange.objects.aggregate(last=Max("sent_at"))["last"]
    return value if isinstance(value, dt.datetime) else None


def _highlights(now: dt.datetime) -> list[tuple[str, str]]:
    rows = alert_rows(now)
    this_year = sum(1 for row in rows if row["issued"].year == now.year)
    return [
        (str(_("alerts in force")), str(sum(1 for row in rows if row["in_force"]))),
        (str(_("alerts this year")), str(this_year)),
    ]


def _level_css(row: Row, name: str = "level") -> str:
    return f"alert-level alert-{row[name]}" if row[name] else ""


def _level_column(description: StrOrPromise) -> Column:
    return Column("level", _("Level"), description, display=lambda row: _level(row["level"]), css=_level_css)


def register() -> None:
    generated = Column(
        "generated",
        _("Generated"),
        _("true when the alert was made up by the demo, never issued."),
        type="boolean",
    )
    # Both tables name the alert and its announced end alike.
    alert = Column("alert", _("Alert"), _("envplan's number of the alert."), type="integer")
    planned_end = Column("planned_end", _("Planned end"), _("The end announced, if any."), type="datetime")
    register_section(
        Section(
            key="alerts",
            title=_("Heavy-pollution alerts"),
            summary=_(
                "Heavy-pollution weather alerts of the district, in force and past, with every notice."
            ),
            order=40,
            watch=("emergency.Alert", "emergency.AlertChange"),
            tables=(
                Table(
                    name="alerts",
                    title=_("Alerts"),
                    description=_("Every alert with its level, start, planned end and lift."),
                    columns=(
                        alert,
                        Column("region", _("Region"), _("The area the alert covers.")),
                        _level_column(_("yellow, orange or red: the level in force, or the last one.")),
                        Column("response_level", _("Response level"), _("Ⅲ, Ⅱ or Ⅰ (yellow, orange, red).")),
                        Column(
                            "in_force", _("In force"), _("true while the alert is in force."), type="boolean"
                        ),
                        Column("issued", _("Issued"), _("When the alert was issued."), type="datetime"),
                        Column(
                            "response_start",
                            _("Response starts"),
                            _("When the response measures start."),
                            type="datetime",
                        ),
                        planned_end,
                        Column("lifted", _("Lifted"), _("When the alert was lifted."), type="datetime"),
                        Column("issuer", _("Issuer"), _("The authority that issued it.")),
                        Column("notices", _("Notices"), _("How many notices the alert had."), type="integer"),
                        generated,
                    ),
                    rows=alert_rows,
                    key="alert",
                    label="region",
                    keywords=("heavy-pollution weather", "alerts"),
                    updated=_updated,
                ),
                Table(
                    name="alert-notices",
                    title=_("Alert notices"),
                    description=_("Every notice of every alert: issue, raise, lower, update and lift."),
                    columns=(
                        Column("notice", _("Notice"), _("Alert number and notice number.")),
                        alert,
                        Column(
                            "number", _("Number"), _("The notice's number within the alert."), type="integer"
                        ),
                        Column("action", _("Action"), _("issue, raise, lower, update or lift.")),
                        _level_column(_("The level from this notice.")),
                        Column(
                            "previous_level",
                            _("Previous level"),
                            _("The level before this notice."),
                            display=lambda row: (
                                _level(row["previous_level"]) if row["previous_level"] else ""
                            ),
                        ),
                        Column("sent", _("Sent"), _("When the notice was sent."), type="datetime"),
                        Column(
                            "takes_effect", _("Takes effect"), _("When it takes effect."), type="datetime"
                        ),
                        planned_end,
                        Column("measures", _("Response measures"), _("The measures the notice announced.")),
                        Column("notice_text", _("Notice text"), _("The notice as published.")),
                        generated,
                    ),
                    rows=notice_rows,
                    key="notice",
                    label="notice",
                    keywords=("heavy-pollution weather", "alerts"),
                    updated=_updated,
                ),
            ),
            highlights=_highlights,
        )
    )
