"""`read_cnemc_text`: a CNEMC release as unparsed text in the documented hourly columns."""

import json
from pathlib import Path

from envplan.standards.air import read_cnemc_text

DATA = Path(__file__).resolve().parents[2] / "data" / "air"


def test_read_cnemc_text_takes_o3_from_the_latest_hour_column():
    frame = read_cnemc_text(DATA / "cnemc_selected_rows_baotou_and_edge_cases.csv")

    row = frame.filter(frame["station_code"] == "1587A").sort("time").row(0, named=True)

    # 2017-07-07 16:00, 东河城环局: o3_24h (latest 1-h) = 144, o3 (max 1-h of the day) = 174.
    assert row == {
        "station_code": "1587A",
        "time": "2017-07-07T16:00:00",
        "pm25": "46",
        "pm10": "162",
        "so2": "24",
        "no2": "26",
        "co": "0.5",
        "o3": "144",
    }


def test_read_cnemc_text_geojson_missing_marker_becomes_null():
    path = DATA / "cnemc_national_stations_2017-07-07T16.json"
    features = json.loads(path.read_text(encoding="utf-8"))["features"]
    marked = sum(1 for f in features if f["properties"]["pm2_5"].strip() in ("-;", "-", "—", "", "NA"))

    frame = read_cnemc_text(path)

    assert frame.columns == ["station_code", "time", "pm25", "pm10", "so2", "no2", "co", "o3"]
    assert (frame.height, frame["pm25"].null_count()) == (len(features), marked)
