"""Commands: bad input is a clear message and exit code 2; check/simulate go to the pure CLI."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

from envplan.hj212.replies import build_frame
from envplan.hj212.simulator import device_frames
from envplan.sources.models import Device
from tests.commandline import in_group
from tests.sources.conftest import DATA
from tests.sources.test_ingest import landing_files
from tests.sources.test_services import CST, store_so2
from tests.world import set_today

hj212_main = in_group("hj212")
main = in_group("sources")
readings_main = in_group("readings")


def run(entry, argv: list[str]) -> tuple[int, str, str]:  # type: ignore[no-untyped-def]
    out, err = io.StringIO(), io.StringIO()
    code = entry(argv, stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_readings_export_unknown_kind_is_a_usage_error(db: None):
    code, out, err = run(readings_main, ["export", "--mn", "X", "--kind", "weekly"])

    assert (code, out) == (2, "")
    assert "--kind" in err


def test_readings_export_bad_start_names_the_option(db: None):
    code, _, err = run(readings_main, ["export", "--mn", "X", "--kind", "hourly", "--start", "yesterday"])

    assert code == 2
    assert err.strip() == "envplan readings export: --start: not a date or date-time: 'yesterday'"


def test_readings_export_of_an_empty_lake_is_a_header(db: None):
    code, out, _ = run(readings_main, ["export", "--mn", "X", "--kind", "daily", "--format", "csv"])

    assert (code, out.splitlines()) == (0, ["mn,kind,time,factor,field,value,flag,variants"])


def test_sources_ingest_missing_folder_is_an_error(db: None, tmp_path: Path):
    code, _, err = run(main, ["ingest", "--landing", str(tmp_path / "nope")])

    assert code == 2
    assert "no such folder" in err


def test_sources_ingest_of_an_empty_folder_stores_nothing(db: None, tmp_path: Path):
    code, out, _ = run(main, ["ingest", "--landing", str(tmp_path)])

    assert (code, out.strip()) == (
        0,
        "0 landing files, 0 frames, 0 values stored, 0 quarantined frames, 0 unusable frames, "
        "0 frames with warnings",
    )


def test_hj212_serve_bad_port_is_a_usage_error(db: None):
    code, _, err = run(hj212_main, ["serve", "--port", "70000"])

    assert code == 2
    assert "70000" in err


def test_hj212_serve_bad_limits_are_usage_errors(db: None):
    runs = [
        run(hj212_main, ["serve", "--port", "0", "--max-connections", "-1"]),
        run(hj212_main, ["serve", "--port", "0", "--rotate", "0"]),  # the former name of --rotate-seconds
    ]

    assert [(code, out, err) for code, out, err in runs] == [
        (2, "", "envplan hj212 serve: --max-connections must be at least 1, not -1\n"),
        (2, "", "envplan hj212 serve: --rotate-seconds must be positive, not 0.0\n"),
    ]


def test_hj212_check_goes_to_the_pure_command():
    code, out, _ = run(hj212_main, ["check", str(DATA / "samples.txt"), "--accept-crc-variants"])

    assert code == 0
    assert out.count('"ok": true') >= 10


def test_sources_ingest_with_an_unusable_frame_exits_1_and_its_json_counts_it(device: Device, tmp_path: Path):
    cp = "DataTime=20260101250000;a21026-Avg=1.5,a21026-Flag=N"  # hour 25: not a time
    broken = build_frame(qn="20260101080000001", st="31", cn="2061", mn=device.mn, flag=5, cp=cp)
    landing_files(tmp_path / "landing", [[broken, *[frame for _, frame in device_frames(1, 2)]]])

    code, out, err = run(main, ["ingest", "--landing", str(tmp_path / "landing"), "--json"])

    summary = json.loads(out)
    assert (code, err) == (1, "")
    assert list(summary) == [
        "files", "frames", "rows", "quarantined_frames", "unusable", "unusable_total", "warnings",
        "warnings_total", "variants",
    ]  # fmt: skip
    assert (summary["files"], summary["frames"], summary["unusable_total"]) == (1, 3, 1)
    assert summary["unusable"] == ["frame 0: cp: time '20260101250000' is not a valid date"]


def test_sources_exceedances_exit_1_when_found_and_0_when_not(device: Device):
    start = dt.datetime(2025, 3, 1, tzinfo=CST)
    store_so2(device.mn, start, [30, 36, 37, 20, 50])
    set_today(dt.date(2025, 3, 1))

    found = run(main, ["exceedances", "--days", "1", "--json"])
    set_today(dt.date(2025, 3, 10))
    quiet_days = run(main, ["exceedances", "--days", "1"])

    document = json.loads(found[1])
    assert (found[0], found[2], quiet_days) == (
        1,
        "",
        (0, "0 exceedance events from 2025-03-10 to 2025-03-11\n", ""),
    )
    assert (document["start"], document["end"]) == ("2025-03-01T00:00:00+08:00", "2025-03-02T00:00:00+08:00")
    assert [(e["factor"], e["start"], e["hours"], e["max_value"]) for e in document["events"]] == [
        ("a21026", "2025-03-01T01:00:00+08:00", 2, 37.0),
        ("a21026", "2025-03-01T04:00:00+08:00", 1, 50.0),
    ]
