"""The lake on an object store (S3 API), against moto's S3 server on the loopback: the same operations
give the same rows as in a local folder, and the apps read and write it through ENVPLAN_LAKE_URL."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import boto3
import polars as pl
import pytest

from envplan.lake import Lake, LakeError

pytestmark = pytest.mark.once  # its own S3 server; the app test repeats nothing PostgreSQL-specific


def hours(values: list[float], *, day: int = 1, station: str = "A") -> pl.DataFrame:
    return pl.DataFrame(
        {
            "station_code": [station] * len(values),
            "time": [datetime(2025, 6, day, h + 1) for h in range(len(values))],
            "pm25": values,
        }
    )


def fill(lake: Lake) -> None:
    lake.append("air_hourly", pl.concat([hours([1.0, 2.0]), hours([3.0], day=2)]), date_column="time")
    lake.append("air_hourly", hours([9.0], station="A"), date_column="time")  # the same key again, later
    lake.append("air_hourly", hours([5.0], station="B"), date_column="time")


def keys(bucket: str, endpoint: str) -> list[str]:
    listing = boto3.client("s3", endpoint_url=endpoint).list_objects_v2(Bucket=bucket)
    return sorted(item["Key"] for item in listing.get("Contents", []))


def test_object_store_lake_writes_hive_partitions_under_the_prefix(s3_bucket: str, s3_endpoint: str):
    lake = Lake(f"s3://{s3_bucket}/district/lake")

    lake.append("air_hourly", pl.concat([hours([1.0]), hours([3.0], day=2)]), date_column="time")

    assert [key.rsplit("/part-", 1)[0] for key in keys(s3_bucket, s3_endpoint)] == [
        "district/lake/air_hourly/date=2025-06-01",
        "district/lake/air_hourly/date=2025-06-02",
    ]
    assert lake.remote
    assert lake.kinds() == ["air_hourly"]


def test_object_store_lake_reads_as_the_local_lake_does(s3_bucket: str, tmp_path: Path):
    remote, local = Lake(f"s3://{s3_bucket}/lake"), Lake(tmp_path)
    fill(remote)
    fill(local)

    def read(lake: Lake) -> list[tuple[object, ...]]:
        return (
            lake.scan("air_hourly", unique_on=["station_code", "time"])
            .sort("station_code", "time")
            .collect()
            .rows()
        )

    assert read(remote) == read(local)
    assert read(remote) == [
        ("A", datetime(2025, 6, 1, 1), 9.0, date(2025, 6, 1)),
        ("A", datetime(2025, 6, 1, 2), 2.0, date(2025, 6, 1)),
        ("A", datetime(2025, 6, 2, 1), 3.0, date(2025, 6, 2)),
        ("B", datetime(2025, 6, 1, 1), 5.0, date(2025, 6, 1)),
    ]
    sql = "select station_code, count(*) as n from air_hourly group by 1 order by 1"
    assert remote.query(sql).rows() == local.query(sql).rows() == [("A", 4), ("B", 1)]


def test_object_store_lake_compaction_commits_one_object_and_deletes_the_others(
    s3_bucket: str, s3_endpoint: str
):
    lake = Lake(f"s3://{s3_bucket}/lake")
    fill(lake)
    before = (
        lake.scan("air_hourly", unique_on=["station_code", "time"]).sort("station_code", "time").collect()
    )

    rewritten = lake.compact("air_hourly", unique_on=["station_code", "time"])

    assert rewritten == 1  # 1 June had three files; 2 June, one file without duplicates, stays
    assert len(keys(s3_bucket, s3_endpoint)) == 2
    after = lake.scan("air_hourly").sort("station_code", "time").collect()
    assert after.equals(before)


def test_object_store_lake_copies_part_files_byte_for_byte(s3_bucket: str, tmp_path: Path):
    remote = Lake(f"s3://{s3_bucket}/lake")
    fill(remote)
    copy = Lake(tmp_path / "copy")

    for part in remote.files("air_hourly"):
        copy.put_bytes("air_hourly", part.partition, part.path.name, remote.read_bytes(part))

    assert [p.path.name for p in copy.files("air_hourly")] == [
        p.path.name for p in remote.files("air_hourly")
    ]
    assert copy.scan("air_hourly", unique_on=["station_code", "time"]).collect().height == 4


def test_object_store_lake_url_needs_a_bucket():
    with pytest.raises(LakeError, match="bucket"):
        Lake("s3:///lake")


def test_object_store_lake_serves_the_air_app(s3_bucket: str, settings, db: None):
    from envplan.air import lake as air_lake

    settings.LAKE_URL = f"s3://{s3_bucket}/air"
    rows = (
        hours([10.0, 20.0])
        .with_columns(
            **{p: pl.lit(1.0) for p in ("pm10", "so2", "no2", "co", "o3")},
            city=pl.lit("Baotou"),
            generated=pl.lit(False),
            import_id=pl.lit(1, dtype=pl.Int64),
        )
        .select(list(air_lake.HOURLY_SCHEMA))
    )
    air_lake.lake().append(air_lake.HOURLY, rows, date_column="time")

    stored = air_lake.hourly(end=datetime(2025, 6, 1, 1)).collect()

    assert stored.select("station_code", "time", "pm25").rows() == [("A", datetime(2025, 6, 1, 1), 10.0)]
