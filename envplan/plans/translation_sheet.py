"""The plan's content as an Excel sheet for translators, and reading it back.

One row per translatable field of the plan (its title and summary, each chapter, section, task and
target, and the name of each unit it assigns), with the original and one column per site language. A
translator fills the columns; `envplan.plans.services.import_translations` reads the sheet back with
`read_sheet` and stores what changed. The first column is the row's key (`task:12:title`): the sheet may
be sorted or filtered, rows deleted, but keys must stay as written.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db import models
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from envplan.plans.content import (
    CONTENT_LANGUAGES,
    TRANSLATABLE,
    original_language,
    translation_of,
)
from envplan.plans.models import Chapter, Plan, Section, Target, Task, Unit, language_key

KIND_MODELS: dict[str, type[models.Model]] = {
    "plan": Plan,
    "chapter": Chapter,
    "section": Section,
    "task": Task,
    "target": Target,
    "unit": Unit,
}
MODEL_KINDS = {model: kind for kind, model in KIND_MODELS.items()}
KEY_HEADER = "key"
FIXED_HEADERS = (KEY_HEADER, "item", "field", "original language", "original")


@dataclass(frozen=True)
class ContentRow:
    key: str
    kind: str
    label: str  # "task 12", "section (IV)": where the text is
    field: str
    obj: models.Model
    original: str
    original_language: str

    def translation(self, language: str) -> str:
        return translation_of(self.obj, self.field, language)


@dataclass
class SheetProblem:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"row {self.row}, column {self.column}: {self.message}"


@dataclass
class TranslationSheetError(ValueError):
    """The sheet cannot be read back; nothing was stored. `problems` name the row and column of each."""

    name: str
    problems: list[SheetProblem] = field(default_factory=list)

    def __str__(self) -> str:
        listed = "; ".join(str(problem) for problem in self.problems[:20])
        more = len(self.problems) - 20
        return f"{self.name}: {listed}" + (f" (and {more} more)" if more > 0 else "")


def content_rows(plan: Plan) -> list[ContentRow]:
    """Every translatable text of the plan, in the plan's order (a fixed number of queries)."""
    return list(iter_rows(plan))


def iter_rows(plan: Plan) -> Iterator[ContentRow]:
    source = language_key(plan.language)

    def rows(obj: models.Model, label: str) -> Iterator[ContentRow]:
        kind = MODEL_KINDS[type(obj)]
        for name in TRANSLATABLE[type(obj)]:
            text = str(getattr(obj, name) or "")
            if not text:
                continue
            language = original_language(obj, plan) if isinstance(obj, Unit) else source
            yield ContentRow(f"{kind}:{obj.pk}:{name}", kind, label, name, obj, text, language)

    yield from rows(plan, _("plan"))
    for goal in plan.targets.filter(task__isnull=True).order_by("position"):
        yield from rows(goal, _("goal %(number)s") % {"number": goal.position})
    sections_by_chapter: dict[int, list[Section]] = {}
    for section in Section.objects.filter(chapter__plan=plan).order_by("chapter__position", "position"):
        sections_by_chapter.setdefault(section.chapter_id, []).append(section)
    tasks_by_section: dict[int, list[Task]] = {}
    for task in plan.tasks.order_by("position"):
        tasks_by_section.setdefault(task.section_id, []).append(task)
    targets_by_task: dict[int, list[Target]] = {}
    for target in plan.targets.filter(task__isnull=False).order_by("position"):
        assert target.task_id is not None
        targets_by_task.setdefault(target.task_id, []).append(target)
    for chapter in plan.chapters.order_by("position"):
        yield from rows(chapter, _("chapter %(number)s") % {"number": chapter.number})
        for section in sections_by_chapter.get(chapter.pk, []):
            yield from rows(section, _("section (%(number)s)") % {"number": section.number})
            for task in tasks_by_section.get(section.pk, []):
                yield from rows(task, _("task %(number)s") % {"number": task.number})
                for target in targets_by_task.get(task.pk, []):
                    yield from rows(target, _("target of task %(number)s") % {"number": task.number})
    for unit in Unit.objects.filter(assignments__task__plan=plan).distinct().order_by("name"):
        yield from rows(unit, _("unit"))


def write_sheet(plan: Plan) -> bytes:
    """The workbook a translator fills: key, item, field, original language, original, then one column
    per site language with the translations stored so far."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "translations"
    sheet.append([*FIXED_HEADERS, *CONTENT_LANGUAGES])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in content_rows(plan):
        sheet.append(
            [
                row.key,
                row.label,
                row.field,
                row.original_language,
                row.original,
                *(row.translation(language) for language in CONTENT_LANGUAGES),
            ]
        )
    widths = [18, 22, 12, 10, 60, *([60] * len(CONTENT_LANGUAGES))]
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    for cells in sheet.iter_rows(min_row=2):
        for cell in cells[4:]:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "F2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def read_sheet(plan: Plan, content: bytes, *, name: str) -> dict[str, dict[str, dict[str, str]]]:
    """{key of an object: {language: {field: text}}} as the sheet has it, for the rows of this plan.

    Raises TranslationSheetError listing every problem (unreadable file, missing key column, a key that
    is not one of this plan's texts, an unknown language column) with its row and column."""
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds on a damaged file
        raise TranslationSheetError(
            name, [SheetProblem(1, "A", f"not a readable .xlsx file ({error})")]
        ) from None
    sheet = book.worksheets[0]
    lines = sheet.iter_rows(values_only=True)
    header = [str(value or "").strip() for value in next(lines, ())]
    if KEY_HEADER not in header:
        raise TranslationSheetError(name, [SheetProblem(1, "A", f"no column headed {KEY_HEADER!r}")])
    key_column = header.index(KEY_HEADER)
    language_columns: dict[int, str] = {}
    problems: list[SheetProblem] = []
    for index, title in enumerate(header):
        if not title or title in FIXED_HEADERS:
            continue
        if title not in CONTENT_LANGUAGES:
            problems.append(
                SheetProblem(
                    1,
                    get_column_letter(index + 1),
                    f"unknown column {title!r} (languages: {', '.join(CONTENT_LANGUAGES)})",
                )
            )
            continue
        language_columns[index] = title
    known = {row.key: row for row in content_rows(plan)}
    found: dict[str, dict[str, dict[str, str]]] = {}
    for number, values in enumerate(lines, start=2):
        cells = list(values)
        key = str(cells[key_column] or "").strip() if key_column < len(cells) else ""
        if not key and not any(cells):
            continue
        if key not in known:
            problems.append(
                SheetProblem(number, get_column_letter(key_column + 1), f"{key!r} is not a text of this plan")
            )
            continue
        kind, pk, field_name = key.split(":")
        object_key = f"{kind}:{pk}"
        for index, language in language_columns.items():
            if language == known[key].original_language:
                continue  # the original is changed by a new revision of the document, not here
            text = cells[index] if index < len(cells) else None
            found.setdefault(object_key, {}).setdefault(language, {})[field_name] = str(text or "").strip()
    if problems:
        raise TranslationSheetError(name, problems)
    return found


def object_for(plan: Plan, object_key: str) -> models.Model:
    kind, pk = object_key.split(":")
    model = KIND_MODELS[kind]
    return model._default_manager.get(pk=int(pk))
