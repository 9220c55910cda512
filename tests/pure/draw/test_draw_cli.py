"""`envplan inspections draw|verify` in a subprocess: exit 0 drawn or reproduced, 1 not, 2 bad input."""

from __future__ import annotations

import json
import random
import subprocess
from pathlib import Path

import pytest

from tests.commandline import in_child, without_django

SEED = "00112233445566778899aabbccddeeff"
ONE_BYTE_CHANGED = "00112233445566778899aabbccddeefe"


def run_envplan(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return in_child(*args, env=without_django(), cwd=cwd)


def pool_rows() -> list[tuple[str, str]]:
    categories = ("key", "general", "general", "general", "special")
    return [(f"91150200MA{number:04d}", categories[number % 5]) for number in range(60)]


def write_pool(folder: Path, rows: list[tuple[str, str]], name: str = "pool.csv") -> Path:
    path = folder / name
    path.write_text(
        "id,name,category\n" + "".join(f"{id_},enterprise {id_},{cat}\n" for id_, cat in rows),
        encoding="utf-8",
    )
    return path


def draw_json(folder: Path, *args: str) -> dict[str, object]:
    result = run_envplan("inspections", "draw", *args, cwd=folder)
    assert (result.returncode, result.stderr) == (0, "")
    document: dict[str, object] = json.loads(result.stdout)
    return document


def verify(
    folder: Path, *options: str, seed: str = SEED, pool: str = "pool.csv"
) -> subprocess.CompletedProcess[str]:
    """`envplan inspections verify POOL draw.json --seed SEED OPTIONS` in the folder."""
    return run_envplan("inspections", "verify", pool, "draw.json", "--seed", seed, *options, cwd=folder)


def test_cli_draw_prints_hashes_method_and_selection(tmp_path: Path):
    write_pool(tmp_path, pool_rows())

    document = draw_json(tmp_path, "pool.csv", "--count", "7", "--seed", SEED, "--strata", "category")

    assert list(document) == ["pool_sha256", "seed_sha256", "method", "selected"]
    assert document["method"] == {
        "name": "envplan-draw-1",
        "count": 7,
        "per_stratum": None,
        "strata": "category",
        "quotas": {"general": 4, "key": 2, "special": 1},
    }
    selected = document["selected"]
    assert isinstance(selected, list) and len(selected) == len(set(selected)) == 7
    categories = dict(pool_rows())
    assert [categories[identifier] for identifier in selected] == ["general"] * 4 + ["key"] * 2 + ["special"]


def test_cli_draw_same_pool_in_another_order_gives_the_same_draw(tmp_path: Path):
    rows = pool_rows()
    shuffled = rows[:]
    random.Random(7).shuffle(shuffled)
    write_pool(tmp_path, rows, "a.csv")
    write_pool(tmp_path, shuffled, "b.csv")

    drawn = [
        draw_json(tmp_path, name, "--per-stratum", "3", "--seed", SEED, "--strata", "category")
        for name in ("a.csv", "b.csv")
    ]

    assert drawn[0] == drawn[1]


def test_cli_draw_one_changed_seed_byte_gives_another_draw(tmp_path: Path):
    write_pool(tmp_path, pool_rows())

    first, second = (
        draw_json(tmp_path, "pool.csv", "--count", "10", "--seed", seed) for seed in (SEED, ONE_BYTE_CHANGED)
    )

    assert first["pool_sha256"] == second["pool_sha256"]
    assert first["selected"] != second["selected"]


def test_cli_verify_reproduced_exit_0(tmp_path: Path):
    write_pool(tmp_path, pool_rows())
    published = draw_json(tmp_path, "pool.csv", "--count", "5", "--seed", SEED, "--strata", "category")
    (tmp_path / "draw.json").write_text(json.dumps(published), encoding="utf-8")
    rows = pool_rows()
    write_pool(tmp_path, rows[::-1], "reordered.csv")

    result = verify(tmp_path, seed=SEED.upper(), pool="reordered.csv")

    assert (result.returncode, result.stdout, result.stderr) == (
        0,
        "reproduced: 5 id(s) drawn by envplan-draw-1\n",
        "",
    )


@pytest.mark.parametrize(
    ("change", "difference"),
    [
        pytest.param(
            "seed", "not reproduced: seed_sha256: the seed given is not the committed one", id="seed"
        ),
        pytest.param(
            "pool", "not reproduced: pool_sha256: the pool given is not the committed one", id="pool"
        ),
        pytest.param("selection", "not reproduced: selected: position 1 is", id="selection"),
    ],
)
def test_cli_verify_not_reproduced_exit_1(tmp_path: Path, change: str, difference: str):
    rows = pool_rows()
    write_pool(tmp_path, rows)
    published = draw_json(tmp_path, "pool.csv", "--count", "5", "--seed", SEED)
    seed = SEED
    if change == "seed":
        seed = ONE_BYTE_CHANGED
    elif change == "pool":
        write_pool(tmp_path, [row for row in rows if row[0] != published["selected"][0]])
    else:
        published["selected"] = list(reversed(published["selected"]))
    (tmp_path / "draw.json").write_text(json.dumps(published), encoding="utf-8")

    result = verify(tmp_path, seed=seed)

    assert result.returncode == 1
    assert result.stdout.startswith(difference)
    assert result.stderr == ""


@pytest.mark.parametrize(
    ("pool", "args", "message"),
    [
        pytest.param(
            "id\nE1\nE2\nE1\n", ["--count", "1"], "pool.csv:4: id: 'E1' already on line 2", id="duplicate"
        ),
        pytest.param(
            "id\n", ["--count", "1"], "pool.csv: the pool is empty (no ids after the header)", id="empty"
        ),
        pytest.param(
            "id\nE1\nE2\n",
            ["--count", "3"],
            "pool.csv: count 3 is larger than the pool (2 ids)",
            id="too-many",
        ),
        pytest.param(
            "code\nE1\n", ["--count", "1"], "pool.csv:1: header: no 'id' column (found 'code')", id="no-id"
        ),
        pytest.param(
            "id\nE1\n",
            ["--per-stratum", "1"],
            "pool.csv: a count per stratum needs a strata column",
            id="no-strata",
        ),
    ],
)
def test_cli_draw_bad_input_exit_2(tmp_path: Path, pool: str, args: list[str], message: str):
    (tmp_path / "pool.csv").write_text(pool, encoding="utf-8")

    result = run_envplan("inspections", "draw", "pool.csv", *args, "--seed", SEED, cwd=tmp_path)

    assert (result.returncode, result.stdout, result.stderr) == (
        2,
        "",
        f"envplan inspections draw: {message}\n",
    )


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(["--count", "2", "--seed", "abcd"], id="short-seed"),
        pytest.param(["--count", "2", "--per-stratum", "1", "--seed", SEED], id="both-counts"),
        pytest.param(["--seed", SEED], id="no-count"),
        pytest.param(["--count", "2"], id="no-seed"),
        pytest.param(["--count", "two", "--seed", SEED], id="count-not-a-number"),
    ],
)
def test_cli_draw_usage_errors_exit_2(tmp_path: Path, args: list[str]):
    write_pool(tmp_path, pool_rows())

    result = run_envplan("inspections", "draw", "pool.csv", *args, cwd=tmp_path)

    assert (result.returncode, result.stdout, result.stderr.count("\n")) == (2, "", 1)
    assert "Traceback" not in result.stderr


