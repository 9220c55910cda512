"""Chapters, sections and numbered tasks in document order, with the unit lines of each task.

Numbering is kept as printed; irregularities (repeated or missing numbers, mixed numeral styles) are
reported as warnings and never reorder the document.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .attribution import (
    Attribution,
    Mention,
    apply_positional,
    brackets,
    positional_rule_at,
    read_bracket,
    read_labels,
    task_attributions,
    trailing_labels,
)
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
# Chapters and sections of Chinese plans that state goals, or guiding text that may end with goals.
_GOALS_ZH = re.compile(r"目标|指标")
_GENERAL_ZH = re.compile(r"总体要求|总体思路|总体目标|指导思想|基本原则|工作原则")
_PLAN_TITLE_ZH = re.compile(r"(?:方案|计划|要点|工作安排)$")
_GOALS = re.compile(r"objectifs?\s+principa|principaux\s+objectifs|main\s+(?:goals|targets|objectives)|"
                    r"主要目标|工作目标|目标任务|总体目标|objectifs$|goals$|targets$", re.I)  # fmt: skip


@dataclass
class RawTask:
    number: int
    text: str
    line: int
    mentions: list[tuple[Role, str]] = field(default_factory=list)
    # Chinese plans: the text normalised (same length as ``text``), the units read, paragraph ends.
    norm: str = ""
    zh_mentions: list[Mention] = field(default_factory=list)
    paragraph_ends: list[int] = field(default_factory=list)
    riders: list[Mention] = field(default_factory=list)


@dataclass
class RawSection:
    number: str
    title: str
    line: int
    tasks: list[RawTask] = field(default_factory=list)
    # Chinese plans: the section read as a task, for plans whose (一)(二) items are the tasks.
    as_task: RawTask | None = None
    title_norm: str = ""


@dataclass
class RawChapter:
    number: str
    title: str
    line: int
    sections: list[RawSection] = field(default_factory=list)
    body: list[str] = field(default_factory=list)
    body_norm: list[str] = field(default_factory=list)
    title_norm: str = ""
    # Chinese plans: text of goals sections ((二)主要目标) inside the chapter.
    goal_texts: list[tuple[str, str]] = field(default_factory=list)

    @property
    def is_goals(self) -> bool:
        return bool(_GOALS.search(self.title.strip()))

    def states_goals(self, lang: Language) -> bool:
        """A chapter whose body may hold the plan's goals (主要目标, or 总体要求 ending with goals)."""
        if lang != "zh":
            return self.is_goals
        title = self.title_norm or self.title
        return bool(_GOALS.search(title) or _GOALS_ZH.search(title) or _GENERAL_ZH.search(title))


@dataclass
class Structure:
    header: list[str]
    chapters: list[RawChapter]
    warnings: list[str]
    header_norm: list[str] = field(default_factory=list)

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
    zh = lang == "zh"
    start = None
    for index, line in enumerate(norm_lines):
        found = _chapter(line, lang)
        if found and (numeral_value(found[0]) or (0, ""))[0] == 1:
            start = index
            break
    if start is None:
        return Structure(header=orig_lines, chapters=[], warnings=[], header_norm=norm_lines)

    chapters: list[RawChapter] = []
    warnings: list[str] = []
    task: RawTask | None = None
    task_closed = False
    last_text_line = ""
    for index in range(start, len(norm_lines)):
        norm = norm_lines[index].strip()
        orig = orig_lines[index].strip()
        if not norm:
            continue
        if _END.match(norm):
            break
        chapter = _chapter(norm, lang)
        restart = zh and chapter and chapters and numeral_value(chapter[0]) == (1, "chinese")
        if restart and _PLAN_TITLE_ZH.search(last_text_line):
            warnings.append(
                f"line {index + 1}: a second plan starts here ({last_text_line}); only the first is read"
            )
            break
        if chapter and (not chapters or _plausible_next(chapters[-1].number, chapter[0])):
            chapters.append(
                RawChapter(chapter[0], _slice(orig, chapter[2], chapter[1]), index + 1, title_norm=chapter[1])
            )
            task = None
            last_text_line = norm
            continue
        last_text_line = norm
        section = _section(norm, lang) if chapters else None
        if section:
            raw_section = RawSection(
                section[0], _slice(orig, section[2], section[1]), index + 1, title_norm=section[1]
            )
            chapters[-1].sections.append(raw_section)
            task = None
            if zh:
                # The (一) item may itself be a task (plans without 1. numbering); keep its text.
                offset = len(norm_lines[index]) - len(norm_lines[index].lstrip()) + section[2]
                value = numeral_value(section[0])
                raw_section.as_task = RawTask(
                    value[0] if value else 0,
                    orig_lines[index][offset:].strip(),
                    index + 1,
                    norm=norm_lines[index][offset:].strip(),
                )
                task = raw_section.as_task
                task_closed = False
            continue
        task_match = _TASK.match(norm)
        if task_match and chapters:
            current = chapters[-1]
            if not current.sections:
                current.sections.append(RawSection("", "", index + 1))
                if not zh:
                    warnings.append(
                        f"line {index + 1}: task {task_match.group(1)} comes before any section of chapter "
                        f"{current.number}; an unnamed section holds it"
                    )
            offset = len(norm_lines[index]) - len(norm_lines[index].lstrip()) + task_match.start(2)
            task = RawTask(
                int(task_match.group(1)),
                orig[task_match.start(2) :].strip(),
                index + 1,
                norm=norm_lines[index][offset:].strip(),
            )
            current.sections[-1].tasks.append(task)
            task_closed = False
            continue
        if zh:
            labelled = read_labels(norm, orig)
            if labelled is not None:
                if task is None:
                    warnings.append(f"line {index + 1}: unit line outside any task is ignored: {orig[:60]}")
                elif not labelled:
                    warnings.append(
                        f"line {index + 1}: {orig[:20]} names no unit (the document may be cut off here)"
                    )
                    task_closed = True
                else:
                    task.zh_mentions.extend(labelled)
                    task_closed = True
                continue
        else:
            unit_line = parse_unit_line(orig)
            if unit_line:
                if task is None:
                    warnings.append(f"line {index + 1}: unit line outside any task is ignored: {orig[:60]}")
                else:
                    task.mentions.append(unit_line)
                    task_closed = True
                continue
        if task is not None and not task_closed and (_is_prose(norm) or (zh and norm.endswith(")"))):
            if zh:
                task.paragraph_ends.append(len(task.norm))
                task.text += orig
                task.norm += norm
            else:
                task.text = f"{task.text} {orig}".strip()
            continue
        if chapters and not chapters[-1].sections:
            chapters[-1].body.append(orig)
            chapters[-1].body_norm.append(norm)

    if zh:
        _read_zh_attributions(chapters, normalised, lang)
    else:
        for raw_task in (t for c in chapters for s in c.sections for t in s.tasks):
            text, tail = split_chinese_tail(raw_task.text)
            if tail:
                raw_task.text = text
                raw_task.mentions = tail + raw_task.mentions

    warnings = _numbering_warnings(chapters) + warnings
    return Structure(
        header=orig_lines[:start], chapters=chapters, warnings=warnings, header_norm=norm_lines[:start]
    )


