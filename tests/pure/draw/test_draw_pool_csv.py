"""Reading pools and rosters from CSV: errors name the file, the line and the field."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from envplan.draw import DrawError, Inspector, read_pool_csv, read_roster_csv


def write(tmp_path: Path, text: str, name: str = "pool.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return path


def test_read_pool_csv_normalises_and_keeps_strata(tmp_path: Path):
    decomposed = unicodedata.normalize("NFD", "Café")
    path = write(tmp_path, f"\ufeffname,id,category\nx, {decomposed} ,key\n\ny,E2,general \n")

    pool = read_pool_csv(path, strata="category")

    assert pool.entries == (("Café", "key"), ("E2", "general"))
    assert pool.canonical() == "Café\tkey\nE2\tgeneral\n".encode()


@pytest.mark.parametrize(
    ("text", "strata", "message"),
    [
        ("code\nE1\n", None, "1: header: no 'id' column (found 'code')"),
        ("id\nE1\n", "category", "1: header: no 'category' column (found 'id')"),
        ("", None, "1: header: no 'id' column (found nothing)"),
        ("id\n", None, " the pool is empty (no ids after the header)"),
        ("id\nE1\nE2\n E1\n", None, "4: id: 'E1' already on line 2"),
        ("id,category\nE1,key\n,key\n", "category", "3: id: empty"),
        ("id,category\nE1,\n", "category", "2: category: empty"),
        ("id\nE1,extra\n", None, "2: more fields than the header names"),
    ],
)
def test_read_pool_csv_refuses_bad_pools(tmp_path: Path, text: str, strata: str | None, message: str):
    path = write(tmp_path, text)

    with pytest.raises(DrawError) as caught:
        read_pool_csv(path, strata=strata)

    assert str(caught.value) == f"{path}:{message}"


def test_read_pool_csv_missing_file(tmp_path: Path):
    with pytest.raises(DrawError) as caught:
        read_pool_csv(tmp_path / "absent.csv")

    assert str(caught.value) == f"{tmp_path / 'absent.csv'}: cannot read: No such file or directory"


def test_read_roster_csv_reads_lists(tmp_path: Path):
    path = write(
        tmp_path,
        "id,qualifications,recused_from,recently_inspected\n"
        "I2,enforcement; hazardous-waste,E1;E9,\n"
        "I1,,,E3\n",
        "roster.csv",
    )

    roster = read_roster_csv(path)

    assert roster == (
        Inspector("I1", recently_inspected=frozenset({"E3"})),
        Inspector("I2", frozenset({"enforcement", "hazardous-waste"}), frozenset({"E1", "E9"})),
    )


def test_read_roster_csv_refuses_duplicate_inspectors(tmp_path: Path):
    path = write(tmp_path, "id\nI1\nI2\nI1\n", "roster.csv")

    with pytest.raises(DrawError) as caught:
        read_roster_csv(path)

    assert str(caught.value) == f"{path}:4: id: 'I1' already on line 2"
