"""Chapter, section and task numbers as printed: roman, Chinese and arabic numerals."""

from __future__ import annotations

_ROMAN = (("M", 1000), ("CM", 900), ("D", 500), ("CD", 400), ("C", 100), ("XC", 90), ("L", 50), ("XL", 40),
          ("X", 10), ("IX", 9), ("V", 5), ("IV", 4), ("I", 1))  # fmt: skip
# The Chinese digits, with the zeros a written year uses (二〇二五年).
ZH_DIGITS = {
    "〇": 0,
    "○": 0,
    "零": 0,
    "一": 1,
    "二": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}


def to_roman(value: int) -> str:
    out = []
    for letters, amount in _ROMAN:
        while value >= amount:
            out.append(letters)
            value -= amount
    return "".join(out)


def roman_value(text: str) -> int | None:
    """The value of a well-formed roman numeral, else None."""
    text = text.upper()
    if not text or any(ch not in "MDCLXVI" for ch in text):
        return None
    total, index = 0, 0
    for letters, amount in _ROMAN:
        while text.startswith(letters, index):
            total += amount
            index += len(letters)
    return total if index == len(text) and to_roman(total) == text else None


def chinese_value(text: str) -> int | None:
    """一 .. 九十九; None when the text is not a Chinese numeral."""
    if not text or any(ch not in "一二三四五六七八九十" for ch in text):
        return None
    if "十" not in text:
        return ZH_DIGITS[text] if len(text) == 1 else None
    tens, _, units = text.partition("十")
    if len(tens) > 1 or len(units) > 1:
        return None
    return (ZH_DIGITS[tens] if tens else 1) * 10 + (ZH_DIGITS[units] if units else 0)


def to_chinese(value: int) -> str:
    digits = "一二三四五六七八九"
    if value < 10:
        return digits[value - 1]
    tens, units = divmod(value, 10)
    return ("" if tens == 1 else digits[tens - 1]) + "十" + (digits[units - 1] if units else "")


def numeral_value(text: str) -> tuple[int, str] | None:
    """(value, style) with style "arabic", "roman" or "chinese"; None if unreadable."""
    if text.isdigit():
        return int(text), "arabic"
    value = roman_value(text)
    if value is not None:
        return value, "roman"
    value = chinese_value(text)
    if value is not None:
        return value, "chinese"
    return None


def render(value: int, style: str) -> str:
    if style == "roman":
        return to_roman(value)
    if style == "chinese":
        return to_chinese(value)
    return str(value)
