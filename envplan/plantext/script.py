"""Traditional Chinese to simplified, character for character, so that offsets carry over.

Plans copied from mirrors or from Hong Kong, Macao and Taiwan sites arrive in traditional characters, or
in both scripts at once (a simplified notice spliced to a traditional body). The parser matches its
patterns on the simplified text and slices what it shows from the original, so the conversion must keep
the length of every line; OpenCC's phrase table does almost always, and where it does not the line is
converted one character at a time.
"""

from __future__ import annotations

import functools
from typing import Protocol, cast

# Frequent characters that exist only in the traditional script (each one converts to another
# character under OpenCC t2s). A handful of them in a document is enough to call for conversion.
_TRADITIONAL_ONLY = frozenset(
    "這們個來時會對發說為與經產業實現開關國區縣務環護導應體圍單價質數據當從進過還處將無點動種線級標準規"
    "劃項設計節約濟長車門間問題見視聽讀寫書畫語話認識記論議謀調談請讓變廣東華雲電氣溫濕際陸陽隊層屬嚴"
    "萬億負責貴買賣執勢監測檢驗試達總結織組紅綠藍黃鐵鋼銀錢錄鎮鄉廳網絡終給統續維衛燈熱燒爐煙塵廢汙淨"
    "濁灣濱溝漢員費機構險災礦農態綜優濃轉職參協辦擴領創幹聯繫類響強範審勵獎懲罰醫藥師築運輸貨橋銷盡壓"
    "歲頭備戶兩"
)
_ENOUGH = 3


class _Converter(Protocol):
    def convert(self, text: str) -> str: ...


def has_traditional(text: str) -> bool:
    """True when the text holds a few characters that only the traditional script uses."""
    count = 0
    for char in text:
        if char in _TRADITIONAL_ONLY:
            count += 1
            if count >= _ENOUGH:
                return True
    return False


@functools.lru_cache(maxsize=1)
def _converter() -> _Converter:
    import opencc  # opencc-python-reimplemented: pure Python, OpenCC's dictionaries

    return cast(_Converter, opencc.OpenCC("t2s"))


def to_simplified(text: str) -> str:
    """``text`` in simplified characters, with the same length and line breaks; unchanged when it holds
    no traditional characters."""
    if not has_traditional(text):
        return text
    converter = _converter()
    lines = text.split("\n")
    out: list[str] = []
    for line in lines:
        converted = converter.convert(line) if line else line
        if len(converted) != len(line):
            converted = "".join(
                single if len(single := converter.convert(char)) == 1 else char for char in line
            )
        out.append(converted)
    return "\n".join(out)
