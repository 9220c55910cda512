"""Air services: stations, hourly imports into the lake (our CSV and CNEMC releases), daily evaluation."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest

from envplan.air import lake as air_lake
from envplan.air.models import AirImport, ImportStatus, Station
from envplan.air.services import AirError, create_station, evaluate_days, import_hourly, update_station
from envplan.core.models import AuditEntry
from tests.air.conftest import DATA

HEADER = "station_code,time,pm25,pm10,so2,no2,co,o3\n"


def write(tmp_path: Path, text: str, name: str = "hours.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def stored() -> pl.DataFrame:
    return air_lake.hourly().collect().sort("station_code", "time")


def test_import_hourly_csv_stores_rows_with_city(stations, tmp_path):
    path = write(
        tmp_path,
        HEADER + "1585A,2025-10-20T01:00:00,35,60,8,30,0.6,40\n1586A,2025-10-20T01:00:00,,70,9,31,0.7,41\n",
    )

    record = import_hourly(path, by=None)

    rows = stored()
    assert (record.status, record.rows, record.errors) == (ImportStatus.STORED, 2, [])
    assert rows.select("station_code", "city", "pm25", "co", "generated").rows() == [
        ("1585A", "Baotou", 35.0, 0.6, False),
        ("1586A", "Baotou", None, 0.7, False),
    ]


def test_import_hourly_cnemc_takes_latest_1h_o3_from_the_swapped_column(stations, tmp_path):
    source = DATA / "cnemc_selected_rows_baotou_and_edge_cases.csv"

    record = import_hourly(source, by=None, fmt="cnemc")

    rows = stored().filter(pl.col("station_code") == "1585A")
    # 2017-07-07 16:00, 1585A: o3_24h (latest 1-h) = 137; 2018-02-20 07:00: o3_24h = 66, o3 (day max) = 93.
    assert rows.select("time", "o3").rows() == [
        (dt.datetime(2017, 7, 7, 16), 137.0),
        (dt.datetime(2018, 2, 20, 7), 66.0),
    ]
    assert record.status == ImportStatus.PARTIAL  # the other cities' stations are unknown here


def test_import_hourly_unknown_station_is_reported_with_file_line_and_field(stations, tmp_path):
    path = write(
        tmp_path, HEADER + "1585A,2025-10-20T01:00,35,60,8,30,0.6,40\nX999,2025-10-20T01:00,1,2,3,4,0.5,6\n"
    )

    record = import_hourly(path, by=None)

    assert record.errors == [
        {"file": "hours.csv", "line": 3, "field": "station_code", "message": "unknown station X999"}
    ]
    assert (record.status, record.rows, stored().height) == (ImportStatus.PARTIAL, 1, 1)


def test_import_hourly_reports_every_kind_of_bad_value(stations, tmp_path):
    path = write(
        tmp_path,
        HEADER
        + "1585A,2025-10-20T01:00,abc,60,8,30,0.6,40\n"
        + "1585A,2025-10-20T02:00,35,-4,8,30,0.6,40\n"
        + "1585A,2025-10-20T03:00,35,60,8,30,600,40\n"
        + "1585A,2025-10-20T04:00,35,60,8,30,0.6,40\n"
        + "1585A,2025-10-20T04:00,36,60,8,30,0.6,40\n",
    )

    record = import_hourly(path, by=None)

    assert [(e["line"], e["field"]) for e in record.errors] == [
        (2, "pm25"),
        (3, "pm10"),
        (4, "co"),
        (6, "time"),
    ]
    assert record.errors[2]["message"].startswith("CO 600 looks like µg/m³")
    assert stored().select("time", "pm25").rows() == [(dt.datetime(2025, 10, 20, 4), 35.0)]


def test_import_hourly_strict_stores_nothing_when_a_row_is_bad(stations, tmp_path):
    path = write(
        tmp_path,
        HEADER + "1585A,2025-10-20T01:00,35,60,8,30,0.6,40\n1585A,2025-10-20T02:00,-1,60,8,30,0.6,40\n",
    )

    record = import_hourly(path, by=None, strict=True)

    assert (record.status, record.rows, len(record.errors)) == (ImportStatus.REJECTED, 0, 1)
    assert stored().height == 0


def test_import_hourly_same_rows_twice_are_not_doubled(stations, tmp_path):
    path = write(
        tmp_path,
        HEADER + "1585A,2025-10-20T01:00,35,60,8,30,0.6,40\n1585A,2025-10-20T02:00,36,60,8,30,0.6,40\n",
    )
    import_hourly(path, by=None)
    files_before = len(air_lake.lake().live_files(air_lake.HOURLY))

    import_hourly(path, by=None)

    assert stored().height == 2
    assert len(air_lake.lake().live_files(air_lake.HOURLY)) == files_before


def test_import_hourly_corrected_value_replaces_the_old_one(stations, tmp_path):
    import_hourly(write(tmp_path, HEADER + "1585A,2025-10-20T01:00,35,60,8,30,0.6,40\n"), by=None)

    import_hourly(write(tmp_path, HEADER + "1585A,2025-10-20T01:00,38,60,8,30,0.6,40\n", "fix.csv"), by=None)

    assert stored().select("pm25").rows() == [(38.0,)]


def test_import_hourly_missing_pollutant_column_rejects_the_file(stations, tmp_path):
    path = write(tmp_path, "station_code,time,pm25\n1585A,2025-10-20T01:00,35\n")

    record = import_hourly(path, by=None)

    assert record.status == ImportStatus.REJECTED
    assert [(e["line"], e["field"]) for e in record.errors[:2]] == [(1, "pm10"), (1, "so2")]


def test_import_hourly_unreadable_file_raises_air_error(stations, tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"features": [', encoding="utf-8")

    with pytest.raises(AirError) as caught:
        import_hourly(path, by=None, fmt="cnemc")

    assert str(caught.value).startswith("broken.json, line 1: not a readable cnemc file")
    assert AirImport.objects.count() == 0


def test_import_hourly_writes_an_audit_entry(stations, tmp_path, django_user_model):
    user = django_user_model.objects.create_user("officer")
    path = write(tmp_path, HEADER + "1585A,2025-10-20T01:00,35,60,8,30,0.6,40\n")

    record = import_hourly(path, by=user)

    entry = AuditEntry.objects.get(action="air.hourly_imported")
    assert (entry.actor, entry.target_id, entry.after["rows"]) == (user, str(record.pk), 1)


def test_create_station_rejects_latitude_out_of_range(db):
    with pytest.raises(AirError) as caught:
        create_station(by=None, code="X1", name="X", city="Baotou", latitude="95")

    assert str(caught.value) == "latitude: 95 is outside -90..90"
    assert Station.objects.count() == 0


def test_update_station_records_before_and_after(stations):
    station = stations[0]

    update_station(station, by=None, district="Kundulun", latitude="40.6532")

    entry = AuditEntry.objects.get(action="air.station_updated")
    assert (entry.before["district"], entry.after["district"]) == ("", "Kundulun")
    assert Station.objects.get(code="1585A").latitude == Decimal("40.653200")


def _day_of_hours(code: str, day: dt.date, pm25: float) -> str:
    """24 hours (01:00 … 24:00) of one station with constant values."""
    start = dt.datetime.combine(day, dt.time())
    lines = [
        f"{code},{(start + dt.timedelta(hours=h)).isoformat()},{pm25},20,5,10,0.3,30" for h in range(1, 25)
    ]
    return HEADER + "\n".join(lines) + "\n"


def test_evaluate_days_gives_the_daily_aqi_of_a_constant_day(stations, tmp_path):
    day = dt.date(2025, 10, 19)
    import_hourly(write(tmp_path, _day_of_hours("1585A", day, 36)), by=None)

    counts = evaluate_days()

    daily = air_lake.daily().collect()
    # HJ 633-2012 Table 1: PM2.5 24-h 35 -> 50, 75 -> 100; 36 -> 50 + 1 x 50/40 = 51.25, rounded up to 52.
    assert daily.select("station_code", "date", "pm25", "aqi", "category", "primary", "city").rows() == [
        ("1585A", day, 36.0, 52, 2, "pm25", "Baotou")
    ]
    assert counts == {"days": 1, "station_days": 1}


def test_evaluate_days_second_run_has_nothing_new(stations, tmp_path):
    import_hourly(write(tmp_path, _day_of_hours("1585A", dt.date(2025, 10, 19), 36)), by=None)
    evaluate_days()

    counts = evaluate_days()

    assert counts == {"days": 0, "station_days": 0}
    assert AirImport.objects.filter(evaluated=False).count() == 0


def test_evaluate_days_reevaluates_a_day_after_new_hours(stations, tmp_path):
    day = dt.date(2025, 10, 19)
    import_hourly(write(tmp_path, _day_of_hours("1585A", day, 36)), by=None)
    evaluate_days()
    import_hourly(write(tmp_path, _day_of_hours("1585A", day, 80), "again.csv"), by=None)

    evaluate_days()

    # 80 -> 100 + 5 x 50/40 = 106.25 -> 107
    assert air_lake.daily().collect().select("aqi").rows() == [(107,)]


def test_daily_job_is_registered_with_the_worker_and_evaluates_new_days(stations, tmp_path):
    from envplan.core import worker

    import_hourly(write(tmp_path, _day_of_hours("1585A", dt.date(2025, 10, 19), 36)), by=None)
    job = worker.discover()["air-daily"]

    result = worker.run_job(job, today=dt.date(2025, 10, 20))

    assert (result.ok, result.result, job.schedule) == (True, {"days": 1, "station_days": 1}, "every 1:00:00")


def test_import_hourly_cnemc_unparseable_value_is_a_row_error(stations, tmp_path):
    lines = (DATA / "cnemc_selected_rows_baotou_and_edge_cases.csv").read_text(encoding="utf-8").splitlines()
    header = lines[0]
    baotou = [line for line in lines[1:] if line.split(",")[1] in ("1585A", "1586A")]
    broken = baotou[0].split(",")
    broken[7] = "n/a"  # pm2_5
    path = write(tmp_path, "\n".join([header, ",".join(broken), *baotou[1:]]) + "\n", "release.csv")

    record = import_hourly(path, by=None, fmt="cnemc")

    assert record.errors == [
        {"file": "release.csv", "line": 2, "field": "pm25", "message": "not a number: 'n/a'"}
    ]
    assert record.rows == len(baotou) - 1
