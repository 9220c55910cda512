"""The reference plan (Kundulun 2025, French translation with web noise): structure, units, targets."""

from __future__ import annotations

import hashlib
import json

from envplan.plantext import Draft, KnownUnit, parse_text

ECOLOGY_SPELLINGS = [
    "Bureau de l’environnement écologique de la branche du district de Kun de la ville de Baotou",
    "Bureau de l'environnement écologique de la branche du district de Kun de la ville de Baotou",
    "Bureau de l'environnement écologique de la branche de Kunqu de Baotou",
    "Bureau de Kunqu de l'environnement écologique de Baotou",
    "Bureau de l'environnement écologique de Baotou, succursale du district de Kun",
    "Bureau du district de Kun du Bureau de l’environnement écologique de Baotou",
    "Bureau de Kunqu de l'Administration de l'environnement écologique de Baotou",
    "Antenne de Kunqu du Bureau de l'environnement écologique de Baotou",
    "Bureau de Kunqu de l'Office de l'environnement écologique de Baotou",
    "Bureau de l'environnement écologique de Kunqu, Bureau de l'environnement de Baotou",
    "Bureau de Kunqu du Bureau de la protection écologique et de l'environnement de Baotou",
    "Bureau de Kunqu de l’Office de protection de l’environnement écologique de Baotou",
]


def _targets_by_task(draft: Draft) -> dict[int, list[tuple[str, float, str, str | None]]]:
    return {
        task.number: [(t.comparator, t.value, t.unit_of_measure, t.deadline) for t in task.targets]
        for task in draft.tasks()
        if task.targets
    }


def _unit_of(draft: Draft, task_number: int) -> list[tuple[str, str]]:
    task = next(t for t in draft.tasks() if t.number == task_number)
    return [(ref.role, draft.unit_by_id(ref.unit).name) for ref in task.units]


def test_reference_meta_reads_title_number_issuer_date(seed_draft: Draft) -> None:
    meta = seed_draft.meta

    assert meta.to_dict() == {
        "title": "Plan d'action 2025 du district de Kundulun pour la lutte contre la pollution",
        "doc_number": "Kunfubanfa [2025] n° 4",
        "issuer": "Bureau du gouvernement populaire du district de Kundulun",
        "date": "2025-05-29",
        "language": "fr",
    }


def test_reference_tasks_are_1_to_47_in_order(seed_draft: Draft) -> None:
    numbers = [task.number for task in seed_draft.tasks()]

    assert numbers == list(range(1, 48))


def test_reference_sections_are_22_in_document_order(seed_draft: Draft) -> None:
    sections = [s.number for c in seed_draft.chapters for s in c.sections]

    assert sections == ["1", "2", "3", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV",
                        "XV", "XVI", "XVII", "XVIII", "XIX", "XX", "XXI", "XXII"]  # fmt: skip


def test_reference_chapters_keep_printed_numbers_and_empty_ones(seed_draft: Draft) -> None:
    chapters = [(c.number, len(c.sections)) for c in seed_draft.chapters]

    assert chapters == [
        ("I", 0),
        ("II", 0),
        ("III", 5),
        ("IV", 5),
        ("V", 3),
        ("VI", 4),
        ("VI", 5),
        ("VIII", 0),
    ]
    assert seed_draft.chapters[1].title == "Objectifs principaux"
    assert seed_draft.chapters[7].title == "Mesures de sauvegarde"


def test_reference_numbering_irregularities_are_warned(seed_draft: Draft) -> None:
    assert seed_draft.warnings == [
        "chapter VI appears twice; both are kept in document order",
        "no chapter numbered VII: numbering jumps from VI to VIII",
        "section numbering mixes numeral styles: arabic (1)–(3); roman (IV)–(XXII)",
    ]


def test_reference_web_noise_is_not_in_the_plan(seed_draft: Draft) -> None:
    text = " ".join(task.text for task in seed_draft.tasks())

    assert ("WhatsApp" in text, "5155-0306" in text, "Source :" in text) == (False, False, False)
    assert seed_draft.tasks()[-1].text.endswith("conditions météorologiques de forte pollution.")


def test_reference_task_text_excludes_unit_lines(seed_draft: Draft) -> None:
    task = seed_draft.tasks()[0]

    assert task.text.startswith("Participer activement au marché national")
    assert task.text.endswith("fondée sur l'information.")


def test_reference_every_ecology_bureau_spelling_resolves_to_one_unit(seed_draft: Draft) -> None:
    written = {ref.as_written: ref.unit for task in seed_draft.tasks() for ref in task.units}

    ids = {written[spelling] for spelling in ECOLOGY_SPELLINGS}

    assert len(ids) == 1
    unit = seed_draft.unit_by_id(ids.pop())
    assert sorted({unit.name, *unit.aliases}) == sorted(ECOLOGY_SPELLINGS)


def test_reference_has_about_twenty_canonical_units(seed_draft: Draft) -> None:
    groups = [u.name for u in seed_draft.units if u.group]

    assert len(seed_draft.units) == 22
    assert groups == ["divers quartiers et villes"]


def test_reference_names_with_et_are_not_split(seed_draft: Draft) -> None:
    names = {u.name for u in seed_draft.units} | {a for u in seed_draft.units for a in u.aliases}

    assert "Zone de développement économique et technologique de Kundulun" in names
    assert "Bureau du logement et du développement urbain et rural du district" in names
    assert "Commission du développement et de la réforme du district" in names


