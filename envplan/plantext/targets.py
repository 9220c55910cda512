"""Quantitative targets in a plan's text: indicator, comparator, value, unit of measure, deadline.

Which wording maps to which comparator (French / English / Chinese):

    >   plus de, supérieur(e)(s) à, au-delà de, dépasser; more than, over, above, exceed, greater/higher
        than; 超过, 高于, 大于, 多于
    >=  au moins, pas moins de, au minimum, atteindre (atteint, atteignant...), porter ... à, maintenir,
        rester; at least, no/not less than, reach, raise/bring ... to, keep ... at, maintain;
        达到, 不低于, 不少于, 保持, 提高到/至; a number followed by 以上 / "or more"
    <=  au plus, au maximum, pas plus de, ne pas dépasser, inférieur ou égal à; at most, no more than,
        not exceed; 不超过, 不高于, 控制在; a number followed by 以下 / 以内 / "or less"
    <   moins de, inférieur(e)(s) à; less than, fewer than, below, under; 低于, 小于, 少于
    >=  a count or quantity after an action verb with no comparator (créer deux mines, 完成3处, build 150)
    =   anything else ("un taux de 100 %")

A completion verb with an explicit deadline and no number ("Terminer la révision ... d'ici la fin
septembre") is a milestone: comparator "=", value 1, unit of measure "milestone".

Deadlines: "d'ici 2025", "by 2025" -> 2025-12-31; "fin septembre", "9月底前", "by the end of September"
-> 30 September of the plan year; "年底前", "d'ici la fin de l'année" -> 31 December of the plan year.

Not targets: numbers inside quotation marks (slogans such as « six exigences à 100 % », “十四五”),
ordinals (14e, 20th, 第三), years, dates, document numbers ([2025] n° 4, 〔2025〕4号), durations
(21 mois, 3个月) and numbers glued to letters (PM2.5, CO2).
"""

from __future__ import annotations

import calendar
import dataclasses
import datetime
import re
from dataclasses import dataclass

from .lang import normalise
from .model import Comparator, Language, Target
from .numbering import ZH_DIGITS
from .script import to_simplified

_MONTHS_FR = {
    "janvier": 1, "février": 2, "fevrier": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6, "juillet": 7,
    "août": 8, "aout": 8, "septembre": 9, "octobre": 10, "novembre": 11, "décembre": 12, "decembre": 12,
}  # fmt: skip
_MONTHS_EN = {m.lower(): i for i, m in enumerate(calendar.month_name) if m} | {
    m.lower(): i for i, m in enumerate(calendar.month_abbr) if m
}
_ZH_DIGITS = {**ZH_DIGITS, "两": 2, "十": 10}
_WORDS_FR = {
    "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6, "sept": 7, "huit": 8, "neuf": 9, "dix": 10,
    "onze": 11, "douze": 12, "quinze": 15, "vingt": 20,
}  # fmt: skip
_WORDS_EN = {
    "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20,
}  # fmt: skip

_MONTH_FR_RE = "|".join(sorted(_MONTHS_FR, key=len, reverse=True))
_MONTH_EN_RE = "|".join(sorted(_MONTHS_EN, key=len, reverse=True))
_ZH_MONTH = r"(1[0-2]|[1-9]|十[一二]?|[一二三四五六七八九])"


def _zh_int(text: str) -> int:
    if text.isdigit():
        return int(text)
    if text.startswith("十"):
        return 10 + (_ZH_DIGITS[text[1]] if len(text) > 1 else 0)
    return _ZH_DIGITS[text]


def _month_end(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}-{calendar.monthrange(year, month)[1]:02d}"


@dataclass(frozen=True)
class Deadline:
    date: str
    start: int
    end: int


