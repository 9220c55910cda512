"""Rating an enterprise under a scheme, explained line by line.

`rate(scheme, evidence, exclusions)` returns the score, the grade, and every line a person needs to check
them: for each record, the indicator it moved and by how much (on the indicator and on the total), the
records a scheme does not count, the records set aside by an objection or a credit repair (with the
reason), each indicator's score, and the steps from the score to the grade (the cut-off, each downgrade,
each one-vote veto named as such).

How much a record moved its indicator:

* ``deduct`` rules add up: records are taken in date order and each deducts its points until the
  indicator's cap is reached (the record that reaches it counts in part, later ones count nothing, and the
  line says so). The effects on a line sum to the indicator's deduction.
* ``bands`` rules are not additive (a share of compliant outlets): a record's effect is the difference it
  makes, the indicator's score with it minus without it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from envplan.standards.credit.evidence import CODES, Evidence
from envplan.standards.credit.scheme import HUNDRED, Band, GradeRule, Indicator, Scheme, Text

CENT = Decimal("0.01")
ZERO = Decimal(0)

COUNTED, CAPPED, NOT_USED, EXCLUDED, VETO, DOWNGRADE = (
    "counted",
    "capped",
    "not_used",
    "excluded",
    "veto",
    "downgrade",
)


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class RecordLine:
    record: str
    label: str
    code: str
    quantity: Decimal
    unit: str
    on: date
    explanation: str
    url: str
    generated: bool
    role: str  # counted | capped | not_used | excluded | veto | downgrade
    indicator: str = ""
    indicator_effect: Decimal = ZERO  # weighted: change of the indicator's 0–100 score; points: -deduction
    total_effect: Decimal = ZERO  # change of the total score
    note: str = ""  # the exclusion's reason; for a capped record, the points it would have deducted


@dataclass(frozen=True)
class IndicatorLine:
    code: str
    label: Text
    group: str
    rule: str
    weight: Decimal | None
    applies: bool  # weighted: counted in the mean (a bands rule with no evidence may be left out)
    measure: Decimal | None  # bands: the measure of the quantities
    band: Band | None
    score: Decimal  # weighted: 0–100; points: the deduction
    contribution: Decimal  # weighted: score × weight / total weight; points: minus the deduction
    records: tuple[str, ...]
    source: str
    setting: bool


@dataclass(frozen=True)
class GradeStep:
    kind: str  # score | downgrade | veto
    grade: str
    record: str = ""
    record_label: str = ""
    reason: Text | None = None


@dataclass(frozen=True)
class Rating:
    scheme_id: str
    method: str
    score: Decimal
    score_grade: str  # the grade the score alone gives
    grade: str  # after downgrades and vetoes
    vetoed: bool
    indicators: tuple[IndicatorLine, ...]
    records: tuple[RecordLine, ...]
    steps: tuple[GradeStep, ...]

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready (numbers as text, dates ISO), to be stored beside the rating."""
        return {
            "scheme_id": self.scheme_id,
            "method": self.method,
            "score": str(self.score),
            "score_grade": self.score_grade,
            "grade": self.grade,
            "vetoed": self.vetoed,
            "indicators": [
                {
                    "code": line.code,
                    "label": line.label.as_dict(),
                    "group": line.group,
                    "rule": line.rule,
                    "weight": None if line.weight is None else str(line.weight),
                    "applies": line.applies,
                    "measure": None if line.measure is None else str(cents(line.measure)),
                    "band": None
                    if line.band is None
                    else {"at_least": str(line.band.at_least), "points": str(line.band.points)},
                    "score": str(cents(line.score)),
                    "contribution": str(cents(line.contribution)),
                    "records": list(line.records),
                    "source": line.source,
                    "setting": line.setting,
                }
                for line in self.indicators
            ],
            "records": [
                {
                    "record": line.record,
                    "label": line.label,
                    "code": line.code,
                    "quantity": str(line.quantity),
                    "unit": line.unit,
                    "on": line.on.isoformat(),
                    "explanation": line.explanation,
                    "url": line.url,
                    "generated": line.generated,
                    "role": line.role,
                    "indicator": line.indicator,
                    "indicator_effect": str(cents(line.indicator_effect)),
                    "total_effect": str(cents(line.total_effect)),
                    "note": line.note,
                }
                for line in self.records
            ],
            "steps": [
                {
                    "kind": step.kind,
                    "grade": step.grade,
                    "record": step.record,
                    "record_label": step.record_label,
                    "reason": None if step.reason is None else step.reason.as_dict(),
                }
                for step in self.steps
            ],
        }


