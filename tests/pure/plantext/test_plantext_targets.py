"""Targets: comparator wording, units of measure, deadlines, and what is not a target."""

from __future__ import annotations

import pytest

from envplan.plantext.targets import extract_targets, find_deadline


def _one(text: str, lang: str = "fr") -> tuple[str, float, str, str | None]:
    targets = extract_targets(text, lang, 2025)  # type: ignore[arg-type]  # literal languages in tests
    assert len(targets) == 1, targets
    t = targets[0]
    return t.comparator, t.value, t.unit_of_measure, t.deadline


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("Le taux de recyclage doit atteindre plus de 85 %.", "fr", (">", 85.0, "%", None)),
        ("Le taux de recyclage doit atteindre 85 %.", "fr", (">=", 85.0, "%", None)),
        ("Le taux de recyclage reste supérieur à 98 %.", "fr", (">", 98.0, "%", None)),
        ("La concentration ne doit pas dépasser 35 µg/m³.", "fr", ("<=", 35.0, "µg/m³", None)),
        ("Le nombre de jours pollués sera inférieur à 3.", "fr", ("<", 3.0, "count", None)),
        ("Porter le coefficient d'utilisation de l'eau à 0,71.", "fr", (">=", 0.71, "coefficient", None)),
        ("Avec un taux d'utilisation sûre de 100 % des terrains.", "fr", ("=", 100.0, "%", None)),
        ("Ajouter une capacité de plus de 20 MW.", "fr", (">", 20.0, "MW", None)),
        ("Restaurer 0,077 kilomètre carré de mines abandonnées.", "fr", (">=", 0.077, "km²", None)),
        ("Keep the sweeping rate at no less than 80%.", "en", (">=", 80.0, "%", None)),
        ("The PM2.5 concentration shall be at most 30 µg/m³.", "en", ("<=", 30.0, "µg/m³", None)),
        ("The ratio shall be below 5%.", "en", ("<", 5.0, "%", None)),
        ("优良天数比例达到85%以上。", "zh", (">=", 85.0, "%", None)),
        ("细颗粒物浓度控制在30微克/立方米以内。", "zh", ("<=", 30.0, "µg/m³", None)),
        ("重污染天数低于3天。", "zh", ("<", 3.0, "days", None)),
        ("空调使用3天。", "zh", None),
        ("完成2座绿色矿山建设。", "zh", (">=", 2.0, "count", None)),
        ("新增装机容量超过20兆瓦。", "zh", (">", 20.0, "MW", None)),
    ],
)
def test_targets_comparator_value_and_unit(
    text: str, lang: str, expected: tuple[str, float, str, None] | None
) -> None:
    targets = extract_targets(text, lang, 2025)  # type: ignore[arg-type]  # literal languages in tests

    found = [(t.comparator, t.value, t.unit_of_measure, t.deadline) for t in targets]

    assert found == ([expected] if expected else [])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("d'ici 2025", "2025-12-31"),
        ("d'ici à 2026", "2026-12-31"),
        ("d'ici la fin septembre", "2025-09-30"),
        ("avant la fin de février", "2025-02-28"),
        ("avant le 15 juin", "2025-06-15"),
        ("9月底前", "2025-09-30"),
        ("2026年6月30日前", "2026-06-30"),
        ("年底前", "2025-12-31"),
        ("到2025年底", "2025-12-31"),
        ("by the end of October", "2025-10-31"),
        ("by 2027", "2027-12-31"),
        ("before June 1", "2025-06-01"),
        ("sans délai", None),
        ("avant le 31 février", None),
    ],
)
def test_find_deadline_reads_phrases_in_three_languages(text: str, expected: str | None) -> None:
    found = find_deadline(text, 2025)

    assert (found.date if found else None) == expected


def test_deadline_at_sentence_start_applies_to_every_clause() -> None:
    text = "D'ici à 2025, la proportion de produits verts atteindra 30 %, et le taux de tri atteindra 50 %."

    deadlines = [t.deadline for t in extract_targets(text, "fr", 2025)]

    assert deadlines == ["2025-12-31", "2025-12-31"]


def test_deadline_inside_a_later_clause_stays_there() -> None:
    text = "完成3处水源保护区划定，9月底前完成问题整治。"

    found = [(t.unit_of_measure, t.deadline) for t in extract_targets(text, "zh", 2025)]

    assert found == [("count", None), ("milestone", "2025-09-30")]


def test_completion_with_deadline_is_a_milestone() -> None:
    targets = extract_targets("Terminer la révision de la liste d'ici la fin septembre.", "fr", 2025)

    assert [(t.indicator, t.comparator, t.value, t.unit_of_measure, t.deadline) for t in targets] == [
        ("Terminer la révision de la liste", "=", 1.0, "milestone", "2025-09-30")
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Appliquer strictement les « six exigences à 100 % ».",
        "Organiser la finalisation du « 14e Plan quinquennal ».",
        "Pendant la période du 14e Plan quinquennal, renforcer le contrôle.",
        "Mettre en œuvre une action concentrée de 21 mois.",
        "Conformément au document Baofubanfa [2025] n° 23, agir.",
        "L'esprit du 20e Congrès national du PCC.",
        "La concentration de PM2,5 doit répondre aux objectifs.",
        "落实“十四五”规划，推进“一河一策”。",
        "Publié le 29 mai 2025.",
        "Nous terminerons certaines tâches un mois en avance.",
    ],
)
def test_slogans_ordinals_durations_and_numbers_are_not_targets(text: str) -> None:
    lang = "zh" if "规划" in text else "fr"

    assert extract_targets(text, lang, 2025) == []  # type: ignore[arg-type]  # literal languages in tests


def test_count_after_action_verb_names_what_is_counted() -> None:
    targets = extract_targets("Nous créerons deux nouvelles mines vertes.", "fr", 2025)

    assert [(t.indicator, t.value, t.unit_of_measure) for t in targets] == [
        ("nouvelles mines vertes", 2.0, "count")
    ]


def test_as_written_is_the_clause_of_the_target() -> None:
    targets = extract_targets(
        "Renforcer le tri, atteindre un taux de tri de plus de 90 % pour les déchets.", "fr", 2025
    )

    assert [(t.indicator, t.as_written) for t in targets] == [
        ("taux de tri pour les déchets", "atteindre un taux de tri de plus de 90 % pour les déchets.")
    ]
