"""Raw text rows -> typed samples and per-row errors (file, line, field, message)."""

from __future__ import annotations

import polars as pl
import pytest

from envplan.standards.water import (
    ERROR_SCHEMA,
    UnreadableFile,
    WaterRules,
    classify_samples,
    parse_samples,
    read_samples_csv,
    validate_samples,
)


def _raw(**columns: list[str | None]) -> pl.DataFrame:
    return pl.DataFrame(columns, schema={name: pl.String for name in columns})


def _base(n: int = 1, **columns: list[str | None]) -> pl.DataFrame:
    return _raw(
        section=[f"s{index}" for index in range(n)],
        time=["2024-05-01"] * n,
        waterbody=["river"] * n,
        **columns,
    )


def _errors(raw: pl.DataFrame) -> list[tuple[int, str, str]]:
    errors = validate_samples(raw, file="f.csv")
    return [(row["line"], row["field"], row["message"]) for row in errors.iter_rows(named=True)]


@pytest.mark.parametrize(
    ("text", "rule", "expected"),
    [
        ("<0.01", "half", 0.005),
        ("0.01L", "half", 0.005),
        ("0.01l", "half", 0.005),
        ("< 0.01", "half", 0.005),
        ("＜0.01", "half", 0.005),
        ("<0.01", "limit", 0.01),
        ("<0.01", "zero", 0.0),
        ("0.01", "half", 0.01),
        (".03", "half", 0.03),
    ],
)
def test_validate_detection_limit_values_follow_the_configured_convention(
    text: str, rule: str, expected: float
) -> None:
    raw = _base(nh3n=[text])

    parsed = parse_samples(raw, file="f.csv", rules=WaterRules(below_detection_limit=rule))  # type: ignore[arg-type]  # parametrised literal

    assert parsed.ok
    assert parsed.samples.get_column("nh3n").item() == pytest.approx(expected)


def test_validate_detection_limit_convention_can_change_the_class() -> None:
    raw = _base(nh3n=["<0.2"])

    half = classify_samples(parse_samples(raw, file="f.csv").samples)
    limit = classify_samples(
        parse_samples(raw, file="f.csv", rules=WaterRules(below_detection_limit="limit")).samples
    )

    # Half of 0.2 = 0.1 <= 0.15 -> I; the limit itself 0.2 -> II.
    assert half.get_column("class").cast(pl.String).item() == "I"
    assert limit.get_column("class").cast(pl.String).item() == "II"


def test_validate_reports_text_in_a_numeric_field_with_line_and_field() -> None:
    raw = _base(2, codmn=["3.5", "abc"])

    assert _errors(raw) == [
        (3, "codmn", "not a number: 'abc' (write a value below a detection limit as <0.01 or 0.01L)")
    ]


def test_validate_reports_ph_outside_0_to_14_and_negative_concentrations() -> None:
    raw = _base(2, ph=["15", "7"], do=["6", "-0.5"])

    assert _errors(raw) == [
        (2, "ph", "pH 15 outside 0-14"),
        (3, "do", "negative value -0.5 (concentrations cannot be negative)"),
    ]


def test_validate_accepts_ph_outside_6_to_9_as_data() -> None:
    raw = _base(2, ph=["5.5", "9.5"])

    assert _errors(raw) == []


def test_validate_rejects_ph_written_as_below_a_detection_limit_and_non_finite_numbers() -> None:
    raw = _base(2, ph=["<7", "7"], nh3n=["0.4", "inf"])

    assert [(line, field) for line, field, _ in _errors(raw)] == [(2, "ph"), (3, "nh3n")]


def test_validate_reports_unknown_waterbody_and_empty_section_and_bad_time() -> None:
    raw = _raw(section=["a", ""], time=["2024-05", "2024-13-01"], waterbody=["sea", "lake"])

    assert _errors(raw) == [
        (2, "waterbody", "unknown water-body type 'sea' (expected river or lake)"),
        (3, "section", "section is empty"),
        (
            3,
            "time",
            "not a date or time: '2024-13-01' (expected YYYY-MM, YYYY-MM-DD or YYYY-MM-DD HH:MM[:SS])",
        ),
    ]


def test_validate_rejected_file_yields_no_samples() -> None:
    raw = _base(3, nh3n=["0.4", "x", "0.5"])

    parsed = parse_samples(raw, file="f.csv")

    assert not parsed.ok
    assert parsed.samples.height == 0