def rate(scheme: Scheme, evidence: Iterable[Evidence], exclusions: Mapping[str, str] | None = None) -> Rating:
    """The rating of one enterprise from its evidence; `exclusions` maps a record to why it no longer
    counts (an objection upheld, a credit repair accepted)."""
    exclusions = exclusions or {}
    rows = sorted(evidence, key=lambda e: (e.on, e.record, e.code))
    kept = [row for row in rows if row.record not in exclusions]
    vetoes = {veto.code: veto for veto in scheme.vetoes}
    downgrades = {item.code: item for item in scheme.downgrades}

    by_indicator: dict[str, list[Evidence]] = {indicator.code: [] for indicator in scheme.indicators}
    for row in kept:
        indicator = scheme.indicator_for(row.code)
        if indicator is not None:
            by_indicator[indicator.code].append(row)

    raw = {
        indicator.code: _indicator_value(scheme, indicator, by_indicator[indicator.code])
        for indicator in scheme.indicators
    }
    total_weight = sum((ind.weight or ZERO for ind in scheme.indicators if raw[ind.code][0]), start=ZERO)
    score = _total(scheme, raw, total_weight)

    lines: list[RecordLine] = []
    record_effects: dict[str, list[str]] = {indicator.code: [] for indicator in scheme.indicators}
    deduct_effects = {
        indicator.code: _deduct_effects(indicator, by_indicator[indicator.code])
        for indicator in scheme.indicators
        if indicator.rule == "deduct"
    }
    for row in rows:
        if row.record in exclusions:
            lines.append(_line(row, EXCLUDED, note=exclusions[row.record]))
            continue
        if row.code in vetoes:
            lines.append(_line(row, VETO))
            continue
        if row.code in downgrades:
            lines.append(_line(row, DOWNGRADE))
            continue
        indicator = scheme.indicator_for(row.code)
        if indicator is None:
            lines.append(_line(row, NOT_USED))
            continue
        record_effects[indicator.code].append(row.record)
        if indicator.rule == "deduct":
            applied, wanted = deduct_effects[indicator.code][id(row)]
            effect = -applied
            role = COUNTED if applied == wanted else CAPPED
            note = "" if role == COUNTED else str(cents(wanted))
            if scheme.method == "weighted":
                share = (indicator.weight or ZERO) / total_weight if total_weight else ZERO
                total_effect = effect * share
            else:
                total_effect = effect
        else:
            others = [r for r in by_indicator[indicator.code] if r is not row]
            without = _indicator_value(scheme, indicator, others)
            effect = _signed(scheme, raw[indicator.code]) - _signed(scheme, without)
            changed = dict(raw)
            changed[indicator.code] = without
            weight_without = sum(
                (ind.weight or ZERO for ind in scheme.indicators if changed[ind.code][0]), start=ZERO
            )
            total_effect = score - _total(scheme, changed, weight_without)
            role, note = COUNTED, ""
        lines.append(
            _line(
                row,
                role,
                indicator=indicator.code,
                indicator_effect=effect,
                total_effect=total_effect,
                note=note,
            )
        )

    indicator_lines = []
    for indicator in scheme.indicators:
        applies, value, measure, band = raw[indicator.code]
        if scheme.method == "weighted":
            share = (indicator.weight or ZERO) / total_weight if applies and total_weight else ZERO
            contribution = value * share
        else:
            contribution = -value
        indicator_lines.append(
            IndicatorLine(
                code=indicator.code,
                label=indicator.label,
                group=indicator.group,
                rule=indicator.rule,
                weight=indicator.weight,
                applies=applies,
                measure=measure,
                band=band,
                score=value,
                contribution=contribution,
                records=tuple(record_effects[indicator.code]),
                source=indicator.source,
                setting=indicator.setting,
            )
        )

    rounded = cents(score)
    score_grade = grade_for(scheme, rounded)
    steps = [GradeStep(kind="score", grade=score_grade)]
    grade = score_grade
    ranks = [g.code for g in scheme.grades]
    for row in kept:
        if row.code in downgrades:
            item = downgrades[row.code]
            grade = ranks[min(len(ranks) - 1, ranks.index(grade) + item.levels)]
            steps.append(_rule_step("downgrade", grade, row, item))
    vetoed = False
    for row in kept:
        if row.code in vetoes:
            vetoed = True
            grade = scheme.worst.code
            steps.append(_rule_step("veto", grade, row, vetoes[row.code]))
    return Rating(
        scheme_id=scheme.id,
        method=scheme.method,
        score=rounded,
        score_grade=score_grade,
        grade=grade,
        vetoed=vetoed,
        indicators=tuple(indicator_lines),
        records=tuple(lines),
        steps=tuple(steps),
    )


