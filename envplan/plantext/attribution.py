"""Who does a task, in Chinese plans: labelled lines, brackets, riders and positional rules.

Every function reads the normalised text (half-width punctuation, simplified characters) and slices the
original text at the same offsets, so that a unit is resolved on its normalised spelling and shown as it
was written. The layouts read:

- labelled lines or runs after a task: ``牵头单位:A`` / ``配合单位:B、C`` / ``责任单位:D``, several
  labels in one line or bracket separated by ``;`` (``牵头单位:A;责任单位:B、C``);
- brackets with role words: ``(A牵头,B、C按职责分工负责,各街镇具体落实)``, at the end of a task or
  after the sentences they cover, several in one task;
- a carry-forward rider (``以下均需各县市区落实,不再单独列出``): the unit implements this and every
  later task;
- a positional rule (``位列第一的为牵头单位,下同``): from there on, the first unit of a bracket is the
  lead.

``配合`` as a verb in a task's sentences is not an attribution: only brackets and labels are read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .model import Role

_LABEL_ROLES: tuple[tuple[Role, str], ...] = (
    ("lead", r"牵头单位|牵头部门|牵头责任单位"),
    ("responsible", r"责任单位|责任部门|主责单位|主责部门|承办单位|负责单位"),
    ("implementing", r"配合单位|配合部门|协办单位|参与单位|实施单位|落实单位|协助单位|实施主体"),
)
_LABEL = re.compile(
    "(?P<label>" + "|".join(pattern for _, pattern in _LABEL_ROLES) + r")\s*(?:[:]|(?=\s))\s*"
)
_ROLE_OF_LABEL = {label: role for role, pattern in _LABEL_ROLES for label in pattern.split("|")}
# Labels that are no units: a person, a deadline. They end a unit list that precedes them.
_OTHER_LABEL = re.compile(r"(?:责任领导|牵头领导|分管领导|责任人|完成时限|完成时间|时间节点|进度安排)\s*:")

_SUFFIXES: tuple[tuple[Role, re.Pattern[str]], ...] = (
    ("lead", re.compile(r"(?:牵头负责|牵头抓总|牵头)$")),
    (
        "responsible",
        re.compile(
            r"(?:按职责分工负责|按职能分工负责|按职责负责|按职能职责负责|分工负责|按职责分工落实|各负其责)$"
        ),
    ),
    (
        "implementing",
        re.compile(r"(?:具体落实|抓好落实|负责落实|组织落实|具体实施|负责实施|落实|配合|参与|协助|协同)$"),
    ),
    ("responsible", re.compile(r"负责$")),
)
_UNITISH = re.compile(
    r"(?:局|委|办|政府|中心|公司|管委会|委员会|大队|支队|区|县|市|镇|乡|旗|街道|院|所|站|队|处|社|部|厅|"
    r"单位|部门|企业|园区|集团|小组|指挥部|会)(?:\([^()]{1,8}\))?$"
)
_RIDER = re.compile(
    r"^(?:以下|此后|下同|以下各项|以下任务|以下各项任务|以下各条|以下措施)[^,]{0,6}?(?:均需|均须|均由|均要|均应|均)"
    r"(?P<units>.+?)(?P<suffix>负责落实|具体落实|抓好落实|组织落实|落实|负责|配合|参与|实施)$"
)
_NOT_LISTED = re.compile(r"^(?:以下|下同)?(?:均)?不再(?:单独|逐一|一一)?列出$|^下同$|^以下同$|^不再列出$")
_POSITIONAL = re.compile(r"(?:位列|排在|排列|排名|列)第一(?:位)?的?(?:单位)?(?:为|是)牵头(?:单位)?")
_NOTE = re.compile(r"^(?:含|包括|不含|除|即|如|其中|注)")
_ADMIN_LEVEL = re.compile(r"^各?(?:县|市|区|旗|镇|乡|街道|县市|市区)$")


@dataclass(frozen=True)
class Mention:
    """A unit named for a task: its role, its normalised spelling and its spelling as written."""

    role: Role
    name: str
    as_written: str
    carried: bool = False


@dataclass
class Attribution:
    """What one bracket or labelled run says: units with roles, units carried forward, a positional rule."""

    mentions: list[Mention] = field(default_factory=list)
    riders: list[Mention] = field(default_factory=list)
    positional: bool = False


def _strip_span(norm: str, start: int, end: int, chars: str = " ,;:.。、") -> tuple[int, int]:
    while start < end and norm[start] in chars:
        start += 1
    while end > start and norm[end - 1] in chars:
        end -= 1
    return start, end


def split_units(norm: str, orig: str, start: int = 0, end: int | None = None) -> list[tuple[str, str]]:
    """The units of a list (``A、B,C``) as (normalised, as written) spellings.

    ``各县、市、区人民政府`` stays one name: a bare administrative level (县, 市, 区) before ``、`` belongs to
    the name that follows it.
    """
    stop = len(norm) if end is None else end
    pieces: list[tuple[int, int]] = []
    position = start
    for separator in re.finditer(r"[、,;/]|\s+", norm[start:stop]):
        pieces.append((position, start + separator.start()))
        position = start + separator.end()
    pieces.append((position, stop))
    spans: list[tuple[int, int]] = []
    glue = False
    for piece_start, piece_end in pieces:
        piece_start, piece_end = _strip_span(norm, piece_start, piece_end)
        if piece_start >= piece_end:
            continue
        text = norm[piece_start:piece_end]
        if glue and spans:
            spans[-1] = (spans[-1][0], piece_end)
        elif spans and " " in norm[spans[-1][1] : piece_start] and not _UNITISH.search(text):
            spans[-1] = (spans[-1][0], piece_end)  # a space inside a name, not between two names
        else:
            spans.append((piece_start, piece_end))
        glue = bool(_ADMIN_LEVEL.match(text)) and "、" in norm[piece_end : piece_end + 2]
    out: list[tuple[str, str]] = []
    for span_start, span_end in spans:
        name = norm[span_start:span_end]
        trimmed = re.sub(r"(?:等单位|等部门|等)$", "", name)
        trimmed = re.sub(r"^(?:由|请)", "", trimmed)
        offset = name.find(trimmed)
        span_start, span_end = span_start + offset, span_start + offset + len(trimmed)
        if span_end > span_start:
            out.append((norm[span_start:span_end], orig[span_start:span_end]))
    return out


def read_labels(norm: str, orig: str, start: int = 0, end: int | None = None) -> list[Mention] | None:
    """``牵头单位:A;责任单位:B、C`` (a line, or the inside of a bracket) -> mentions; None when the text does
    not start with a unit label. An empty list means labels naming no unit (a document cut off)."""
    stop = len(norm) if end is None else end
    start, _ = _strip_span(norm, start, stop, " ")
    first = _LABEL.match(norm, start, stop)
    if first is None:
        return None
    labels = [m for m in _LABEL.finditer(norm, start, stop)]
    mentions: list[Mention] = []
    for index, label in enumerate(labels):
        value_end = labels[index + 1].start() if index + 1 < len(labels) else stop
        other = _OTHER_LABEL.search(norm, label.end(), value_end)
        if other:
            value_end = other.start()
        role = _ROLE_OF_LABEL[label.group("label")]
        for name, written in split_units(norm, orig, label.end(), value_end):
            mentions.append(Mention(role, name, written))
    return mentions


def _clauses(norm: str, start: int, end: int, separators: str) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    position = start
    depth = 0
    for index in range(start, end):
        char = norm[index]
        if char == "(":
            depth += 1
        elif char == ")":
            depth = max(depth - 1, 0)
        elif depth == 0 and char in separators:
            out.append((position, index))
            position = index + 1
    out.append((position, end))
    return [span for span in (_strip_span(norm, s, e) for s, e in out) if span[0] < span[1]]


def read_bracket(norm: str, orig: str, start: int, end: int) -> Attribution | None:
    """The inside of a bracket (``norm[start:end]``) as an attribution; None when it is something else."""
    found = Attribution()
    for sentence_start, sentence_end in _clauses(norm, start, end, ";。"):
        labelled = read_labels(norm, orig, sentence_start, sentence_end)
        if labelled is not None:
            found.mentions.extend(labelled)
            continue
        for clause_start, clause_end in _clauses(norm, sentence_start, sentence_end, ","):
            clause = norm[clause_start:clause_end]
            if _NOT_LISTED.match(clause):
                continue
            if _POSITIONAL.search(clause):
                found.positional = True
                continue
            rider = _RIDER.match(clause)
            if rider:
                role = _suffix_role(rider.group("suffix")) or "implementing"
                units = split_units(
                    norm, orig, clause_start + rider.start("units"), clause_start + rider.end("units")
                )
                found.riders.extend(Mention(role, name, written) for name, written in units)
                continue
            mentions = _suffixed(norm, orig, clause_start, clause_end)
            if mentions is None:
                return None
            found.mentions.extend(mentions)
    if not found.mentions and not found.riders:
        return None
    if found.riders:
        # The rider's role wins over the list the same bracket put the unit in.
        carried = {m.name: m for m in found.riders}
        found.mentions = [
            Mention(carried[m.name].role, m.name, m.as_written) if m.name in carried else m
            for m in found.mentions
        ]
        named = {m.name for m in found.mentions}
        found.mentions.extend(m for m in found.riders if m.name not in named)
    return found


def _suffix_role(suffix: str) -> Role | None:
    for role, pattern in _SUFFIXES:
        if pattern.search(suffix):
            return role
    return None


def _suffixed(norm: str, orig: str, start: int, end: int) -> list[Mention] | None:
    """``A、B按职责分工负责`` -> responsible A and B; a bare list of units -> responsible; else None."""
    clause = norm[start:end]
    if _NOTE.match(clause):
        return None
    for role, pattern in _SUFFIXES:
        match = pattern.search(clause)
        if match and match.start() > 0:
            units = split_units(norm, orig, start, start + match.start())
            if units and all(_UNITISH.search(name) or name.startswith("各") for name, _ in units):
                return [Mention(role, name, written) for name, written in units]
            return None
    units = split_units(norm, orig, start, end)
    if units and all(_UNITISH.search(name) for name, _ in units):
        return [Mention("responsible", name, written) for name, written in units]
    return None


def brackets(norm: str) -> list[tuple[int, int]]:
    """Top-level bracket spans ``(start of '(' , end after ')')`` in normalised text."""
    spans: list[tuple[int, int]] = []
    depth = 0
    opened = 0
    for index, char in enumerate(norm):
        if char == "(":
            if depth == 0:
                opened = index
            depth += 1
        elif char == ")" and depth:
            depth -= 1
            if depth == 0:
                spans.append((opened, index + 1))
    return spans


def positional_rule_at(norm: str) -> int | None:
    """Offset of a rule making the first unit of each bracket the lead (``位列第一的为牵头单位``)."""
    match = _POSITIONAL.search(norm)
    return match.start() if match else None


def apply_positional(attribution: Attribution) -> Attribution:
    """Make the first unit the lead when the bracket names no lead itself."""
    if not attribution.mentions or any(m.role == "lead" for m in attribution.mentions):
        return attribution
    first = attribution.mentions[0]
    if first.role != "responsible":
        return attribution
    attribution.mentions[0] = Mention("lead", first.name, first.as_written, first.carried)
    return attribution


# A bracket after a sentence end, or followed by one, closes the sentences it covers; a bracket followed
# by a comma is a parenthetical note ("全区(含开发区),…").
_BOUNDARY = frozenset("。;")


@dataclass(frozen=True)
class FoundAttribution:
    start: int
    end: int
    attribution: Attribution


def task_attributions(norm: str, orig: str, paragraph_ends: frozenset[int]) -> list[FoundAttribution]:
    """Attribution brackets in a task's text: at its end, or after the sentences they cover (a bracket
    that follows a sentence end, or is followed by one or by the end of a paragraph)."""
    found: list[FoundAttribution] = []
    for start, end in brackets(norm):
        before = norm[:start].rstrip()
        after = norm[end:].lstrip()
        at_boundary = (
            not before
            or before[-1] in _BOUNDARY
            or not after
            or after[0] in _BOUNDARY
            or end in paragraph_ends
        )
        if not at_boundary:
            continue
        attribution = read_bracket(norm, orig, start + 1, end - 1)
        if attribution is not None:
            found.append(FoundAttribution(start, end, attribution))
    return found


def trailing_labels(norm: str) -> int | None:
    """Offset where a run of unit labels ends a task's text (``…工作。牵头单位:A;责任单位:B``)."""
    for match in _LABEL.finditer(norm):
        before = norm[: match.start()].rstrip()
        inside_bracket = before.count("(") > before.count(")")
        if before and before[-1] in "。;" and not inside_bracket:
            return match.start()
    return None
