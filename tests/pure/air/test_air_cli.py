"""`envplan air aqi|daily|annual` through main() with in-memory streams."""

import io
import json
from datetime import date, datetime, timedelta
from pathlib import Path

import polars as pl

from envplan.standards.air import validate_air_frame
from envplan.standards.air.aqi import IAQI_COLUMNS
from tests.commandline import in_group
from tests.pure.air.reference import reference_aqi

main = in_group("air")

REALTIME_HEADER = "station_code,time,pm25,pm10,so2,no2,co,o3\n"


def _run(argv: list[str], stdin: str = "") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(argv, stdout=out, stderr=err, stdin=io.StringIO(stdin))
    return code, out.getvalue(), err.getvalue()


def test_aqi_realtime_writes_one_row_per_input_row(tmp_path: Path):
    path = tmp_path / "hours.csv"
    path.write_text(REALTIME_HEADER + "1449A,2018-02-20T07:00:00,43,69,10,69,1.2,3\n", encoding="utf-8")

    code, out, err = _run(["aqi", str(path), "--kind", "realtime"])

    rows = pl.read_csv(io.StringIO(out)).to_dicts()
    assert (code, err) == (0, "")
    assert [(r["station_code"], r["aqi"], r["category"], r["primary"], r["edition"]) for r in rows] == [
        ("1449A", 60, 2, "pm25;pm10", "HJ633-2012")
    ]


def test_aqi_daily_from_stdin_with_edition_override():
    text = (
        "station_code,time,pm25,pm10,so2,no2,co,o3_8h,o3_1h,remark\nX,2025-06-01,80,120,20,45,1.2,150,150,a\n"
    )

    code, out, err = _run(["aqi", "-", "--kind", "daily", "--edition", "HJ633-2026"], stdin=text)

    row = pl.read_csv(io.StringIO(out)).row(0, named=True)
    assert (code, row["aqi"], row["edition"], row["iaqi_pm10"]) == (0, 119, "HJ633-2026", 100)
    assert err == "-: warning: ignoring unknown column(s): remark\n"


def test_aqi_bad_rows_are_reported_and_skipped_with_exit_code_1(tmp_path: Path):
    path = tmp_path / "bad.csv"
    path.write_text(
        REALTIME_HEADER
        + "A,2025-06-01T01:00,12,20,3,4,0.5,5\n"
        + "A,2025-06-01T01:00,12,20,3,4,0.5,5\n"
        + "B,2025-06-01T01:00,12,abc,3,4,800,5\n",
        encoding="utf-8",
    )

    code, out, err = _run(["aqi", str(path), "--kind", "realtime"])

    assert code == 1
    assert pl.read_csv(io.StringIO(out)).height == 1
    assert err.splitlines() == [
        f"{path}:3: time: duplicated station-hour (first on line 2)",
        f"{path}:4: pm10: not a number: 'abc'",
        f"{path}:4: co: CO 800 looks like µg/m³ (above 150 mg/m³); CO must be in mg/m³",
    ]


def test_aqi_daily_annual_with_every_row_refused_exit_2_and_write_nothing(tmp_path: Path):
    path = tmp_path / "bad.csv"
    path.write_text(REALTIME_HEADER + "A,2025-06-01T01:00,12,abc,3,4,0.5,5\n", encoding="utf-8")

    runs = [
        _run(["aqi", str(path), "--kind", "realtime"]),
        _run(["daily", str(path)]),
        _run(["annual", str(path), "--year", "2025"]),
    ]

    assert [(code, out) for code, out, _ in runs] == [(2, ""), (2, ""), (2, "")]
    for _, _, err in runs:
        assert err.splitlines() == [
            f"{path}:2: pm10: not a number: 'abc'",
            f"error: {path}: no row without an error (1 error(s)); nothing written",
        ]


def test_aqi_strict_rejects_the_whole_file(tmp_path: Path):
    path = tmp_path / "bad.csv"
    path.write_text(
        REALTIME_HEADER + "A,2025-06-01T01:00,-1,20,3,4,0.5,5\nA,2025-06-01T02:00,1,2,3,4,0.5,5\n"
    )

    code, out, err = _run(["aqi", str(path), "--kind", "realtime", "--strict"])

    assert (code, out) == (2, "")
    assert f"{path}:2: pm25: negative value -1" in err.splitlines()


