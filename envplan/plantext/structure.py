"""Chapters, sections and numbered tasks in document order, with the unit lines of each task.

Numbering is kept as printed; irregularities (repeated or missing numbers, mixed numeral styles) are
reported as warnings and never reorder the document.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .model import Language, Role
from .numbering import numeral_value, render
from .roles import parse_unit_line, split_chinese_tail

_CHAPTER_ROMAN = re.compile(r"^\s*([IVXL]{1,6})\s*[.、]\s*(\S.{0,150})$")
_CHAPTER_ZH = re.compile(r"^\s*([一二三四五六七八九十]{1,3})\s*、\s*(\S.*)$")
_SECTION = re.compile(
    r"^\s*[(（]\s*(\d{1,2}|[IVXL]{1,6}|[一二三四五六七八九十]{1,3})\s*[)）]\s*(\S.{0,200})$"
)
_TASK = re.compile(r"^\s*(\d{1,3})\s*[.、](?!\d)\s*(\S.*)$")
_END = re.compile(
    r"^\s*(?:source\s*:|来源\s*[:：]|\(此件公开发布\)|（此件公开发布）|主办单位|抄送\s*[:：]|"
    r"附件\s*[:：]|附件\d|share\s+this|partager)",
    re.I,
)
_GOALS = re.compile(r"objectifs?\s+principa|principaux\s+objectifs|main\s+(?:goals|targets|objectives)|"
                    r"主要目标|工作目标|目标任务|总体目标|objectifs$|goals$|targets$", re.I)  # fmt: skip


@dataclass
class RawTask:
    number: int
    text: str
    line: int
    mentions: list[tuple[Role, str]] = field(default_factory=list)


@dataclass
class RawSection:
    number: str
    title: str
    line: int
    tasks: list[RawTask] = field(default_factory=list)


@dataclass
class RawChapter:
    number: str
    title: str
    line: int
    sections: list[RawSection] = field(default_factory=list)
    body: list[str] = field(default_factory=list)

    @property
    def is_goals(self) -> bool:
        return bool(_GOALS.search(self.title.strip()))


@dataclass
class Structure:
    header: list[str]
    chapters: list[RawChapter]
    warnings: list[str]

    def tasks(self) -> list[RawTask]:
        return [t for c in self.chapters for s in c.sections for t in s.tasks]


def _chapter(line: str, lang: Language) -> tuple[str, str, int] | None:
    match = _CHAPTER_ZH.match(line) if lang == "zh" else _CHAPTER_ROMAN.match(line)
    if match is None and lang != "zh":
        match = _CHAPTER_ZH.match(line)
    if match is None:
        return None
    number, title, title_start = match.group(1), match.group(2).strip(), match.start(2)
    if numeral_value(number) is None:
        return None
    if lang == "zh" and len(title) > 40:
        head = re.split(r"[。.]", title, maxsplit=1)[0]
        if len(head) > 40:
            return None
        title = head
    if lang != "zh" and (len(title) > 150 or title.endswith((".", ";"))):
        return None
    return number, title, title_start


def _section(line: str, lang: Language) -> tuple[str, str, int] | None:
    match = _SECTION.match(line)
    if match is None:
        return None
    number = match.group(1)
    parsed = numeral_value(number)
    if parsed is None:
        return None
    if lang == "zh" and parsed[1] != "chinese":
        return None  # (1) inside a Chinese plan numbers items within a task
    title = match.group(2).strip()
    if lang == "zh":
        title = re.split(r"[。]", title, maxsplit=1)[0]
    return number, title, match.start(2)


def parse_structure(original: str, normalised: str, lang: Language) -> Structure:
    """Walk the lines: header (before chapter one), chapters, sections, tasks and unit lines."""
    norm_lines = normalised.split("\n")
    orig_lines = original.split("\n")
    start = None
    for index, line in enumerate(norm_lines):
        found = _chapter(line, lang)
        if found and (numeral_value(found[0]) or (0, ""))[0] == 1:
            start = index
            break
    if start is None:
        return Structure(header=orig_lines, chapters=[], warnings=[])

    chapters: list[RawChapter] = []
    warnings: list[str] = []
    task: RawTask | None = None
    task_closed = False
    for index in range(start, len(norm_lines)):
        norm = norm_lines[index].strip()
        orig = orig_lines[index].strip()
        if not norm:
            continue
        if _END.match(norm):
            break
        chapter = _chapter(norm, lang)
        if chapter and (not chapters or _plausible_next(chapters[-1].number, chapter[0])):
            chapters.append(RawChapter(chapter[0], _slice(orig, chapter[2], chapter[1]), index + 1))
            task = None
            continue
        section = _section(norm, lang) if chapters else None
        if section:
            chapters[-1].sections.append(
                RawSection(section[0], _slice(orig, section[2], section[1]), index + 1)
            )
            task = None
            continue
        task_match = _TASK.match(norm)
        if task_match and chapters:
            current = chapters[-1]
            if not current.sections:
                current.sections.append(RawSection("", "", index + 1))
                warnings.append(
                    f"line {index + 1}: task {task_match.group(1)} comes before any section of chapter "
                    f"{current.number}; an unnamed section holds it"
                )
            task = RawTask(int(task_match.group(1)), orig[task_match.start(2) :].strip(), index + 1)
            current.sections[-1].tasks.append(task)
            task_closed = False
            continue
        unit_line = parse_unit_line(orig)
        if unit_line:
            if task is None:
                warnings.append(f"line {index + 1}: unit line outside any task is ignored: {orig[:60]}")
            else:
                task.mentions.append(unit_line)
                task_closed = True
            continue
        if task is not None and not task_closed and _is_prose(norm):
            task.text = f"{task.text} {orig}".strip() if lang != "zh" else task.text + orig
            continue
        if chapters and not chapters[-1].sections:
            chapters[-1].body.append(orig)

    for raw_task in (t for c in chapters for s in c.sections for t in s.tasks):
        text, tail = split_chinese_tail(raw_task.text)
        if tail:
            raw_task.text = text
            raw_task.mentions = tail + raw_task.mentions

    warnings = _numbering_warnings(chapters) + warnings
    return Structure(header=orig_lines[:start], chapters=chapters, warnings=warnings)


def _slice(orig: str, start: int, norm_text: str) -> str:
    # The original line has the same length as the normalised one, so offsets carry over.
    return orig[start : start + len(norm_text)].strip()


def _is_prose(line: str) -> bool:
    return len(line) >= 20 or line.endswith((".", "。", ";", "；"))


def _plausible_next(previous: str, candidate: str) -> bool:
    """A chapter heading is believed when its number is near the previous one (not a stray 'V. ...')."""
    before, after = numeral_value(previous), numeral_value(candidate)
    if before is None or after is None:
        return False
    return before[0] - 1 <= after[0] <= before[0] + 3


def _sequence_warnings(kind: str, numbers: list[str], style_hint: str, where: list[str]) -> list[str]:
    out: list[str] = []
    previous: tuple[int, str] | None = None
    for number, place in zip(numbers, where, strict=True):
        current = numeral_value(number) if number else None
        if current is None:
            continue
        if previous is not None:
            expected = previous[0] + 1
            if current[0] == previous[0]:
                out.append(f"{kind} {number} appears twice{place}; both are kept in document order")
            elif current[0] > expected:
                missing = [render(v, current[1]) for v in range(expected, current[0])]
                out.append(
                    f"no {kind} numbered {', '.join(missing)}{place}: numbering jumps from "
                    f"{render(previous[0], previous[1])} to {number}"
                )
            elif current[0] < previous[0]:
                out.append(
                    f"{kind} {number} comes after {render(previous[0], previous[1])}{place}; "
                    "kept in document order"
                )
        previous = current
    return out


def _numbering_warnings(chapters: list[RawChapter]) -> list[str]:
    warnings = _sequence_warnings("chapter", [c.number for c in chapters], "", ["" for _ in chapters])

    sections = [(c, s) for c in chapters for s in c.sections if s.number]
    styles: dict[str, list[str]] = {}
    for _, section in sections:
        parsed = numeral_value(section.number)
        if parsed:
            styles.setdefault(parsed[1], []).append(section.number)
    if len(styles) > 1:
        described = "; ".join(
            f"{style} ({nums[0]})–({nums[-1]})" if len(nums) > 1 else f"{style} ({nums[0]})"
            for style, nums in styles.items()
        )
        warnings.append(f"section numbering mixes numeral styles: {described}")
    warnings += _sequence_over_groups(
        "section",
        [[s.number for s in c.sections if s.number] for c in chapters],
        [f" in chapter {c.number}" for c in chapters],
    )
    warnings += _sequence_over_groups(
        "task",
        [[str(t.number) for t in s.tasks] for c in chapters for s in c.sections],
        [
            f" in section ({s.number})" if s.number else f" in chapter {c.number}"
            for c in chapters
            for s in c.sections
        ],
    )
    return warnings


def _sequence_over_groups(kind: str, groups: list[list[str]], places: list[str]) -> list[str]:
    """Numbering either runs on across groups or restarts at one in each group; check whichever applies."""
    non_empty = [(g, p) for g, p in zip(groups, places, strict=True) if g]
    if not non_empty:
        return []
    restarts = len(non_empty) > 1 and all((numeral_value(g[0]) or (0, ""))[0] == 1 for g, _ in non_empty)
    if restarts:
        out: list[str] = []
        for group, place in non_empty:
            out += _sequence_warnings(kind, group, "", [place] * len(group))
        return out
    flat = [n for g, _ in non_empty for n in g]
    where = [p for g, p in non_empty for _ in g]
    return _sequence_warnings(kind, flat, "", where)
