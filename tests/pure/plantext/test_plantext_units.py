"""The unit resolver: normalisation, token similarity, learned aliases, uncertainty, groups, splitting."""

from __future__ import annotations

from envplan.plantext import KnownUnit, UnitResolver
from envplan.plantext.roles import parse_unit_line, split_chinese_tail, split_unit_list
from envplan.plantext.units import (
    is_collective,
    learn_places,
    normalised_key,
    similarity,
    unit_tokens,
)

PLACES = frozenset({"kundulun", "kun", "kunqu", "baotou"})


def test_normalised_key_ignores_case_accents_and_apostrophes() -> None:
    assert normalised_key("Bureau de l’Environnement ÉCOLOGIQUE") == normalised_key(
        "bureau de l'environnement ecologique"
    )


def test_unit_tokens_drop_organisational_words_places_and_plurals() -> None:
    tokens = unit_tokens("Bureau de Kunqu de l'Administration des ressources naturelles de Baotou", PLACES)

    assert tokens == frozenset({"ressource", "naturell"})


def test_unit_tokens_keep_a_place_that_is_the_whole_name() -> None:
    assert unit_tokens("Ville de Kunhe", frozenset({"kunhe"})) == frozenset({"kunhe"})


def test_unit_tokens_chinese_strip_places_and_suffixes() -> None:
    places = frozenset({"包头市", "包市", "昆都仑区", "昆区"})

    assert unit_tokens("包头市生态环境局昆都仑区分局", places) == unit_tokens("区生态环境分局", places)


def test_similarity_is_one_for_same_tokens_and_low_for_one_shared_common_word() -> None:
    weight = {"developpement": 0.5, "reforme": 2.0, "logement": 2.0, "urbain": 2.0}
    same = similarity(
        frozenset({"developpement", "reforme"}), frozenset({"developpement", "reforme"}), weight
    )
    other = similarity(
        frozenset({"developpement", "reforme"}), frozenset({"logement", "developpement", "urbain"}), weight
    )

    # Dice 2 * 0.5 / (2.5 + 4.5) = 0.143; containment 0.85 * 0.5 / 2.5 = 0.17 is the higher
    assert (same, round(other, 3)) == (1.0, 0.17)


def test_resolver_merges_spellings_and_keeps_distinct_units_apart() -> None:
    resolver = UnitResolver(places=PLACES)

    result = resolver.resolve(
        [
            "Bureau de l'environnement écologique du district",
            "Antenne de Kunqu du Bureau de l'environnement écologique de Baotou",
            "Bureau des finances du district",
        ]
    )

    ids = [result.unit_of[m] for m in result.unit_of]
    assert ids == ["u1", "u1", "u2"]
    assert [(u.id, u.name, u.aliases) for u in result.units] == [
        ("u1", "Bureau de l'environnement écologique du district",
         ("Antenne de Kunqu du Bureau de l'environnement écologique de Baotou",)),
        ("u2", "Bureau des finances du district", ()),
    ]  # fmt: skip


def test_resolver_uses_aliases_learned_from_confirmed_imports() -> None:
    known = [
        KnownUnit(id="eco", name="区生态环境分局", aliases=("Bureau EE", "生态局")),
        KnownUnit(id="fin", name="区财政局"),
    ]
    resolver = UnitResolver(known)

    result = resolver.resolve(["Bureau EE", "区财政局"])

    assert result.unit_of == {"Bureau EE": "eco", "区财政局": "fin"}
    assert [(u.id, u.name, u.aliases) for u in result.units] == [
        ("eco", "区生态环境分局", ("Bureau EE",)),
        ("fin", "区财政局", ()),
    ]
    assert result.uncertain == []


def test_resolver_abbreviation_matches_known_unit_only_through_its_alias() -> None:
    known = [KnownUnit(id="miit", name="区工业和信息化局", aliases=("区工信局",))]

    result = UnitResolver(known).resolve(["区工信局"])

    assert result.unit_of == {"区工信局": "miit"}