def test_aqi_missing_file_and_usage_errors_return_2(tmp_path: Path):
    missing = _run(["aqi", str(tmp_path / "none.csv"), "--kind", "daily"])
    usage = _run(["aqi", "x.csv"])
    unknown = _run(["bogus"])

    assert (missing[0], missing[2]) == (2, f"error: {tmp_path / 'none.csv'}: file not found\n")
    assert usage[0] == 2 and "--kind" in usage[2]
    assert unknown[0] == 2


def test_aqi_missing_key_column_is_unusable(tmp_path: Path):
    path = tmp_path / "nokey.csv"
    path.write_text("time,pm25\n2025-06-01T01:00,3\n")

    code, out, err = _run(["aqi", str(path), "--kind", "realtime"])

    assert (code, out) == (2, "")
    assert f"{path}:1: station_code: missing column 'station_code'" in err.splitlines()


def _hourly_csv(
    path: Path, days: int, start: date = date(2025, 1, 1), stations: tuple[str, ...] = ("A",)
) -> None:
    first = datetime(start.year, start.month, start.day, 1)
    hours = [first + timedelta(hours=h) for h in range(days * 24)]
    frames = [
        pl.DataFrame({"station_code": s, "city": "C", "time": hours}).with_columns(
            pl.col("time").dt.strftime("%Y-%m-%dT%H:%M:%S"),
            pl.lit(30.0 if s == "A" else 40.0).alias("pm25"),
            pl.lit(50.0).alias("pm10"),
            pl.lit(8.0).alias("so2"),
            pl.lit(30.0).alias("no2"),
            pl.lit(0.6).alias("co"),
            pl.lit(80.0).alias("o3"),
        )
        for s in stations
    ]
    pl.concat(frames).write_csv(path)


def test_daily_command_outputs_one_row_per_station_day(tmp_path: Path):
    path = tmp_path / "hourly.csv"
    _hourly_csv(path, days=2)

    code, out, err = _run(["daily", str(path)])

    rows = pl.read_csv(io.StringIO(out))
    assert (code, err) == (0, "")
    assert rows.select("date", "pm25", "o3_8h", "valid_pm25", "aqi", "primary").rows() == [
        ("2025-01-01", 30.0, 80.0, True, 50, None),
        ("2025-01-02", 30.0, 80.0, True, 50, None),
    ]


def test_daily_command_json_format(tmp_path: Path):
    path = tmp_path / "hourly.csv"
    _hourly_csv(path, days=1)

    code, out, _ = _run(["daily", str(path), "--format", "json"])

    records = json.loads(out)
    assert (code, len(records), records[0]["date"], records[0]["co"]) == (0, 1, "2025-01-01", 0.6)


def test_annual_command_reports_stations_and_city(tmp_path: Path):
    path = tmp_path / "hourly.csv"
    _hourly_csv(path, days=365, stations=("A", "B"))

    code, out, err = _run(["annual", str(path), "--year", "2025"])

    rows = pl.read_csv(io.StringIO(out))
    assert (code, err) == (0, "")
    assert rows.select(
        "level", "city", "station", "pm25_mean", "pm25_p95", "valid_days", "good_days_ratio"
    ).rows() == [
        ("station", "C", "A", 30.0, 30.0, 365, 100.0),
        ("station", "C", "B", 40.0, 40.0, 365, 100.0),
        ("city", "C", None, 35.0, 35.0, 365, 100.0),
    ]
    assert rows.get_column("pm25_mean_compliant").to_list() == [True, False, True]


def test_annual_command_accepts_the_daily_output(tmp_path: Path):
    hourly = tmp_path / "hourly.csv"
    _hourly_csv(hourly, days=365)
    daily = tmp_path / "daily.csv"
    daily.write_text(_run(["daily", str(hourly)])[1], encoding="utf-8")

    code, out, err = _run(["annual", str(daily), "--year", "2025", "--format", "json"])

    record = json.loads(out)[0]
    assert (code, err) == (0, "")
    assert (record["pm25_mean"], record["co_p95"], record["o3_8h_p90"], record["limit_set"]) == (
        30.0,
        0.6,
        80.0,
        "GB3095-2012",
    )


