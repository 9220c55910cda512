"""The one-pass validator (`read_air_csv`, `validate_air_frame`) gives the rows and the messages, in the
same order, of the check-by-check validator it replaced (`reference_validate`), and bounds its errors."""

import io

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from envplan.standards.air import read_air_csv, validate_air_frame
from tests.pure.air.reference_validate import reference_validate

STATIONS = ["A", "B", " A", ""]
HOURS = [
    "2025-06-01T01:00:00",
    "2025-06-01T02:00:00",
    "2025-06-01T02:00",
    "2025-06-01 24:00",
    "2025-06-01T09:00+08:00",
    "2025-06-01T01:00:00Z",
    "2025-6-1T1:00:00",
    " 2025-06-01T01:00:00",
    "2025-06-01T25:00:00",
    "yesterday",
    "",
]
DAYS = ["2025-06-01", "2025-06-02", "2025-06-01T00:00", "2025-6-1", "x", ""]
VALUES = ["12", "-1.50", " 7", "7 ", "abc", "", "800", "25000", "160", "1e3", "0.0005", "-0", "5."]
REALTIME = ["pm25", "pm10", "so2", "no2", "co", "o3"]
DAILY = ["pm25", "pm10", "so2", "no2", "co", "o3_8h", "o3_1h", "aqi"]


@st.composite
def files(draw: st.DrawFn) -> tuple[str, str]:
    kind = draw(st.sampled_from(["realtime", "daily"]))
    values = REALTIME if kind == "realtime" else DAILY
    columns = ["station_code", "time", *draw(st.lists(st.sampled_from(values), unique=True, max_size=4))]
    if draw(st.integers(0, 9)) == 0:
        columns.remove(draw(st.sampled_from(["station_code", "time"])))
    times = HOURS if kind == "realtime" else DAYS
    cells = {"station_code": st.sampled_from(STATIONS), "time": st.sampled_from(times)}
    row = st.tuples(*[cells.get(c, st.sampled_from(VALUES)) for c in columns])
    rows = draw(st.lists(row, min_size=1, max_size=25))
    lines = [",".join(columns), *[",".join(cell for cell in r) for r in rows]]
    return kind, "\n".join(lines) + "\n"


def _text(data: str) -> pl.DataFrame:
    return pl.read_csv(io.StringIO(data), infer_schema=False)


@settings(max_examples=300, deadline=None)
@given(file=files(), limit=st.sampled_from([3, 1000]), known=st.sampled_from([None, {"A"}]))
def test_validate_one_pass_equals_the_check_by_check_reference(file, limit, known):
    kind, data = file

    ours = read_air_csv(data.encode(), kind=kind, file="in.csv", known_stations=known, limit=limit)
    expected = reference_validate(_text(data), file="in.csv", kind=kind, known_stations=known)

    assert ours.error_count == expected.errors.height
    assert ours.errors.rows() == expected.errors.head(limit).rows()
    bad_lines = set(expected.errors.get_column("line").to_list())
    assert ours.frame.filter(ours.bad).get_column("line").to_list() == sorted(bad_lines - {1})
    shared = [c for c in expected.frame.columns if not c.startswith("raw_")]
    assert ours.frame.select(shared).to_dicts() == expected.frame.select(shared).to_dicts()
    assert ours.unknown_columns == expected.unknown_columns


def test_validate_nan_and_infinity_are_not_numbers():
    data = "station_code,time,pm25,pm10\nA,2025-06-01T01:00,nan,inf\nA,2025-06-01T02:00,-inf,3\n"

    result = read_air_csv(data.encode(), kind="realtime", file="in.csv")

    assert result.errors.rows() == [
        ("in.csv", 2, "pm25", "not a number: 'nan'"),
        ("in.csv", 2, "pm10", "not a number: 'inf'"),
        ("in.csv", 3, "pm25", "not a number: '-inf'"),
    ]
    assert result.rows().height == 0


def test_validate_keeps_the_first_errors_and_counts_all():
    bad = "".join(f"S{n},2025-06-01T01:00,-{n + 1}\n" for n in range(50))

    result = validate_air_frame(_text("station_code,time,pm25\n" + bad), file="f", kind="realtime", limit=10)

    assert (result.error_count, result.errors.height) == (50, 10)
    assert result.errors.get_column("message").to_list()[-1] == "negative value -10"
    assert str(result.problems().summary("error", "errors")) == "… and 40 more errors"


def test_validate_quick_and_general_times_in_one_file():
    data = (
        "station_code,time,pm25\n"
        "A,2025-06-01T23:00:00,1\n"
        "A,2025-06-01 24:00,2\n"
        "A,2025-06-01T17:00:00Z,3\n"
        "A,2025-06-02T02:00:00,4\n"
    )

    result = read_air_csv(data.encode(), kind="realtime", file="in.csv")

    assert result.errors.height == 0
    assert result.frame.get_column("time").dt.strftime("%d %H:%M").to_list() == [
        "01 23:00",
        "02 00:00",
        "02 01:00",
        "02 02:00",
    ]


def test_validate_required_columns_are_header_errors():
    result = validate_air_frame(
        _text("station_code,time,pm25\nA,2025-06-01T01:00,1\n"), file="f", kind="realtime", require=["pm10"]
    )

    assert result.unusable
    assert result.errors.rows() == [("f", 1, "pm10", "missing column 'pm10'")]
