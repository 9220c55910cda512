"""The demo's people and registers: the bureau officer, six inspectors, the year's supervision objects
with their ratios, the item list and the four quarterly tasks."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, User

from envplan.accounts.models import BUREAU_OFFICERS_GROUP
from envplan.inspections.demo.common import INSPECTORS, OFFICER, QUARTERS, SOURCES_KEY, YEAR, demo_enterprises
from envplan.inspections.models import InspectionItem, InspectionTask, Inspector, RatioRule, SupervisionObject
from envplan.inspections.services import registers
from envplan.sources.demo_data import DOCTORED_ENTERPRISE
from envplan.sources.models import Enterprise
from envplan.sources.services import save_enterprise


def ensure_people(password_hash: str) -> tuple[User, list[Inspector]]:
    users = get_user_model()
    officers, _created = Group.objects.get_or_create(name=BUREAU_OFFICERS_GROUP)
    officer, created = users.objects.get_or_create(
        username=OFFICER, defaults={"email": f"{OFFICER}@demo.envplan.invalid"}
    )
    if created:
        officer.password = password_hash
        officer.save(update_fields=["password"])
        officer.groups.add(officers)
    inspectors = []
    for number, (username, name, qualifications) in enumerate(INSPECTORS, start=1):
        login, created = users.objects.get_or_create(
            username=username, defaults={"email": f"{username}@demo.envplan.invalid"}
        )
        if created:
            login.password = password_hash
            login.save(update_fields=["password"])
        inspector = Inspector.objects.filter(user=login).first() or Inspector(user=login)
        inspector.code, inspector.name, inspector.qualifications = (
            f"KDL-ENF-{number:02d}",
            name,
            list(qualifications),
        )
        inspectors.append(registers.save_inspector(inspector, by=None))
    return officer, inspectors


def ensure_register() -> list[Enterprise]:
    enterprises = []
    for row in demo_enterprises():
        name, name_zh, industry, category = row.name, row.name_zh, row.industry, row.category
        enterprise = Enterprise.objects.filter(name=f"{name} (illustrative)").first()
        if enterprise is None:
            enterprise = save_enterprise(
                Enterprise(
                    name=f"{name} (illustrative)",
                    name_zh=f"{name_zh}（示例）",
                    district="Kundulun",
                    industry=industry,
                    address="illustrative address, Kundulun District, Baotou",
                    illustrative=True,
                ),
                by=None,
            )
        enterprises.append(enterprise)
        reason = {"special": "penalised last year (illustrative)"}.get(category, "")
        registers.save_supervision_object(
            SupervisionObject(year=YEAR, enterprise=enterprise, category=category, reason=reason), by=None
        )
    doctored = Enterprise.objects.filter(name=DOCTORED_ENTERPRISE["name"]).first()
    if doctored is not None:  # the heating company of the screening demo, an ordinary discharger
        registers.save_supervision_object(
            SupervisionObject(year=YEAR, enterprise=doctored, category="general", reason=""), by=None
        )
    for name in SOURCES_KEY:
        enterprise = Enterprise.objects.filter(name=name).first()
        if enterprise is not None:
            registers.save_supervision_object(
                SupervisionObject(
                    year=YEAR, enterprise=enterprise, category="key", reason="online monitoring"
                ),
                by=None,
            )
    # The district is county level: key objects 25 % a quarter (B.4, county bureaus), special objects 25 % a
    # quarter and general ones 1:2.5 per inspector a year (Guangzhou's task list, records.md §2a).
    rules = (
        (
            "key",
            "quarter",
            Decimal(25),
            None,
            "county-level bureaus: at least 25 % of key dischargers a quarter",
        ),
        (
            "special",
            "quarter",
            Decimal(25),
            None,
            "special supervision objects: at least 25 % a quarter (Guangzhou)",
        ),
        (
            "general",
            "year",
            None,
            Decimal("2.5"),
            "general objects: 1:2.5 per on-duty inspector a year (Guangzhou)",
        ),
    )
    for category, per, percent, per_inspector, basis in rules:
        registers.save_ratio_rule(
            RatioRule(
                year=YEAR,
                category=category,
                per=per,
                percent=percent,
                objects_per_inspector=per_inspector,
                basis=basis,
            ),
            by=None,
        )
    return enterprises


def ensure_items() -> list[InspectionItem]:
    rows = (
        (
            1,
            "污染源日常环境监管随机抽查",
            "Routine supervision of pollution sources (污染源日常环境监管)",
            "Pollution-control facilities running; emissions against the permit's limits; self-monitoring.",
            "key",
        ),
        (
            2,
            "污染源日常环境监管随机抽查",
            "Permits, impact assessment and the 'three simultaneities' (排污许可、环评与“三同时”)",
            "Permit held and followed; ledgers kept; impact-assessment conditions built and running.",
            "general",
        ),
        (
            3,
            "对危险废物经营单位的监督检查",
            "Hazardous-waste operators (危险废物经营单位监督检查)",
            "Licence, storage, manifests and ledgers of licensed hazardous-waste operators.",
            "key",
        ),
    )
    items = []
    for number, category, name, content, item_class in rows:
        item = InspectionItem.objects.filter(year=YEAR, number=number).first() or InspectionItem(
            year=YEAR, number=number
        )
        item.category, item.name, item.content, item.item_class = category, name, content, item_class
        item.targets = "enterprises in the district's register of supervision objects"
        item.ratio_frequency = "key 25 % / quarter; special 25 % / quarter; general 1:2.5 / inspector / year"
        item.inspecting_body = "Kundulun branch of the Baotou ecology and environment bureau"
        item.legal_basis = "《中华人民共和国环境保护法》; 国办发〔2015〕58号"
        items.append(registers.save_item(item, by=None))
    return items


def ensure_tasks(officer: User, items: list[InspectionItem]) -> list[InspectionTask]:
    tasks = []
    for label, start, end, _commit, _publish in QUARTERS:
        task = InspectionTask.objects.filter(code=f"KDL-{YEAR}-{label}").first() or InspectionTask(
            code=f"KDL-{YEAR}-{label}", created_by=officer
        )
        if task.pk is None:
            task.year, task.name, task.period_start, task.period_end = (
                YEAR,
                f"Random inspection of dischargers, {label} {YEAR}",
                start,
                end,
            )
            task.required_qualifications = ["enforcement"]
            registers.save_task(task, by=None, items=items[:2])
        tasks.append(task)
    return tasks
