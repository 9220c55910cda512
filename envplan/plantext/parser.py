"""From a plan's text to a draft: structure, meta, units with roles, targets."""

from __future__ import annotations

import re
from collections.abc import Sequence

from .lang import check_readable, detect_language, normalise
from .meta import parse_meta
from .model import Chapter, Draft, KnownUnit, Language, PlanTextError, Role, Section, Task, UnitRef
from .roles import split_unit_list
from .structure import parse_structure
from .targets import extract_targets
from .units import UnitResolver, learn_places

LANGUAGES: tuple[Language, ...] = ("fr", "zh", "en")


def parse_text(text: str, *, lang: str = "auto", known_units: Sequence[KnownUnit] = ()) -> Draft:
    """Parse a plan document's text into a draft for review.

    ``lang`` is "auto" (detected), "fr", "zh" or "en". ``known_units`` are the canonical units a person
    confirmed in earlier imports; spellings equal or close to them resolve to their ids.
    Raises PlanTextError when the text is empty, binary or has no numbered tasks.
    """
    if not isinstance(text, str):
        raise PlanTextError("the document must be text")
    check_readable(text)
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    norm = normalise(text)
    language = _language(lang, norm)
    structure = parse_structure(text, norm, language)
    raw_tasks = structure.tasks()
    if not raw_tasks:
        raise PlanTextError(
            "no numbered tasks found: expected chapters (I. / 一、), sections ((1) / （一）) "
            "and tasks (1. / 1．)"
        )
    meta = parse_meta(structure.header, language)
    plan_year = _plan_year(meta.title, meta.date)

    places = learn_places(text)
    resolver = UnitResolver(known_units, places=places)
    pieces: dict[int, list[tuple[Role, str]]] = {}
    mentions: list[str] = []
    for index, raw in enumerate(raw_tasks):
        found: list[tuple[Role, str]] = []
        for role, listed in raw.mentions:
            for name in split_unit_list(listed, language, places):
                found.append((role, name))
                mentions.append(name)
        pieces[index] = found
    resolution = resolver.resolve(mentions)

    warnings = list(structure.warnings)
    chapters: list[Chapter] = []
    goals = []
    index = 0
    for raw_chapter in structure.chapters:
        chapter = Chapter(raw_chapter.number, raw_chapter.title, body=" ".join(raw_chapter.body))
        if raw_chapter.is_goals and not raw_chapter.sections:
            goals.extend(extract_targets(chapter.body, language, plan_year))
        for raw_section in raw_chapter.sections:
            section = Section(raw_section.number, raw_section.title)
            for raw_task in raw_section.tasks:
                refs: list[UnitRef] = []
                seen: set[tuple[str, str]] = set()
                for role, name in pieces[index]:
                    unit_id = resolution.unit_of[name.strip()]
                    if (unit_id, role) in seen:
                        continue
                    seen.add((unit_id, role))
                    refs.append(UnitRef(unit=unit_id, role=role, as_written=name.strip()))
                if not refs:
                    warnings.append(f"line {raw_task.line}: task {raw_task.number} names no unit")
                task = Task(
                    number=raw_task.number,
                    text=raw_task.text,
                    targets=extract_targets(raw_task.text, language, plan_year),
                    units=refs,
                )
                section.tasks.append(task)
                index += 1
            chapter.sections.append(section)
        chapters.append(chapter)
    return Draft(
        meta=meta,
        units=resolution.units,
        goals=goals,
        chapters=chapters,
        warnings=warnings,
        uncertain=resolution.uncertain,
    )


def _language(lang: str, text: str) -> Language:
    if lang == "auto":
        return detect_language(text)
    for known in LANGUAGES:
        if lang == known:
            return known
    raise PlanTextError(f"unsupported language {lang!r}: use auto, fr, zh or en")


def _plan_year(title: str, date: str | None) -> int | None:
    match = re.search(r"(?<!\d)(20\d{2})(?!\d)", title)
    if match:
        return int(match.group(1))
    return int(date[:4]) if date else None
