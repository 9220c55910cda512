"""Write plan_zh.docx from plan_zh.txt: one Word paragraph per line (headings styled as headings).

Run from the repository root: .venv/bin/python tests/data/plantext/make_docx.py
"""

from __future__ import annotations

import re
from pathlib import Path

import docx

HERE = Path(__file__).resolve().parent


def main() -> None:
    document = docx.Document()
    for line in (HERE / "plan_zh.txt").read_text(encoding="utf-8").splitlines():
        if re.match(r"^[一二三四五六七八九十]+、", line):
            document.add_heading(line, level=1)
        elif re.match(r"^（[一二三四五六七八九十]+）", line):
            document.add_heading(line, level=2)
        else:
            document.add_paragraph(line)
    # Fixed core properties so that the file does not change from one run to the next.
    document.core_properties.author = "envplan tests"
    document.save(str(HERE / "plan_zh.docx"))


if __name__ == "__main__":
    main()
