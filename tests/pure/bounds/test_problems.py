"""envplan.problems: the first problems kept, all of them counted."""

from __future__ import annotations

import pytest

from envplan.problems import DEFAULT_LIMIT, ProblemList


def test_problem_list_collect_keeps_the_first_thousand_and_counts_all() -> None:
    problems = ProblemList.collect(f"line {n}" for n in range(934_004))

    assert (len(problems.kept), problems.total, problems.more) == (DEFAULT_LIMIT, 934_004, 933_004)
    assert (problems.kept[0], problems.kept[-1]) == ("line 0", "line 999")
    assert problems.summary() == "… and 933,004 more"
    assert problems.summary("error", "errors") == "… and 933,004 more errors"


def test_problem_list_under_the_limit_keeps_everything_and_says_nothing_more() -> None:
    problems = ProblemList.collect(["a", "b"], limit=3)

    assert (problems.kept, problems.total, problems.more, problems.summary()) == (("a", "b"), 2, 0, "")
    assert problems.lines(str.upper) == ["A", "B"]
    assert bool(problems) is True
    assert bool(ProblemList.collect([])) is False


def test_problem_list_lines_end_with_the_count_of_the_others() -> None:
    problems = ProblemList.collect(range(5), limit=2)

    assert problems.lines(lambda n: f"row {n}", "error", "errors") == [
        "row 0",
        "row 1",
        "… and 3 more errors",
    ]
    assert ProblemList.collect(range(3), limit=2).summary("error", "errors") == "… and 1 more error"


def test_problem_list_first_takes_a_head_and_a_known_total() -> None:
    problems = ProblemList.first(iter(range(10)), total=50_000, limit=4)

    assert (problems.kept, problems.total) == ((0, 1, 2, 3), 50_000)


def test_problem_list_refuses_a_total_below_what_it_keeps() -> None:
    with pytest.raises(ValueError, match="total 1 is less than the 2 problems kept"):
        ProblemList(("a", "b"), 1)


def test_problem_list_restore_bounds_lists_stored_before_the_limit() -> None:
    old = ProblemList.restore([{"line": n} for n in range(2_500)])
    new = ProblemList.restore([{"line": 2}], 7)

    assert (len(old.kept), old.total, old.kept[-1]) == (DEFAULT_LIMIT, 2_500, {"line": 999})
    assert (new.kept, new.total, new.more) == (({"line": 2},), 7, 6)
