"""The hazardous-waste standardised management assessment (危险废物规范化环境管理评估): the checklists
of the 2021 scheme and their scoring. Pure: no Django.

Scheme: 《"十四五"全国危险废物规范化环境管理评估工作方案》 (环办固体〔2021〕20号, 2021-09-01), with the
follow-up notice 环办固体〔2023〕17号; its indicators descend from 《危险废物规范化管理指标体系》
(环办〔2011〕48号). What our reference holds, and what it does not (../shared/reference/records.md §5 and
hj212-and-processes.md B.5):

- Producers (产废单位) are checked on 12 systems, operators (经营单位) on 13 (a 2022 report from Ezhou on
  the 2021 scheme). Items marked SEEN were named in that report. The others are the list as it is usually
  recalled, marked RECALLED: check them against the scheme's attachment before relying on them.
- Points per item: only one item's are known (污染环境防治责任制度: 2 = system set up and applied, 1 = no
  system but a competent manager, 0 = neither). Every item is scored 2 / 1 / 0 in the same way here, so
  every item weighs the same. UNVERIFIED: the scheme's own weights were not found.
- Items that do not apply score nothing and leave the maximum; the cut-offs are then rescaled in
  proportion (seen on the 2016 form 《工业危险废物产生单位规范化管理指标及抽查表》). A score in per cent of
  the applicable maximum is that rescaling.
- The cut-off for 达标 is often given as 90 out of 100 with no veto item (UNVERIFIED). The cut-off for
  基本达标 was not found at all. Both are settings of each assessment round; the defaults below are
  ours. An assessor may mark a veto (否决) finding, for instance hazardous waste handed to an unlicensed
  receiver; a veto makes the unit 不达标 whatever its points (our reading of "no veto item").
- Pass rate (达标率) = units rated 达标 ÷ units assessed × 100 %, the conventional formula of provincial
  targets, reported for producers and operators separately or together.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

SCHEME = "环办固体〔2021〕20号"
SCHEME_TITLE = "“十四五”全国危险废物规范化环境管理评估工作方案"
# Defaults of an assessment round's cut-offs, in per cent of the applicable maximum (see the docstring).
PASS_AT = Decimal(90)  # UNVERIFIED: "≥ 90 points, no veto item", as often stated
BASIC_AT = Decimal(70)  # ours: the scheme's figure was not found
ITEM_POINTS = (0, 1, 2)
SEEN, RECALLED = "seen", "recalled"


class Role(StrEnum):
    PRODUCER = "producer"  # 产废单位
    OPERATOR = "operator"  # 经营单位 (licensed to collect, store, use or dispose)


class Outcome(StrEnum):
    PASS = "pass"  # 达标
    BASIC = "basic"  # 基本达标
    FAIL = "fail"  # 不达标


OFFICIAL_OUTCOME = {Outcome.PASS: "达标", Outcome.BASIC: "基本达标", Outcome.FAIL: "不达标"}
OFFICIAL_ROLE = {Role.PRODUCER: "产废单位", Role.OPERATOR: "经营单位"}


@dataclass(frozen=True)
class Item:
    code: str
    name_zh: str
    name_en: str
    confidence: str  # SEEN or RECALLED


PRODUCER_ITEMS: tuple[Item, ...] = (
    Item("responsibility", "污染环境防治责任制度", "pollution-prevention responsibility system", SEEN),
    Item("labelling", "标识制度", "identification labels", SEEN),
    Item("management-plan", "管理计划制度", "management plan", SEEN),
    Item("ledger", "管理台账制度", "management ledger", RECALLED),
    Item("declaration", "申报登记制度", "declaration and registration", RECALLED),
    Item("source-separation", "源头分类制度", "separation at source", RECALLED),
    Item("transfer", "转移联单制度", "transfer manifests", RECALLED),
    Item("emergency-plan", "环境应急预案备案制度", "emergency plan filed", RECALLED),
    Item("storage", "贮存设施管理", "storage facilities (GB 18597)", RECALLED),
    Item("utilisation", "利用设施管理", "utilisation facilities", RECALLED),
    Item("disposal", "处置设施管理", "disposal facilities (GB 18484, GB 18598)", RECALLED),
    Item("training", "业务培训", "training", RECALLED),
)

OPERATOR_ITEMS: tuple[Item, ...] = (
    Item("responsibility", "污染环境防治责任制度", "pollution-prevention responsibility system", RECALLED),
    Item("labelling", "标识制度", "identification labels", SEEN),
    Item("licence", "经营许可证制度", "operating licence", SEEN),
    Item("ledger-declaration", "台账和申报制度", "ledger and declaration", SEEN),
    Item("management-plan", "管理计划制度", "management plan", RECALLED),
    Item("transfer", "转移联单制度", "transfer manifests", RECALLED),
    Item("emergency-plan", "环境应急预案备案制度", "emergency plan filed", RECALLED),
    Item("storage", "贮存设施管理", "storage facilities (GB 18597)", RECALLED),
    Item("utilisation", "利用设施管理", "utilisation facilities", RECALLED),
    Item("disposal", "处置设施管理", "disposal facilities (GB 18484, GB 18598)", RECALLED),
    Item("monitoring", "环境监测", "environmental monitoring", RECALLED),
    Item("training", "人员培训", "staff training", RECALLED),
    Item("operation-records", "经营情况记录和报告", "records and reports of operation", RECALLED),
)

CHECKLISTS: dict[Role, tuple[Item, ...]] = {Role.PRODUCER: PRODUCER_ITEMS, Role.OPERATOR: OPERATOR_ITEMS}


class ScoringError(ValueError):
    """Scores that cannot be assessed; the message names the item."""

    def __init__(self, message: str, *, item: str = "") -> None:
        super().__init__(message)
        self.item = item


@dataclass(frozen=True)
class Score:
    points: int
    maximum: int
    percent: Decimal  # of the applicable maximum, one decimal
    outcome: Outcome
    vetoed: tuple[str, ...]
    not_applicable: tuple[str, ...]


def checklist(role: str) -> tuple[Item, ...]:
    try:
        return CHECKLISTS[Role(role)]
    except ValueError:
        raise ScoringError(f"unknown role {role!r} (producer or operator)") from None


def score(
    role: str,
    points: Mapping[str, int | None],
    *,
    veto: Iterable[str] = (),
    pass_at: Decimal = PASS_AT,
    basic_at: Decimal = BASIC_AT,
) -> Score:
    """Score one unit: `points` gives every item of the role's checklist 0, 1 or 2, or None when it does not
    apply; `veto` names the items with a veto finding."""
    items = checklist(role)
    codes = [item.code for item in items]
    for code in points:
        if code not in codes:
            raise ScoringError(f"{code!r} is not an item of the {role} checklist", item=code)
    vetoed = tuple(sorted(set(veto)))
    for code in vetoed:
        if code not in codes:
            raise ScoringError(f"{code!r} is not an item of the {role} checklist", item=code)
    if not basic_at <= pass_at <= 100 or basic_at < 0:
        raise ScoringError("the cut-offs must satisfy 0 ≤ basic ≤ pass ≤ 100")
    total = maximum = 0
    left_out = []
    for code in codes:
        if code not in points:
            raise ScoringError(f"{code}: no score given (0, 1, 2, or not applicable)", item=code)
        value = points[code]
        if value is None:
            if code in vetoed:
                raise ScoringError(f"{code}: a veto finding on an item that does not apply", item=code)
            left_out.append(code)
            continue
        if isinstance(value, bool) or value not in ITEM_POINTS:
            raise ScoringError(f"{code}: {value!r} is not 0, 1 or 2", item=code)
        total += value
        maximum += max(ITEM_POINTS)
    if maximum == 0:
        raise ScoringError("no item applies: nothing to assess")
    percent = (Decimal(total) * 100 / Decimal(maximum)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    if vetoed:
        outcome = Outcome.FAIL
    elif percent >= pass_at:
        outcome = Outcome.PASS
    elif percent >= basic_at:
        outcome = Outcome.BASIC
    else:
        outcome = Outcome.FAIL
    return Score(total, maximum, percent, outcome, vetoed, tuple(left_out))


def pass_rate(outcomes: Sequence[str]) -> Decimal | None:
    """Units rated 达标 over units assessed, in per cent with one decimal (None when none was assessed)."""
    if not outcomes:
        return None
    passed = sum(1 for outcome in outcomes if outcome == Outcome.PASS)
    return (Decimal(passed) * 100 / Decimal(len(outcomes))).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
