"""The emergency demo: a past winter alert, the reduction lists, grades, and GENERATED HJ 212 hourly data
during the alert in which one enterprise did not cut.

The demo's clock stands at 2025-10-20 noon, after the 2025 revision of the list (adopted 2025-09-25,
before the plan's end-of-September deadline). The alert is from the previous winter: orange from
2025-01-14 00:00 (issued the day before at 16:00), lowered to yellow on 2025-01-17 00:00, lifted on
2025-01-18 12:00, checked against the list then in force (the 2024 revision). The three enterprises
added here are ILLUSTRATIVE (made-up names, marked as such), like those of the sources demo; every
alert, list, grade and hourly value of this demo is labelled generated or illustrative. The steel
plant emits as usual during the alert, its sintering line included, though that line stops from orange:
the compliance page finds it. A neighbour's (illustrative) CAP feed is imported from
envplan/emergency/demo/neighbour_feed.xml.

`load_emergency_demo()` is called by the demo loader after the sources demo; running it again changes
nothing.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Max

from envplan.core.services import Actor
from envplan.emergency import services
from envplan.emergency.models import Alert, ControlType, ListEntry, ProductionLine, ReductionList
from envplan.hj212.codes import Edition as WireEdition
from envplan.hj212.replies import build_frame, data_cp
from envplan.hj212.rows import frames_to_rows
from envplan.hj212.segment import Flag
from envplan.indicators.models import Indicator, Source
from envplan.indicators.services import configure_indicator
from envplan.plans.models import Plan, Target, Task
from envplan.sources import services as sources_services
from envplan.sources.demo_data import ENTERPRISES as SOURCES_ENTERPRISES
from envplan.sources.demo_data import POWER_MN
from envplan.sources.models import Device, Enterprise, Outlet

ZONE = ZoneInfo("Asia/Shanghai")
DEMO_FOLDER = Path(__file__).resolve().parent / "demo"
REGION = "昆都仑区"
ISSUER = "昆都仑区重污染天气应急指挥部办公室（示例）"
SENDER = "ecology.kundulun.demo"
ALERT_ISSUED = dt.datetime(2025, 1, 13, 16, 0, tzinfo=ZONE)
ALERT_START = dt.datetime(2025, 1, 14, 0, 0, tzinfo=ZONE)
ALERT_LOWERED = dt.datetime(2025, 1, 17, 0, 0, tzinfo=ZONE)
ALERT_LIFTED = dt.datetime(2025, 1, 18, 12, 0, tzinfo=ZONE)
DATA_FROM = dt.datetime(2025, 1, 11, 0, 0, tzinfo=ZONE)
DATA_TO = dt.datetime(2025, 1, 20, 0, 0, tzinfo=ZONE)
STEEL_NAME = "Kundulun Special Steel Co. (illustrative)"

# (name, name_zh, credit code, industry, outlets: (code, name, mn or None, flue gas m³/h, {factor: mg/m³}))
ENTERPRISES: tuple[dict[str, Any], ...] = (
    {
        "name": STEEL_NAME,
        "name_zh": "昆都仑特钢有限公司（示例）",
        "credit_code": "91150203MA0000001A",
        "industry": "steel",
        "outlets": (
            (
                "DA001",
                "Reheating furnace stack",
                "150203A89000000000000301",
                200_000,
                {"a21026": 40, "a21002": 120, "a34013": 8},
            ),
            (
                "DA002",
                "Sintering machine stack",
                "150203A89000000000000302",
                400_000,
                {"a21026": 30, "a21002": 80, "a34013": 10},
            ),
        ),
    },
    {
        "name": "Kundulun Coking Co. (illustrative)",
        "name_zh": "昆都仑焦化有限公司（示例）",
        "credit_code": "91150203MA0000002B",
        "industry": "coking",
        "outlets": (
            (
                "DA001",
                "Coke oven stack",
                "150203A89000000000000401",
                150_000,
                {"a21026": 20, "a21002": 100, "a34013": 6, "a24088": 40},
            ),
        ),
    },
    {
        "name": "Kundulun Cement Grinding Co. (illustrative)",
        "name_zh": "昆都仑水泥粉磨有限公司（示例）",
        "credit_code": "91150203MA0000003C",
        "industry": "cement",
        "outlets": (
            ("DA001", "Grinding mill dust collector", "150203A89000000000000501", 80_000, {"a34013": 15}),
        ),
    },
)
# The power plant of the sources demo: its stack DA001 and logger POWER_MN.
POWER_STACK = (600_000, {"a21026": 22, "a21002": 36, "a34013": 4.5})
# What each enterprise emits during the response, as a share of its usual emissions (None: no data sent).
DURING_ALERT = {"power": 0.75, STEEL_NAME: 1.0, "Kundulun Coking Co. (illustrative)": 0.9}


def _annual(flow: float, concentration: float) -> Decimal:
    """t/a at a constant hourly rate (mg/m³ × m³/h → kg/h) over 8,760 h."""
    return Decimal(str(round(concentration * flow / 1e6 * 8.76, 1)))


def _enterprises() -> dict[str, Enterprise]:
    made = {"power": Enterprise.objects.get(name=SOURCES_ENTERPRISES[0]["name"])}
    for spec in ENTERPRISES:
        enterprise = Enterprise.objects.filter(name=spec["name"]).first()
        if enterprise is None:
            enterprise = sources_services.save_enterprise(
                Enterprise(
                    name=spec["name"],
                    name_zh=spec["name_zh"],
                    credit_code=spec["credit_code"],
                    district="Kundulun",
                    industry=spec["industry"],
                    address="illustrative address, Kundulun District, Baotou",
                    illustrative=True,
                ),
                by=None,
            )
            for code, name, mn, _flow, _values in spec["outlets"]:
                outlet = sources_services.save_outlet(
                    Outlet(enterprise=enterprise, code=code, name=name, kind="gas"), by=None
                )
                sources_services.save_device(Device(outlet=outlet, mn=mn, password="123456"), by=None)
        made[spec["name"]] = enterprise
    return made


def _entry(
    reduction_list: ReductionList,
    enterprise: Enterprise,
    row: int,
    *,
    industry: str,
    control: str,
    baselines: dict[str, Decimal],
    measures: dict[str, str],
    cuts: dict[str, Decimal | None],
    lines: list[tuple[str, list[str], str]],
) -> ListEntry:
    entry = ListEntry.objects.create(
        reduction_list=reduction_list,
        enterprise=enterprise,
        row_number=row,
        industry=industry,
        control_type=control,
        **{f"baseline_{p}": value for p, value in baselines.items()},
        **{f"{level}_measures": text for level, text in measures.items()},
        **{f"{level}_cut": cut for level, cut in cuts.items()},
    )
    for position, (name, outlet_codes, stop_from) in enumerate(lines, start=1):
        line = ProductionLine.objects.create(entry=entry, position=position, name=name, stop_from=stop_from)
        line.outlets.set(Outlet.objects.filter(enterprise=enterprise, code__in=outlet_codes))
    return entry


def _baselines(flow: float, values: dict[str, float]) -> dict[str, Decimal]:
    names = {"a21026": "so2", "a21002": "nox", "a34013": "pm", "a24088": "vocs"}
    return {names[code]: _annual(flow, value) for code, value in values.items()}


def _sum(*parts: dict[str, Decimal]) -> dict[str, Decimal]:
    total: dict[str, Decimal] = {}
    for part in parts:
        for key, value in part.items():
            total[key] = total.get(key, Decimal(0)) + value
    return total


def fill_list(reduction_list: ReductionList, enterprises: dict[str, Enterprise]) -> None:
    steel, coking, cement = (enterprises[spec["name"]] for spec in ENTERPRISES)
    steel_outlets = ENTERPRISES[0]["outlets"]
    _entry(
        reduction_list,
        enterprises["power"],
        1,
        industry="thermal power",
        control=ControlType.GENERAL,
        baselines=_baselines(*POWER_STACK),
        measures={
            "yellow": "机组负荷降低10%",
            "orange": "机组负荷降低20%，错峰运输",
            "red": "机组负荷降低30%，停止燃煤运输车辆进出",
        },
        cuts={"yellow": Decimal(10), "orange": Decimal(20), "red": Decimal(30)},
        lines=[("1号机组 / unit 1", ["DA001"], "")],
    )
    _entry(
        reduction_list,
        steel,
        2,
        industry="steel",
        control=ControlType.GRADED,
        baselines=_sum(*(_baselines(flow, values) for _c, _n, _m, flow, values in steel_outlets)),
        measures={
            "yellow": "加热炉限产20%",
            "orange": "烧结机停产，加热炉限产30%",
            "red": "烧结机停产，加热炉限产50%",
        },
        cuts={"yellow": Decimal(20), "orange": Decimal(30), "red": Decimal(40)},
        lines=[
            ("加热炉 / reheating furnace", ["DA001"], ""),
            ("烧结机 / sintering machine", ["DA002"], "orange"),
        ],
    )
    _entry(
        reduction_list,
        coking,
        3,
        industry="coking",
        control=ControlType.GRADED,
        baselines=_baselines(*ENTERPRISES[1]["outlets"][0][3:]),
        measures={"yellow": "自主减排", "orange": "自主减排", "red": "自主减排"},
        cuts={"yellow": None, "orange": None, "red": None},
        lines=[("焦炉 / coke ovens", ["DA001"], "")],
    )
    _entry(
        reduction_list,
        cement,
        4,
        industry="cement",
        control=ControlType.GRADED,
        baselines={"pm": Decimal("12.0")},
        measures={"yellow": "粉磨限产30%", "orange": "粉磨停产", "red": "粉磨停产"},
        cuts={"yellow": Decimal(30), "orange": Decimal(100), "red": Decimal(100)},
        lines=[("粉磨 / grinding", ["DA001"], "orange")],
    )


def _wave(i: int, period: float, phase: float = 0.0) -> float:
    return math.sin(2 * math.pi * i / period + phase)


def generated_frames(enterprises: dict[str, Enterprise]) -> list[bytes]:
    """Hourly uploads (2061) of the listed enterprises' loggers around the alert: concentration (Avg),
    mass (Cou, kg) and flue-gas volume (a00000 Avg m³/s, Cou m³), with the share of DURING_ALERT applied
    during the response. The cement plant's logger sends nothing."""
    flag = Flag.build(WireEdition.HJ212_2017, reply_requested=True)
    stacks: list[tuple[str, str, float, dict[str, float]]] = [("power", POWER_MN, *POWER_STACK)]
    for spec in ENTERPRISES[:2]:
        stacks += [(spec["name"], mn, flow, values) for _code, _name, mn, flow, values in spec["outlets"]]
    frames = []
    hours = int((DATA_TO - DATA_FROM).total_seconds() // 3600)
    for i in range(hours):
        when = DATA_FROM + dt.timedelta(hours=i)
        during = ALERT_START <= when < ALERT_LIFTED
        stamp = when.strftime("%Y%m%d%H%M%S")
        for key, mn, flow_m3h, values in stacks:
            share = DURING_ALERT[key] if during else 1.0
            flow = flow_m3h * (1 + 0.04 * _wave(i, 24))
            cp: dict[str, dict[str, object]] = {
                "a00000": {"Avg": f"{flow / 3600:.2f}", "Cou": f"{flow:.0f}", "Flag": "N"}
            }
            for code, concentration in values.items():
                value = concentration * share * (1 + 0.05 * _wave(i, 24, 1.0))
                cp[code] = {"Avg": f"{value:.2f}", "Cou": f"{value * flow / 1e6:.3f}", "Flag": "N"}
            frames.append(
                build_frame(
                    qn=f"{stamp}000", st="31", cn="2061", pw="123456", mn=mn, flag=flag, cp=data_cp(stamp, cp)
                )
            )
    return frames


def _alert() -> Alert:
    alert = services.issue_alert(
        region=REGION,
        region_code="150203",
        issuer=ISSUER,
        sender=SENDER,
        level="orange",
        forecast_start=dt.date(2025, 1, 13),
        forecast=[160, 215, 238, 226, 172, 95, 80],
        issued_at=ALERT_ISSUED,
        response_start=ALERT_START,
        text=services.NoticeInput(
            basis="经区气象局、区生态环境监测站联合会商",
            episode="1月14日至16日",
            conditions="受静稳天气影响，近地面湿度大、扩散条件差",
            trend="污染物持续累积，预计17日后随冷空气南下逐步改善",
            measures="各责任单位按照《重污染天气应急减排清单》及“一厂一策”落实Ⅱ级应急响应措施",
        ),
        by=None,
        generated=True,
    )
    services.change_alert(
        alert,
        level="yellow",
        forecast_start=dt.date(2025, 1, 17),
        forecast=[185, 160, 95, 80],
        sent_at=ALERT_LOWERED - dt.timedelta(hours=2),
        effective_at=ALERT_LOWERED,
        text=services.NoticeInput(
            basis="经区气象局、区生态环境监测站会商",
            trend="冷空气影响减弱，空气质量有所好转",
            measures="落实Ⅲ级应急响应措施",
        ),
        by=None,
    )
    services.lift_alert(
        alert,
        lifted_at=ALERT_LIFTED,
        forecast_start=dt.date(2025, 1, 18),
        forecast=[120, 95, 80],
        text=services.NoticeInput(basis="扩散条件改善，预计未来36小时以上空气质量低于预警标准"),
        by=None,
    )
    return alert


def add_list_targets(plan: Plan, *, by: Actor = None) -> list[Target]:
    """Task 20's targets computed from the lists: the coverage target of the plan, and the revision
    deadline (a milestone the plan names in the same sentence) added to it."""
    task = Task.objects.filter(plan=plan, number=20).first()
    if task is None:
        return []
    coverage = Target.objects.filter(plan=plan, task=task, unit_of_measure="%").first()
    deadline = Target.objects.filter(
        plan=plan, task=task, indicator__startswith="emergency reduction list revised"
    ).first()
    if deadline is None:
        position = (Target.objects.filter(plan=plan).aggregate(top=Max("position"))["top"] or 0) + 1
        deadline = Target.objects.create(
            plan=plan,
            task=task,
            position=position,
            indicator="emergency reduction list revised by the end of September",
            comparator="=",
            value=Decimal(1),
            unit_of_measure="milestone",
            deadline=dt.date(plan.year, 9, 30),
            as_written="list revision finished by end of September",
        )
    targets = []
    for target, computation in (
        (coverage, "emergency.gas_enterprise_coverage"),
        (deadline, "emergency.list_revised_on_time"),
    ):
        if target is None:
            continue
        indicator, _ = Indicator.objects.get_or_create(target=target)
        if indicator.source != Source.COMPUTED or indicator.computation != computation:
            configure_indicator(indicator, by=by, source=Source.COMPUTED, computation=computation)
        targets.append(target)
    return targets


def load_emergency_demo(*, plan: Plan | None = None) -> dict[str, int]:
    targets = len(add_list_targets(plan)) if plan is not None else 0
    if Alert.objects.filter(generated=True).exists():
        return {"alerts": 0, "targets": targets}
    with transaction.atomic():
        enterprises = _enterprises()
        steel = enterprises[STEEL_NAME]
        coking = enterprises["Kundulun Coking Co. (illustrative)"]
        cement = enterprises["Kundulun Cement Grinding Co. (illustrative)"]
        for enterprise, industry, grade, since, until in (
            (steel, "steel", "B", dt.date(2022, 9, 15), None),
            (coking, "coking", "A", dt.date(2024, 6, 1), dt.date(2027, 5, 31)),
            (cement, "cement", "C", dt.date(2023, 8, 1), None),
        ):
            services.record_grade(
                enterprise,
                industry=industry,
                scheme="2020",
                grade=grade,
                valid_from=since,
                valid_until=until,
                document="illustrative",
                by=None,
            )
        winter = services.create_list(
            title="2024–2025 秋冬季应急减排清单（示例）", year=2024, by=None, generated=True
        )
        fill_list(winter, enterprises)
        services.adopt_list(winter, on=dt.date(2024, 9, 26), by=None)
        alert = _alert()
        steel_grade = steel.performance_grades.get(grade="B")
        services.downgrade(
            steel_grade,
            to="C",
            on=dt.date(2025, 3, 1),
            reason="未落实橙色预警减排措施（2025年1月预警期间烧结机未停产）",
            by=None,
        )
        revision = services.revise_list(
            winter, title="2025–2026 秋冬季应急减排清单（示例）", year=2025, by=None
        )
        services.adopt_list(revision, on=dt.date(2025, 9, 25), by=None)
    rows, errors = frames_to_rows(generated_frames(enterprises))
    assert not errors, errors
    stored = sources_services.store_generated(rows)
    neighbour = services.import_cap(
        (DEMO_FOLDER / "neighbour_feed.xml").read_bytes(), name="neighbour_feed.xml", by=None
    )
    return {
        "alerts": 1,
        "notices": alert.changes.count(),
        "lists": 2,
        "generated_values": stored,
        "neighbour_messages": neighbour.new,
        "targets": targets,
    }
