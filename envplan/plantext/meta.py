"""Title, document number, issuer and date from the lines before a plan's first chapter."""

from __future__ import annotations

import datetime
import re

from .model import Language, Meta
from .numbering import ZH_DIGITS
from .targets import _MONTH_EN_RE, _MONTH_FR_RE, _MONTHS_EN, _MONTHS_FR

_DOC_NUMBER = re.compile(
    r"[\w\u4e00-\u9fff.\- ]{0,40}?[\[〔(（【]\s*(?:19|20)\d{2}\s*[\]〕)）】]"
    r"\s*(?:n°|nº|no\.?|n\.|第)?\s*\d{1,4}\s*号?",
    re.I,
)
_DATE_FR = re.compile(rf"^\s*(\d{{1,2}})(?:er)?\s+({_MONTH_FR_RE})\s+(\d{{4}})\s*$", re.I)
_DATE_EN = re.compile(rf"^\s*({_MONTH_EN_RE})\s+(\d{{1,2}}),?\s+(\d{{4}})\s*$", re.I)
_DATE_EN_DMY = re.compile(rf"^\s*(\d{{1,2}})\s+({_MONTH_EN_RE})\s+(\d{{4}})\s*$", re.I)
_DATE_ZH = re.compile(r"^\s*(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日\s*$")
_DATE_ISO = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})\s*$")
_TITLE_WORDS = re.compile(r"plan|programme|方案|计划|要点|action|scheme|工作安排", re.I)


def line_date(line: str) -> str | None:
    """The ISO date of a line that is only a date, else None."""
    match = _DATE_ZH.match(line) or _DATE_ISO.match(line)
    if match:
        year, month, day = (int(g) for g in match.groups())
    elif match := _DATE_FR.match(line):
        day, month, year = int(match.group(1)), _MONTHS_FR[match.group(2).lower()], int(match.group(3))
    elif match := _DATE_EN.match(line):
        month, day, year = _MONTHS_EN[match.group(1).lower()], int(match.group(2)), int(match.group(3))
    elif match := _DATE_EN_DMY.match(line):
        day, month, year = int(match.group(1)), _MONTHS_EN[match.group(2).lower()], int(match.group(3))
    else:
        return None
    try:
        return datetime.date(year, month, day).isoformat()
    except ValueError:
        return None


def _looks_like_title(line: str) -> bool:
    text = line.strip()
    return (
        4 <= len(text) <= 160
        and bool(_TITLE_WORDS.search(text))
        and not text.endswith((".", "。", ":", "：", ";", "；"))
    )


def parse_meta(header: list[str], language: Language) -> Meta:
    """``header``: the document's lines before the first chapter heading, in order."""
    lines = [line.strip() for line in header]
    title_index = next(
        (i for i in range(len(lines) - 1, -1, -1) if _looks_like_title(lines[i])),
        None,
    )
    title = lines[title_index] if title_index is not None else ""
    if not title:
        title = next((line for line in lines if line), "")
    before_title = lines[:title_index] if title_index is not None else lines

    doc_number = None
    for line in before_title:
        if len(line) <= 60:
            match = _DOC_NUMBER.search(line)
            if match:
                doc_number = match.group(0).strip()
                break

    date = None
    issuer = None
    for index, line in enumerate(before_title):
        found = line_date(line)
        if found:
            date = found
            previous = next((p for p in reversed(before_title[:index]) if p), None)
            if previous and len(previous) <= 120 and not previous.endswith((".", "。", ":", "：")):
                issuer = previous
    return Meta(title=title, doc_number=doc_number, issuer=issuer, date=date, language=language)


# --------------------------------------------------------------------------------------------------
# Chinese plans: a notice (印发 … 的通知) or a web page's metadata often comes before the plan.