_DEADLINES: tuple[tuple[re.Pattern[str], str], ...] = (
    # French
    (
        re.compile(
            rf"(?:d'ici|avant)\s+(?:à\s+)?(?:la\s+)?fin\s+(?:de\s+|d')?({_MONTH_FR_RE})(?:\s+(\d{{4}}))?",
            re.I,
        ),
        "fr_month",
    ),
    (
        re.compile(
            rf"(?:d'ici|avant)\s+(?:à\s+|le\s+)?(\d{{1,2}})(?:er)?\s+({_MONTH_FR_RE})(?:\s+(\d{{4}}))?", re.I
        ),
        "fr_day",
    ),
    (re.compile(r"(?:d'ici|avant)\s+(?:à\s+)?(?:la\s+)?fin\s+(?:de\s+)?l'année", re.I), "year_end"),
    (
        re.compile(r"(?:d'ici|avant)\s+(?:à\s+)?(?:la\s+fin\s+(?:de\s+)?(?:l'année\s+)?)?(20\d{2})\b", re.I),
        "year",
    ),
    (re.compile(rf"\b(?:à\s+la\s+)?fin\s+(?:de\s+|d')?({_MONTH_FR_RE})(?:\s+(\d{{4}}))?", re.I), "fr_month"),
    # English
    (re.compile(rf"\bby\s+(?:the\s+)?end\s+of\s+({_MONTH_EN_RE})(?:\s+(\d{{4}}))?", re.I), "en_month"),
    (re.compile(rf"\b(?:by|before)\s+({_MONTH_EN_RE})\s+(\d{{1,2}})(?:,?\s+(\d{{4}}))?", re.I), "en_day"),
    (re.compile(r"\b(?:by|before)\s+(?:the\s+)?end\s+of\s+the\s+year", re.I), "year_end"),
    (re.compile(r"\b(?:by|before)\s+(?:the\s+end\s+of\s+)?(20\d{2})\b", re.I), "year"),
    # Chinese
    (re.compile(rf"(?:(20\d{{2}})年)?{_ZH_MONTH}月(\d{{1,2}})日(?:前|之前|以前)"), "zh_day"),
    (re.compile(rf"(?:(20\d{{2}})年)?{_ZH_MONTH}月(上旬|中旬|下旬)(?:前|之前|以前)?"), "zh_part"),
    (re.compile(rf"(?:(20\d{{2}})年)?{_ZH_MONTH}月(?:底|末)(?:前|之前|以前)?"), "zh_month"),
    (re.compile(rf"(?:(20\d{{2}})年)?{_ZH_MONTH}月份?(?:前|之前|以前)"), "zh_month"),
    (re.compile(rf"(?:(20\d{{2}})年)?{_ZH_MONTH}月份"), "zh_month"),
    (
        re.compile(
            rf"(?:(20\d{{2}})年)?(?<![\d个第每]){_ZH_MONTH}月(?=完成|建成|实现|开展|启动|出台|制定|印发|编制|上报|"
            r"组织|投运|投入|全面|基本|前)"
        ),
        "zh_month",
    ),
    (
        re.compile(r"(?:(20\d{2})年)?(上半年|下半年|第?[一二三四1-4]季度)(?:末|底)?(?:前|之前)?"),
        "zh_period",
    ),
    (re.compile(r"(?:到|至|于)?(20\d{2})年(?:底|末)(?:前|之前|以前)?|(?:到|至)(20\d{2})年"), "zh_year"),
    (re.compile(r"(?<![\d年])(20\d{2})()年(?=[,，]|度[,，])"), "zh_year"),
    (re.compile(r"年底前|年内|年底之前|年底|年末|^全年"), "year_end"),
)


_FIRST_CHINESE = next(i for i, (_, kind) in enumerate(_DEADLINES) if kind == "zh_day")
# Every Latin pattern needs one of these words, every Chinese one one of these characters: texts without
# them skip the group (find_deadline runs for every sentence and clause).
_LATIN_HINT = re.compile(r"d'ici|avant|fin|by|before", re.I)
_CHINESE_HINT = re.compile(r"[年月季]")


def find_deadline(text: str, plan_year: int | None) -> Deadline | None:
    """The first deadline phrase in ``text``; months without a year take the plan's year."""
    best: Deadline | None = None
    patterns = [
        *(_DEADLINES[:_FIRST_CHINESE] if _LATIN_HINT.search(text) else ()),
        *(_DEADLINES[_FIRST_CHINESE:] if _CHINESE_HINT.search(text) else ()),
    ]
    for pattern, kind in patterns:
        for match in pattern.finditer(text):
            date = _deadline_date(kind, match, plan_year)
            if date is None:
                continue
            if best is None or match.start() < best.start:
                best = Deadline(date, match.start(), match.end())
            break
    return best


def _deadline_date(kind: str, match: re.Match[str], plan_year: int | None) -> str | None:
    found = _deadline_text(kind, match, plan_year)
    if found is None:
        return None
    try:
        datetime.date.fromisoformat(found)
    except ValueError:
        return None  # "avant le 31 février": not a date
    return found


