"""The pure rule that matches a stored plan's tasks and targets with a new version of its document."""

from __future__ import annotations

from decimal import Decimal

from envplan.plans.diff import (
    ADDED,
    CHANGED,
    REMOVED,
    UNCHANGED,
    PlanShape,
    TargetShape,
    TaskShape,
    diff_plans,
    diff_targets,
    shape_of_data,
)

SEWERS = "Lay 12 km of new sewer pipes in the old town and connect every courtyard to the network by autumn."
DRAINS = "Clear the storm drains of the industrial park before the rainy season and inspect them monthly."
DUST = "Cover every construction site's bare soil and wash the wheels of trucks leaving the sites."
STRAW = "Ban the open burning of straw and collect the straw of every village for reuse as fuel or feed."


def task(
    number: int,
    text: str,
    *,
    units: tuple[tuple[str, str], ...] = (),
    section: str = "",
    targets: tuple[TargetShape, ...] = (),
) -> TaskShape:
    """A stored-looking task: its id is its number times 100, so tests can tell which row a change keeps."""
    return TaskShape(
        number=number,
        title=text[:20],
        summary=text,
        section=section,
        units=frozenset(units),
        targets=targets,
        id=number * 100,
    )


def target(
    indicator: str, value: str, *, unit_of_measure: str = "", as_written: str = "", id: int | None = None
) -> TargetShape:
    return TargetShape(
        indicator=indicator,
        comparator=">=",
        value=Decimal(value),
        unit_of_measure=unit_of_measure,
        as_written=as_written,
        id=id,
    )


def kinds(old: list[TaskShape], new: list[TaskShape]) -> list[tuple[str, int | None, int | None]]:
    diff = diff_plans(PlanShape(tasks=tuple(old)), PlanShape(tasks=tuple(new)))
    return [
        (change.kind, change.old.number if change.old else None, change.new.number if change.new else None)
        for change in diff.tasks
    ]


def test_diff_of_the_same_plan_is_empty():
    tasks = [task(1, SEWERS), task(2, DRAINS)]
    diff = diff_plans(PlanShape(tasks=tuple(tasks)), PlanShape(tasks=tuple(tasks)))
    assert [change.kind for change in diff.tasks] == [UNCHANGED, UNCHANGED]
    assert diff.is_empty is True


def test_diff_matches_a_renumbered_task_by_its_text():
    old = [task(1, SEWERS), task(2, DRAINS), task(3, DUST)]
    new = [task(1, DRAINS), task(2, DUST)]  # task 1 dropped, the others renumbered
    assert kinds(old, new) == [(CHANGED, 2, 1), (CHANGED, 3, 2), (REMOVED, 1, None)]


def test_diff_matches_text_whatever_its_case_spaces_and_punctuation():
    old = [task(4, SEWERS)]
    new = [task(4, SEWERS.upper().replace(" ", "  ").replace(",", ""))]
    diff = diff_plans(PlanShape(tasks=tuple(old)), PlanShape(tasks=tuple(new)))
    assert [(c.kind, c.old.id if c.old else None, c.similarity) for c in diff.tasks] == [(CHANGED, 400, 1.0)]
    assert diff.tasks[0].fields == ("title", "summary")


def test_diff_calls_the_same_number_with_edited_text_changed():
    edited = SEWERS.replace("12 km", "15 km").replace("by autumn", "by the end of the year")
    assert kinds([task(1, SEWERS)], [task(1, edited)]) == [(CHANGED, 1, 1)]


def test_diff_calls_the_same_number_with_other_text_removed_and_added():
    assert kinds([task(1, SEWERS)], [task(1, STRAW)]) == [(ADDED, None, 1), (REMOVED, 1, None)]


def test_diff_matches_a_task_both_renumbered_and_lightly_edited():
    edited = DUST.replace("bare soil", "bare soil and spoil heaps")
    old = [task(1, SEWERS), task(2, DUST)]
    new = [task(1, STRAW), task(2, SEWERS), task(3, edited)]
    assert kinds(old, new) == [(ADDED, None, 1), (CHANGED, 1, 2), (CHANGED, 2, 3)]