def _rule_step(kind: str, grade: str, row: Evidence, rule: GradeRule) -> GradeStep:
    """The grade after a downgrade or a veto, and the record and rule that made it."""
    return GradeStep(kind=kind, grade=grade, record=row.record, record_label=row.label, reason=rule.label)


def _line(
    row: Evidence,
    role: str,
    *,
    indicator: str = "",
    indicator_effect: Decimal = ZERO,
    total_effect: Decimal = ZERO,
    note: str = "",
) -> RecordLine:
    return RecordLine(
        record=row.record,
        label=row.label,
        code=row.code,
        quantity=row.quantity,
        unit=CODES[row.code].unit,
        on=row.on,
        explanation=row.explanation,
        url=row.url,
        generated=row.generated,
        role=role,
        indicator=indicator,
        indicator_effect=indicator_effect,
        total_effect=total_effect,
        note=note,
    )


def grade_for(scheme: Scheme, score: Decimal) -> str:
    """The best grade whose cut-off the score reaches."""
    for grade in scheme.grades:
        if score >= grade.at_least:
            return grade.code
    return scheme.worst.code


def grade_range(scheme: Scheme, code: str) -> tuple[Decimal, Decimal | None]:
    """The score range of a grade: [at_least, the next better grade's at_least)."""
    grades = list(scheme.grades)
    index = [g.code for g in grades].index(code)
    upper = grades[index - 1].at_least if index > 0 else None
    return grades[index].at_least, upper


# (applies, value, measure, band): value is the 0–100 score (weighted) or the deduction (points).
IndicatorValue = tuple[bool, Decimal, Decimal | None, Band | None]


def _indicator_value(scheme: Scheme, indicator: Indicator, rows: Sequence[Evidence]) -> IndicatorValue:
    if indicator.rule == "deduct":
        deduction = sum((applied for applied, _ in _deduct_effects(indicator, rows).values()), start=ZERO)
        value = max(ZERO, HUNDRED - deduction) if scheme.method == "weighted" else deduction
        return True, value, None, None
    if not rows:
        if indicator.when_no_evidence == "exclude":
            return False, (ZERO if scheme.method == "points" else HUNDRED), None, None
        return True, (HUNDRED if scheme.method == "weighted" else ZERO), None, None
    measure = _measure(indicator.measure, rows)
    band = next((b for b in indicator.bands if measure >= b.at_least), indicator.bands[-1])
    return True, band.points, measure, band


def _measure(kind: str, rows: Sequence[Evidence]) -> Decimal:
    quantities = [row.quantity for row in rows]
    if kind == "mean":
        return sum(quantities, start=ZERO) / len(quantities)
    if kind == "min":
        return min(quantities)
    if kind == "max":
        return max(quantities)
    if kind == "sum":
        return sum(quantities, start=ZERO)
    return quantities[-1]  # latest: rows come in date order


def _deduct_effects(indicator: Indicator, rows: Sequence[Evidence]) -> dict[int, tuple[Decimal, Decimal]]:
    """id(row) -> (points applied, points the record asked for), applied in date order up to the cap."""
    room = indicator.cap if indicator.cap is not None else None
    effects = {}
    for row in rows:
        wanted = (
            indicator.per_record.get(row.code, ZERO) + indicator.per_unit.get(row.code, ZERO) * row.quantity
        )
        applied = wanted if room is None else min(wanted, room)
        if room is not None:
            room -= applied
        effects[id(row)] = (applied, wanted)
    return effects


def _signed(scheme: Scheme, value: IndicatorValue) -> Decimal:
    """An indicator's value as it moves the total: a score (weighted) or minus a deduction (points)."""
    return value[1] if scheme.method == "weighted" else -value[1]


def _total(scheme: Scheme, values: Mapping[str, IndicatorValue], total_weight: Decimal) -> Decimal:
    if scheme.method == "points":
        deductions = sum((values[ind.code][1] for ind in scheme.indicators), start=ZERO)
        return max(ZERO, scheme.base - deductions)
    if not total_weight:
        return HUNDRED
    weighted = sum(
        (values[ind.code][1] * (ind.weight or ZERO) for ind in scheme.indicators if values[ind.code][0]),
        start=ZERO,
    )
    return weighted / total_weight