def test_validate_air_frame_checks_known_stations():
    raw = pl.DataFrame(
        {"station_code": ["A", "Z"], "time": ["2025-06-01T01:00", "2025-06-01T01:00"], "pm25": ["1", "2"]}
    )

    result = validate_air_frame(raw, file="in.csv", kind="realtime", known_stations={"A"})

    assert result.errors.rows() == [("in.csv", 3, "station_code", "unknown station Z")]


def test_validate_air_frame_accepts_24_00_as_end_of_day():
    raw = pl.DataFrame({"station_code": ["A"], "time": ["2025-06-01 24:00"], "pm25": ["1"]})

    result = validate_air_frame(raw, file="in.csv", kind="realtime")

    assert result.errors.height == 0
    assert result.frame.get_column("time").to_list() == [datetime(2025, 6, 2, 0, 0)]


def test_validate_air_frame_converts_explicit_offsets_to_china_standard_time():
    raw = pl.DataFrame(
        {
            "station_code": ["A", "A", "A"],
            "time": ["2025-06-01T00:00:00Z", "2025-06-01T09:00+08:00", "2025-06-01T10:00"],
        }
    )

    result = validate_air_frame(raw, file="in.csv", kind="realtime")

    assert result.frame.get_column("time").to_list() == [
        datetime(2025, 6, 1, 8),
        datetime(2025, 6, 1, 9),
        datetime(2025, 6, 1, 10),
    ]


def test_aqi_many_bad_rows_prints_a_thousand_errors_and_the_count(tmp_path: Path):
    bad = "".join(f"S{n},2025-06-01T01:00,x{n},20,3,4,0.5,5\n" for n in range(5_000))
    path = tmp_path / "many.csv"
    path.write_text(REALTIME_HEADER + "A,2025-06-01T02:00,12,20,3,4,0.5,5\n" + bad, encoding="utf-8")

    code, out, err = _run(["aqi", str(path), "--kind", "realtime"])

    lines = err.splitlines()
    assert code == 1  # the bad rows are reported and skipped
    assert pl.read_csv(io.StringIO(out)).height == 1
    assert len(lines) == 1_001
    assert lines[0] == f"{path}:3: pm25: not a number: 'x0'"
    assert lines[-1] == "… and 4,000 more errors"


def test_aqi_command_output_equals_the_oracle_on_both_sides_of_2026_03_01(tmp_path: Path):
    # 300 hours of 3 stations across the change of edition, values with missing ones, one in 0.1 steps.
    start = datetime(2026, 2, 25, 1)
    rows = [
        (f"S{s}", start + timedelta(hours=h), *[(h * 7 + s * 13 + k * 29) % (90 + 40 * k) for k in range(6)])
        for s in range(3)
        for h in range(300)
    ]
    frame = pl.DataFrame(
        rows, schema=["station_code", "time", "pm25", "pm10", "so2", "no2", "co", "o3"], orient="row"
    ).with_columns(
        pl.col("co") / 10,
        pl.when(pl.col("pm10") % 11 == 0).then(None).otherwise(pl.col("pm10")).alias("pm10"),
    )
    path = tmp_path / "hours.csv"
    frame.with_columns(pl.col("time").dt.strftime("%Y-%m-%dT%H:%M:%S")).write_csv(path)

    code, out, err = _run(["aqi", str(path), "--kind", "realtime", "--missing", "blank"])

    expected = reference_aqi(frame, kind="realtime", missing="blank").collect()
    columns = ["station_code", "time", "aqi", "category", "primary", "edition", *IAQI_COLUMNS]
    text = expected.select(columns).with_columns(pl.col("time").dt.strftime("%Y-%m-%dT%H:%M:%S")).write_csv()
    assert (code, err) == (0, "")
    assert out == text
    assert set(expected.get_column("edition")) == {"HJ633-2012", "HJ633-2026"}
