"""Each detector on a series built to show its pattern, and on the same series left alone."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import polars as pl

from envplan.screening import DETECTORS, ScanOptions, scan
from envplan.screening.model import FINDINGS_SCHEMA, LIMITS_SCHEMA, MAINTENANCE_SCHEMA, TIME
from tests.pure.screening.series import at, load_like, noisy, readings_of, spans

HOURS = 24 * 60
NOX, CO, O2, FLOW, TEMPERATURE = "a21002", "a21005", "a19001", "a00000", "a01012"


def only(name: str) -> ScanOptions:
    return ScanOptions(detectors=(name,))


def limits_frame(rows: list[tuple[str, str, str, float | None, float | None]]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=LIMITS_SCHEMA, orient="row")


def test_scan_findings_schema_scores_and_order() -> None:
    nox = noisy(HOURS, seed=1)
    nox[500:560] = nox[500]
    nox[900:1000] = 30.0 + 0.05 * (nox[900:1000] - 50.0)

    findings = scan(readings_of({(NOX, "Avg"): nox, ("load", "Avg"): load_like(HOURS, seed=2)}))

    assert findings.schema == FINDINGS_SCHEMA
    assert findings.height >= 2
    scores = findings.get_column("score").to_list()
    assert scores == sorted(scores, reverse=True)
    assert all(0.0 <= score <= 1.0 for score in scores)
    assert all(isinstance(json.loads(text), dict) for text in findings.get_column("evidence"))


def test_flat_line_finds_the_held_run_and_nothing_in_the_noise() -> None:
    nox = noisy(HOURS, seed=3)
    clean = scan(readings_of({(NOX, "Avg"): nox.copy()}), options=only("flat_line"))
    nox[700:730] = nox[700]

    findings = scan(readings_of({(NOX, "Avg"): nox}), options=only("flat_line"))

    assert clean.height == 0
    assert spans(findings, "flat_line") == [("MN001", NOX, at(700), at(729))]
    explanation = findings.item(0, "explanation")
    assert f"held at {nox[700]:g}" in explanation
    assert "30 values in a row" in explanation


def test_flat_line_needs_a_longer_run_where_values_repeat_often() -> None:
    rng = np.random.default_rng(4)
    coarse = np.round(50 + rng.normal(0, 0.6, HOURS))  # whole numbers: repeats are common
    coarse[300:304] = coarse[300]  # four equal values: ordinary here
    coarse[800:830] = coarse[800]

    findings = scan(readings_of({(NOX, "Avg"): coarse}), options=only("flat_line"))

    assert spans(findings, "flat_line") == [("MN001", NOX, at(800), at(829))]


def test_flat_line_ignores_a_reading_at_zero() -> None:
    nox = noisy(HOURS, seed=5)
    nox[400:460] = 0.0

    findings = scan(readings_of({(NOX, "Avg"): nox}), options=only("flat_line"))

    assert findings.height == 0


def test_variance_collapse_finds_the_flattened_days() -> None:
    nox = noisy(HOURS, seed=6)
    mean = nox[600:720].mean()
    nox[600:720] = np.round(mean + 0.05 * (nox[600:720] - mean), 1)
    load = load_like(HOURS, seed=7)

    findings = scan(
        readings_of({(NOX, "Avg"): nox, ("load", "Avg"): load}), options=only("variance_collapse")
    )

    found = spans(findings, "variance_collapse")
    assert len(found) == 1
    _, _, start, end = found[0]
    # A finding spans the windows that showed the collapse: up to a window (24 h, or 168 h for the
    # longest) before the flattened days and past them.
    assert at(600 - 23) <= start <= at(624) and at(696) <= end <= at(719 + 167)
    assert "of its usual" in findings.item(0, "explanation")


def test_variance_collapse_is_relieved_when_the_load_was_as_steady() -> None:
    nox = noisy(HOURS, seed=8, wave=0.0, noise=1.0)
    load = load_like(HOURS, seed=9)
    nox[600:648] = np.round(nox[600:648].mean() + 0.12 * (nox[600:648] - nox[600:648].mean()), 2)
    steady = load.copy()
    steady[600:648] = np.round(steady[600:648].mean() + 0.1 * (steady[600:648] - steady[600:648].mean()), 2)

    alone = scan(readings_of({(NOX, "Avg"): nox, ("load", "Avg"): load}), options=only("variance_collapse"))
    with_steady_load = scan(
        readings_of({(NOX, "Avg"): nox, ("load", "Avg"): steady}), options=only("variance_collapse")
    )

    assert alone.height == 1
    assert with_steady_load.height == 0


def test_variance_collapse_peers_compares_with_the_industry() -> None:
    outlets = []
    frames = []
    for number in range(4):
        mn = f"MN00{number}"
        nox = noisy(HOURS, seed=20 + number)
        if number == 0:  # this outlet has always reported a nearly constant value
            nox = np.round(50.0 + 0.02 * (nox - 50.0), 2)
        frames.append(readings_of({(NOX, "Avg"): nox}, mn=mn))
        outlets.append((mn, "thermal power"))
    industries = pl.DataFrame(outlets, schema=["mn", "industry"], orient="row")

    findings = scan(pl.concat(frames), outlets=industries, options=only("variance_collapse_peers"))

    assert findings.get_column("mn").unique().to_list() == ["MN000"]
    assert "3 outlets of its industry" in findings.item(0, "explanation") or "4 outlets" in findings.item(
        0, "explanation"
    )


def test_replay_finds_a_rescaled_copy_of_last_week() -> None:
    nox = noisy(HOURS, seed=10)
    rng = np.random.default_rng(11)
    copy = nox[1000 - 168 : 1072 - 168] * 1.015 + rng.integers(-1, 2, 72) * 0.1
    nox[1000:1072] = np.round(copy, 1)
    clean = scan(readings_of({(NOX, "Avg"): noisy(HOURS, seed=10)}), options=only("replay"))

    findings = scan(readings_of({(NOX, "Avg"): nox}), options=only("replay"))

    assert clean.height == 0
    found = spans(findings, "replay")
    assert len(found) == 1
    _, _, start, end = found[0]
    assert at(1000) <= start <= at(1012) and at(1060) <= end <= at(1071)
    assert "7 days earlier" in findings.item(0, "explanation")


def test_replay_ignores_a_held_value() -> None:
    nox = noisy(HOURS, seed=12)
    nox[1000:1100] = nox[1000]

    assert scan(readings_of({(NOX, "Avg"): nox}), options=only("replay")).height == 0


def test_limit_hugging_finds_values_kept_under_the_limit() -> None:
    nox = noisy(HOURS, seed=13, level=44.0, wave=6.0)
    window = slice(24 * 30, 24 * 44)
    capped = nox[window]
    capped[capped >= 50.0] = 49.8
    nox[window] = capped
    limits = limits_frame([("MN001", NOX, "Avg", 50.0, None)])

    findings = scan(readings_of({(NOX, "Avg"): nox}), limits=limits, options=only("limit_hugging"))
    without_limit = scan(readings_of({(NOX, "Avg"): nox}), options=only("limit_hugging"))

    assert without_limit.height == 0
    found = spans(findings, "limit_hugging")
    assert len(found) == 1
    _, _, start, end = found[0]
    assert start <= at(24 * 44) and end >= at(24 * 30)
    assert "49.8 occurs" in findings.item(0, "explanation")


def test_level_shift_finds_a_fall_the_load_does_not_share() -> None:
    nox = noisy(HOURS, seed=14)
    load = load_like(HOURS, seed=15)
    nox[800:] = np.round(nox[800:] * 0.55, 1)

    findings = scan(readings_of({(NOX, "Avg"): nox, ("load", "Avg"): load}), options=only("level_shift"))

    found = spans(findings, "level_shift")
    assert [start for _, _, start, _ in found] == [at(800)]
    assert "fell 45 %" in findings.item(0, "explanation")


def test_level_shift_is_explained_by_a_matching_load_change() -> None:
    nox = noisy(HOURS, seed=16)
    load = load_like(HOURS, seed=17)
    nox[800:] = np.round(nox[800:] * 0.55, 1)
    load[800:] = np.round(load[800:] * 0.6, 2)

    findings = scan(readings_of({(NOX, "Avg"): nox, ("load", "Avg"): load}), options=only("level_shift"))

    assert findings.height == 0


def test_oxygen_dilution_finds_air_let_into_the_sample() -> None:
    size = 24 * 40
    nox = noisy(size, seed=18)
    rng = np.random.default_rng(19)
    o2 = np.round(6.0 + rng.normal(0, 0.15, size), 2)
    share = 0.3
    window = slice(600, 648)
    nox[window] = np.round(nox[window] * (1 - share), 1)
    o2[window] = np.round(o2[window] * (1 - share) + 20.9 * share, 2)

    findings = scan(readings_of({(NOX, "Avg"): nox, (O2, "Avg"): o2}), options=only("oxygen_dilution"))

    found = spans(findings, "oxygen_dilution")
    assert len(found) == 1
    _, factor, start, end = found[0]
    # Windows of 12 h that show the dilution may begin before the diluted hours and end after them.
    assert factor == NOX and at(600 - 11) <= start <= at(611) and at(636) <= end <= at(647 + 11)
    assert "dilution with air" in findings.item(0, "explanation")


def test_conversion_mismatch_recomputes_the_converted_value() -> None:
    size = 200
    nox = noisy(size, seed=20)
    rng = np.random.default_rng(21)
    o2 = np.round(8.0 + rng.normal(0, 0.3, size), 2)
    converted = np.round(nox * (21.0 - 6.0) / (21.0 - o2), 2)
    converted[120:130] = np.round(converted[120:130] * 0.7, 2)
    limits = limits_frame([("MN001", NOX, "ZsAvg", 50.0, 6.0)])

    findings = scan(
        readings_of({(NOX, "Avg"): nox, (NOX, "ZsAvg"): converted, (O2, "Avg"): o2}),
        limits=limits,
        options=only("conversion_mismatch"),
    )

    assert spans(findings, "conversion_mismatch") == [("MN001", NOX, at(120), at(129))]
    assert "30 % below" in findings.item(0, "explanation")


def test_mass_balance_checks_the_amount_against_concentration_and_flow() -> None:
    size = 200
    nox = noisy(size, seed=22)
    flow = np.round(180_000 + 5_000 * np.sin(np.arange(size) / 5.0))
    amount = np.round(nox * flow * 1e-6, 4)
    amount[50:56] = np.round(amount[50:56] * 0.5, 4)

    findings = scan(
        readings_of({(NOX, "Avg"): nox, (NOX, "Cou"): amount, (FLOW, "Cou"): flow}),
        options=only("mass_balance"),
    )

    assert spans(findings, "mass_balance") == [("MN001", NOX, at(50), at(55))]


def test_stopped_running_finds_a_stop_declared_while_the_load_runs() -> None:
    nox = noisy(HOURS, seed=23)
    load = load_like(HOURS, seed=24)
    flags = np.full(HOURS, "N")
    flags[300:306] = "F"
    idle = load.copy()
    idle[300:306] = 0.0

    running = scan(
        readings_of({(NOX, "Avg"): nox, ("load", "Avg"): load}, flags={NOX: flags}),
        options=only("stopped_running"),
    )
    stopped = scan(
        readings_of({(NOX, "Avg"): nox, ("load", "Avg"): idle}, flags={NOX: flags}),
        options=only("stopped_running"),
    )

    assert spans(running, "stopped_running") == [("MN001", NOX, at(300), at(305))]
    assert "declared stopped (flag F)" in running.item(0, "explanation")
    assert stopped.height == 0


def test_stopped_running_finds_missing_and_zero_values_while_running() -> None:
    nox = noisy(HOURS, seed=25)
    nox[400:410] = np.nan
    nox[500:504] = 0.0

    findings = scan(
        readings_of({(NOX, "Avg"): nox, ("load", "Avg"): load_like(HOURS, seed=26)}),
        options=only("stopped_running"),
    )

    assert spans(findings, "stopped_running") == [
        ("MN001", NOX, at(400), at(409)),
        ("MN001", NOX, at(500), at(503)),
    ]


def test_flag_on_exceedance_finds_marks_placed_on_high_hours() -> None:
    nox = noisy(HOURS, seed=27, level=45.0)
    flags = np.full(HOURS, "N")
    high = np.flatnonzero(nox >= 50.0)
    high = high[(high >= 24 * 20) & (high < 24 * 40)]
    flags[high] = "M"
    limits = limits_frame([("MN001", NOX, "Avg", 50.0, None)])

    findings = scan(
        readings_of({(NOX, "Avg"): nox}, flags={NOX: flags}),
        limits=limits,
        options=only("flag_on_exceedance"),
    )

    found = spans(findings, "flag_on_exceedance")
    assert found == [("MN001", NOX, at(int(high[0])), at(int(high[-1])))]
    assert f"{high.size} of {high.size} hours above the limit 50" in findings.item(0, "explanation")


def test_flag_share_finds_a_month_of_marks() -> None:
    nox = noisy(HOURS, seed=28)
    flags = np.full(HOURS, "N")
    rng = np.random.default_rng(29)
    month = np.arange(24 * 20, 24 * 50)
    flags[month[rng.random(month.size) < 0.3]] = "D"

    findings = scan(readings_of({(NOX, "Avg"): nox}, flags={NOX: flags}), options=only("flag_share"))

    assert len(spans(findings, "flag_share")) == 1
    assert "marked invalid" in findings.item(0, "explanation")


def test_maintenance_without_record_needs_the_records() -> None:
    nox = noisy(HOURS, seed=30)
    flags = np.full(HOURS, "N")
    flags[100:103] = "M"  # recorded
    flags[300:304] = "M"  # not recorded
    readings = readings_of({(NOX, "Avg"): nox}, flags={NOX: flags})
    records = (
        pl.DataFrame(
            [("MN001", None, at(99), at(103))],
            schema={
                "mn": pl.String,
                "factor": pl.String,
                "start": pl.Datetime("us"),
                "end": pl.Datetime("us"),
            },
            orient="row",
        )
        .with_columns(pl.col("start", "end").dt.replace_time_zone("Asia/Shanghai").cast(TIME))
        .cast(MAINTENANCE_SCHEMA)
    )

    with_records = scan(readings, maintenance=records, options=only("maintenance_without_record"))
    without = scan(readings, options=only("maintenance_without_record"))

    assert spans(with_records, "maintenance_without_record") == [("MN001", NOX, at(300), at(303))]
    assert without.height == 0


def test_marks_timing_finds_night_maintenance_and_repeated_calibration() -> None:
    nox = noisy(HOURS, seed=31)
    flags = np.full(HOURS, "N")
    flags[24 * 5 + 10 : 24 * 5 + 12] = "M"  # 10:00, working hours
    flags[24 * 6 + 23 : 24 * 7 + 2] = "M"  # 23:00 to 01:00
    flags[24 * 8 + 2] = "C"
    flags[24 * 8 + 14] = "C"
    flags[24 * 9 + 2] = "C"

    findings = scan(readings_of({(NOX, "Avg"): nox}, flags={NOX: flags}), options=only("marks_timing"))

    assert spans(findings, "marks_timing") == [
        ("MN001", NOX, at(24 * 6 + 23), at(24 * 7 + 1)),
        ("MN001", NOX, at(24 * 8 + 2), at(24 * 8 + 14)),
    ]


def test_last_digit_finds_a_month_of_made_up_values() -> None:
    size = 24 * 120
    nox = noisy(size, seed=32)
    rng = np.random.default_rng(33)
    typed = slice(24 * 60, 24 * 90)
    nox[typed] = np.round(nox[typed] * 2) / 2  # values ending in .0 or .5, as typed by hand
    nox[typed] += rng.choice([0.0, 0.0, 0.0, 0.1], nox[typed].size) * 0

    findings = scan(readings_of({(NOX, "Avg"): nox}), options=only("last_digit"))

    found = spans(findings, "last_digit")
    assert len(found) == 1
    assert "last digit 0" in findings.item(0, "explanation") or "last digit 5" in findings.item(
        0, "explanation"
    )


def test_benford_runs_only_on_series_spanning_decades() -> None:
    rng = np.random.default_rng(34)
    size = 24 * 120
    wide = np.round(10 ** rng.uniform(0, 3, size), 2)  # log-uniform over three decades: Benford's law
    # Over the same three decades, but first digits 1-9 equally often (as when values are made up).
    forged = np.round(rng.uniform(1.0, 10.0, size) * 10.0 ** rng.integers(0, 3, size), 2)

    fine = scan(readings_of({(FLOW, "Avg"): wide}), options=only("benford"))
    bad = scan(readings_of({(FLOW, "Avg"): forged}), options=only("benford"))
    narrow = scan(readings_of({(NOX, "Avg"): noisy(size, seed=35)}), options=only("benford"))

    assert fine.height == 0
    assert bad.height == 1
    assert narrow.height == 0


def test_scan_same_findings_per_outlet_or_all_together() -> None:
    frames = []
    for number in range(3):
        nox = noisy(HOURS, seed=40 + number)
        nox[200 + 100 * number : 240 + 100 * number] = nox[200 + 100 * number]
        nox[900:] = np.round(nox[900:] * (0.5 if number == 1 else 1.0), 1)
        frames.append(
            readings_of(
                {(NOX, "Avg"): nox, ("load", "Avg"): load_like(HOURS, seed=50 + number)}, mn=f"MN{number}"
            )
        )
    options = ScanOptions(detectors=tuple(name for name in DETECTORS if name != "variance_collapse_peers"))

    together = scan(pl.concat(frames), options=options).sort("mn", "detector", "start")
    apart = pl.concat([scan(frame, options=options) for frame in frames]).sort("mn", "detector", "start")

    assert together.height > 0
    assert together.equals(apart)


def test_scan_uses_the_history_for_what_is_usual() -> None:
    history = noisy(HOURS, seed=60, noise=2.0)
    recent = noisy(HOURS // 2, seed=61, noise=0.3, wave=1.0)  # the whole recent period is quiet
    start = dt.datetime(2025, 3, 1) + dt.timedelta(hours=HOURS)

    own = scan(readings_of({(NOX, "Avg"): recent}, start=start), options=only("variance_collapse"))
    against_history = scan(
        readings_of({(NOX, "Avg"): recent}, start=start),
        history=readings_of({(NOX, "Avg"): history}),
        options=only("variance_collapse"),
    )

    assert own.height == 0
    assert against_history.height >= 1


def test_scan_short_series_do_not_break_any_detector() -> None:
    for size in (1, 2, 5, 30):
        channels = {(NOX, "Avg"): noisy(size, seed=70), ("load", "Avg"): load_like(size, seed=71)}
        readings = readings_of(channels)

        findings = scan(readings, limits=limits_frame([("MN001", NOX, "Avg", 50.0, None)]))

        assert findings.schema == FINDINGS_SCHEMA


def test_scan_arrow_gives_the_findings_of_scan() -> None:
    from envplan.screening import scan_arrow

    nox = noisy(HOURS, seed=72)
    nox[500:540] = nox[500]
    readings = readings_of({(NOX, "Avg"): nox})

    frame = pl.from_arrow(scan_arrow(readings.to_arrow()))

    assert isinstance(frame, pl.DataFrame)
    assert frame.equals(scan(readings))


def test_flag_on_exceedance_judges_a_mark_without_value_by_its_neighbours() -> None:
    nox = noisy(HOURS, seed=73, level=40.0, wave=3.0, noise=1.0)
    flags = np.full(HOURS, "N")
    withheld = []
    for day in range(20, 26):  # six high afternoons, each marked D in its middle hours, values withheld
        nox[24 * day + 12 : 24 * day + 18] = np.round(60.0 + np.arange(6) * 0.3, 1)
        flags[24 * day + 14 : 24 * day + 16] = "D"
        withheld += [24 * day + 14, 24 * day + 15]
    readings = readings_of({(NOX, "Avg"): nox}, flags={NOX: flags})
    hours = pl.Series([at(hour) for hour in withheld]).dt.replace_time_zone("Asia/Shanghai").cast(TIME)
    readings = readings.with_columns(
        pl.when(pl.col("time").is_in(hours.implode())).then(None).otherwise(pl.col("value")).alias("value")
    )
    limits = limits_frame([("MN001", NOX, "Avg", 50.0, None)])

    findings = scan(readings, limits=limits, options=only("flag_on_exceedance"))

    assert spans(findings, "flag_on_exceedance") == [("MN001", NOX, at(24 * 20 + 14), at(24 * 25 + 15))]
    # Within the span (first to last marked high hour) 32 hours are high: 12 were marked.
    assert "12 of 32 hours above the limit 50" in findings.item(0, "explanation")