def _deadline_text(kind: str, match: re.Match[str], plan_year: int | None) -> str | None:
    g = match.groups()
    if kind == "year":
        return f"{g[0]}-12-31"
    if kind == "zh_year":
        return f"{g[0] or g[1]}-12-31"
    if kind == "year_end":
        return f"{plan_year}-12-31" if plan_year else None
    if kind in ("fr_month", "en_month"):
        year = int(g[1]) if g[1] else plan_year
        months = _MONTHS_FR if kind == "fr_month" else _MONTHS_EN
        return _month_end(year, months[g[0].lower()]) if year else None
    if kind == "fr_day":
        year = int(g[2]) if g[2] else plan_year
        return f"{year:04d}-{_MONTHS_FR[g[1].lower()]:02d}-{int(g[0]):02d}" if year else None
    if kind == "en_day":
        year = int(g[2]) if g[2] else plan_year
        return f"{year:04d}-{_MONTHS_EN[g[0].lower()]:02d}-{int(g[1]):02d}" if year else None
    if kind == "zh_month":
        year = int(g[0]) if g[0] else plan_year
        return _month_end(year, _zh_int(g[1])) if year else None
    if kind == "zh_day":
        year = int(g[0]) if g[0] else plan_year
        return f"{year:04d}-{_zh_int(g[1]):02d}-{int(g[2]):02d}" if year else None
    if kind == "zh_part":
        year = int(g[0]) if g[0] else plan_year
        if not year:
            return None
        month = _zh_int(g[1])
        return (
            _month_end(year, month)
            if g[2] == "下旬"
            else f"{year:04d}-{month:02d}-{10 if g[2] == '上旬' else 20}"
        )
    if kind == "zh_period":
        year = int(g[0]) if g[0] else plan_year
        if not year:
            return None
        quarter = {"上半年": 2, "下半年": 4}.get(g[1]) or _zh_int(g[1].strip("第季度"))
        return _month_end(year, quarter * 3)
    return None


def _words(text: str) -> list[str]:
    return text.split()


# Units of measure, most specific first. None means "a quantity of time or a date": not a target.
_MEASURES: tuple[tuple[re.Pattern[str], str | None], ...] = (
    (re.compile(r"\s*(?:%|pour\s*cent\b|per\s*cent\b|percent\b)", re.I), "%"),
    (re.compile(r"\s*(?:km²|km2\b|kilom[eè]tres?\s+carr[ée]s?|square\s+kilomet(?:re|er)s?|"
                r"平方公里|平方千米)", re.I), "km²"),
    (re.compile(r"\s*(?:[µμ]g/m[³3]|微克/立方米)"), "µg/m³"),
    (re.compile(r"\s*(?:mg/m[³3]|毫克/立方米)"), "mg/m³"),
    (re.compile(r"\s*(?:mg/L|毫克/升)"), "mg/L"),
    (re.compile(r"\s*(?:GW\b|gigawatts?|吉瓦)", re.I), "GW"),
    (re.compile(r"\s*(?:MW\b|m[ée]gawatts?|megawatts?|兆瓦)", re.I), "MW"),
    (re.compile(r"\s*(?:kW\b|kilowatts?|千瓦)", re.I), "kW"),
    (re.compile(r"\s*(?:km\b|kilom[eè]tres?|kilomet(?:re|er)s?|公里|千米)", re.I), "km"),
    (re.compile(r"\s*(?:hectares?|ha\b|公顷)", re.I), "ha"),
    (re.compile(r"\s*亩"), "mu"),
    (re.compile(r"\s*万吨"), "10^4 t"),
    (re.compile(r"\s*万亩"), "10^4 mu"),
    (re.compile(r"\s*万千瓦"), "10^4 kW"),
    (re.compile(r"\s*万(?:平方米|㎡)"), "10^4 m²"),
    (re.compile(r"\s*万立方米"), "10^4 m³"),
    (re.compile(r"\s*蒸吨(?:/小时|/时)?"), "t/h"),
    (re.compile(r"\s*(?:tonnes?\b|tons?\b|t\b|吨)", re.I), "t"),
    (re.compile(r"\s*(?:m[³3]\b|立方米|mètres?\s+cubes?|cubic\s+met(?:re|er)s?)", re.I), "m³"),
    (re.compile(
        rf"\s*(?:mois|ans?\b|années?|jours?|heures?|semaines?|months?|years?|days?|hours?|weeks?|"
        rf"个月|年|月|天|日|小时|周|次|{_MONTH_FR_RE}|{_MONTH_EN_RE}\b)", re.I), None),
    (re.compile(r"\s*(?:个|项|座|家|处|条|批|所|台|辆|套|户|村|座|片|口|根)"), "count"),
)  # fmt: skip

