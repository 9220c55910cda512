"""Reading who does a task: unit lines ("Unités responsables : A, B et C", "牵头单位：…"), Chinese
parenthesised tails ("（A、B按职责分工负责，各街镇具体落实）") and lists of unit names split without cutting a
name at a comma or an "et" / "and" that belongs to it.
"""

from __future__ import annotations

import re

from .model import Language, Role
from .units import (
    CJK,
    COLLECTIVE_EN,
    COLLECTIVE_FR,
    HEADS,
    QUALIFIERS,
    head_words,
    is_collective,
    is_place,
    strip_accents,
    unit_tokens,
)


def _has_head(piece: str, lang: Language) -> bool:
    words = head_words(piece)
    if not words:
        return False
    if lang == "fr":
        return words[0] in HEADS
    return any(w in HEADS for w in words)


def _head_at_end(piece: str) -> bool:
    words = head_words(piece)
    return bool(words) and words[-1] in HEADS


def split_unit_list(text: str, lang: Language, places: frozenset[str] = frozenset()) -> list[str]:
    """Split 'A, B et C' into unit names without cutting a name at a comma or 'et' that belongs to it."""
    text = text.strip().rstrip(".;。；,，")
    if not text:
        return []
    if lang == "zh" or CJK.search(text):
        pieces = [p.strip() for p in re.split(r"[、,;，；]", text)]
        return [re.sub(r"等$", "", p) for p in pieces if p]
    # Protect collective mentions ("divers quartiers et villes", "all towns and sub-districts").
    protected: list[str] = []

    def _protect(match: re.Match[str]) -> str:
        protected.append(match.group(0).strip())
        return f"\x00{len(protected) - 1}\x00"

    pattern = COLLECTIVE_FR if lang == "fr" else COLLECTIVE_EN
    masked = pattern.sub(_protect, text)
    parts = re.split(r"(\s*[,;]\s*|\s+(?:et|and|&)\s+)", masked)
    raw: list[tuple[str, str]] = [("", parts[0].strip())]  # (separator before, piece)
    for index in range(1, len(parts) - 1, 2):
        raw.append((parts[index], parts[index + 1].strip()))

    def _unmask(piece: str) -> str:
        return re.sub(r"\x00(\d+)\x00", lambda m: protected[int(m.group(1))], piece)

    merged: list[tuple[str, str]] = []
    i = 0
    while i < len(raw):
        sep, piece = raw[i]
        is_group = piece.startswith("\x00")
        if not is_group and not _has_head(piece, lang):
            joined_by_and = i + 1 < len(raw) and not re.search(r"[,;]", raw[i + 1][0])
            # "Bureau of Industry and Information Technology": the previous name is still open.
            previous_open = bool(merged) and not re.search(r"[,;]", sep) and not _head_at_end(merged[-1][1])
            if lang == "en" and joined_by_and and _head_at_end(raw[i + 1][1]) and not previous_open:
                nxt_sep, nxt = raw[i + 1]
                raw[i + 1] = (sep, piece + nxt_sep + nxt)
                i += 1
                continue
            if merged:
                prev_sep, prev = merged[-1]
                merged[-1] = (prev_sep, prev + sep + piece)
                i += 1
                continue
        merged.append((sep, piece))
        i += 1

    result: list[str] = []
    for sep, piece in merged:
        name = _unmask(piece)
        if result and re.search(r"[,;]", sep) and not is_collective(name):
            words = head_words(name)
            previous = unit_tokens(result[-1], places)
            current = unit_tokens(name, places)
            qualifier = bool(words) and words[0] in QUALIFIERS and not (current - _place_set(name, places))
            parent = bool(current) and current < previous
            if qualifier or parent:
                result[-1] = result[-1] + sep + name
                continue
        result.append(name)
    return [r for r in result if r]


def _place_set(name: str, places: frozenset[str]) -> frozenset[str]:
    plain = strip_accents(name.lower())
    return frozenset(w for w in re.split(r"[^a-z0-9]+", plain) if w and is_place(w, places))


_LABELS: tuple[tuple[Role, re.Pattern[str]], ...] = (
    (
        "lead",
        re.compile(
            r"^\s*(unit[ée]s?\s+responsables?\s+principales?|unit[ée]s?\s+de\s+direction|unit[ée]s?\s+pilotes?|"
            r"牵头单位|lead(?:ing)?\s+units?|lead\s+(?:department|agency)s?)\s*[:：]\s*(.+)$",
            re.IGNORECASE,
        ),
    ),
    (
        "responsible",
        re.compile(
            r"^\s*(unit[ée](?:\(s\)|s)?\s+responsables?(?:\(s\))?|责任单位|主责单位|"
            r"responsible\s+units?|units?\s+responsible)\s*[:：]\s*(.+)$",
            re.IGNORECASE,
        ),
    ),
    (
        "implementing",
        re.compile(
            r"^\s*(unit[ée]s?\s+charg[ée]e?s?|unit[ée]s?\s+d'ex[ée]cution|unit[ée]s?\s+de\s+mise\s+en\s+œuvre|"
            r"配合单位|实施单位|落实单位|implementing\s+units?|supporting\s+units?|cooperating\s+units?)"
            r"\s*[:：]\s*(.+)$",
            re.IGNORECASE,
        ),
    ),
)


def parse_unit_line(line: str) -> tuple[Role, str] | None:
    """'Unités responsables : A, B' -> ("responsible", "A, B"); None when the line is no unit line."""
    for role, pattern in _LABELS:
        match = pattern.match(line)
        if match:
            return role, match.group(2).strip()
    return None


_TAIL = re.compile(r"[(（]([^()（）]{2,400})[)）]\s*[。.;；]?\s*$")
_ZH_ROLE_SUFFIX: tuple[tuple[Role, re.Pattern[str]], ...] = (
    ("lead", re.compile(r"(?:牵头负责|牵头)$")),
    ("responsible", re.compile(r"(?:按职责分工负责|按职责负责|分工负责|按职责分工落实|负责)$")),
    ("implementing", re.compile(r"(?:具体落实|抓好落实|负责落实|落实|配合|参与|协助)$")),
)
_ZH_UNITISH = re.compile(r"(局|委|办|政府|中心|公司|管委会|大队|支队|区|镇|街道|院|所|站|队|处|社|部)$")


def split_chinese_tail(text: str) -> tuple[str, list[tuple[Role, str]]]:
    """Cut a trailing parenthesised unit clause off a Chinese task: (task text, [(role, units text)]).

    Returns the text unchanged and an empty list when the last parentheses do not name units.
    """
    match = _TAIL.search(text)
    if not match or not CJK.search(match.group(1)):
        return text, []
    inner = match.group(1)
    found: list[tuple[Role, str]] = []
    for clause in re.split(r"[;；,，]", inner):
        clause = clause.strip()
        if not clause:
            continue
        labelled = parse_unit_line(clause)
        if labelled:
            found.append(labelled)
            continue
        for role, suffix in _ZH_ROLE_SUFFIX:
            if suffix.search(clause):
                found.append((role, suffix.sub("", clause).strip()))
                break
        else:
            pieces = [p for p in re.split(r"[、]", clause) if p]
            if pieces and all(_ZH_UNITISH.search(p) for p in pieces):
                found.append(("responsible", clause))
            else:
                return text, []
    if not found:
        return text, []
    return text[: match.start()].rstrip(), found
