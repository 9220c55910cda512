"""The credit section of the public portal, registered from CreditConfig.ready() as any app on the
enforcement floor registers its own (envplan.core.publication): the grades in force, and the joint-sanctions
and incentives lists. Only published grades appear; drafts, notices and objections never do."""

from __future__ import annotations

import datetime as dt
from functools import partial
from typing import Any

from django.utils.translation import gettext_lazy as _

from envplan.core.publication import Column, Section, Table, register_section
from envplan.credit.queries import GradeNow, grades_in_force
from envplan.sources.models import Enterprise


def _row(grade: GradeNow, enterprises: dict[int, Enterprise]) -> dict[str, Any]:
    enterprise = enterprises[grade.enterprise_id]
    return {
        "enterprise": grade.enterprise_id,
        "name": enterprise.name,
        "name_zh": enterprise.name_zh,
        "credit_code": enterprise.credit_code,
        "scheme": grade.scheme_id,
        "grade": grade.grade,
        "grade_label": grade.label,
        "score": grade.score,
        "in_force_from": grade.valid_from,
        "consequences": "; ".join(grade.consequences),
        "illustrative": enterprise.illustrative,
    }


def _rows(now: dt.datetime, which: str = "all") -> list[dict[str, Any]]:
    grades = grades_in_force(now.date())
    if which == "sanctions":
        grades = [g for g in grades if g.on_sanctions_list]
    elif which == "incentives":
        grades = [g for g in grades if g.on_incentives_list]
    enterprises = Enterprise.objects.in_bulk([g.enterprise_id for g in grades])
    return [_row(g, enterprises) for g in grades]


def _highlights(now: dt.datetime) -> list[tuple[str, str]]:
    grades = grades_in_force(now.date())
    return [
        (str(_("grades in force")), str(len(grades))),
        (str(_("on the joint-sanctions list")), str(sum(g.on_sanctions_list for g in grades))),
        (str(_("on the incentives list")), str(sum(g.on_incentives_list for g in grades))),
    ]


def _columns() -> tuple[Column, ...]:
    return (
        Column("enterprise", _("Enterprise"), _("envplan's number of the enterprise."), type="integer"),
        Column("name", _("Name"), _("Registered name of the enterprise.")),
        Column("name_zh", _("Name in Chinese"), _("Name in Chinese.")),
        Column("credit_code", _("Unified social credit code"), _("统一社会信用代码 (GB 32100-2015).")),
        Column("scheme", _("Scheme"), _("The credit scheme and edition it was rated under.")),
        Column(
            "grade",
            _("Grade"),
            _("Grade code of the scheme (green, blue, yellow, red; A, B, C, D)."),
            css=lambda row: f"grade grade-{str(row['grade']).lower()}",
            display=lambda row: str(row["grade_label"]),
        ),
        Column("grade_label", _("Grade name"), _("The grade's name in the scheme.")),
        Column("score", _("Score"), _("The rating's score under the scheme."), type="number"),
        Column("in_force_from", _("In force from"), _("Publication, or credit repair, date."), type="date"),
        Column("consequences", _("Consequences"), _("What the grade entails under the scheme.")),
        Column(
            "illustrative",
            _("Illustrative"),
            _("true for an enterprise made up for the demo."),
            type="boolean",
        ),
    )


def register() -> None:
    # The three tables list the same columns of the same rows: all grades, the lowest, the highest.
    listed = partial(Table, columns=_columns(), key="enterprise", label="name")
    register_section(
        Section(
            key="credit",
            title=_("Environmental credit"),
            summary=_(
                "Enterprises' environmental credit grades in force, with the joint-sanctions list (lowest "
                "grade) and the incentives list (highest grade)."
            ),
            order=50,
            watch=("credit.GradeInForce", "credit.CreditRating", "sources.Enterprise"),
            tables=(
                listed(
                    name="credit-grades",
                    title=_("Credit grades in force"),
                    description=_("Each rated enterprise's published grade in force today."),
                    rows=_rows,
                    keywords=("environmental credit",),
                ),
                listed(
                    name="credit-joint-sanctions",
                    title=_("Joint-sanctions list"),
                    description=_("Enterprises whose grade in force is their scheme's lowest (联合惩戒)."),
                    rows=lambda now: _rows(now, "sanctions"),
                    keywords=("environmental credit", "joint sanctions"),
                ),
                listed(
                    name="credit-incentives",
                    title=_("Incentives list"),
                    description=_("Enterprises whose grade in force is their scheme's highest (守信激励)."),
                    rows=lambda now: _rows(now, "incentives"),
                    keywords=("environmental credit", "incentives"),
                ),
            ),
            highlights=_highlights,
        )
    )
