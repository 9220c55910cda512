"""Credit schemes as data: the bundled files, and the checks on a district's own file (pure, no database)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from envplan.standards.credit import (
    CODES,
    SchemeError,
    bundled_schemes,
    load_scheme_file,
    load_schemes,
    parse_scheme,
)


def test_bundled_schemes_are_the_national_2013_and_inner_mongolia_2024_measures():
    schemes = bundled_schemes()

    assert sorted(schemes) == ["inner-mongolia-2024", "national-2013"]
    assert schemes["national-2013"].document == "环发〔2013〕150号"
    assert [g.code for g in schemes["national-2013"].grades] == ["green", "blue", "yellow", "red"]
    assert [g.code for g in schemes["inner-mongolia-2024"].grades] == ["A", "B", "C", "D"]


def test_bundled_national_scheme_keeps_the_seven_known_weights_of_the_2013_table():
    national = bundled_schemes()["national-2013"]

    weights = {i.code: i.weight for i in national.indicators}

    assert weights == {
        "compliant_discharge": Decimal(15),
        "administrative_penalty": Decimal(15),
        "environmental_risk": Decimal(10),
        "ordinary_solid_waste": Decimal(5),
        "hazardous_waste": Decimal(5),
        "noise": Decimal(4),
        "siting": Decimal(2),
    }
    assert [b.at_least for b in national.indicator_for("outlet_compliance").bands] == [90, 75, 50, 0]


def test_bundled_schemes_mark_what_the_sources_do_not_give_as_settings():
    national = bundled_schemes()["national-2013"]
    inner_mongolia = bundled_schemes()["inner-mongolia-2024"]

    # The national cut-offs and the whole Inner Mongolia table were not found: settings, and said so.
    assert [g.setting for g in national.grades[:3]] == [True, True, True]
    assert any("cut-offs were not found" in gap for gap in national.gaps)
    assert all(i.setting for i in inner_mongolia.indicators)
    assert any("scoring table was not found" in gap for gap in inner_mongolia.gaps)
    # What the sources do give is not a setting: the D grade's 150 % inspection ratio (Wuhai).
    assert inner_mongolia.grade("D").inspection_factor == Decimal("1.5")
    assert inner_mongolia.grade("D").setting is False


def test_bundled_schemes_use_only_known_evidence_codes_and_vetoes():
    for scheme in bundled_schemes().values():
        used = {code for i in scheme.indicators for code in i.evidence} | {v.code for v in scheme.vetoes}

        assert used <= set(CODES)
    assert {v.code for v in bundled_schemes()["national-2013"].vetoes} == {
        "veto_crime",
        "veto_no_eia",
        "veto_no_acceptance",
        "veto_unapproved_change",
        "veto_total_load",
        "veto_bypass",
        "veto_hazardous_waste",
    }


def label() -> dict:
    return {"zh": "甲", "en": "a", "fr": "a"}


def minimal() -> dict:
    return {
        "id": "district-x",
        "edition": "2026",
        "title": label(),
        "method": "weighted",
        "grades": [
            {"code": "good", "rank": 1, "label": label(), "at_least": 60},
            {"code": "bad", "rank": 2, "label": label(), "at_least": 0},
        ],
        "indicators": [
            {
                "code": "penalties",
                "label": label(),
                "weight": 10,
                "evidence": ["penalty"],
                "rule": "deduct",
                "per_record": {"penalty": 50},
            }
        ],
    }


def test_scheme_minimal_document_is_accepted():
    scheme = parse_scheme(minimal(), label="x.toml")

    assert (scheme.id, scheme.best.code, scheme.worst.code) == ("district-x", "good", "bad")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(colour="red"), "x.toml: unknown key(s) colour"),
        (lambda d: d.update(method="average"), "x.toml: method: 'average' is not one of weighted, points"),
        (
            lambda d: d["title"].pop("fr"),
            "x.toml: title: a label in each of zh, en, fr is required (missing fr)",
        ),
        (
            lambda d: d["indicators"][0].update(evidence=["fines"]),
            "x.toml: indicators[1]: evidence: 'fines' is not an evidence code",
        ),
        (
            lambda d: d["indicators"][0].pop("weight"),
            "x.toml: indicators[1]: weight: required by the weighted",
        ),
        (
            lambda d: d["indicators"][0].update(per_record={"noise_finding": 5}),
            "x.toml: indicators[1]: per_record: 'noise_finding' is not in the indicator's evidence",
        ),
        (
            lambda d: d["grades"][1].update(at_least=5),
            "x.toml: grades[2]: at_least: the worst grade starts at 0",
        ),
        (
            lambda d: d["grades"][0].update(at_least=-1),
            "x.toml: grades[1]: at_least: expected a finite number, 0 or more",
        ),
        (
            lambda d: d.update(vetoes=[{"code": "penalty", "label": d["title"]}]),
            "x.toml: 'penalty' is both a veto or downgrade and evidence of indicator 'penalties'",
        ),
        (lambda d: d.update(lists={"sanctions": "worst"}), "x.toml: lists.sanctions: 'worst' is not a grade"),
    ],
)
def test_scheme_bad_document_is_refused_naming_the_key(change, message):
    document = minimal()
    change(document)

    with pytest.raises(SchemeError) as refused:
        parse_scheme(document, label="x.toml")

    assert str(refused.value).startswith(message)


def test_scheme_file_with_bad_toml_names_the_file_and_line(tmp_path: Path):
    path = tmp_path / "district.toml"
    path.write_text('id = "district"\nmethod = \n', encoding="utf-8")

    with pytest.raises(SchemeError) as refused:
        load_scheme_file(path)

    assert str(refused.value).startswith(f"{path}: not valid TOML: ")
    assert "line 2" in str(refused.value)


def test_scheme_folders_refuse_the_same_id_twice(tmp_path: Path):
    import json

    (tmp_path / "a.json").write_text(json.dumps(minimal()), encoding="utf-8")
    (tmp_path / "b.json").write_text(json.dumps(minimal()), encoding="utf-8")

    with pytest.raises(SchemeError) as refused:
        load_schemes([tmp_path])

    assert (
        str(refused.value)
        == f"{tmp_path / 'b.json'}: id 'district-x' is already defined by {tmp_path / 'a.json'}"
    )
