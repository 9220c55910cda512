"""From a plan's text to a draft: structure, meta, units with roles, targets."""

from __future__ import annotations

import re
from collections.abc import Sequence

from .lang import check_readable, detect_language, normalise, tidy_chinese
from .meta import looks_like_plan, parse_meta, parse_meta_zh
from .model import (
    Chapter,
    Draft,
    KnownUnit,
    Language,
    PlanTextError,
    Role,
    Section,
    Target,
    Task,
    Unit,
    UnitRef,
)
from .roles import split_unit_list
from .script import to_simplified
from .structure import Structure, parse_structure
from .targets import extract_goals, extract_targets
from .units import UnitResolver, learn_places

LANGUAGES: tuple[Language, ...] = ("fr", "zh", "en")


def parse_text(text: str, *, lang: str = "auto", known_units: Sequence[KnownUnit] = ()) -> Draft:
    """Parse a plan document's text into a draft for review.

    ``lang`` is "auto" (detected), "fr", "zh" or "en". ``known_units`` are the canonical units a person
    confirmed in earlier imports; spellings equal or close to them resolve to their ids.
    Raises PlanTextError when the text is empty, binary or holds nothing of a plan (no title, goal or
    numbered task). A partial document (a notice, an opening cut off after the goals) gives a draft with
    what was found and a warning.
    """
    if not isinstance(text, str):
        raise PlanTextError("the document must be text")
    check_readable(text)
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    norm = normalise(text)
    language = _language(lang, norm)
    if language == "zh":
        text = tidy_chinese(text)
        norm = to_simplified(normalise(text))
    structure = parse_structure(text, norm, language)
    raw_tasks = structure.tasks()
    if language == "zh":
        meta, meta_warnings = parse_meta_zh(structure.header, structure.header_norm)
    else:
        meta, meta_warnings = parse_meta(structure.header, language), []
    plan_year = _plan_year(meta.title, meta.date)
    goals = _goals(structure, language, plan_year)
    if not raw_tasks and not goals and not looks_like_plan(meta, structure.header_norm, language):
        raise PlanTextError(
            "no numbered tasks found: expected chapters (I. / 一、), sections ((1) / （一）) "
            "and tasks (1. / 1．)"
        )

    places = learn_places(norm if language == "zh" else text)
    resolver = UnitResolver(known_units, places=places)
    pieces: dict[int, list[tuple[Role, str, str, bool]]] = {}
    mentions: list[str] = []
    for index, raw in enumerate(raw_tasks):
        found: list[tuple[Role, str, str, bool]] = []
        if language == "zh":
            for mention in raw.zh_mentions:
                found.append((mention.role, mention.name, mention.as_written, mention.carried))
                if not mention.carried:
                    mentions.append(mention.name)
        else:
            for role, listed in raw.mentions:
                for name in split_unit_list(listed, language, places):
                    found.append((role, name, name, False))
                    mentions.append(name)
        pieces[index] = found
    # A rider stated in a note between tasks names units that no task names itself.
    already = set(mentions)
    for found in pieces.values():
        for _, name, _, carried in found:
            if carried and name not in already:
                already.add(name)
                mentions.append(name)
    resolution = resolver.resolve(mentions)
    units = _display_units(resolution.units, pieces) if language == "zh" else resolution.units

    warnings = list(structure.warnings) + meta_warnings
    if not raw_tasks:
        warnings.append(
            "no numbered tasks found: the draft holds the notice, meta and goals only (a partial document?)"
        )
    chapters: list[Chapter] = []
    index = 0
    for raw_chapter in structure.chapters:
        chapter = Chapter(raw_chapter.number, raw_chapter.title, body=" ".join(raw_chapter.body))
        for raw_section in raw_chapter.sections:
            section = Section(raw_section.number, raw_section.title)
            for raw_task in raw_section.tasks:
                refs: list[UnitRef] = []
                seen: set[tuple[str, str]] = set()
                named: set[str] = set()
                for role, name, written, carried in pieces[index]:
                    unit_id = resolution.unit_of[name.strip()]
                    if (unit_id, role) in seen or (carried and unit_id in named):
                        continue
                    seen.add((unit_id, role))
                    named.add(unit_id)
                    refs.append(UnitRef(unit=unit_id, role=role, as_written=written.strip()))
                if not refs:
                    warnings.append(f"line {raw_task.line}: task {raw_task.number} names no unit")
                task = Task(
                    number=raw_task.number,
                    text=raw_task.text,
                    targets=extract_targets(
                        raw_task.text, language, plan_year, norm=raw_task.norm if language == "zh" else None
                    ),
                    units=refs,
                )
                section.tasks.append(task)
                index += 1
            chapter.sections.append(section)
        chapters.append(chapter)
    return Draft(
        meta=meta,
        units=units,
        goals=goals,
        chapters=chapters,
        warnings=warnings,
        uncertain=resolution.uncertain,
    )


def _goals(structure: Structure, language: Language, plan_year: int | None) -> list[Target]:
    goals: list[Target] = []
    for raw_chapter in structure.chapters:
        if language != "zh":
            if raw_chapter.is_goals and not raw_chapter.sections:
                goals.extend(extract_targets(" ".join(raw_chapter.body), language, plan_year))
            continue
        stated = raw_chapter.is_goals or bool(re.search(r"目标|指标", raw_chapter.title_norm))
        # Goals chapters and goals sections ((二)主要目标) keep non-numeric goals as milestones; the guiding
        # text of 总体要求 gives only its numbers.
        texts = [(orig, norm, True) for orig, norm in raw_chapter.goal_texts]
        if raw_chapter.states_goals(language) and raw_chapter.body:
            texts.insert(0, ("".join(raw_chapter.body), "".join(raw_chapter.body_norm), stated))
        for orig, norm, milestones in texts:
            goals.extend(extract_goals(orig, norm, plan_year, milestones=milestones))
    return goals


def _display_units(units: list[Unit], pieces: dict[int, list[tuple[Role, str, str, bool]]]) -> list[Unit]:
    """Units named and aliased by their spellings as written (the resolver saw normalised spellings, so
    a unit written in both scripts keeps both spellings)."""
    written: dict[str, list[str]] = {}
    for found in pieces.values():
        for _, name, as_written, _ in found:
            forms = written.setdefault(name.strip(), [])
            if as_written.strip() not in forms:
                forms.append(as_written.strip())
    out: list[Unit] = []
    for unit in units:
        forms = [f for spelling in (unit.name, *unit.aliases) for f in written.get(spelling, [spelling])]
        name = forms[0]
        aliases = tuple(dict.fromkeys(f for f in forms if f != name))
        out.append(Unit(id=unit.id, name=name, aliases=aliases, group=unit.group))
    return out


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
