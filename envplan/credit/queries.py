"""Reads of credit: the grade in force on a day (for the inspections app), the public lists, and a rating's
explanation shaped for a page.

`credit_grade(enterprise, on)` is what other apps call: the inspections app draws D-grade units at 150 % of
the normal ratio under Inner Mongolia's scheme (`GradeNow.inspection_factor`), and may treat the lowest and
highest grades of any scheme alike (`worst`, `best`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import OuterRef, Subquery
from django.utils.translation import get_language

from envplan.credit.labels import CODE_LABELS, ROLE_LABELS, UNIT_LABELS
from envplan.credit.models import CreditRating, GradeInForce
from envplan.sources.models import Enterprise
from envplan.standards.credit import Scheme, Text, grade_range


@dataclass(frozen=True)
class GradeNow:
    enterprise_id: int
    enterprise: str
    grade: str
    label: str
    rank: int
    best: bool
    worst: bool
    scheme_id: str
    score: Decimal
    valid_from: dt.date
    rating_id: int
    inspection_factor: Decimal | None
    grade_count: int = 0  # how many grades the scheme has (rank 1 is the best, rank grade_count the worst)
    consequences: tuple[str, ...] = ()
    on_sanctions_list: bool = False
    on_incentives_list: bool = False


def _grade_now(row: GradeInForce, language: str) -> GradeNow:
    scheme = row.rating.round.scheme
    grade = scheme.grade(row.grade)
    return GradeNow(
        enterprise_id=row.enterprise_id,
        enterprise=row.enterprise.name,
        grade=row.grade,
        label=grade.label.get(language),
        rank=grade.rank,
        best=grade.code == scheme.best.code,
        worst=grade.code == scheme.worst.code,
        scheme_id=scheme.id,
        score=row.score,
        valid_from=row.valid_from,
        rating_id=row.rating_id,
        inspection_factor=grade.inspection_factor,
        grade_count=len(scheme.grades),
        consequences=tuple(c.get(language) for c in grade.consequences),
        on_sanctions_list=grade.code == scheme.sanctions_grade,
        on_incentives_list=grade.code == scheme.incentives_grade,
    )


def credit_grade(enterprise: Enterprise | int, on: dt.date) -> GradeNow | None:
    """The enterprise's grade in force on `on`: the latest one published (or changed by a credit repair)
    on or before that day, whatever the scheme; None when it was never published."""
    enterprise_id = enterprise if isinstance(enterprise, int) else enterprise.pk
    row = (
        GradeInForce.objects.filter(enterprise_id=enterprise_id, valid_from__lte=on)
        .select_related("rating__round", "enterprise")
        .order_by("-valid_from", "-pk")
        .first()
    )
    return None if row is None else _grade_now(row, get_language() or "en")


def grades_in_force(on: dt.date) -> list[GradeNow]:
    """Every enterprise's grade in force on `on` (enterprises never published are left out)."""
    latest = (
        GradeInForce.objects.filter(enterprise_id=OuterRef("enterprise_id"), valid_from__lte=on)
        .order_by("-valid_from", "-pk")
        .values("pk")[:1]
    )
    rows = (
        GradeInForce.objects.filter(valid_from__lte=on, pk=Subquery(latest))
        .select_related("rating__round", "enterprise")
        .order_by("enterprise__name")
    )
    language = get_language() or "en"
    return [_grade_now(row, language) for row in rows]


def sanctions_list(on: dt.date) -> list[GradeNow]:
    """Enterprises whose grade in force is their scheme's lowest: joint sanctions (联合惩戒)."""
    return [grade for grade in grades_in_force(on) if grade.on_sanctions_list]


def incentives_list(on: dt.date) -> list[GradeNow]:
    """Enterprises whose grade in force is their scheme's highest: incentives for trustworthiness."""
    return [grade for grade in grades_in_force(on) if grade.on_incentives_list]


# --- explanation ----------------------------------------------------------------------------------------


@dataclass
class RecordView:
    record: str
    label: str
    code: str
    code_label: str
    quantity: str
    unit: str
    on: str
    explanation: str
    url: str
    generated: bool
    role: str
    role_label: str
    indicator: str
    indicator_label: str
    indicator_effect: Decimal
    total_effect: Decimal
    note: str