def test_reference_agriculture_bureau_named_two_ways_is_uncertain(seed_draft: Draft) -> None:
    by_name = {u.name: u.id for u in seed_draft.units}

    doubts = [(d.unit, d.candidates) for d in seed_draft.uncertain]

    assert doubts == [
        (
            by_name["Bureau de l'agriculture et des affaires rurales du district"],
            (by_name["Bureau de l'agriculture et de l'élevage du district"],),
        )
    ]


def test_reference_roles_are_as_written(seed_draft: Draft) -> None:
    ecology = seed_draft.unit_by_id(next(r.unit for r in seed_draft.tasks()[0].units)).name

    assert _unit_of(seed_draft, 40) == [
        ("lead", "Bureau de gestion des urgences du district"),
        ("responsible", ecology),
    ]
    assert _unit_of(seed_draft, 44) == [("lead", ecology)]
    assert _unit_of(seed_draft, 25)[2:] == [
        ("implementing", "Ville de Kunhe"),
        ("implementing", "Ville de Buerhantu"),
        ("implementing", "Bureau de sous-district de Kunbei"),
    ]
    assert _unit_of(seed_draft, 17)[-1] == ("responsible", "divers quartiers et villes")


def test_reference_goals_are_the_main_goals_chapter_targets(seed_draft: Draft) -> None:
    goals = [(g.comparator, g.value, g.unit_of_measure, g.deadline) for g in seed_draft.goals]

    assert goals == [(">=", 83.3, "%", None), ("=", 100.0, "%", None), (">=", 86.2, "%", None)]
    assert seed_draft.goals[2].indicator == (
        "taux de traitement des eaux usées domestiques dans les zones rurales et pastorales"
    )


def test_reference_targets_land_on_their_tasks(seed_draft: Draft) -> None:
    assert _targets_by_task(seed_draft) == {
        5: [(">", 85.0, "%", None)],
        6: [("=", 1.0, "milestone", "2025-12-31")],
        8: [(">", 20.0, "MW", None)],
        9: [(">=", 0.71, "coefficient", None), (">=", 2.0, "count", None)],
        12: [(">=", 30.0, "%", "2025-12-31")],
        13: [(">=", 2.0, "count", None)],
        17: [(">=", 90.0, "%", None)],
        18: [(">=", 80.0, "%", None)],
        20: [("=", 1.0, "milestone", "2025-09-30")],
        22: [(">=", 83.3, "%", None)],
        26: [(">=", 100.0, "%", None)],
        31: [(">", 90.0, "%", None), (">", 90.0, "%", None), (">", 85.0, "%", None)],
        33: [(">", 95.0, "%", None)],
        35: [(">=", 100.0, "%", "2025-12-31")],
        37: [(">=", 0.077, "km²", None), (">=", 2.0, "count", None)],
        39: [(">", 98.0, "%", None)],
        40: [("=", 1.0, "milestone", "2025-12-31")],
        43: [(">=", 24.0, "count", None)],
    }


def test_reference_target_indicators_name_what_is_measured(seed_draft: Draft) -> None:
    tasks = {t.number: t for t in seed_draft.tasks()}

    assert tasks[8].targets[0].indicator == "capacité de raccordement au réseau"
    assert tasks[9].targets[0].indicator == (
        "coefficient d'utilisation efficace de l'eau d'irrigation des terres agricoles"
    )
    assert tasks[37].targets[1].indicator == "nouvelles mines vertes"
    assert tasks[43].targets[0].indicator == "tâches de rectification"
    assert tasks[20].targets[0].as_written.startswith("Terminer la révision de la liste")


def test_reference_slogans_ordinals_and_numbers_are_not_targets(seed_draft: Draft) -> None:
    values = {t.value for task in seed_draft.tasks() for t in task.targets} | {
        g.value for g in seed_draft.goals
    }

    # "six exigences à 100 %" (task 18), "14e Plan quinquennal" (35, 40), "21 mois" (24), "[2025] n° 4"
    assert {6.0, 14.0, 21.0, 2025.0, 4.0} & values == set()
    assert [t.value for t in next(t for t in seed_draft.tasks() if t.number == 18).targets] == [80.0]


def test_reference_known_units_resolve_the_doubt_a_person_settled(seed_text: str) -> None:
    known = [
        KnownUnit(
            id="agriculture",
            name="Bureau de l'agriculture et de l'élevage du district",
            aliases=("Bureau de l'agriculture et des affaires rurales du district",),
        )
    ]

    draft = parse_text(seed_text, known_units=known)

    tasks = {t.number: t for t in draft.tasks()}
    assert draft.uncertain == []
    assert (tasks[9].units[0].unit, tasks[28].units[0].unit, len(draft.units)) == (
        "agriculture",
        "agriculture",
        21,
    )


def test_reference_draft_is_exactly_the_one_before_chinese_layouts(seed_draft: Draft) -> None:
    # The draft's JSON as parsed before issue 12 (sorted keys), pinned by its SHA-256; since then the only
    # addition is each target's kind, which must agree with its unit of measure.
    data = seed_draft.to_dict()
    targets = [*data["goals"], *(t for c in data["chapters"] for s in c["sections"] for k in s["tasks"]
                                 for t in k["targets"])]  # fmt: skip
    kinds = {(t.pop("kind"), t["unit_of_measure"] == "milestone") for t in targets}

    digest = hashlib.sha256(json.dumps(data, ensure_ascii=False, sort_keys=True).encode("utf-8")).hexdigest()

    assert digest == "e0d3f6b682787fae92c71c6c14bd2a942976f28d69b0fb9606570bfa641283f1"
    assert kinds == {("value", False), ("milestone", True)}
