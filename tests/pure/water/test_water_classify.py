"""Single-factor classification, main pollutants and exceedance multiples.

Golden cases: the official CNEMC 2007 week-2 rows and the Guangdong / Wuhai bulletin rows of
tests/data/water/official_section_class_examples.csv, and worked examples W1-W7
(../shared/reference/air-water-standards.md §5). Other expectations are hand-checked against GB 3838-2002
Table 1.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from envplan.standards.water import classify_samples, exceedance_pairs, exceedance_text, parse_class_label

DATA = Path(__file__).resolve().parents[2] / "data" / "water"
# Chinese item names used by the bulletins -> our item codes.
CN_ITEM = {
    "高锰酸盐指数": "codmn",
    "氨氮": "nh3n",
    "溶解氧": "do",
    "总磷": "tp",
    "化学需氧量": "cod",
    "氟化物": "f",
}
# GB 3838-2002 Table 1 class-III limits (rivers) of the items the bulletins name, for reconstructing values.
LIMIT_III = {"codmn": 6.0, "nh3n": 1.0, "tp": 0.2, "cod": 20.0, "f": 1.0}


def _official_rows(source_id: str) -> list[dict[str, str]]:
    with (DATA / "official_section_class_examples.csv").open(encoding="utf-8") as handle:
        return [row for row in csv.DictReader(handle) if row["source_id"] == source_id]


def _label(text: str) -> str | None:
    value = pl.select(parse_class_label(pl.lit(text))).item()
    return None if value is None else str(value)


def _classify_one(waterbody: str = "river", /, **values: float) -> dict[str, Any]:
    frame = pl.DataFrame({"waterbody": [waterbody], **{code: [value] for code, value in values.items()}})
    row: dict[str, Any] = classify_samples(frame, item_classes=True).row(0, named=True)
    return row


def _multiples(row: dict[str, Any]) -> dict[str, float]:
    return {code: multiple for code, multiple in (row["exceedance"] or {}).items() if multiple is not None}


def test_classify_official_cnemc_weekly_rows_reproduce_official_class() -> None:
    rows = _official_rows("GOVCN2007W2")
    frame = pl.DataFrame(
        {
            "monitoring_section": [row["section"] for row in rows],
            "waterbody": ["river"] * len(rows),
            "ph": [float(row["pH"]) for row in rows],
            "do": [float(row["DO_mg_L"]) for row in rows],
            "codmn": [float(row["CODMn_mg_L"]) for row in rows],
            "nh3n": [float(row["NH3N_mg_L"]) for row in rows],
        }
    )

    result = classify_samples(frame)

    assert len(rows) == 6
    assert result.get_column("class").cast(pl.String).to_list() == [
        _label(row["official_class"]) for row in rows
    ]


def test_classify_official_cnemc_weekly_rows_reproduce_main_pollutants() -> None:
    rows = _official_rows("GOVCN2007W2")
    frame = pl.DataFrame(
        {
            "waterbody": ["river"] * len(rows),
            "ph": [float(row["pH"]) for row in rows],
            "do": [float(row["DO_mg_L"]) for row in rows],
            "codmn": [float(row["CODMn_mg_L"]) for row in rows],
            "nh3n": [float(row["NH3N_mg_L"]) for row in rows],
        }
    )
    official = [
        sorted(CN_ITEM[name] for name in row["official_main_pollutants_or_exceedance"].split(",") if name)
        for row in rows
    ]

    result = classify_samples(frame)

    # The 2007 page lists 同江's pollutants as "氨氮,高锰酸盐指数" (not by multiple; it predates the 2011
    # method), so the official lists are compared as sets; the 2011 order is checked in the next test.
    assert [sorted(items) for items in result.get_column("main_pollutants").to_list()] == official


def test_classify_w2_tongjiang_ranks_main_pollutants_by_multiple_within_class() -> None:
    # W2: CODMn 13.3 (V, (13.3-6)/6 = 1.22) and NH3-N 1.77 (V, 0.77): same class, larger multiple first.
    row = _classify_one(do=6.03, codmn=13.3, nh3n=1.77)

    assert row["class"] == "V"
    assert row["main_pollutants"] == ["codmn", "nh3n"]
    assert _multiples(row) == pytest.approx({"codmn": 7.3 / 6, "nh3n": 0.77})


def test_classify_w1_zhaoyuan_is_iv_with_codmn() -> None:
    row = _classify_one(do=5.85, codmn=6.3, nh3n=0.32)

    assert (row["do_class"], row["codmn_class"], row["nh3n_class"]) == ("III", "IV", "II")
    assert row["class"] == "IV"
    assert row["main_pollutants"] == ["codmn"]


def test_classify_w3_songhuajiang_village_is_iii_without_main_pollutant() -> None:
    row = _classify_one(do=7.1, codmn=3.9, nh3n=0.57)

    assert row["class"] == "III"
    assert row["main_pollutants"] == []
    assert _multiples(row) == {}


def test_classify_w4_river_sample_is_iii() -> None:
    row = _classify_one(ph=7.5, do=6.5, codmn=3.5, cod=14, bod5=2.5, nh3n=0.4, tp=0.15)

    item_classes = [row[f"{code}_class"] for code in ("do", "codmn", "cod", "bod5", "nh3n", "tp")]
    assert item_classes == ["II", "II", "I", "I", "II", "III"]
    assert row["class"] == "III"


def test_classify_w5_same_sample_in_a_lake_is_v_by_lake_tp_limit() -> None:
    row = _classify_one("lake", ph=7.5, do=6.5, codmn=3.5, cod=14, bod5=2.5, nh3n=0.4, tp=0.15)

    assert row["tp_class"] == "V"
    assert row["class"] == "V"
    assert row["main_pollutants"] == ["tp"]
    assert _multiples(row) == pytest.approx({"tp": (0.15 - 0.05) / 0.05})


def test_classify_w6_ammonia_above_class_v_is_worse_than_v_with_multiple_1_3() -> None:
    row = _classify_one(ph=7.0, do=6.5, codmn=5.0, nh3n=2.3)

    assert row["class"] == "劣V"
    assert row["main_pollutants"] == ["nh3n"]
    assert round(_multiples(row)["nh3n"], 2) == 1.3


@pytest.mark.parametrize(
    ("do", "expected"), [(2.5, "V"), (1.8, "劣V"), (7.5, "I"), (5.0, "III"), (4.99, "IV")]
)
def test_classify_w7_dissolved_oxygen_is_a_lower_bound(do: float, expected: str) -> None:
    row = _classify_one(do=do)

    assert row["class"] == expected


def test_classify_w7_dissolved_oxygen_is_a_main_pollutant_without_multiple() -> None:
    row = _classify_one(do=1.8, codmn=3.0)

    assert row["main_pollutants"] == ["do"]
    assert _multiples(row) == {}


def _bulletin_pairs(text: str) -> list[tuple[str, float]]:
    """'氨氮/1.3、总磷/0.6' or '氟化物(0.6倍)、…' -> [(code, multiple), …] in printed order."""
    return [(CN_ITEM[name], float(value)) for name, value in re.findall(r"([^、/()\s;]+)[/(]([\d.]+)", text)]


def test_classify_guangdong_xihucun_reproduces_class_order_and_multiples() -> None:
    row = next(row for row in _official_rows("GD2016M04") if row["section"] == "西湖村")
    pairs = _bulletin_pairs(row["official_main_pollutants_or_exceedance"])
    # Target III, so the printed multiples (vs target) are multiples over class III: C = C_III x (1 + m).
    values = {code: LIMIT_III[code] * (1 + multiple) for code, multiple in pairs}

    result = _classify_one(**values)

    assert result["class"] == _label(row["official_class"])
    assert result["main_pollutants"] == [code for code, _ in pairs]
    assert [round(_multiples(result)[code], 1) for code, _ in pairs] == [multiple for _, multiple in pairs]


def test_classify_wuhai_dusitu_ranks_by_class_before_multiple() -> None:
    row = next(row for row in _official_rows("WH2xxxMxx") if row["section"] == "都思兔河入黄口")
    main_text = row["official_main_pollutants_or_exceedance"].split(";")[0]
    pairs = _bulletin_pairs(main_text)
    # Fluoride is printed in the remarks (1.64 mg/L); the others are rebuilt from their multiples over III.
    values = {code: LIMIT_III[code] * (1 + multiple) for code, multiple in pairs}
    values["f"] = 1.64

    result = _classify_one(**values)

    # F 1.64 is 劣V with multiple 0.64; COD 36 is V with the larger multiple 0.8: class ranks first.
    assert result["class"] == _label(row["official_class"])
    assert result["main_pollutants"] == [code for code, _ in pairs]
    assert [round(_multiples(result)[code], 1) for code, _ in pairs] == [multiple for _, multiple in pairs]


@pytest.mark.parametrize(
    ("code", "value", "expected"),
    [
        ("cod", 15.0, "I"),  # I and II share 15: the better class
        ("bod5", 3.0, "I"),
        ("cu", 1.0, "II"),  # II to V share 1.0
        ("zn", 1.0, "II"),
        ("f", 1.0, "I"),
        ("se", 0.01, "I"),
        ("as", 0.05, "I"),
        ("hg", 0.00005, "I"),
        ("hg", 0.001, "IV"),
        ("cd", 0.005, "II"),
        ("cr6", 0.05, "II"),
        ("pb", 0.05, "III"),
        ("cn", 0.2, "III"),
        ("phenol", 0.005, "III"),
        ("petroleum", 0.05, "I"),
        ("las", 0.3, "IV"),
        ("sulfide", 1.0, "V"),
        ("sulfide", 1.01, "劣V"),
        ("nh3n", 0.5, "II"),  # at the limit: that class
        ("nh3n", 0.5001, "III"),
    ],
)
def test_classify_shared_and_boundary_limits_give_the_better_class(
    code: str, value: float, expected: str
) -> None:
    row = _classify_one(**{code: value})

    assert row["class"] == expected


@pytest.mark.parametrize(("ph", "expected"), [(6.0, "II"), (9.0, "II"), (5.99, "劣V"), (9.01, "劣V")])
def test_classify_ph_outside_6_to_9_makes_the_sample_worse_than_v(ph: float, expected: str) -> None:
    row = _classify_one(ph=ph, nh3n=0.4)

    assert row["class"] == expected


def test_classify_ph_is_a_main_pollutant_without_multiple() -> None:
    row = _classify_one(ph=5.0, nh3n=0.4)

    assert row["main_pollutants"] == ["ph"]
    assert _multiples(row) == {}


@pytest.mark.parametrize(("waterbody", "expected"), [("river", "III"), ("lake", "IV")])
def test_classify_tp_uses_river_or_lake_limits_per_row(waterbody: str, expected: str) -> None:
    # River TP 0.15: 0.1 < 0.15 <= 0.2 -> III. Lake TP 0.1: 0.05 < 0.1 <= 0.1 -> IV.
    row = _classify_one(waterbody, tp=0.15 if waterbody == "river" else 0.1)

    assert row["class"] == expected


def test_classify_reference_items_are_reported_but_not_counted() -> None:
    row = _classify_one("lake", nh3n=0.4, tn=1.2, fecal_coliform=30000)

    assert row["class"] == "II"
    assert (row["tn_class"], row["fecal_coliform_class"]) == ("IV", "V")
    assert row["main_pollutants"] == []


def test_classify_tn_has_no_class_for_rivers() -> None:
    row = _classify_one("river", nh3n=0.4, tn=1.2)

    assert row["tn_class"] is None
    assert row["class"] == "II"


def test_classify_row_without_routine_measurement_has_no_class() -> None:
    frame = pl.DataFrame({"waterbody": ["river", "river"], "nh3n": [None, 0.4], "tn": [3.0, None]})

    result = classify_samples(frame)

    assert result.get_column("class").cast(pl.String).to_list() == [None, "II"]


def test_classify_ranking_ties_same_class_larger_multiple_first() -> None:
    # CODMn 12: V, (12-6)/6 = 1.0; NH3-N 1.8: V, 0.8.
    row = _classify_one(nh3n=1.8, codmn=12.0)

    assert row["main_pollutants"] == ["codmn", "nh3n"]


def test_classify_ranking_ties_equal_multiple_goes_by_table_1_order() -> None:
    # CODMn 9 and NH3-N 1.5 are both IV with multiple exactly 0.5: Table 1 order (item 4 before item 7).
    frame = pl.DataFrame({"waterbody": ["river"], "nh3n": [1.5], "codmn": [9.0]})

    row = classify_samples(frame).row(0, named=True)

    assert _multiples(row) == {"codmn": 0.5, "nh3n": 0.5}
    assert row["main_pollutants"] == ["codmn", "nh3n"]


def test_classify_ranking_ties_dissolved_oxygen_follows_items_with_multiple_in_its_class() -> None:
    # DO 2.5 is V without multiple; NH3-N 1.8 is V with multiple 0.8.
    row = _classify_one(do=2.5, nh3n=1.8)

    assert row["main_pollutants"] == ["nh3n", "do"]


def test_classify_ranking_ties_ph_and_do_without_multiple_go_by_table_order() -> None:
    row = _classify_one(do=1.0, ph=5.0)

    assert row["main_pollutants"] == ["ph", "do"]


def test_classify_main_pollutants_are_at_most_three_but_exceedance_lists_all() -> None:
    # 劣V: NH3-N 2.5 (1.5); V: CODMn 14 (1.33), TP 0.35 (0.75); IV: COD 25 (0.25).
    row = _classify_one(nh3n=2.5, codmn=14.0, tp=0.35, cod=25.0)

    assert row["main_pollutants"] == ["nh3n", "codmn", "tp"]
    assert list(_multiples(row)) == ["codmn", "cod", "nh3n", "tp"]


def test_classify_iii_or_better_has_no_main_pollutant_even_at_the_class_iii_limit() -> None:
    row = _classify_one(codmn=6.0, nh3n=1.0)

    assert row["class"] == "III"
    assert row["main_pollutants"] == []
    assert _multiples(row) == {}


def test_classify_keeps_rows_in_order_and_carries_other_columns() -> None:
    frame = pl.DataFrame(
        {"monitoring_section": ["b", "a"], "waterbody": ["river", "lake"], "tp": [0.15, 0.15]}
    )

    result = classify_samples(frame)

    assert result.select("monitoring_section", pl.col("class").cast(pl.String)).rows() == [
        ("b", "III"),
        ("a", "V"),
    ]


def test_classify_exceedance_pairs_lists_exceeding_items_in_table_order() -> None:
    frame = pl.DataFrame(
        {"waterbody": ["river", "river"], "nh3n": [2.3, 0.4], "codmn": [9.0, 3.0], "do": [1.0, 7.0]}
    )

    pairs = exceedance_pairs(classify_samples(frame))

    assert pairs.to_list() == [
        [{"item": "codmn", "multiple": 0.5}, {"item": "nh3n", "multiple": pytest.approx(1.3)}],
        [],
    ]


def test_classify_exceedance_text_rounds_to_two_decimals() -> None:
    frame = pl.DataFrame({"waterbody": ["river", "river"], "nh3n": [2.3, 0.4], "codmn": [6.3, 3.0]})

    text = exceedance_text(classify_samples(frame))

    # (6.3 - 6) / 6 = 0.05; (2.3 - 1) / 1 = 1.3.
    assert text.to_list() == ["codmn:0.05;nh3n:1.3", None]


def test_classify_without_items_having_a_multiple_gives_an_empty_exceedance() -> None:
    frame = pl.DataFrame({"waterbody": ["river"], "do": [1.0]})

    result = classify_samples(frame)

    assert exceedance_pairs(result).to_list() == [[]]
    assert exceedance_text(result).to_list() == [None]
    assert result.get_column("main_pollutants").to_list() == [["do"]]
