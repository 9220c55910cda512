"""Tables of tasks (序号 / 工作任务 / 牵头单位 / 责任单位 / 配合单位 / 完成时限) as the lines a plan would
print: ``N.task`` followed by ``牵头单位:…`` lines, so that one parser reads both layouts."""

from __future__ import annotations

import re
from collections.abc import Sequence

_COLUMNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("number", re.compile(r"^(?:序号|编号|序)$")),
    ("lead", re.compile(r"^(?:牵头单位|牵头部门|牵头责任单位)$")),
    ("responsible", re.compile(r"^(?:责任单位|责任部门|主责单位|主责部门)$")),
    ("implementing", re.compile(r"^(?:配合单位|配合部门|协办单位|参与单位)$")),
    ("deadline", re.compile(r"^(?:完成时限|完成时间|时间节点|时限要求|时限)$")),
    ("task", re.compile(r"(?:任务|措施|工作内容|内容|事项)")),
    ("section", re.compile(r"^(?:类别|领域|重点领域|任务类别|工作类别)$")),
)
_LABELS = {"lead": "牵头单位", "responsible": "责任单位", "implementing": "配合单位"}


def _kind(header: str) -> str | None:
    text = re.sub(r"\s+", "", header)
    for kind, pattern in _COLUMNS:
        if pattern.search(text):
            return kind
    return None


def table_lines(rows: Sequence[Sequence[str]]) -> list[str] | None:
    """The rows of a table of tasks as plan lines; None when the table is not one (no task and unit
    columns in its first row)."""
    if not rows:
        return None
    kinds = [_kind(cell) for cell in rows[0]]
    if "task" not in kinds or not {"lead", "responsible", "implementing"} & set(kinds):
        return None
    lines: list[str] = []
    number = 0
    section = ""
    for row in rows[1:]:
        cells = {kind: " ".join(cell.split()) for kind, cell in zip(kinds, row, strict=False) if kind}
        task = cells.get("task", "")
        if cells.get("section") and cells["section"] != section:
            section = cells["section"]
            lines.append(f"({_chinese(len([x for x in lines if x.startswith('(')]) + 1)}){section}")
        if not task:
            continue
        written = cells.get("number", "").strip(" .、")
        number = int(written) if written.isdigit() else number + 1
        deadline = cells.get("deadline", "")
        lines.append(f"{number}.{task}" + (f"(完成时限:{deadline})" if deadline else ""))
        for kind, label in _LABELS.items():
            if cells.get(kind):
                lines.append(f"{label}:{cells[kind]}")
    return lines


def _chinese(value: int) -> str:
    from ..numbering import to_chinese

    return to_chinese(value)