_COMPARATORS: tuple[tuple[re.Pattern[str], Comparator], ...] = (
    (re.compile(r"plus\s+de|sup[ée]rieure?s?\s+à|au-delà\s+de|d[ée]pass\w*|more\s+than|over|above|exceed\w*|"
                r"greater\s+than|higher\s+than|超过|高于|大于|多于", re.I), ">"),
    (re.compile(r"au\s+moins|pas\s+moins\s+de|au\s+minimum|atteindr\w*|atteint\w*|atteign\w*|"
                r"\bport\w*\b[^%\d]{0,160}?\bà|maint\w*|rest\w*\s+stable\s+à|at\s+least|no\s+less\s+than|"
                r"not\s+less\s+than|reach\w*|rais\w*\b[^%\d]{0,160}?\bto|bring\w*\b[^%\d]{0,160}?\bto|"
                r"keep\w*\b[^%\d]{0,160}?\bat|"
                r"达到|不低于|不少于|不小于|保持|稳定在|提高到|提高至|提升至|提升到|≥", re.I), ">="),
    (re.compile(r"au\s+plus|au\s+maximum|pas\s+plus\s+de|ne\s+(?:\w+\s+){0,2}pas\s+d[ée]pass\w*|"
                r"ne\s+d[ée]pass\w+\s+pas|"
                r"inf[ée]rieure?s?\s+ou\s+[ée]gale?s?\s+à|at\s+most|no\s+more\s+than|not\s+more\s+than|"
                r"not\s+exceed\w*|no\s+higher\s+than|不超过|不高于|不大于|控制在|"
                r"下降到|下降至|降至|降低到|降低至|≤", re.I), "<="),
    (re.compile(r"moins\s+de|inf[ée]rieure?s?\s+à|less\s+than|fewer\s+than|below|under|"
                r"低于|小于|少于", re.I), "<"),
)  # fmt: skip
_AFTER_COMPARATORS: tuple[tuple[re.Pattern[str], Comparator], ...] = (
    (re.compile(r"^\s*(?:以上|及以上|或以上|or\s+more|or\s+above|ou\s+plus)", re.I), ">="),
    (re.compile(r"^\s*(?:以下|以内|及以下|or\s+less|or\s+below|ou\s+moins)", re.I), "<="),
)

_ACTION = re.compile(
    r"\b(?:cr[ée]\w*|constru\w*|ach[eè]v\w*|termin\w*|compl[ée]t\w*|r[ée]alis\w*|mise?\s+en\s+œuvre|"
    r"mettre\s+en\s+œuvre|r[ée]nov\w*|[ée]tabli\w*|ajout\w*|plant\w*|ferm\w*|[ée]limin\w*|rectifi\w*|"
    r"install\w*|am[ée]nag\w*|restaur\w*|complete\w*|build\w*|construct\w*|create\w*|establish\w*|"
    r"finish\w*|renovat\w*|close\w*|retrofit\w*|add\w*|carry\s+out|implement\w*)\b"
    r"|完成|建成|新建|创建|建设|实施|整改|打造|改造|淘汰|关停|取缔|治理|修复|新增|建立|推进",
    re.I,
)
_COMPLETION = re.compile(
    r"\b(?:ach[eè]v\w*|termin\w*|compl[ée]t\w*|finalis\w*|complete\w*|finish\w*)\b|完成|建成|办结|销号", re.I
)
_INDICATOR_KEYWORDS = re.compile(
    r"\b(?:taux|proportion|ratio|coefficient|capacit[ée]|part|superficie|nombre|concentration|couverture|"
    r"rate|share|capacity|number|coverage|area|percentage)\b",
    re.I,
)
_QUOTES = re.compile(
    r"«[^«»\n]{0,240}»|“[^“”\n]{0,240}”|\"[^\"\n]{0,240}\"|《[^《》\n]{0,240}》|「[^「」\n]{0,240}」"
)
_NUMBER = re.compile(
    r"(?<![A-Za-z0-9_.,/\-])(\d+(?:[.,]\d+)?)(?![\d])"
    r"|(?<![\w'])(" + "|".join(list(_WORDS_FR) + list(_WORDS_EN)) + r")\b"
    r"|(?<![\u4e00-\u9fff第])([两二三四五六七八九十]{1,2})(?=[个项座家处条批所台辆套户])",
    re.I,
)
_ORDINAL_AFTER = re.compile(r"^(?:e|er|ère|ème|eme|th|st|nd|rd)\b", re.I)
_SENTENCE = re.compile(r"(?<=[。；！？!?;])|(?<=\.)(?!\d)\s+")
_CLAUSE = re.compile(r",(?!\d)|，")
# Chinese text normalised to half-width: every comma ends a clause except a thousands separator.
_CLAUSE_ZH = re.compile(r"(?<!\d),|,(?!\d{3}(?:\D|$))|，")
_TRIM_WORDS = frozenset(
    _words(
        """
    de du des d à a au aux le la les l un une et en pour avec dont qui que doit doivent devra
    est sont reste restera stable sera of to at the a an and for with shall be is are will
    should must remain a été ont été été
    """
    )
)