def test_resolver_reports_a_near_miss_as_uncertain_with_candidates() -> None:
    resolver = UnitResolver(places=PLACES)

    result = resolver.resolve(
        [
            "Bureau de l'agriculture et de l'élevage du district",
            "Bureau de l'agriculture et des affaires rurales du district",
            "Bureau des finances du district",
            "Bureau de la santé du district",
        ]
    )

    assert [(d.unit, d.as_written, d.candidates) for d in result.uncertain] == [
        ("u2", "Bureau de l'agriculture et des affaires rurales du district", ("u1",))
    ]


def test_resolver_group_mentions_become_group_units() -> None:
    result = UnitResolver().resolve(["divers quartiers et villes", "Ville de Kunhe", "各街镇"])

    assert [(u.name, u.group) for u in result.units] == [
        ("divers quartiers et villes", True),
        ("Ville de Kunhe", False),
        ("各街镇", True),
    ]


def test_is_collective_recognises_three_languages() -> None:
    mentions = [
        "divers quartiers et villes",
        "all towns and sub-districts",
        "各县区政府",
        "Ville de Kunhe",
        "区财政局",
    ]

    assert [is_collective(m) for m in mentions] == [True, True, True, False, False]


def test_split_unit_list_keeps_et_and_commas_that_belong_to_names() -> None:
    text = (
        "Bureau du logement et du développement urbain et rural du district, Bureau de l'environnement "
        "écologique de Kunqu, Bureau de l'environnement de Baotou et Bureau de l'environnement écologique "
        "de Baotou, succursale du district de Kun"
    )

    assert split_unit_list(text, "fr", PLACES) == [
        "Bureau du logement et du développement urbain et rural du district",
        "Bureau de l'environnement écologique de Kunqu, Bureau de l'environnement de Baotou",
        "Bureau de l'environnement écologique de Baotou, succursale du district de Kun",
    ]


def test_split_unit_list_french_collective_and_towns() -> None:
    text = "Bureau de la sécurité publique du district, divers quartiers et villes"

    assert split_unit_list(text, "fr") == [
        "Bureau de la sécurité publique du district",
        "divers quartiers et villes",
    ]


def test_split_unit_list_english_head_last_names() -> None:
    text = (
        "County Development and Reform Commission, "
        "County Bureau of Industry and Information Technology and Finance Bureau"
    )

    assert split_unit_list(text, "en") == [
        "County Development and Reform Commission",
        "County Bureau of Industry and Information Technology",
        "Finance Bureau",
    ]


def test_split_unit_list_chinese_never_splits_on_he() -> None:
    assert split_unit_list("区工业和信息化局、区住房和城乡建设局等", "zh") == [
        "区工业和信息化局",
        "区住房和城乡建设局",
    ]


def test_parse_unit_line_roles_in_three_languages() -> None:
    lines = [
        "Unité responsable principale : A",
        "Unité de direction : A",
        "Unités responsables : A, B",
        "Unités chargées : C",
        "牵头单位：甲",
        "责任单位：乙",
        "配合单位：丙",
        "Lead unit: A",
        "Responsible units: B",
        "Implementing units: C",
        "Une phrase ordinaire : non",
    ]

    assert [parse_unit_line(line) for line in lines] == [
        ("lead", "A"), ("lead", "A"), ("responsible", "A, B"), ("implementing", "C"),
        ("lead", "甲"), ("responsible", "乙"), ("implementing", "丙"),
        ("lead", "A"), ("responsible", "B"), ("implementing", "C"), None,
    ]  # fmt: skip


def test_split_chinese_tail_reads_roles_from_the_parenthesis() -> None:
    text = "推进工业节水。（市工业和信息化局、市发展改革委按职责分工负责，各县区政府具体落实）"

    assert split_chinese_tail(text) == (
        "推进工业节水。",
        [("responsible", "市工业和信息化局、市发展改革委"), ("implementing", "各县区政府")],
    )


def test_split_chinese_tail_leaves_an_ordinary_parenthesis() -> None:
    text = "水质优良比例达到80%（断流断面视为达标）"

    assert split_chinese_tail(text) == (text, [])


def test_learn_places_finds_district_and_city_names() -> None:
    text = "Plan du district de Kundulun et de la ville de Baotou. 包头市昆都仑区人民政府"

    assert learn_places(text) == frozenset({"kundulun", "baotou", "包头市", "包市", "昆都仑区", "昆区"})
