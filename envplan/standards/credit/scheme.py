"""A credit scheme as data: grades and their cut-offs, indicators with their evidence and band rules,
one-vote vetoes, downgrades, consequences, and the cycle's periods.

A province's scheme is a file (TOML, or JSON with the same keys), never code: ``FORMAT`` below. Every
number carries where it comes from: ``source`` cites the rules' text; ``setting = true`` marks a value the
sources do not give (a district setting that must be confirmed), so a page can say which is which.

Two scoring methods:

* ``weighted`` (the national 2013 measures): each indicator scores 0–100; the total is the weighted mean
  of the indicators that apply. A ``deduct`` rule scores 100 minus its deductions; a ``bands`` rule gives
  the ``points`` of the first band whose ``at_least`` the measure reaches.
* ``points`` (a dynamic score, as in Shaanxi or Jiangsu): the total is ``base`` minus every indicator's
  deduction. A ``deduct`` rule deducts its points; a ``bands`` rule deducts the ``points`` of its band.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, TypedDict

from envplan.standards.credit.evidence import CODES
from envplan.standards.textfiles import checked_table, only_keys, read_document

LANGUAGES = ("zh", "en", "fr")
METHODS = ("weighted", "points")
RULE_KINDS = ("deduct", "bands")
MEASURES = ("mean", "min", "max", "sum", "latest")
NO_EVIDENCE = ("full", "exclude")
HUNDRED = Decimal(100)

FORMAT = """\
A credit scheme file (TOML, or JSON with the same keys); see the bundled ones in
envplan/standards/credit/schemes/ for complete examples.

    id = "national-2013"                 # unique; a rating keeps a copy of the scheme it was made with
    edition = "2013"
    title = { zh = "…", en = "…", fr = "…" }
    document = "环发〔2013〕150号"
    source = "where the rules come from"
    method = "weighted"                  # weighted | points
    base = 100                           # points method only: the score before deductions
    objection_days = 15                  # days the enterprise has to object after the notice
    repair_after_days = 365              # days after publication before credit repair may be applied for
    gaps = ["what the sources do not give, in words"]
    lists = { sanctions = "red", incentives = "green" }   # grade codes of the two public lists

    [[grades]]                           # best first
    code = "green"
    rank = 1
    label = { zh = "…", en = "…", fr = "…" }
    at_least = 95                        # the lowest score of the grade (the worst grade: 0)
    setting = true                       # the cut-off is a district setting (not in the sources)
    consequences = [{ zh = "…", en = "…", fr = "…" }]
    inspection_factor = 1.5              # optional: the grade's random-inspection ratio, times normal

    [[indicators]]
    code = "compliant_discharge"
    group = "pollution_prevention"
    label = { zh = "…", en = "…", fr = "…" }
    weight = 15                          # weighted method only
    evidence = ["outlet_compliance"]     # evidence codes (envplan.standards.credit.evidence.CODES)
    rule = "bands"                       # deduct | bands
    measure = "mean"                     # bands: mean | min | max | sum | latest of the quantities
    bands = [{ at_least = 90, points = 100 }, { at_least = 0, points = 0, setting = true }]
    when_no_evidence = "exclude"         # bands: full | exclude
    per_record = { penalty = 20 }        # deduct: points per record, by code
    per_unit = { penalty = 0.0001 }      # deduct: points per unit of quantity, by code
    cap = 100                            # deduct: at most this many points
    source = "…"
    setting = false

    [[vetoes]]                           # any such record sends the grade to the worst one
    code = "veto_bypass"
    label = { … }
    source = "…"

    [[downgrades]]                       # each such record lowers the grade by `levels`
    code = "incident_general"
    levels = 1
    label = { … }
