"""The span-highlight primitive of the shared charts, and a case's charts built on it."""

from __future__ import annotations

import datetime as dt
import re

from envplan.core.charts import SPAN_COLOUR, Chart, Span, time_chart

ZONE = dt.timezone(dt.timedelta(hours=8))
START = dt.datetime(2025, 10, 1, tzinfo=ZONE)


def test_chart_vspan_covers_the_fractions_and_keeps_inside_the_plot():
    chart = Chart(100, 50, high=10.0, margins=(10, 10, 5, 5))

    chart.vspan(0.25, 0.5, fill="#abc", title="held <30 h>")
    chart.vspan(0.9, 1.4, fill="#abc")

    first, second = chart.parts
    assert 'x="30.0"' in first and 'width="20.0"' in first and 'height="40"' in first
    assert "<title>held &lt;30 h&gt;</title>" in first
    assert 'x="82.0"' in second and 'width="8.0"' in second  # clipped at the plot's right edge


def test_time_chart_marks_spans_behind_the_line_and_thins_day_labels():
    points = [(START + dt.timedelta(hours=h), float(h % 7)) for h in range(24 * 30)]
    spans = [Span(START + dt.timedelta(days=10), START + dt.timedelta(days=11, hours=6), "held")]

    svg = time_chart(
        points,
        start=START,
        end=START + dt.timedelta(days=30),
        label="NOx",
        css_class="c",
        testid="t",
        ceiling=7.0,
        spans=spans,
        day_labels=10,
    )

    assert svg.count('data-testid="marked-span"') == 1
    assert svg.index("marked-span") < svg.index("<polyline")
    assert f'fill="{SPAN_COLOUR}"' in svg
    assert len(re.findall(r'text-anchor="middle">', svg)) == 10  # every third day of 29 rules


def test_time_chart_without_spans_draws_as_before():
    points = [(START + dt.timedelta(hours=h), 1.0) for h in range(48)]

    svg = time_chart(
        points,
        start=START,
        end=START + dt.timedelta(days=2),
        label="x",
        css_class="c",
        testid="t",
        ceiling=2.0,
    )

    assert "marked-span" not in svg
    assert len(re.findall(r'text-anchor="middle">', svg)) == 2