_BULLET = re.compile(r"^(?:[•·●▪◆■◇□○*>]+|-(?=\s))\s*")
_ZH_DATE = re.compile(
    r"^\(?\s*((?:19|20)\d{2}|[〇○零一二三四五六七八九]{4})\s*年\s*(\d{1,2}|[一二三四五六七八九十]{1,3})\s*月"
    r"\s*(\d{1,2}|[一二三四五六七八九十]{1,3})\s*日\s*\)?$"
)
_DASH_DATE = re.compile(r"^((?:19|20)\d{2})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})$")
_INDEX_NUMBER = re.compile(r"^[0-9A-Za-z]{6,}(?:[-/][0-9A-Za-z]+)*[-/](?:19|20)\d{2}[-/]\d{3,}$")
_PORTAL_LABEL = re.compile(
    r"(索引号|发文字号|文号|发布机构|发文机关|发文单位|成文日期|发布日期|发文日期|发布时间|主题分类|信息来源|来源)\s*:\s*"
)
_ORG = re.compile(
    r"(?:人民政府|政府|办公室|办公厅|委员会|管委会|管理委员会|指挥部|领导小组|小组|分局|局|厅|委|办|中心)$"
)
_NOTICE = re.compile(r"(?:印发|转发|下发|发布|关于)[^。]*?(?:的)?通知$")
_ZH_TITLE = re.compile(r"(?:方案|计划|要点|工作安排|行动|规划|实施意见|清单)$")
_GLUED_NUMBER = re.compile(
    r"\s*[-—–_－]+\s*(?P<number>[\u4e00-\u9fff]{1,12}\s*[\[(〔【]\s*(?:19|20)\d{2}\s*[\])〕】]\s*\d{1,4}\s*号)$"
)
_QUOTED_TITLE = re.compile(r"《([^《》]{4,80})》")


def zh_date(text: str) -> str | None:
    """The ISO date of a line that is only a date: 2025年5月29日, 二〇二五年五月二十九日, 2025-05-29."""
    from .numbering import chinese_value

    text = text.strip()
    match = _ZH_DATE.match(text)
    if match:
        year_text, month_text, day_text = match.groups()
        year = int(year_text) if year_text.isdigit() else int("".join(str(ZH_DIGITS[c]) for c in year_text))
        month = int(month_text) if month_text.isdigit() else chinese_value(month_text)
        day = int(day_text) if day_text.isdigit() else chinese_value(day_text)
    elif match := _DASH_DATE.match(text):
        year, month, day = (int(g) for g in match.groups())
    else:
        return None
    if month is None or day is None:
        return None
    try:
        return datetime.date(year, month, day).isoformat()
    except ValueError:
        return None


def _portal_fields(lines: list[str]) -> dict[str, str]:
    """Labelled portal metadata (索引号:… 发文机关:… 成文日期:…), several to a line or one per line."""
    fields: dict[str, str] = {}
    for line in lines:
        labels = list(_PORTAL_LABEL.finditer(line))
        for index, label in enumerate(labels):
            end = labels[index + 1].start() if index + 1 < len(labels) else len(line)
            value = line[label.end() : end].strip(" ;,")
            if value:
                fields.setdefault(label.group(1), value)
    return fields


def _is_org(line: str) -> bool:
    return 2 < len(line) <= 40 and bool(_ORG.search(line)) and not re.search(r"[,:;。]", line)


def _squeeze(text: str) -> str:
    """Spaces between Chinese characters dropped (a title broken or spaced for layout)."""
    return re.sub(r"(?<=[\u4e00-\u9fff《》〔〕\])]) (?=[\u4e00-\u9fff《》〔〕\[(])", "", text).strip()