def test_validate_errors_have_the_documented_schema() -> None:
    errors = validate_samples(_base(nh3n=["x"]), file="f.csv")

    assert errors.schema == ERROR_SCHEMA
    assert errors.row(0) == ("f.csv", 2, "nh3n", errors.get_column("message").item())


def test_validate_missing_required_column_is_a_header_error() -> None:
    raw = _raw(section=["a"], waterbody=["river"])

    assert _errors(raw) == [(1, "time", "missing column")]


def test_validate_headers_match_case_insensitively_and_unknown_columns_are_listed() -> None:
    raw = _raw(Section=["a"], TIME=["2024-05"], waterbody=["river"], pH=["7"], DO=["6"], turbidity=["3"])

    parsed = parse_samples(raw, file="f.csv")

    assert parsed.ok
    assert parsed.ignored_columns == ("turbidity",)
    assert parsed.samples.select("ph", "do").row(0) == (7.0, 6.0)


def test_validate_column_given_twice_is_an_error() -> None:
    raw = _raw(section=["a"], time=["2024-05"], waterbody=["river"], nh3n=["1"], NH3N=["2"])

    assert _errors(raw) == [(1, "nh3n", "column given more than once")]


def test_validate_target_class_accepts_ascii_and_roman_numerals() -> None:
    raw = _base(5, target_class=["III", "Ⅲ", "Ⅱ类", "劣Ⅴ", "iv"])

    parsed = parse_samples(raw, file="f.csv")

    assert parsed.samples.get_column("target_class").cast(pl.String).to_list() == [
        "III",
        "III",
        "II",
        "劣V",
        "IV",
    ]


def test_validate_target_class_unknown_label_is_an_error() -> None:
    assert _errors(_base(target_class=["VI"])) == [
        (2, "target_class", "unknown water class 'VI' (expected I-V, Ⅰ-Ⅴ or 劣V)")
    ]


def test_validate_dry_row_with_measurements_is_an_error() -> None:
    raw = _base(3, dry=["1", "maybe", "0"], nh3n=["0.4", None, "0.4"])

    assert _errors(raw) == [
        (2, "dry", "a dry row (no water) must not carry measurements"),
        (3, "dry", "dry must be 0 or 1, not 'maybe'"),
    ]


def test_validate_a_section_keeps_one_waterbody() -> None:
    raw = _raw(section=["a", "a", "b"], time=["2024-05"] * 3, waterbody=["river", "lake", "lake"])

    assert _errors(raw) == [
        (3, "waterbody", "waterbody 'lake' differs from 'river' given for section 'a' on line 2")
    ]


def test_validate_times_accept_month_day_and_minute_forms() -> None:
    raw = _raw(
        section=["a"] * 4,
        time=["2024-05", "2024-05-03", "2024-05-03 10:30", "2024/05/03"],
        waterbody=["river"] * 4,
    )

    parsed = parse_samples(raw, file="f.csv")

    assert parsed.samples.get_column("time").dt.strftime("%Y-%m-%d %H:%M").to_list() == [
        "2024-05-01 00:00",
        "2024-05-03 00:00",
        "2024-05-03 10:30",
        "2024-05-03 00:00",
    ]


def test_read_samples_csv_line_numbers_follow_quoted_line_breaks() -> None:
    data = b'section,time,waterbody,nh3n\n"a\nb",2024-05,river,0.4\nc,2024-05,river,x\n'

    raw, lines = read_samples_csv(data, file="f.csv")
    errors = validate_samples(raw, file="f.csv", lines=lines)

    assert lines.to_list() == [2, 4]
    assert errors.select("line", "field").rows() == [(4, "nh3n")]


def test_read_samples_csv_strips_a_byte_order_mark() -> None:
    raw, _ = read_samples_csv("\ufeffsection,time,waterbody\na,2024-05,river\n".encode(), file="f.csv")

    assert parse_samples(raw, file="f.csv").ok


def test_read_samples_csv_rejects_non_utf8_bytes_with_the_file_name() -> None:
    with pytest.raises(UnreadableFile, match=r"^f\.csv: not UTF-8"):
        read_samples_csv("section,time,waterbody\n断面,2024-05,river\n".encode("gbk"), file="f.csv")


def test_read_samples_csv_blank_lines_are_skipped_and_later_lines_keep_their_numbers() -> None:
    data = b"section,time,waterbody,nh3n\r\na,2024-05,river,0.4\r\n,,,\r\nb,2024-05,river,x\r\n"

    raw, lines = read_samples_csv(data, file="f.csv")
    parsed = parse_samples(raw, file="f.csv", lines=lines)

    assert parsed.errors.select("line", "field").rows() == [(4, "nh3n")]
