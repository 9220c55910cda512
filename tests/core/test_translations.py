"""Every interface string is translated into French and Simplified Chinese, and the compiled catalogues
are the ones of the .po files (a stale .mo would show English in a page that claims to be translated)."""

from __future__ import annotations

import gettext
import re
from pathlib import Path

import pytest

import envplan

LOCALE = Path(envplan.__file__).resolve().parent / "locale"
QUOTED = re.compile(r'"((?:[^"\\]|\\.)*)"')


def entries(po_file: Path) -> list[dict[str, str]]:
    """msgid / msgstr / msgstr[0] of each entry of a .po file (continuation lines joined)."""
    result: list[dict[str, str]] = []
    current: dict[str, str] = {}
    key = ""
    for line in po_file.read_text(encoding="utf-8").splitlines():
        if line.startswith("#~"):
            continue
        if not line.strip():
            if current:
                result.append(current)
            current, key = {}, ""
            continue
        if line.startswith("#"):
            continue
        if line.startswith('"'):
            current[key] += "".join(QUOTED.findall(line))
            continue
        key, _, rest = line.partition(" ")
        current[key] = "".join(QUOTED.findall(rest))
    if current:
        result.append(current)
    return result


@pytest.mark.parametrize("language", ["fr", "zh_Hans"])
def test_every_message_is_translated(language: str):
    po_file = LOCALE / language / "LC_MESSAGES" / "django.po"
    untranslated = [
        e["msgid"] for e in entries(po_file) if e.get("msgid") and not (e.get("msgstr") or e.get("msgstr[0]"))
    ]
    assert untranslated == []


@pytest.mark.parametrize("language", ["fr", "zh_Hans"])
def test_compiled_catalogue_matches_the_po_file(language: str):
    folder = LOCALE / language / "LC_MESSAGES"
    with (folder / "django.mo").open("rb") as handle:
        catalogue = gettext.GNUTranslations(handle)
    for entry in entries(folder / "django.po"):
        msgid = entry.get("msgid")
        if not msgid or "msgid_plural" in entry or "msgctxt" in entry:
            continue
        expected = entry["msgstr"].encode().decode("unicode_escape").encode("latin-1").decode("utf-8")
        assert (
            catalogue.gettext(msgid.encode().decode("unicode_escape").encode("latin-1").decode("utf-8"))
            == expected
        )