"""


class SchemeError(ValueError):
    """A scheme file that cannot be used; the message names the file and the key."""


@dataclass(frozen=True)
class Text:
    """A label in the three interface languages (the rules' own names are data, not interface strings)."""

    zh: str
    en: str
    fr: str

    def get(self, language: str) -> str:
        language = (language or "en").lower()
        if language.startswith("zh"):
            return self.zh
        if language.startswith("fr"):
            return self.fr
        return self.en

    def as_dict(self) -> dict[str, str]:
        return {"zh": self.zh, "en": self.en, "fr": self.fr}


@dataclass(frozen=True)
class Grade:
    code: str
    rank: int  # 1 is the best
    label: Text
    at_least: Decimal
    setting: bool = False
    consequences: tuple[Text, ...] = ()
    inspection_factor: Decimal | None = None
    source: str = ""


@dataclass(frozen=True)
class Band:
    at_least: Decimal
    points: Decimal
    setting: bool = False


@dataclass(frozen=True)
class Indicator:
    code: str
    label: Text
    evidence: tuple[str, ...]
    rule: str
    group: str = ""
    weight: Decimal | None = None
    measure: str = "mean"
    bands: tuple[Band, ...] = ()
    when_no_evidence: str = "full"
    per_record: dict[str, Decimal] = field(default_factory=dict)
    per_unit: dict[str, Decimal] = field(default_factory=dict)
    cap: Decimal | None = None
    source: str = ""
    setting: bool = False


@dataclass(frozen=True)
class GradeRule:
    """What a record of evidence `code` does to the grade whatever the score: a veto or a downgrade."""

    code: str
    label: Text
    source: str = ""
    setting: bool = False


@dataclass(frozen=True)
class Veto(GradeRule):
    """A record that sets the worst grade."""


@dataclass(frozen=True)
class Downgrade(GradeRule):
    """A record that lowers the grade by `levels`."""

    levels: int = 1


@dataclass(frozen=True)
class Scheme:
    id: str
    edition: str
    title: Text
    method: str
    grades: tuple[Grade, ...]
    indicators: tuple[Indicator, ...]
    document: str = ""
    source: str = ""
    base: Decimal = HUNDRED
    base_setting: bool = False
    vetoes: tuple[Veto, ...] = ()
    downgrades: tuple[Downgrade, ...] = ()
    objection_days: int = 15
    objection_days_setting: bool = True
    repair_after_days: int = 365
    repair_after_days_setting: bool = True
    gaps: tuple[str, ...] = ()
    groups: dict[str, Text] = field(default_factory=dict)
    sanctions_grade: str = ""
    incentives_grade: str = ""
    document_data: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def best(self) -> Grade:
        return self.grades[0]

    @property
    def worst(self) -> Grade:
        return self.grades[-1]

    def grade(self, code: str) -> Grade:
        for grade in self.grades:
            if grade.code == code:
                return grade
        raise KeyError(code)

    def indicator_for(self, code: str) -> Indicator | None:
        """The indicator that counts an evidence code (a code counts in one indicator at most)."""
        for indicator in self.indicators:
            if code in indicator.evidence:
                return indicator
        return None

    def uses(self, code: str) -> bool:
        return (
            self.indicator_for(code) is not None
            or any(v.code == code for v in self.vetoes)
            or any(d.code == code for d in self.downgrades)
        )


def load_scheme_file(path: str | Path) -> Scheme:
    """Read a scheme file (``.toml`` or ``.json``)."""
    document = read_document(path, kind="scheme file", error=SchemeError)
    return parse_scheme(document, label=str(path))


SCHEME_KEYS = {
    "id",
    "edition",
    "title",
    "document",
    "source",
    "method",
    "base",
    "base_setting",
    "objection_days",
    "objection_days_setting",
    "repair_after_days",
    "repair_after_days_setting",
    "gaps",
    "groups",
    "lists",
    "grades",
    "indicators",
    "vetoes",
    "downgrades",
}


def parse_scheme(document: Any, *, label: str = "scheme") -> Scheme:
    """Check and convert an already decoded scheme document; every problem names the key."""
    table = _table(document, label)
    _only_keys(table, SCHEME_KEYS, label)
    scheme_id = _text(table, "id", label)
    method = table.get("method")
    if method not in METHODS:
        raise SchemeError(f"{label}: method: {method!r} is not one of {', '.join(METHODS)}")
    groups = {
        str(key): _labels(value, f"{label}: groups.{key}")
        for key, value in _table(table.get("groups", {}), f"{label}: groups").items()
    }
    grades = _grades(table.get("grades"), label)
    indicators = _indicators(table.get("indicators"), method, label)
    vetoes = tuple(
        Veto(**_grade_rule(item, f"{label}: vetoes[{n}]"))
        for n, item in _items(table.get("vetoes", []), f"{label}: vetoes", GRADE_RULE_KEYS)
    )
    downgrades = tuple(
        Downgrade(
            **_grade_rule(item, f"{label}: downgrades[{n}]"),
            levels=_whole(item.get("levels", 1), f"{label}: downgrades[{n}]: levels", minimum=1),
        )
        for n, item in _items(table.get("downgrades", []), f"{label}: downgrades", DOWNGRADE_KEYS)
    )
    counted: dict[str, str] = {}
    for indicator in indicators:
        for code in indicator.evidence:
            if code in counted:
                raise SchemeError(
                    f"{label}: indicators: evidence {code!r} is counted by both {counted[code]!r} and "
                    f"{indicator.code!r}; a record counts in one indicator"
                )
            counted[code] = indicator.code
        if indicator.group and groups and indicator.group not in groups:
            raise SchemeError(
                f"{label}: indicators ({indicator.code}): group {indicator.group!r} is not in [groups]"
            )
    for special in [v.code for v in vetoes] + [d.code for d in downgrades]:
        if special in counted:
            raise SchemeError(
                f"{label}: {special!r} is both a veto or downgrade and evidence of indicator "
                f"{counted[special]!r}; it may be one or the other"
            )
    lists = _table(table.get("lists", {}), f"{label}: lists")
    _only_keys(lists, {"sanctions", "incentives"}, f"{label}: lists")
    codes = [grade.code for grade in grades]
    sanctions = str(lists.get("sanctions", grades[-1].code))
    incentives = str(lists.get("incentives", grades[0].code))
    for key, value in (("sanctions", sanctions), ("incentives", incentives)):
        if value not in codes:
            raise SchemeError(f"{label}: lists.{key}: {value!r} is not a grade ({', '.join(codes)})")
    base = _number(table.get("base", 100), f"{label}: base")
    if method == "points" and base <= 0:
        raise SchemeError(f"{label}: base: must be above 0")
    gaps = table.get("gaps", [])
    if not isinstance(gaps, list) or not all(isinstance(g, str) for g in gaps):
        raise SchemeError(f"{label}: gaps: expected a list of texts")
    return Scheme(
        id=scheme_id,
        edition=_text(table, "edition", label),
        title=_labels(table.get("title"), f"{label}: title"),
        method=str(method),
        grades=grades,
        indicators=indicators,
        document=_optional_text(table, "document", label),
        source=_optional_text(table, "source", label),
        base=base,
        base_setting=_flag(table, "base_setting", label),
        vetoes=vetoes,
        downgrades=downgrades,
        objection_days=_whole(table.get("objection_days", 15), f"{label}: objection_days", minimum=1),
        objection_days_setting=_flag(table, "objection_days_setting", label, default=True),
        repair_after_days=_whole(
            table.get("repair_after_days", 365), f"{label}: repair_after_days", minimum=0
        ),
        repair_after_days_setting=_flag(table, "repair_after_days_setting", label, default=True),
        gaps=tuple(gaps),
        groups=groups,
        sanctions_grade=sanctions,
        incentives_grade=incentives,
        document_data=json.loads(json.dumps(table, default=str)),
    )


def _grades(value: Any, label: str) -> tuple[Grade, ...]:
    keys = {"code", "rank", "label", "at_least", "setting", "consequences", "inspection_factor", "source"}
    items = list(_items(value, f"{label}: grades", keys))
    if len(items) < 2:
        raise SchemeError(f"{label}: grades: at least two [[grades]] tables are required")
    grades = []
    for n, item in items:
        where = f"{label}: grades[{n}]"
        consequences = item.get("consequences", [])
        if not isinstance(consequences, list):
            raise SchemeError(f"{where}: consequences: expected a list of labels")
        factor = item.get("inspection_factor")
        grades.append(
            Grade(
                code=_code(item, where, catalogue=False),
                rank=_whole(item.get("rank"), f"{where}: rank", minimum=1),
                label=_labels(item.get("label"), f"{where}: label"),
                at_least=_number(item.get("at_least"), f"{where}: at_least"),
                setting=_flag(item, "setting", where),
                consequences=tuple(
                    _labels(c, f"{where}: consequences[{i}]") for i, c in enumerate(consequences, start=1)
                ),
                inspection_factor=None if factor is None else _number(factor, f"{where}: inspection_factor"),
                source=_optional_text(item, "source", where),
            )
        )
    ranks = [g.rank for g in grades]
    if ranks != list(range(1, len(grades) + 1)):
        raise SchemeError(f"{label}: grades: ranks must run 1, 2, … best first (found {ranks})")
    if len({g.code for g in grades}) != len(grades):
        raise SchemeError(f"{label}: grades: codes must differ")
    cutoffs = [g.at_least for g in grades]
    if any(a <= b for a, b in itertools.pairwise(cutoffs)):
        raise SchemeError(f"{label}: grades: at_least must fall from the best grade to the worst")
    if cutoffs[-1] != 0:
        raise SchemeError(f"{label}: grades[{len(grades)}]: at_least: the worst grade starts at 0")
    return tuple(grades)


INDICATOR_KEYS = {
    "code",
    "group",
    "label",
    "weight",
    "evidence",
    "rule",
    "measure",
    "bands",
    "when_no_evidence",
    "per_record",
    "per_unit",
    "cap",
    "source",
    "setting",
}


def _indicators(value: Any, method: str, label: str) -> tuple[Indicator, ...]:
    items = list(_items(value, f"{label}: indicators", INDICATOR_KEYS))
    if not items:
        raise SchemeError(f"{label}: indicators: at least one [[indicators]] table is required")
    result = []
    seen: set[str] = set()
    for n, item in items:
        where = f"{label}: indicators[{n}]"
        code = _code(item, where, catalogue=False)
        if code in seen:
            raise SchemeError(f"{where}: code {code!r} appears twice")
        seen.add(code)
        evidence = item.get("evidence")
        if not isinstance(evidence, list) or not evidence:
            raise SchemeError(f"{where}: evidence: expected a list of evidence codes")
        for name in evidence:
            if name not in CODES:
                raise SchemeError(f"{where}: evidence: {name!r} is not an evidence code ({', '.join(CODES)})")
        rule = item.get("rule")
        if rule not in RULE_KINDS:
            raise SchemeError(f"{where}: rule: {rule!r} is not one of {', '.join(RULE_KINDS)}")
        weight = item.get("weight")
        if method == "weighted":
            if weight is None:
                raise SchemeError(f"{where}: weight: required by the weighted method")
            weight_value: Decimal | None = _number(weight, f"{where}: weight")
            if weight_value is not None and weight_value <= 0:
                raise SchemeError(f"{where}: weight: must be above 0")
        else:
            if weight is not None:
                raise SchemeError(f"{where}: weight: the points method has no weights")
            weight_value = None
        measure = item.get("measure", "mean")
        if measure not in MEASURES:
            raise SchemeError(f"{where}: measure: {measure!r} is not one of {', '.join(MEASURES)}")
        when = item.get("when_no_evidence", "full")
        if when not in NO_EVIDENCE:
            raise SchemeError(f"{where}: when_no_evidence: {when!r} is not one of {', '.join(NO_EVIDENCE)}")
        bands: tuple[Band, ...] = ()
        per_record: dict[str, Decimal] = {}
        per_unit: dict[str, Decimal] = {}
        cap = None
        if rule == "bands":
            bands = _bands(item.get("bands"), f"{where}: bands")
            for key in ("per_record", "per_unit", "cap"):
                if key in item:
                    raise SchemeError(f"{where}: {key}: only for a deduct rule")
        else:
            if "bands" in item:
                raise SchemeError(f"{where}: bands: only for a bands rule")
            per_record = _points_by_code(item.get("per_record", {}), evidence, f"{where}: per_record")
            per_unit = _points_by_code(item.get("per_unit", {}), evidence, f"{where}: per_unit")
            if not per_record and not per_unit:
                raise SchemeError(f"{where}: a deduct rule needs per_record or per_unit points")
            if "cap" in item:
                cap = _number(item["cap"], f"{where}: cap")
        result.append(
            Indicator(
                code=code,
                label=_labels(item.get("label"), f"{where}: label"),
                evidence=tuple(str(e) for e in evidence),
                rule=str(rule),
                group=_optional_text(item, "group", where),
                weight=weight_value,
                measure=str(measure),
                bands=bands,
                when_no_evidence=str(when),
                per_record=per_record,
                per_unit=per_unit,
                cap=cap,
                source=_optional_text(item, "source", where),
                setting=_flag(item, "setting", where),
            )
        )
    return tuple(result)


def _bands(value: Any, where: str) -> tuple[Band, ...]:
    items = list(_items(value, where, {"at_least", "points", "setting"}))
    if not items:
        raise SchemeError(f"{where}: expected a list of {{ at_least = …, points = … }}")
    bands = tuple(
        Band(
            at_least=_number(item.get("at_least"), f"{where}[{n}]: at_least"),
            points=_number(item.get("points"), f"{where}[{n}]: points"),
            setting=_flag(item, "setting", f"{where}[{n}]"),
        )
        for n, item in items
    )
    floors = [band.at_least for band in bands]
    if any(a <= b for a, b in itertools.pairwise(floors)):
        raise SchemeError(f"{where}: at_least must fall from the first band to the last")
    return bands


def _points_by_code(value: Any, evidence: list[Any], where: str) -> dict[str, Decimal]:
    table = _table(value, where)
    result = {}
    for code, points in table.items():
        if code not in evidence:
            raise SchemeError(f"{where}: {code!r} is not in the indicator's evidence")
        result[str(code)] = _number(points, f"{where}.{code}")
    return result


GRADE_RULE_KEYS = {"code", "label", "source", "setting"}
DOWNGRADE_KEYS = {*GRADE_RULE_KEYS, "levels"}


class GradeRuleFields(TypedDict):
    code: str
    label: Text
    source: str
    setting: bool


def _grade_rule(item: dict[str, Any], where: str) -> GradeRuleFields:
    """What a veto and a downgrade both have, checked."""
    return {
        "code": _code(item, where),
        "label": _labels(item.get("label"), f"{where}: label"),
        "source": _optional_text(item, "source", where),
        "setting": _flag(item, "setting", where),
    }


def _table(value: object, where: str) -> dict[str, Any]:
    return checked_table(value, where, error=SchemeError)


def _items(value: Any, where: str, keys: set[str]) -> list[tuple[int, dict[str, Any]]]:
    if not isinstance(value, list):
        raise SchemeError(f"{where}: expected a list of tables")
    result = []
    for n, item in enumerate(value, start=1):
        table = _table(item, f"{where}[{n}]")
        _only_keys(table, keys, f"{where}[{n}]")
        result.append((n, table))
    return result


def _only_keys(found: dict[str, Any], allowed: set[str], where: str) -> None:
    only_keys(found, allowed, where, error=SchemeError)


def _text(table: dict[str, Any], key: str, where: str) -> str:
    value = table.get(key)
    if not isinstance(value, str) or not value.strip():
        raise SchemeError(f"{where}: {key}: a non-empty text is required")
    return value.strip()


def _optional_text(table: dict[str, Any], key: str, where: str) -> str:
    value = table.get(key, "")
    if not isinstance(value, str):
        raise SchemeError(f"{where}: {key}: expected text")
    return value


def _code(table: dict[str, Any], where: str, *, catalogue: bool = True) -> str:
    code = _text(table, "code", where)
    if catalogue and code not in CODES:
        raise SchemeError(f"{where}: code: {code!r} is not an evidence code ({', '.join(CODES)})")
    return code


def _labels(value: Any, where: str) -> Text:
    table = _table(value, where)
    missing = [language for language in LANGUAGES if not isinstance(table.get(language), str)]
    if missing:
        raise SchemeError(
            f"{where}: a label in each of zh, en, fr is required (missing {', '.join(missing)})"
        )
    _only_keys(table, set(LANGUAGES), where)
    return Text(zh=table["zh"], en=table["en"], fr=table["fr"])


def _flag(table: dict[str, Any], key: str, where: str, *, default: bool = False) -> bool:
    value = table.get(key, default)
    if not isinstance(value, bool):
        raise SchemeError(f"{where}: {key}: expected true or false")
    return value


def _whole(value: Any, where: str, *, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise SchemeError(f"{where}: expected a whole number, {minimum} or more")
    return value


def _number(value: Any, where: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise SchemeError(f"{where}: expected a number")
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise SchemeError(f"{where}: expected a number, not {value!r}") from None
    if not number.is_finite() or number < 0:
        raise SchemeError(f"{where}: expected a finite number, 0 or more")
    return number