def _strip_words(text: str, *, leading: bool = True) -> str:
    words = text.strip(" ,;:.，；：。、").split()
    while words and (words[-1].lower() in _TRIM_WORDS or words[-1].lower().endswith("'")):
        words.pop()
    while leading and words and (words[0].lower() in _TRIM_WORDS or words[0].lower() in {"l'", "d'"}):
        words.pop(0)
    return " ".join(words).strip(" ,;:.，；：。、")


def _indicator(before: str, after: str, lang: Language) -> str:
    if lang == "zh":
        text = re.sub(r"^(?:并|且|和|同时|确保|力争|全年)", "", before.strip(" ，,；;"))
        return text or after.strip()[:40]
    matches = list(_INDICATOR_KEYWORDS.finditer(before))
    if matches:
        start = matches[-1].start()
        # "taux de couverture de ...": a keyword right before another one starts the phrase.
        for previous in reversed(matches[:-1]):
            if re.fullmatch(r"\s*(?:de|d'|du|des|of)?\s*", before[previous.end() : start]):
                start = previous.start()
        if lang == "en":
            # English puts modifiers before the keyword: start after the last determiner.
            determiners = list(re.finditer(r"\b(?:the|a|an|its|their|this)\s+", before[:start], re.I))
            if determiners and len(before[determiners[-1].end() : start].split()) <= 5:
                start = determiners[-1].end()
        text = before[start:]
    else:
        verbs = list(_ACTION.finditer(before))
        text = before[verbs[-1].end() :] if verbs else before
        text = " ".join(text.split()[-8:])
    head = _strip_words(text)
    tail = ""
    follow = re.match(r"\s*((?:pour|des|dans|du|de\s+la|de\s+l'|de|in|for|of|among|at)\b[^,;]*)", after, re.I)
    if follow:
        words = follow.group(1).split()
        tail_words: list[str] = []
        for word in words[:10]:
            if re.search(r"\d", word) or word.lower() in {"et", "and"}:
                break
            tail_words.append(word)
        tail = _strip_words(" ".join(tail_words), leading=False)
    return (head + " " + tail).strip() if tail and not head.endswith(tail) else head


_COUNT_STOP = frozenset(
    _words(
        """
    dont which un une by before d'ici avant pour for prévues planned in en
    """
    )
)


def _count_indicator(after: str) -> str:
    words: list[str] = []
    for word in after.split()[:6]:
        if re.search(r"\d", word) or word.lower() in _COUNT_STOP:
            break
        words.append(word)
    return _strip_words(" ".join(words))


def _comparator(window: str, after: str) -> Comparator | None:
    found: tuple[int, int, Comparator] | None = None
    for pattern, comparator in _COMPARATORS:
        for match in pattern.finditer(window):
            key = (match.end(), match.end() - match.start(), comparator)
            if found is None or key[:2] > found[:2]:
                found = key
    chosen: Comparator | None = None
    if (found is not None and not window[found[0] :].strip(" \u00a0:").strip()) or (
        found is not None and len(window) - found[0] <= 80
    ):
        chosen = found[2]
    for pattern, comparator in _AFTER_COMPARATORS:
        if pattern.search(after) and chosen in (None, ">=", "<="):
            chosen = comparator
    return chosen


def _sentences(text: str) -> list[tuple[int, str]]:
    out: list[tuple[int, str]] = []
    position = 0
    for piece in _SENTENCE.split(text):
        if piece is None:
            continue
        start = text.find(piece, position)
        if piece.strip():
            out.append((start, piece))
        position = start + len(piece)
    return out


