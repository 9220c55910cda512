"""Where python-aqi 0.6.1 (`aqi`, MEP algorithm) departs from HJ 633: EPA-style segments starting at
51/101/…, inputs truncated to integers, results rounded instead of raised. Both values are asserted."""

from datetime import date

import aqi
import polars as pl
import pytest

from envplan.standards.air import with_aqi


def _ours(**values: float) -> dict[str, int]:
    frame = pl.DataFrame({"time": [date(2025, 6, 1)], **{k: [float(v)] for k, v in values.items()}})
    return with_aqi(frame, kind="daily", edition="HJ633-2012").row(0, named=True)


def test_python_aqi_pm25_36_gives_51_where_hj633_gives_52():
    theirs = aqi.to_iaqi(aqi.POLLUTANT_PM25, "36", algo=aqi.ALGO_MEP)

    ours = _ours(pm25=36)["iaqi_pm25"]

    assert (int(theirs), ours) == (51, 52)


def test_python_aqi_co_24h_3_5_gives_51_where_hj633_gives_88():
    theirs = aqi.to_iaqi("co_24h", "3.5", algo=aqi.ALGO_MEP)  # truncates 3.5 to 3, segment 3-4 -> 51-100

    ours = _ours(co=3.5)["iaqi_co"]

    assert (int(theirs), ours) == (51, 88)


@pytest.mark.parametrize("pm25", ["35", "75", "115"])
def test_python_aqi_agrees_on_breakpoints(pm25: str):
    theirs = aqi.to_iaqi(aqi.POLLUTANT_PM25, pm25, algo=aqi.ALGO_MEP)

    ours = _ours(pm25=float(pm25))["iaqi_pm25"]

    assert int(theirs) == ours