def _read_zh_attributions(chapters: list[RawChapter], normalised: str, lang: Language) -> None:
    """Brackets and trailing labels of every task; sections read as tasks where a chapter has no 1. tasks;
    goals sections set aside; positional rules and riders carried to later tasks."""
    rule = positional_rule_at(normalised)
    rule_line = normalised.count("\n", 0, rule) + 1 if rule is not None else None
    for chapter in chapters:
        has_numbered = any(s.tasks for s in chapter.sections)
        candidates = [s.as_task for s in chapter.sections if s.as_task is not None]
        for raw_task in candidates:
            _attribute(raw_task, rule_line)
        section_tasks: list[RawTask] = []
        for section in chapter.sections:
            as_task = section.as_task
            if as_task is None:
                continue
            if _GOALS_ZH.search(section.title_norm) or _GOALS.search(section.title_norm):
                # The goals follow the section's title ((二)主要目标。2025年,…).
                skip = len(section.title_norm)
                while skip < len(as_task.norm) and as_task.norm[skip] in "。.:;, ":
                    skip += 1
                chapter.goal_texts.append((as_task.text[skip:], as_task.norm[skip:]))
            elif not has_numbered and not _GENERAL_ZH.search(section.title_norm):
                section_tasks.append(as_task)
        if not has_numbered and any(t.zh_mentions for t in section_tasks):
            chapter.sections = [RawSection("", "", section_tasks[0].line, tasks=section_tasks)]
        for section in chapter.sections:
            for raw_task in section.tasks:
                if raw_task not in candidates:
                    _attribute(raw_task, rule_line)
    # A rider in a bracket, or in a note between tasks, makes its units implement every later task.
    carried: list[Mention] = []
    for chapter in chapters:
        for line in chapter.body_norm:
            for start, end in brackets(line):
                found = read_bracket(line, line, start + 1, end - 1)
                if found is not None:
                    carried.extend(found.riders)
        for section in chapter.sections:
            for raw_task in section.tasks:
                named = {m.name for m in raw_task.zh_mentions}
                raw_task.zh_mentions.extend(
                    Mention(m.role, m.name, m.as_written, carried=True)
                    for m in carried
                    if m.name not in named
                )
                carried.extend(m for m in raw_task.riders if m.name not in {c.name for c in carried})


def _attribute(raw_task: RawTask, rule_line: int | None) -> None:
    """Read a task's attribution brackets and trailing labels; cut the final ones from its text."""
    norm, text = raw_task.norm, raw_task.text
    if len(norm) != len(text):  # pragma: no cover - normalisation keeps lengths
        norm = text
    labels_at = trailing_labels(norm)
    mentions: list[Mention] = []
    if labels_at is not None:
        mentions.extend(read_labels(norm, text, labels_at) or [])
        norm, text = norm[:labels_at].rstrip(), text[:labels_at].rstrip()
    positional = rule_line is not None and raw_task.line >= rule_line
    found = task_attributions(norm, text, frozenset(raw_task.paragraph_ends))
    bracket_mentions: list[Mention] = []
    for item in found:
        attribution: Attribution = item.attribution
        if positional or attribution.positional:
            attribution = apply_positional(attribution)
        bracket_mentions.extend(attribution.mentions)
        raw_task.riders.extend(attribution.riders)
    if found and not norm[found[-1].end :].strip(" .。;,"):
        cut = found[-1].start
        norm, text = norm[:cut].rstrip(), text[:cut].rstrip()
    raw_task.norm, raw_task.text = norm, text
    raw_task.zh_mentions = bracket_mentions + mentions + raw_task.zh_mentions


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
