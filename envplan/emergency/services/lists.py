"""Performance grades and the emergency reduction list (Excel import, revision, adoption)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction

from envplan.core.services import Actor, record_audit, snapshot
from envplan.emergency import listxlsx
from envplan.emergency.models import (
    ListEntry,
    PerformanceGrade,
    ProductionLine,
    ReductionList,
)
from envplan.emergency.services.errors import EmergencyError
from envplan.sources.models import Enterprise, Outlet
from envplan.standards.emergency.grades import GradeError, check_grade, is_lower, parse_scheme

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
    by: Actor,
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
def downgrade(current: PerformanceGrade, *, to: str, on: dt.date, reason: str, by: Actor) -> PerformanceGrade:
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
def create_list(
    *, title: str, year: int, note: str = "", by: Actor, generated: bool = False
) -> ReductionList:
    if not title.strip():
        raise EmergencyError("the title is required", field="title")
    if not 2000 <= year <= 2100:
        raise EmergencyError(f"{year} is not a year of revision", field="year")
    made = ReductionList.objects.create(title=title.strip(), year=year, note=note, generated=generated)
    record_audit(made, action="emergency.list_created", actor=by, after=snapshot(made, LIST_FIELDS))
    return made


@transaction.atomic
def revise_list(previous: ReductionList, *, title: str, year: int, by: Actor) -> ReductionList:
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
def adopt_list(reduction_list: ReductionList, *, on: dt.date, by: Actor) -> ReductionList:
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


def import_list(reduction_list: ReductionList, *, name: str, content: bytes, by: Actor) -> ListImport:
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
