"""The one SVG chart toolkit: lines broken at gaps, text escaped, limit lines and bands where asked."""

from __future__ import annotations

import datetime as dt

from envplan.core import charts

T0 = dt.datetime(2025, 10, 19, 0, 0, tzinfo=dt.UTC)


def hours(*values: float | None) -> list[tuple[dt.datetime, float | None]]:
    return [(T0 + dt.timedelta(hours=i), v) for i, v in enumerate(values)]


def test_runs_of_breaks_at_missing_values_and_wide_steps():
    points = [(0.0, 1.0), (0.1, 2.0), (0.2, None), (0.3, 3.0), (0.9, 4.0), (1.0, 5.0)]

    assert charts.runs_of(points, max_step=0.2) == [
        [(0.0, 1.0), (0.1, 2.0)],
        [(0.3, 3.0)],
        [(0.9, 4.0), (1.0, 5.0)],
    ]


def test_time_chart_draws_one_line_per_run_and_dots_only_where_asked():
    svg = charts.time_chart(
        hours(10, 20, None, 40, 50),
        start=T0,
        end=T0 + dt.timedelta(hours=5),
        label="NOx <ZsAvg>",
        css_class="c",
        testid="t",
        ceiling=100,
        limit=45,
        dot=lambda v: "#f00" if v > 45 else None,
    )

    assert svg.count("<polyline") == 2
    assert svg.count("<circle") == 1
    assert 'data-testid="limit-line"' in svg
    assert 'aria-label="NOx &lt;ZsAvg&gt;"' in svg


def test_time_chart_with_bands_draws_them_behind_instead_of_a_frame():
    svg = charts.time_chart(
        hours(30, 60),
        start=T0,
        end=T0 + dt.timedelta(hours=2),
        label="AQI",
        css_class="c",
        testid="t",
        ceiling=100,
        bands=[charts.Band(0, 50, "#00e400"), charts.Band(50, 100, "#ffff00")],
    )

    assert svg.count('fill-opacity="0.18"') == 2
    assert "limit-line" not in svg


def test_series_chart_is_empty_without_values_and_titles_each_point():
    assert charts.series_chart([(dt.date(2025, 1, 1), None)], label="x", css_class="c", testid="t") == ""
    svg = charts.series_chart(
        [(dt.date(2025, 1, 1), 1.5), (dt.date(2025, 2, 1), None), (dt.date(2025, 3, 1), 2.0)],
        label="COD",
        css_class="c",
        testid="t",
        unit_of_measure="mg/L",
    )

    assert "<title>2025-01: 1.5 mg/L</title>" in svg
    assert svg.count("<circle") == 2


def test_stacked_bar_splits_the_width_by_count_and_names_each_part():
    svg = charts.stacked_bar(
        [("on_track", 3), ("overdue", 1), ("done", 0)],
        labels={"on_track": "on track", "overdue": "overdue"},
        colours={"on_track": "#0a0"},
        width=200,
    )

    assert 'width="150.00"' in svg and 'width="50.00"' in svg
    assert 'aria-label="on track 3, overdue 1"' in svg
