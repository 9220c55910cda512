"""Reporting-period arithmetic (pure)."""

from __future__ import annotations

import datetime as dt

import pytest

from envplan.progress import periods

D = dt.date


@pytest.mark.parametrize(
    ("day", "frequency", "expected"),
    [
        (D(2025, 6, 17), "monthly", D(2025, 6, 1)),
        (D(2025, 6, 17), "quarterly", D(2025, 4, 1)),
        (D(2025, 12, 31), "quarterly", D(2025, 10, 1)),
        (D(2025, 1, 1), "quarterly", D(2025, 1, 1)),
    ],
)
def test_period_of_names_the_period_by_its_first_day(day, frequency, expected):
    assert periods.period_of(day, frequency) == expected


def test_next_and_previous_period_cross_the_year():
    assert periods.next_period(D(2025, 12, 1)) == D(2026, 1, 1)
    assert periods.previous_period(D(2025, 1, 1)) == D(2024, 12, 1)
    assert periods.next_period(D(2025, 11, 1), "quarterly") == D(2026, 1, 1)
    assert periods.previous_period(D(2025, 2, 1), "quarterly") == D(2024, 10, 1)


def test_periods_between_lists_each_period_once_in_order():
    assert periods.periods_between(D(2025, 11, 1), D(2026, 2, 1)) == [
        D(2025, 11, 1),
        D(2025, 12, 1),
        D(2026, 1, 1),
        D(2026, 2, 1),
    ]
    assert periods.periods_between(D(2025, 1, 1), D(2025, 12, 1), "quarterly") == [
        D(2025, 1, 1),
        D(2025, 4, 1),
        D(2025, 7, 1),
        D(2025, 10, 1),
    ]


def test_due_date_is_in_the_month_after_the_period_ends():
    assert periods.due_date(D(2025, 12, 1), due_day=25) == D(2026, 1, 25)
    assert periods.due_date(D(2025, 4, 1), due_day=10, frequency="quarterly") == D(2025, 7, 10)
    with pytest.raises(ValueError):
        periods.due_date(D(2025, 4, 1), due_day=31)


def test_is_closed_through_a_period_includes_it():
    assert periods.is_closed(D(2025, 3, 1), D(2025, 3, 1))
    assert not periods.is_closed(D(2025, 4, 1), D(2025, 3, 1))
    assert not periods.is_closed(D(2025, 4, 1), None)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2025-06", D(2025, 6, 1)),
        (" 2025-6 ", D(2025, 6, 1)),
        (dt.datetime(2025, 6, 9, 8, 0), D(2025, 6, 1)),
        (D(2025, 6, 9), D(2025, 6, 1)),
        ("2025-13", None),
        ("2025-00", None),
        ("June", None),
        ("2025-06-01", None),
        (202506, None),
        (None, None),
    ],
)
def test_parse_period_reads_year_month_and_dates(value, expected):
    assert periods.parse_period(value) == expected