def _masked(text: str) -> str:
    """Blank out quoted spans (slogans, titles) keeping offsets."""
    return _QUOTES.sub(lambda m: " " * len(m.group(0)), text)


def extract_targets(
    text: str, lang: Language, plan_year: int | None, *, norm: str | None = None
) -> list[Target]:
    """Targets in one task's text (or a goals chapter's body), in order of appearance.

    ``norm``: for Chinese, the text normalised (half-width, simplified) with the same length; patterns
    are matched on it and what is shown is sliced from ``text``.
    """
    return _extract(text, lang, plan_year, norm=norm, goal_milestones=False)


# Non-numeric goals ("完成省下达的减排任务", "水质稳定向好") are kept as milestones when they state a result.
_GOAL_VERB = re.compile(
    r"完成|实现|确保|消除|达标|稳定|改善|下降|降低|减少|提升|提高|控制|遏制|建成|基本|全面|持续|保持|保障|得到"
)


def extract_goals(orig: str, norm: str, plan_year: int | None, *, milestones: bool) -> list[Target]:
    """The goals of a Chinese goals chapter or section: its numbers, and, when ``milestones``, its
    non-numeric goals as milestones. A lead year (``2024年,`` / ``到2025年``) dates the goals after it."""
    return _extract(orig, "zh", plan_year, norm=norm, goal_milestones=milestones)


def _extract(
    text: str, lang: Language, plan_year: int | None, *, norm: str | None, goal_milestones: bool
) -> list[Target]:
    zh = lang == "zh"
    if zh and norm is None:
        norm = to_simplified(normalise(text))
    match_text = norm if norm is not None and len(norm) == len(text) else text
    targets: list[Target] = []
    masked = _masked(match_text)
    limit = _TIME_LIMIT.search(masked) if zh else None
    limit_deadline = find_deadline(limit.group("when"), plan_year) if limit else None
    if limit:
        masked = masked[: limit.start()] + " " * (limit.end() - limit.start()) + masked[limit.end() :]
    paragraph_deadline: Deadline | None = None
    for s_offset, sentence in _sentences(masked):
        original_sentence = text[s_offset : s_offset + len(sentence)]
        matched_sentence = match_text[s_offset : s_offset + len(sentence)]
        sentence_deadline = find_deadline(matched_sentence, plan_year)
        leading = sentence_deadline if sentence_deadline and sentence_deadline.start <= 2 else None
        if zh and goal_milestones:
            # In a goals text, a lead year dates every goal after it until another one.
            if leading is not None:
                paragraph_deadline = leading
            elif paragraph_deadline is not None:
                leading = paragraph_deadline
        position = 0
        for clause in (_CLAUSE_ZH if zh else _CLAUSE).split(sentence):
            c_start = sentence.find(clause, position)
            position = c_start + len(clause)
            original_clause = original_sentence[c_start : c_start + len(clause)]
            matched_clause = matched_sentence[c_start : c_start + len(clause)]
            clause_deadline = find_deadline(matched_clause, plan_year)
            deadline = clause_deadline.date if clause_deadline else (leading.date if leading else None)
            found = _clause_targets(clause, original_clause, lang, deadline)
            if zh:
                found = _zh_special_targets(clause, original_clause, deadline) + found
            completion = _COMPLETION.search(clause) or (zh and _ZH_DATED_ACTION.search(clause))
            if not found and clause_deadline and completion and not (zh and goal_milestones):
                indicator = _strip_words(
                    original_clause[: clause_deadline.start] + " " + original_clause[clause_deadline.end :]
                )
                indicator = re.sub(r"\s{2,}", " ", indicator)
                if zh:
                    indicator = re.sub(r"^[,，、;；\s]+", "", indicator.replace(" ", ""))
                if indicator:
                    written = " ".join(original_clause.split())
                    found = [
                        Target(indicator, "=", 1.0, "milestone", clause_deadline.date, written, "milestone")
                    ]
            if zh and goal_milestones and not found and _GOAL_VERB.search(clause):
                written = original_clause.strip().rstrip("。;；,， ")
                indicator = re.sub(r"^(?:到|至)?20\d{2}年(?:底|末)?(?:前)?[,，]?", "", written).strip()
                if indicator:
                    found = [Target(indicator, "=", 1.0, "milestone", deadline, written, "milestone")]
            targets.extend(found)
    if limit and limit_deadline:
        # A table's 完成时限 column dates the task: its undated targets, or the task itself as a milestone.
        targets = [t if t.deadline else dataclasses.replace(t, deadline=limit_deadline.date) for t in targets]
        if not targets:
            first = re.split(r"[。;；]", text[: limit.start()], maxsplit=1)[0].strip()
            written = " ".join(text[limit.start() : limit.end()].split())
            if first:
                targets = [Target(first, "=", 1.0, "milestone", limit_deadline.date, written, "milestone")]
    return targets


