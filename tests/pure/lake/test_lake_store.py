"""The Parquet lake: append, scan, DuckDB query, compaction, de-duplication, atomic writes."""

from datetime import date, datetime
from pathlib import Path

import polars as pl
import pytest

from envplan.lake import Lake, LakeError


def _hours(values: list[float], *, day: int = 1, station: str = "A") -> pl.DataFrame:
    return pl.DataFrame(
        {
            "station_code": [station] * len(values),
            "time": [datetime(2025, 6, day, h + 1) for h in range(len(values))],
            "pm25": values,
        }
    )


def _partition_files(lake: Lake, kind: str) -> list[str]:
    return sorted(str(p.path.relative_to(lake.root)).split("/part-")[0] for p in lake.files(kind))


def test_lake_append_writes_one_file_per_date_partition(tmp_path: Path):
    lake = Lake(tmp_path)
    frame = pl.concat([_hours([1.0, 2.0], day=1), _hours([3.0], day=2)])

    written = lake.append("air_hourly", frame, date_column="time")

    assert sorted(str(p.parent.relative_to(tmp_path)) for p in written) == [
        "air_hourly/date=2025-06-01",
        "air_hourly/date=2025-06-02",
    ]


def test_lake_scan_returns_rows_with_the_hive_date_column(tmp_path: Path):
    lake = Lake(tmp_path)
    lake.append(
        "air_hourly", pl.concat([_hours([1.0, 2.0], day=1), _hours([3.0], day=2)]), date_column="time"
    )

    result = lake.scan("air_hourly").sort("time").collect()

    assert result.get_column("pm25").to_list() == [1.0, 2.0, 3.0]
    assert result.get_column("date").to_list() == [date(2025, 6, 1), date(2025, 6, 1), date(2025, 6, 2)]


def test_lake_date_column_is_stored_in_the_path_only(tmp_path: Path):
    lake = Lake(tmp_path)
    frame = pl.DataFrame({"station_code": ["A"], "date": [date(2025, 6, 1)], "aqi": [40]})

    (written,) = lake.append("air_daily", frame)

    assert pl.read_parquet(written).columns == ["station_code", "aqi"]
    assert lake.scan("air_daily").collect().rows() == [("A", 40, date(2025, 6, 1))]


def test_lake_accepts_a_file_url(tmp_path: Path):
    lake = Lake(f"file://{tmp_path}")
    lake.append("air_hourly", _hours([5.0]), date_column="time")

    assert Lake(tmp_path).scan("air_hourly").collect().height == 1


def test_lake_rejects_other_url_schemes_and_bad_kinds(tmp_path: Path):
    with pytest.raises(LakeError, match="scheme"):
        Lake("ftp://host/lake")
    with pytest.raises(LakeError, match="kind"):
        Lake(tmp_path).append("../etc", _hours([1.0]), date_column="time")


def test_lake_scan_unique_on_keeps_the_last_written_row(tmp_path: Path):
    lake = Lake(tmp_path)
    lake.append("air_hourly", _hours([1.0, 2.0]), date_column="time")
    lake.append("air_hourly", _hours([10.0]), date_column="time")  # corrects 01:00

    result = lake.scan("air_hourly", unique_on=["station_code", "time"]).sort("time").collect()

    assert result.get_column("pm25").to_list() == [10.0, 2.0]


def test_lake_scan_unique_on_keeps_the_last_row_within_one_file(tmp_path: Path):
    lake = Lake(tmp_path)
    frame = pl.DataFrame(
        {"station_code": ["A", "A"], "time": [datetime(2025, 6, 1, 1)] * 2, "pm25": [1.0, 7.0]}
    )
    lake.append("air_hourly", frame, date_column="time")

    result = lake.scan("air_hourly", unique_on=["station_code", "time"]).collect()

    assert result.get_column("pm25").to_list() == [7.0]


def test_lake_compact_merges_files_of_a_partition_and_deduplicates(tmp_path: Path):
    lake = Lake(tmp_path)
    for values in ([1.0, 2.0], [10.0], [20.0, 30.0, 40.0]):
        lake.append("air_hourly", _hours(values), date_column="time")
    lake.append("air_hourly", _hours([9.0], day=2), date_column="time")

    rewritten = lake.compact("air_hourly", unique_on=["station_code", "time"])

    assert rewritten == 1
    assert _partition_files(lake, "air_hourly") == [
        "air_hourly/date=2025-06-01",
        "air_hourly/date=2025-06-02",
    ]
    result = lake.scan("air_hourly").sort("time").collect()
    assert result.get_column("pm25").to_list() == [20.0, 30.0, 40.0, 9.0]


def test_lake_append_after_compaction_still_wins(tmp_path: Path):
    lake = Lake(tmp_path)
    lake.append("air_hourly", _hours([1.0]), date_column="time")
    lake.append("air_hourly", _hours([2.0]), date_column="time")
    lake.compact("air_hourly", unique_on=["station_code", "time"])
    lake.append("air_hourly", _hours([3.0]), date_column="time")

    result = lake.scan("air_hourly", unique_on=["station_code", "time"]).collect()

    assert result.get_column("pm25").to_list() == [3.0]


def test_lake_compaction_interrupted_before_unlink_shows_no_duplicates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    lake = Lake(tmp_path)
    lake.append("air_hourly", _hours([1.0]), date_column="time")
    lake.append("air_hourly", _hours([2.0], day=1, station="B"), date_column="time")

    def crash(self: Path, missing_ok: bool = False) -> None:
        raise OSError("simulated crash after the commit rename")

    monkeypatch.setattr(Path, "unlink", crash)
    with pytest.raises(OSError, match="simulated"):
        lake.compact("air_hourly")
    monkeypatch.undo()

    assert len(lake.files("air_hourly")) == 3  # the compacted file plus the two superseded ones
    assert lake.scan("air_hourly").sort("station_code").collect().get_column("pm25").to_list() == [1.0, 2.0]
    assert lake.query("select count(*) as n from air_hourly").item() == 2


def test_lake_failed_write_leaves_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    lake = Lake(tmp_path)

    def broken_replace(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr("envplan.lake.store.os.replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        lake.append("air_hourly", _hours([1.0]), date_column="time")
    monkeypatch.undo()

    partition = tmp_path / "air_hourly" / "date=2025-06-01"
    assert list(partition.iterdir()) == []
    assert lake.scan("air_hourly").collect().height == 0


def test_lake_query_runs_duckdb_sql_over_kinds(tmp_path: Path):
    lake = Lake(tmp_path)
    lake.append("air_hourly", pl.concat([_hours([1.0, 3.0]), _hours([5.0], station="B")]), date_column="time")

    result = lake.query(
        "select station_code, avg(pm25) as mean, min(date) as day from air_hourly group by 1 order by 1"
    )

    assert result.rows() == [("A", 2.0, date(2025, 6, 1)), ("B", 5.0, date(2025, 6, 1))]


def test_lake_append_requires_a_date_partition_column(tmp_path: Path):
    with pytest.raises(LakeError, match="no column 'date'"):
        Lake(tmp_path).append("air_hourly", _hours([1.0]))


def test_landing_log_import_does_not_load_polars() -> None:
    # A receiver process imports only the landing log; Polars would add tens of MiB to each.
    import subprocess
    import sys

    code = "import sys, envplan.lake.landing; print('polars' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "False", result.stderr
