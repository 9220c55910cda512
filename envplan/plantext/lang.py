"""Text normalisation that keeps offsets, and language detection."""

from __future__ import annotations

import re

from .model import Language, PlanTextError

# One character for one character, so that offsets found in the normalised text slice the original.
_FULLWIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_ONE_TO_ONE: dict[int, int | str] = {
    **_FULLWIDTH,
    ord("\u2019"): "'",  # right single quotation mark used as an apostrophe
    ord("\u2018"): "'",
    ord("\u02bc"): "'",
    ord("\u00a0"): " ",  # no-break space (French typography before ':' and '%')
    ord("\u202f"): " ",  # narrow no-break space
    ord("\u2009"): " ",
    ord("\u3000"): " ",  # ideographic space
    ord("\t"): " ",
}
_TABLE: dict[int, str] = {k: (chr(v) if isinstance(v, int) else v) for k, v in _ONE_TO_ONE.items()}


def normalise(text: str) -> str:
    """Full-width ASCII to ASCII, typographic apostrophes and spaces to plain ones; same length."""
    return text.translate(_TABLE)


_CJK = re.compile(r"[\u4e00-\u9fff]")
_WORD = re.compile(r"[a-zà-ÿ']+")
_FRENCH = frozenset(
    [
        "le",
        "la",
        "les",
        "des",
        "du",
        "de",
        "et",
        "à",
        "une",
        "pour",
        "dans",
        "sur",
        "est",
        "sont",
        "avec",
        "aux",
        "d'",
        "l'",
        "qui",
    ]
)
_ENGLISH = frozenset(
    ["the", "of", "and", "to", "in", "for", "on", "with", "is", "are", "by", "shall", "be", "at", "from"]
)


def detect_language(text: str) -> Language:
    """Chinese when CJK characters make up a tenth of the letters, else French or English by stop words."""
    sample = text[:200_000]
    cjk = len(_CJK.findall(sample))
    words = _WORD.findall(sample.lower())
    letters = cjk + sum(len(w) for w in words)
    if letters == 0:
        raise PlanTextError("no readable text: the input contains no letters")
    if cjk / letters >= 0.1:
        return "zh"
    french = sum(1 for w in words if w in _FRENCH or w.startswith(("d'", "l'")))
    english = sum(1 for w in words if w in _ENGLISH)
    return "fr" if french >= english else "en"


def check_readable(text: str) -> None:
    """Raise PlanTextError for empty or binary-looking input."""
    if not text.strip():
        raise PlanTextError("the document is empty")
    sample = text[:20_000]
    control = sum(1 for ch in sample if (ord(ch) < 32 and ch not in "\n\r\t\f") or ch == "\ufffd")
    if "\x00" in sample or control / max(len(sample), 1) > 0.01:
        raise PlanTextError("the document looks binary, not text (control characters or undecodable bytes)")


_BLANKS = re.compile(r"[ \t\u3000\u00a0\u2002\u2003\u2009\u202f]+")
# Characters spaced out for layout ("牵 头 单 位", "目  录"): a run of single CJK characters.
_SPACED_OUT = re.compile(r"(?<![\u4e00-\u9fff])(?:[\u4e00-\u9fff] ){2,}[\u4e00-\u9fff](?![\u4e00-\u9fff])")


# A space next to Chinese punctuation is layout, never a separator.
_AROUND_PUNCTUATION = re.compile(r"(?<=[。；，：、！？）》」”]) | (?=[。；，：、！？（《「“])")


def tidy_chinese(text: str) -> str:
    """Runs of spaces (ideographic, no-break, tabs) to one space per line, and characters spaced out for
    layout joined again. Lines are kept, so line numbers stay those of the document."""
    out: list[str] = []
    for line in text.split("\n"):
        line = _BLANKS.sub(" ", line).strip()
        line = _SPACED_OUT.sub(lambda match: match.group(0).replace(" ", ""), line)
        out.append(_AROUND_PUNCTUATION.sub("", line))
    return "\n".join(out)
