"""docs/draw-method.md: its standard-library snippet and its worked example agree with the package."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

from envplan.draw import DrawMethod, draw, parse_seed, read_pool_csv

DOCUMENT = Path(__file__).resolve().parents[3] / "docs" / "draw-method.md"
SEED = "6a1f0c9e55d2b7a4c3e8f19d0b2a7c64e5d9f3a1b8c7d6e5f4a3b2c1d0e9f8a7"


def block_after(marker: str, language: str) -> str:
    """The fenced block that follows ``<!-- marker -->`` in the method document."""
    text = DOCUMENT.read_text(encoding="utf-8")
    match = re.search(rf"<!-- {re.escape(marker)} -->\n```{language}\n(.*?)\n```\n", text, re.DOTALL)
    assert match is not None, f"no {language} block after <!-- {marker} --> in {DOCUMENT}"
    return match.group(1) + "\n"


def pool_text() -> str:
    # Ids as offices type them: decomposed accents, stray spaces, Chinese names, rows in no order.
    rows = [
        (f"{name}-{number:02d}", ("重点", "一般", "特殊")[number % 3])
        for number in range(23)
        for name in ("昆区", unicodedata.normalize("NFD", "Café"))
    ]
    lines = [f" {identifier} ,{stratum},extra column" for identifier, stratum in reversed(rows)]
    return "id,类别,note\n" + "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    ("snippet_args", "strata", "method"),
    [
        pytest.param(["9"], None, DrawMethod(count=9), id="simple"),
        pytest.param(["11", "类别"], "类别", DrawMethod(count=11, strata="类别"), id="proportional"),
        # 16, 16 and 14 ids: with 10 to draw, 重点 and 一般 tie for the last seat; 一般 comes first.
        pytest.param(["10", "类别"], "类别", DrawMethod(count=10, strata="类别"), id="proportional-tie"),
        pytest.param(
            ["4", "类别", "per-stratum"], "类别", DrawMethod(per_stratum=4, strata="类别"), id="per-stratum"
        ),
    ],
)
def test_method_document_snippet_recomputes_the_draw(
    tmp_path: Path, snippet_args: list[str], strata: str | None, method: DrawMethod
):
    script = tmp_path / "recompute.py"
    script.write_text(block_after("recompute-draw", "python"), encoding="utf-8")
    pool_file = tmp_path / "pool.csv"
    pool_file.write_text(pool_text(), encoding="utf-8")

    result = subprocess.run(
        [sys.executable, "-I", str(script), str(pool_file), SEED, *snippet_args],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
    )
    expected = draw(read_pool_csv(pool_file, strata=strata), parse_seed(SEED), method)

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "pool_sha256": expected.pool_sha256,
        "seed_sha256": expected.seed_sha256,
        "selected": list(expected.selected),
    }


def test_method_document_snippet_uses_only_the_standard_library():
    imports = re.findall(r"^import (.+)$|^from (\S+) import", block_after("recompute-draw", "python"), re.M)

    modules = {name.strip() for line, source in imports for name in (line or source).split(",")}

    assert modules == {"csv", "hashlib", "hmac", "json", "sys", "unicodedata"}


def test_method_document_worked_example_is_what_the_package_draws(tmp_path: Path):
    pool_file = tmp_path / "pool.csv"
    pool_file.write_text(block_after("example: pool.csv", "csv"), encoding="utf-8")
    published = json.loads(block_after("example: draw.json", "json"))

    made = draw(
        read_pool_csv(pool_file, strata="category"),
        parse_seed("000102030405060708090a0b0c0d0e0f"),
        DrawMethod(count=3, strata="category"),
    )

    assert made.as_json() == published