def test_cli_verify_unreadable_draw_exit_2(tmp_path: Path):
    write_pool(tmp_path, pool_rows())
    (tmp_path / "draw.json").write_text('{"pool_sha256": "x"', encoding="utf-8")

    result = verify(tmp_path)

    assert result.returncode == 2
    assert result.stderr.startswith("envplan inspections verify: draw.json: not a JSON draw: ")


def test_cli_draw_and_verify_teams_with_a_seed_file(tmp_path: Path):
    write_pool(tmp_path, pool_rows())
    (tmp_path / "seed.txt").write_text(SEED + "\n", encoding="utf-8")
    drawn = run_envplan(
        "inspections", "draw", "pool.csv", "--count", "4", "--seed-file", "seed.txt", cwd=tmp_path
    )
    first_target = json.loads(drawn.stdout)["selected"][0]
    (tmp_path / "roster.csv").write_text(
        "id,qualifications,recused_from\n"
        + "".join(f"I{n},enforcement,{first_target if n < 4 else ''}\n" for n in range(1, 7))
        + "I7,,\n",
        encoding="utf-8",
    )
    team_args = ["--inspectors", "roster.csv", "--require", "enforcement", "--team-size", "2"]

    published = draw_json(tmp_path, "pool.csv", "--count", "4", "--seed-file", "seed.txt", *team_args)
    (tmp_path / "draw.json").write_text(json.dumps(published), encoding="utf-8")
    verified = verify(tmp_path, "--inspectors", "roster.csv")
    without_roster = verify(tmp_path)

    teams = published["teams"]
    assert isinstance(teams, dict)
    assert list(teams["assigned"]) == published["selected"]
    assert set(teams["assigned"][first_target]) <= {"I4", "I5", "I6"}
    assert all("I7" not in team for team in teams["assigned"].values())
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert (without_roster.returncode, without_roster.stderr) == (
        2,
        "envplan inspections verify: draw.json: the draw has inspector teams: "
        "give the roster with --inspectors\n",
    )


def test_cli_verify_teams_with_another_roster_exit_1(tmp_path: Path):
    write_pool(tmp_path, pool_rows())
    (tmp_path / "roster.csv").write_text("id\nI1\nI2\nI3\n", encoding="utf-8")
    published = draw_json(tmp_path, "pool.csv", "--count", "3", "--seed", SEED, "--inspectors", "roster.csv")
    (tmp_path / "draw.json").write_text(json.dumps(published), encoding="utf-8")
    (tmp_path / "roster.csv").write_text("id\nI1\nI2\nI3\nI4\n", encoding="utf-8")

    result = verify(tmp_path, "--inspectors", "roster.csv")

    assert (result.returncode, result.stdout) == (
        1,
        "not reproduced: teams.roster_sha256: the roster given is not the committed one\n",
    )


def test_cli_verify_json_gives_the_verdict_and_the_differences(tmp_path: Path):
    write_pool(tmp_path, pool_rows())
    published = draw_json(tmp_path, "pool.csv", "--count", "5", "--seed", SEED)
    (tmp_path / "draw.json").write_text(json.dumps(published), encoding="utf-8")

    same = verify(tmp_path, "--json")
    other = verify(tmp_path, "--json", seed=ONE_BYTE_CHANGED)

    assert (same.returncode, json.loads(same.stdout)) == (
        0,
        {"reproduced": True, "method": "envplan-draw-1", "selected": 5, "differences": []},
    )
    verdict = json.loads(other.stdout)
    assert (other.returncode, verdict["reproduced"], list(verdict)) == (
        1,
        False,
        ["reproduced", "method", "selected", "differences"],
    )
    assert verdict["differences"] and all(isinstance(line, str) for line in verdict["differences"])
