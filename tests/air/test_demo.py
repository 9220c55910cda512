"""The air demo: real Baotou stations and hours, generated hours marked as such, the city's targets."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import polars as pl

from envplan.air import lake as air_lake
from envplan.air.demo_data import load_air_demo
from envplan.air.models import Station
from envplan.indicators.models import Indicator, Source
from envplan.indicators.services import evaluate_computed


def test_air_demo_registers_the_six_baotou_stations_with_coordinates(demo):
    load_air_demo(plan=demo.plan, generated_from=dt.date(2025, 10, 18))

    assert list(Station.objects.values_list("code", "name_zh", "latitude")) == [
        ("1585A", "市环境监测站", Decimal("40.653200")),
        ("1586A", "包百大楼", Decimal("40.657500")),
        ("1587A", "东河城环局", Decimal("40.590500")),
        ("1588A", "青山宾馆", Decimal("40.682100")),
        ("1589A", "惠龙物流", Decimal("40.628800")),
        ("1590A", "东河鸿龙湾", Decimal("40.554600")),
    ]


def test_air_demo_keeps_real_hours_apart_from_generated_ones(demo):
    load_air_demo(plan=demo.plan, generated_from=dt.date(2025, 10, 18))

    counts = air_lake.hourly().group_by("generated").agg(pl.len()).sort("generated").collect().rows()

    # 12 real station-hours; 6 stations x 3 days x 24 hours generated.
    assert counts == [(False, 12), (True, 432)]


def test_air_demo_adds_the_city_targets_once_with_provenance(demo):
    load_air_demo(plan=demo.plan, generated_from=dt.date(2025, 10, 18))
    load_air_demo(plan=demo.plan, generated_from=dt.date(2025, 10, 18))

    indicators = Indicator.objects.filter(target__plan=demo.plan, source=Source.COMPUTED).order_by(
        "target__position"
    )
    assert [
        (i.target.comparator, i.target.value, i.computation, i.parameters, i.provenance) for i in indicators
    ] == [
        ("<", Decimal("35"), "air.pm25_ytd_mean", {"city": "Baotou"}, "set by the city"),
        (">", Decimal("84.8"), "air.good_days_ratio_ytd", {"city": "Baotou"}, "set by the city"),
        ("<=", Decimal("0.9"), "air.heavy_pollution_days_share_ytd", {"city": "Baotou"}, "set by the city"),
    ]
    assert air_lake.hourly().filter(pl.col("generated")).collect().height == 432


def test_air_demo_indicators_are_evaluated_by_the_indicator_service(demo):
    load_air_demo(plan=demo.plan, generated_from=dt.date(2025, 10, 18))

    counts = evaluate_computed(demo.plan, as_of=dt.date(2025, 10, 20))

    assert counts == {
        "air.pm25_ytd_mean": 1,
        "air.good_days_ratio_ytd": 1,
        "air.heavy_pollution_days_share_ytd": 1,
    }
