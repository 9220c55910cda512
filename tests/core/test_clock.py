"""The application clock: the demo's pinned moment does not follow the wall clock's hour."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
import time_machine

from envplan.core import clock

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize("hour", [0, 9, 23])
def test_now_pinned_date_stands_at_noon_whatever_the_hour(db, hour):
    clock.pin(dt.date(2025, 10, 20))

    with time_machine.travel(dt.datetime(2026, 12, 2, hour, 30, tzinfo=SHANGHAI), tick=False):
        now = clock.now()

    assert now == dt.datetime(2025, 10, 20, 12, 0, tzinfo=SHANGHAI)
    assert clock.today() == dt.date(2025, 10, 20)


def test_pin_with_a_moment_keeps_its_local_time_of_day(db):
    clock.pin(dt.datetime(2025, 10, 20, 4, 15, tzinfo=dt.UTC))

    assert clock.now() == dt.datetime(2025, 10, 20, 12, 15, tzinfo=SHANGHAI)


def test_now_without_pin_follows_the_frozen_wall_clock(db):
    with time_machine.travel(dt.datetime(2026, 3, 1, 23, 5, tzinfo=SHANGHAI), tick=False):
        assert clock.now() == dt.datetime(2026, 3, 1, 23, 5, tzinfo=SHANGHAI)
        assert clock.today() == dt.date(2026, 3, 1)
