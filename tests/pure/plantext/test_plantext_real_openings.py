"""Real Chinese plan openings (../shared/reference/data/plans-zh, read in place, never copied here) against
their hand-read gold files: no refusal, and at least 90 % of meta fields, goals and units with roles."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from envplan.plantext import parse_file
from envplan.plantext.scoring import score

OPENINGS = ["plan_zhongmu_2023", "plan_jingzhou_2024", "plan_shiyan_2024_water"]


def _gold(folder: Path, name: str) -> dict[str, object]:
    loaded: dict[str, object] = json.loads((folder / f"{name}.gold.json").read_text(encoding="utf-8"))
    return loaded


@pytest.mark.parametrize("name", OPENINGS)
def test_real_opening_recall_of_meta_goals_and_units_is_at_least_90_percent(
    plans_zh_dir: Path, name: str
) -> None:
    draft = parse_file(plans_zh_dir / f"{name}.txt")  # a refusal raises PlanTextError and fails here

    found = score(draft, _gold(plans_zh_dir, name))

    assert found.recall() >= 0.9, found.table()
    assert all(found.tallies[c].recall >= 0.9 for c in ("meta", "goals", "units")), found.table()


@pytest.mark.parametrize("name", OPENINGS)
def test_real_opening_keeps_every_task_including_the_cut_one(plans_zh_dir: Path, name: str) -> None:
    gold = _gold(plans_zh_dir, name)
    tasks = gold["tasks"]
    assert isinstance(tasks, list)

    draft = parse_file(plans_zh_dir / f"{name}.txt")

    assert [t.number for t in draft.tasks()] == [task["number"] for task in tasks]