@dataclass
class IndicatorView:
    code: str
    label: str
    group: str
    rule: str
    weight: str | None
    applies: bool
    measure: str | None
    score: Decimal
    contribution: Decimal
    source: str
    setting: bool
    records: list[RecordView] = field(default_factory=list)


@dataclass
class StepView:
    kind: str
    grade: str
    grade_label: str
    record: str
    record_label: str
    reason: str
    low: Decimal | None = None
    high: Decimal | None = None
    setting: bool = False


@dataclass
class ExplanationView:
    scheme: Scheme
    method: str
    score: Decimal
    grade: str
    grade_label: str
    vetoed: bool
    indicators: list[IndicatorView]
    records: list[RecordView]
    unused: list[RecordView]
    excluded: list[RecordView]
    special: list[RecordView]  # vetoes and downgrades
    steps: list[StepView]


def _text(value: object, language: str) -> str:
    if isinstance(value, dict):
        return Text(zh=value.get("zh", ""), en=value.get("en", ""), fr=value.get("fr", "")).get(language)
    return str(value or "")


def explanation_view(rating: CreditRating, *, language: str | None = None) -> ExplanationView:
    """The rating's stored explanation with labels in the page's language."""
    language = language or get_language() or "en"
    scheme = rating.round.scheme
    data = rating.explanation
    indicator_labels = {line["code"]: _text(line["label"], language) for line in data.get("indicators", [])}
    records = []
    for line in data.get("records", []):
        records.append(
            RecordView(
                record=line["record"],
                label=line["label"],
                code=line["code"],
                code_label=str(CODE_LABELS.get(line["code"], line["code"])),
                quantity=format(Decimal(line["quantity"]).normalize(), "f"),
                unit=str(UNIT_LABELS.get(line["unit"], line["unit"])),
                on=line["on"],
                explanation=line["explanation"],
                url=line["url"],
                generated=line["generated"],
                role=line["role"],
                role_label=str(ROLE_LABELS.get(line["role"], line["role"])),
                indicator=line["indicator"],
                indicator_label=indicator_labels.get(line["indicator"], ""),
                indicator_effect=Decimal(line["indicator_effect"]),
                total_effect=Decimal(line["total_effect"]),
                note=line["note"],
            )
        )
    by_record = {r.record: r for r in records}
    indicators = []
    for line in data.get("indicators", []):
        indicators.append(
            IndicatorView(
                code=line["code"],
                label=_text(line["label"], language),
                group=scheme.groups[line["group"]].get(language) if line["group"] in scheme.groups else "",
                rule=line["rule"],
                weight=line["weight"],
                applies=line["applies"],
                measure=line["measure"],
                score=Decimal(line["score"]),
                contribution=Decimal(line["contribution"]),
                source=line["source"],
                setting=line["setting"],
                records=[by_record[r] for r in line["records"] if r in by_record],
            )
        )
    steps = []
    for step in data.get("steps", []):
        grade = scheme.grade(step["grade"])
        view = StepView(
            kind=step["kind"],
            grade=step["grade"],
            grade_label=grade.label.get(language),
            record=step["record"],
            record_label=step["record_label"],
            reason=_text(step["reason"], language),
        )
        if step["kind"] == "score":
            view.low, view.high = grade_range(scheme, step["grade"])
            view.setting = grade.setting
        steps.append(view)
    final = scheme.grade(rating.grade)
    return ExplanationView(
        scheme=scheme,
        method=data.get("method", scheme.method),
        score=rating.score,
        grade=rating.grade,
        grade_label=final.label.get(language),
        vetoed=rating.vetoed,
        indicators=indicators,
        records=[r for r in records if r.role in ("counted", "capped")],
        unused=[r for r in records if r.role == "not_used"],
        excluded=[r for r in records if r.role == "excluded"],
        special=[r for r in records if r.role in ("veto", "downgrade")],
        steps=steps,
    )


def grade_label(rating: CreditRating, language: str | None = None) -> str:
    return rating.round.scheme.grade(rating.grade).label.get(language or get_language() or "en")