_TIME_LIMIT = re.compile(r"\((?:完成时限|完成时间|时间节点|时限要求|时限):(?P<when>[^()]{1,40})\)")


# An action dated by a month or a quarter (6月份开展中期评估) is a milestone, like a completion.
_ZH_DATED_ACTION = re.compile(
    r"完成|建成|实现|开展|启动|出台|制定|印发|编制|上报|组织|投运|评估|验收|划定|整改|部署|召开|印发|发布|"
    r"健全|建立|推进|落实|淘汰|关停"
)
_ROMAN_CLASS = {"I": 1, "II": 2, "III": 3, "IV": 4, "V": 5, "Ⅰ": 1, "Ⅱ": 2, "Ⅲ": 3, "Ⅳ": 4, "Ⅴ": 5,
                "一": 1, "二": 2, "三": 3, "四": 4, "五": 5}  # fmt: skip
_WATER_CLASS = re.compile(
    r"(?P<verb>稳定保持|保持|稳定达到|达到或优于|达到|优于|不低于|稳定在|好于)\s*(?:地表水)?\s*"
    r"(?P<class>III|II|IV|V|I|Ⅲ|Ⅱ|Ⅳ|Ⅴ|Ⅰ|[一二三四五])\s*类(?P<tail>水质|水体|标准|及以上|以上)*"
    r"(?=\s*(?:标准)?\s*(?:[,;。]|$))"
)
_RANKING = re.compile(
    r"(?P<context>全国|全省|全市|全区|全盟|排名|排位|进入|保持|位列|稳居|跻身|退出|摆脱|走出)[^,;。]{0,24}?"
    r"(?P<side>前|后)\s*(?P<value>\d{1,3}|[一二三四五六七八九十]{1,3})\s*(?:位|名)?"
)


def _zh_special_targets(clause: str, original: str, deadline: str | None) -> list[Target]:
    """Water classes reached (保持II类) and ranks (退出后20位, 全省前十) in one Chinese clause."""
    from .numbering import chinese_value

    found: list[Target] = []
    written = " ".join(original.split())
    for match in _WATER_CLASS.finditer(clause):
        value = _ROMAN_CLASS[match.group("class")]
        indicator = original[: match.start()].strip(" ,，;；")
        indicator = re.sub(r"^(?:并|且|和|同时|确保|力争|全年)", "", indicator) or "水质类别"
        found.append(Target(indicator, "<=", float(value), "water class", deadline, written, "value"))
    for match in _RANKING.finditer(clause):
        raw = match.group("value")
        rank = int(raw) if raw.isdigit() else chinese_value(raw)
        if rank is None:
            continue
        indicator = original[: match.start("side")].strip(" ,，;；")
        indicator = re.sub(r"^(?:并|且|和|同时|确保|力争|全年)", "", indicator) or "排名"
        if match.group("side") == "前":
            found.append(Target(indicator, "<=", float(rank), "rank", deadline, written, "ranking"))
        else:
            found.append(
                Target(indicator, ">", float(rank), "rank from bottom", deadline, written, "ranking")
            )
    return found


