"""The frames behind a finding: as received from the landing folder, or as the lake stores them."""

from __future__ import annotations

import datetime as dt
import os

from envplan.cases.frames import frames_for, received_frames, stored_frames
from envplan.hj212.codes import Edition
from envplan.hj212.replies import build_frame, data_cp
from envplan.hj212.segment import Flag
from envplan.lake.landing import LandingLog
from envplan.sources.demo_data import DOCTORED_MN
from envplan.sources.services import landing_dir
from tests.cases.conftest import ZONE

HELD_START = dt.datetime(2025, 10, 11, 8, tzinfo=ZONE)


def test_frames_as_received_come_from_the_landing_folder(demo):
    frames = received_frames(DOCTORED_MN, HELD_START, HELD_START + dt.timedelta(hours=2))

    assert [f.time for f in frames] == [HELD_START + dt.timedelta(hours=h) for h in range(3)]
    assert all(f.as_received for f in frames)
    assert frames[0].text.startswith("##")
    assert "DataTime=20251011080000" in frames[0].text
    assert "a21002-Avg=35.20" in frames[0].text
    assert "PW=******;" in frames[0].text and "123456" not in frames[0].text
    assert frames[0].received == HELD_START + dt.timedelta(minutes=2)


def test_frames_as_stored_come_from_the_lake_when_the_landing_files_are_gone(demo):
    for path in (landing_dir() / "moved").iterdir():
        path.unlink()

    frames = frames_for(DOCTORED_MN, HELD_START, HELD_START + dt.timedelta(hours=1))

    assert [f.as_received for f in frames] == [False, False]
    assert frames[0].text.startswith(
        "QN=20251011080000000;ST=31;CN=2061;PW=******;MN=150203A89000000000000901;"
    )
    assert "a21002-Avg=35.2,a21002-ZsAvg=" in frames[0].text
    assert frames[0].text.endswith("&&")


def test_frames_skip_landing_files_written_long_before_the_span(demo):
    old = (dt.datetime(2025, 1, 1, tzinfo=ZONE)).timestamp()
    for path in (landing_dir() / "moved").iterdir():
        os.utime(path, (old, old))

    assert received_frames(DOCTORED_MN, HELD_START, HELD_START + dt.timedelta(hours=1)) == []
    assert len(stored_frames(DOCTORED_MN, HELD_START, HELD_START + dt.timedelta(hours=1))) == 2


def test_frames_are_capped(demo):
    frames = frames_for(DOCTORED_MN, HELD_START, HELD_START + dt.timedelta(days=5), limit=10)

    assert len(frames) == 10
    assert frames[-1].time == HELD_START + dt.timedelta(hours=9)


def test_frames_do_not_read_files_received_long_after_the_frames_found(demo):
    # A later landing file (history re-sent ten days on) holding an extra frame inside the span: once the
    # first three frames are found, that file, first received well after them, is not opened.
    resent = dt.datetime(2025, 10, 11, 8, 30, tzinfo=ZONE)
    flag = Flag.build(Edition.HJ212_2017, reply_requested=True)
    stamp = resent.strftime("%Y%m%d%H%M%S")
    cp = data_cp(stamp, {"a21002": {"Avg": "35.20", "Flag": "N"}})
    frame = build_frame(qn=stamp + "000", st="31", cn="2061", pw="123456", mn=DOCTORED_MN, flag=flag, cp=cp)
    log = LandingLog(landing_dir(), prefix="later")
    received = resent + dt.timedelta(days=10)
    log.append(frame, received_ns=int(received.timestamp() * 1e9), peer="t", meta={"mn": DOCTORED_MN})
    log.close()

    few = received_frames(DOCTORED_MN, HELD_START, HELD_START + dt.timedelta(days=5), limit=3)
    more = received_frames(DOCTORED_MN, HELD_START, HELD_START + dt.timedelta(hours=1), limit=10)

    assert [f.time.hour for f in few] == [8, 9, 10]
    assert [(f.time.hour, f.time.minute) for f in more] == [(8, 0), (8, 30), (9, 0)]