def parse_meta_zh(header: list[str], header_norm: list[str]) -> tuple[Meta, list[str]]:
    """Meta of a Chinese plan from the lines before its first chapter, and warnings about fallbacks.

    Order of trust: the plan's own title line; the notice's document number, signature (issuer) and date;
    the issuer named in the notice's title; the web page's metadata last, each use of it warned.
    """
    lines: list[str] = []
    norms: list[str] = []
    for orig, norm in zip(header, header_norm, strict=True):
        orig, norm = orig.strip(), norm.strip()
        bullet = _BULLET.match(norm)
        if bullet:
            orig, norm = orig[bullet.end() :], norm[bullet.end() :]
        lines.append(orig)
        norms.append(norm)

    warnings: list[str] = []
    fields = _portal_fields(norms)
    portal: set[int] = {i for i, n in enumerate(norms) if _PORTAL_LABEL.search(n)}
    unlabelled_issuer: str | None = None
    unlabelled_date: str | None = None
    for index, norm in enumerate(norms):
        if _INDEX_NUMBER.match(norm):
            # Metadata bullets whose labels were lost: the index number, the body, topics, dates.
            for following in range(index, min(index + 8, len(norms))):
                text = norms[following]
                if not text or (following > index and _looks_like_title(text) and len(text) > 12):
                    break
                portal.add(following)
                if unlabelled_issuer is None and _is_org(text):
                    unlabelled_issuer = lines[following]
                if unlabelled_date is None and zh_date(text):
                    unlabelled_date = zh_date(text)
            break

    candidates = [
        i
        for i, n in enumerate(norms)
        if i not in portal
        and n
        and _ZH_TITLE.search(_GLUED_NUMBER.sub("", n))
        and not _NOTICE.search(n)
        and not n.endswith(("。", ":", ";", ","))
        and len(n) <= 80
    ]
    title_index = candidates[-1] if candidates else None
    title = ""
    doc_number: str | None = None
    if title_index is not None:
        first = title_index
        while first > 0:
            previous = norms[first - 1]
            if (
                not previous
                or first - 1 in portal
                or len(previous) > 40
                or previous.endswith(("。", ":", ";", ","))
                or zh_date(previous)
                or _DOC_NUMBER.search(previous)
                or _is_org(previous)
                or _NOTICE.search(previous)
                or _ZH_TITLE.search(previous)
            ):
                break
            first -= 1
        title = "".join(lines[first : title_index + 1])
        glued = _GLUED_NUMBER.search(title)
        if glued:
            doc_number = _squeeze(glued.group("number"))
            title = title[: glued.start()]
        title = _squeeze(title)
        before = list(range(first))
    else:
        before = list(range(len(norms)))

    notice = "".join(norms[i] for i in before if i not in portal)
    if not title:
        # A notice alone (the plan cut off): the plan's name is the first one quoted in the notice.
        quoted = _QUOTED_TITLE.search(notice)
        match = quoted or re.search(r"印发(.{4,60}?)的通知", notice)
        if match:
            title = _squeeze(match.group(1))
    if doc_number is None:
        for i in before:
            if i in portal or len(norms[i]) > 60 or _QUOTED_TITLE.search(norms[i]):
                continue
            match = _DOC_NUMBER.search(norms[i])
            if match:
                doc_number = _squeeze(lines[i][match.start() : match.end()].strip())
                break

    date: str | None = None
    issuer: str | None = None
    for position, i in enumerate(before):
        if i in portal:
            continue
        found = zh_date(norms[i])
        if found:
            date = found
            above = next((before[p] for p in range(position - 1, -1, -1) if norms[before[p]]), None)
            if above is not None and above not in portal and _is_org(norms[above]):
                issuer = lines[above]
    if issuer is None:
        by_title = re.match(r"^(.{2,40}?)(?:关于)?(?:印发|转发)", notice)
        if by_title and _is_org(by_title.group(1).removesuffix("关于")):
            start = notice.find(by_title.group(1))
            issuer = _squeeze(
                _slice_joined(
                    lines, norms, before, portal, start, len(by_title.group(1).removesuffix("关于"))
                )
            )

    portal_number = fields.get("发文字号") or fields.get("文号")
    if doc_number is None and portal_number:
        doc_number = portal_number
        warnings.append(f"meta: the document number ({portal_number}) comes from the web page's metadata")
    portal_issuer = (
        fields.get("发文机关") or fields.get("发布机构") or fields.get("发文单位") or unlabelled_issuer
    )
    if issuer is None and portal_issuer:
        issuer = portal_issuer
        warnings.append(f"meta: the issuer ({portal_issuer}) comes from the web page's metadata; check it")
    portal_date_text = (
        fields.get("成文日期") or fields.get("发文日期") or fields.get("发布日期") or fields.get("发布时间")
    )
    portal_date = zh_date(portal_date_text.split(" ")[0]) if portal_date_text else unlabelled_date
    if date is None and portal_date:
        date = portal_date
        warnings.append(f"meta: the date ({portal_date}) comes from the web page's metadata; check it")
    return Meta(title=title, doc_number=doc_number, issuer=issuer, date=date, language="zh"), warnings


def _slice_joined(
    lines: list[str], norms: list[str], indexes: list[int], skip: set[int], start: int, length: int
) -> str:
    """The original text under ``[start, start + length)`` of the normalised lines joined."""
    joined_orig = "".join(lines[i] for i in indexes if i not in skip)
    return joined_orig[start : start + length]


def looks_like_plan(meta: Meta, header_norm: list[str], language: Language) -> bool:
    """Whether a document without tasks or goals is still a plan's opening (a title or a notice)."""
    if _TITLE_WORDS.search(meta.title) and len(meta.title) <= 160:
        return True
    return language == "zh" and any(_NOTICE.search(line.strip()) for line in header_norm)