def _clause_targets(clause: str, original: str, lang: Language, deadline: str | None) -> list[Target]:
    found: list[Target] = []
    last_end = 0
    zh = lang == "zh"
    taken = [m.span() for m in _RANKING.finditer(clause)] if zh else []
    for match in _NUMBER.finditer(clause):
        start, end = match.span()
        raw = match.group(0)
        if any(low <= start < high for low, high in taken):
            continue  # the rank of a ranking target
        before_char = clause[max(0, start - 4) : start]
        if re.search(r"(?:n°|no\.|nº|[\[〔(（]|第)\s*$", before_char, re.I):
            continue
        after = clause[end:]
        if _ORDINAL_AFTER.match(after):
            continue
        if match.group(1):
            thousands = zh and re.fullmatch(r"\d{1,3},\d{3}", raw)
            value = float(raw.replace(",", "" if thousands else "."))
        elif match.group(2):
            value = float((_WORDS_FR | _WORDS_EN)[raw.lower()])
        else:
            value = float(_zh_int(raw))
        measure: str | None = ""
        measure_end = end
        for pattern, name in _MEASURES:
            m = pattern.match(after)
            if m:
                measure, measure_end = name, end + m.end()
                break
        days = re.match(r"\s*[天次]", after) if measure is None and zh else None
        # 不超过2天 (heavy-pollution days), 不少于2次 (drills): a number of days or times under a comparator
        # is a target; without one it is a duration or a frequency.
        if days and _comparator(clause[last_end:start], after[days.end() :]):
            if after[days.end() - 1] == "次":
                measure, measure_end = "count", end + days.end()
            elif "天" in clause[:start]:
                measure, measure_end = "days", end + days.end()
        if measure is None:
            continue  # a duration or a date
        window = clause[last_end:start]
        is_year = match.group(1) is not None and re.fullmatch(r"(?:19|20)\d{2}", raw) is not None
        if measure == "" and is_year:
            continue
        after_measure = clause[measure_end:]
        if zh and measure != "%" and _ZH_SCOPE.match(after_measure):
            continue  # 2蒸吨及以下燃煤锅炉, 年用煤量大于1000吨的企业: a threshold that qualifies an object
        if measure == "":
            if (
                value <= 1
                and "." in raw.replace(",", ".")
                and re.search(r"coefficient|系数|ratio", window, re.I)
            ):
                measure = "coefficient"
            elif re.search(r"\b(?:nombre|number)\b|数量|个数", window, re.I) or (
                _ACTION.search(clause[:start]) and re.match(r"\s*[^\W\d_]", after_measure)
            ):
                measure = "count"
            else:
                continue
        elif (
            measure == "count"
            and not _ACTION.search(clause[:start])
            and not (zh and _comparator(window, after_measure))
        ):
            continue  # 3个 without an action verb counts something, not a target
        comparator = _comparator(window, after_measure)
        if comparator is None:
            comparator = ">=" if _ACTION.search(clause[:start]) else "="
        if measure == "count" and not re.search(r"\b(?:nombre|number)\b|数量|个数", window, re.I):
            if zh and _comparator(window, "") is not None:
                indicator = _indicator(_cut_comparator(window), after_measure, lang)
            elif lang == "zh":
                indicator = _zh_count_indicator(clause[:start], after_measure)
            else:
                indicator = _count_indicator(after_measure)
        else:
            indicator = _indicator(_cut_comparator(window), after_measure, lang)
        if zh and indicator:
            # Shown as written: the same span of the original clause (same length as the matched one).
            at = clause.rfind(indicator, 0, start + 1)
            if at >= 0:
                indicator = original[at : at + len(indicator)]
        written = " ".join(original.split())
        found.append(
            Target(
                " ".join((indicator or written).split()),
                comparator,
                value,
                measure,
                deadline,
                written,
                "value" if zh else None,
            )
        )
        last_end = measure_end
    return found


_ZH_SCOPE = re.compile(r"\s*(?:(?:及以下|及以上|以下|以上)的?|的)(?=[\u4e00-\u9fff])")

_SPANNING = re.compile(
    r"\b(?:port\w*|rais\w*|bring\w*|keep\w*)\b\s+(?P<inner>[^%\d]{0,160}?)\s*\b(?:à|to|at)\s*$|"
    r"(?:提高|提升)(?P<zh>.{0,40}?)(?:到|至)\s*$",
    re.I,
)


def _cut_comparator(window: str) -> str:
    """The words naming the indicator: the window before its comparator ("porter X à" -> X)."""
    text = window
    while True:
        spanning = _SPANNING.search(text)
        if spanning:
            if spanning.group("zh") == "":
                return text[: spanning.start()]  # 化肥利用率提高到43%: the indicator comes first
            return spanning.group("inner") or spanning.group("zh") or ""
        nearest: re.Match[str] | None = None
        for pattern, _ in _COMPARATORS:
            for match in pattern.finditer(text):
                if not text[match.end() :].strip() and (nearest is None or match.start() < nearest.start()):
                    nearest = match
        if nearest is None:
            return text
        text = text[: nearest.start()]


def _zh_count_indicator(before: str, after: str) -> str:
    noun = re.match(r"\s*([\u4e00-\u9fff]{1,40})", after)
    if noun and not re.match(r"\s*(?:以上|及以上)", after):
        return noun.group(1)
    verb = list(_ACTION.finditer(before))
    return before[verb[-1].end() :].strip() if verb else before.strip()
