"""A saved web page (.html) as plan text: the article's lines, without the portal around it.

Government portals wrap a plan in navigation, breadcrumbs, share buttons, related links and a footer, and
put a metadata table (索引号, 发文字号, 发布机构, 发布日期) above it. The article is the element that holds
most paragraph text outside links (each paragraph counts for its parent, half for its grandparent). The
metadata lines are kept before the article, where the parser reads them as a fallback for the meta.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from ..decoding import decode_text
from ..model import PlanTextError
from .tables import table_lines

_DROP = {"script", "style", "noscript", "iframe", "nav", "header", "footer", "form", "select", "button",
         "input", "textarea", "svg", "object", "embed", "head"}  # fmt: skip
_NOISE = re.compile(
    r"(?:^|[-_\s])(?:nav|navbar|menu|header|footer|foot|breadcrumb|crumb|share|sidebar|side|login|search|"
    r"copyright|related|recommend|toolbar|topbar|banner)(?:$|[-_\s\d])",
    re.I,
)
_BLOCKS = {"p", "div", "section", "article", "main", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol",
           "table", "tr", "td", "th", "blockquote", "pre", "center", "dd", "dt", "dl", "tbody",
           "thead"}  # fmt: skip
_PORTAL = re.compile(r"索引号|发文字号|发布机构|发文机关|成文日期|发布日期|发文日期|主题分类")


def webpage_text(data: bytes, name: str) -> str:
    """The plan text of a saved web page: metadata lines, then the article's lines."""
    from lxml import html as lxml_html

    text = decode_text(data, name=name)
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text)  # lxml refuses a str with an encoding declaration
    try:
        root = lxml_html.document_fromstring(text)
    except Exception as error:  # lxml raises ParserError or ValueError for documents it cannot read
        raise PlanTextError(f"{name}: not a readable web page ({error.__class__.__name__})") from error
    title = " ".join((root.findtext(".//title") or "").split())
    for element in list(root.iter()):
        dropped = not isinstance(element.tag, str) or element.tag in _DROP
        if dropped and element.getparent() is not None:
            element.drop_tree()
    metadata = _metadata_lines(root)
    for element in list(root.iter()):
        if element.getparent() is None or not isinstance(element.tag, str):
            continue
        marks = f"{element.get('id', '')} {element.get('class', '')}"
        if _NOISE.search(marks) and not _PORTAL.search(element.text_content()):
            element.drop_tree()
    article = _article(root)
    lines = [line for line in _lines(article) if line]
    if not lines:
        raise PlanTextError(f"{name}: the web page holds no article text")
    heading = _heading(root, article, title)
    if heading and not any(heading in line for line in lines[:12]):
        lines.insert(0, heading)
    return "\n".join([*metadata, *lines])


def _metadata_lines(root: Any) -> list[str]:
    """The portal's metadata (索引号:… 发布机构:…) as ``label:value`` lines, from tables or lists."""
    found: list[str] = []
    for element in root.iter("tr", "li", "p", "div", "span", "dd"):
        own = " ".join(" ".join(element.itertext()).split())
        if len(own) > 200 or not _PORTAL.search(own):
            continue
        if any(child.tag in ("tr", "li", "p", "div", "table") for child in element.iterdescendants()):
            continue  # the innermost element holding the fields
        found.append(re.sub(r"\s*([:：])\s*", r"\1", own))
    return list(dict.fromkeys(found))


def _article(root: Any) -> Any:
    scores: dict[Any, float] = {}
    for element in root.iter("p", "div", "td", "li", "section", "span", "font"):
        own = _own_text(element)
        if len(own) < 8:
            continue
        links = sum(len("".join(a.itertext())) for a in element.iter("a"))
        if links > 0.5 * len(own):
            continue
        parent = element.getparent()
        if parent is None:
            continue
        scores[parent] = scores.get(parent, 0.0) + len(own)
        grandparent = parent.getparent()
        if grandparent is not None:
            scores[grandparent] = scores.get(grandparent, 0.0) + len(own) / 2
    if not scores:
        body = root.find("body")
        return body if body is not None else root
    return max(scores, key=lambda element: scores[element])


def _own_text(element: Any) -> str:
    parts = [element.text or ""]
    for child in element:
        if isinstance(child.tag, str) and child.tag not in _BLOCKS:
            parts.append("".join(child.itertext()))
        parts.append(child.tail or "")
    return " ".join("".join(parts).split())


def _heading(root: Any, article: Any, title: str) -> str:
    """The page's main heading when the article does not repeat it (an h1 outside the article)."""
    for heading in root.iter("h1", "h2"):
        if article in heading.iterancestors() or heading is article:
            continue
        text = " ".join("".join(heading.itertext()).split())
        if 4 <= len(text) <= 120:
            return text
    return re.split(r"[_|]", title)[0].strip() if title else ""


def _lines(element: Any) -> Iterator[str]:
    """Text of an element split at block elements and <br>; tables of tasks as plan lines."""
    current: list[str] = []

    def flush() -> Iterator[str]:
        line = " ".join("".join(current).split())
        current.clear()
        if line:
            yield line

    def walk(node: Any) -> Iterator[str]:
        if node.tag == "table":
            rows = [[" ".join("".join(cell.itertext()).split()) for cell in row.iter("td", "th")]
                    for row in node.iter("tr")]  # fmt: skip
            task_lines = table_lines(rows)
            yield from flush()
            if task_lines is not None:
                yield from task_lines
            else:
                for row in rows:
                    yield from (cell for cell in row if cell)
            if node.tail:
                current.append(node.tail)
            return
        block = node.tag in _BLOCKS
        if block or node.tag == "br":
            yield from flush()
        yield from inside(node)
        if block:
            yield from flush()
        if node.tail:
            current.append(node.tail)

    def inside(node: Any) -> Iterator[str]:
        """The node's own text and its children's, not its tail (a comment's tail only)."""
        if node.text and node.tag != "br":
            current.append(node.text)
        for child in node:
            if isinstance(child.tag, str):
                yield from walk(child)
            elif child.tail:
                current.append(child.tail)

    yield from inside(element)
    yield from flush()