def test_diff_does_not_match_a_renumbered_task_rewritten_by_half():
    rewritten = DUST[: len(DUST) // 2] + " and plant grass on every empty lot of the district this spring."
    assert kinds([task(2, DUST)], [task(3, rewritten)]) == [(ADDED, None, 3), (REMOVED, 2, None)]


def test_diff_prefers_the_pair_that_keeps_its_number_among_identical_texts():
    old = [task(1, SEWERS), task(2, SEWERS)]
    new = [task(2, SEWERS)]
    diff = diff_plans(PlanShape(tasks=tuple(old)), PlanShape(tasks=tuple(new)))
    assert [(c.kind, c.old.id if c.old else None) for c in diff.tasks] == [(UNCHANGED, 200), (REMOVED, 100)]


def test_diff_lists_units_added_and_removed_by_role():
    old = task(1, SEWERS, units=(("housing", "lead"), ("water", "responsible")))
    new = task(1, SEWERS, units=(("housing", "lead"), ("water", "implementing"), ("towns", "implementing")))
    change = diff_plans(PlanShape(tasks=(old,)), PlanShape(tasks=(new,))).tasks[0]
    assert (change.kind, change.units_added, change.units_removed) == (
        CHANGED,
        (("towns", "implementing"), ("water", "implementing")),
        (("water", "responsible"),),
    )


def test_diff_notes_a_task_moved_to_another_section():
    change = diff_plans(
        PlanShape(tasks=(task(1, SEWERS, section="Water"),)),
        PlanShape(tasks=(task(1, SEWERS, section="Soil"),)),
    ).tasks[0]
    assert (change.kind, change.fields) == (CHANGED, ("section",))


def test_diff_targets_keeps_a_target_whose_value_changed():
    old = [target("straw reuse rate", "90", id=7), target("sites covered", "100", id=8)]
    new = [target("Straw reuse rate", "95.0"), target("sites covered", "100")]
    changes = diff_targets(old, new)
    assert [(c.kind, c.old.id if c.old else None, c.fields) for c in changes] == [
        (CHANGED, 7, ("value",)),
        (UNCHANGED, 8, ()),
    ]


def test_diff_targets_matches_reworded_indicators_by_their_wording():
    old = [target("rate of mechanised sweeping of urban roads", "80", as_written="sweeping at 80 %", id=3)]
    new = [target("rate of mechanized sweeping of urban roads", "80", as_written="sweeping at 80 %")]
    assert [(c.kind, c.fields) for c in diff_targets(old, new)] == [(CHANGED, ("indicator",))]


def test_diff_targets_lists_added_and_removed_ones():
    old = [target("new sewer pipes", "12", unit_of_measure="km", id=1)]
    new = [target("green procurement share", "30", unit_of_measure="%")]
    assert [(c.kind, c.current.indicator) for c in diff_targets(old, new)] == [
        (ADDED, "green procurement share"),
        (REMOVED, "new sewer pipes"),
    ]


def test_diff_counts_and_summary_name_each_change():
    old = PlanShape(
        goals=(target("class III share", "83.3", id=1),),
        tasks=(task(1, SEWERS, targets=(target("pipes", "12", id=2),)), task(2, DRAINS)),
    )
    new = PlanShape(
        goals=(target("class III share", "85"),),
        tasks=(task(1, SEWERS, targets=(target("pipes", "15"),)), task(2, STRAW)),
    )
    diff = diff_plans(old, new)
    assert diff.counts() == {
        "tasks_added": 1,
        "tasks_changed": 1,
        "tasks_removed": 1,
        "tasks_unchanged": 0,
        "targets_added": 0,
        "targets_changed": 2,
        "targets_removed": 0,
        "units_added": 0,
        "units_removed": 0,
    }
    assert [(entry["kind"], entry["number"], entry.get("id")) for entry in diff.summary()["tasks"]] == [
        (CHANGED, 1, 100),
        (ADDED, 2, None),
        (REMOVED, 2, 200),
    ]
    assert diff.summary()["goals"] == {ADDED: 0, CHANGED: 1, REMOVED: 0}


def test_shape_of_data_reads_the_plan_schema():
    data = {
        "goals": [{"indicator": "share", "comparator": ">=", "value": 83.3, "unit_of_measure": "%"}],
        "chapters": [
            {
                "sections": [
                    {
                        "title": "Sewers",
                        "tasks": [
                            {
                                "number": "3",
                                "title": "Pipes",
                                "summary": SEWERS,
                                "units": [{"unit": "housing", "role": "lead"}],
                                "targets": [{"indicator": "pipes", "comparator": ">=", "value": 12}],
                            }
                        ],
                    }
                ]
            }
        ],
    }
    shape = shape_of_data(data)
    assert shape.goals[0].value == Decimal("83.3")
    assert (shape.tasks[0].number, shape.tasks[0].section, shape.tasks[0].units) == (
        3,
        "Sewers",
        frozenset({("housing", "lead")}),
    )
