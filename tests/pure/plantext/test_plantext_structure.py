"""Structure: numbering kept as printed, irregularities warned, noise ignored, languages detected."""

from __future__ import annotations

import pytest

from envplan.plantext import PlanTextError, parse_text
from envplan.plantext.lang import detect_language, normalise
from envplan.plantext.numbering import chinese_value, roman_value

PLAN = """Menu | Accueil | Contact +86 10 1234 5678
Plan d'action 2025 du district de Test

I. Exigences générales
Texte général.
II. Tâches
(1) Première section
1. Faire une chose utile pour l'environnement du district.
Unité responsable : Bureau des finances du district
3. Faire une deuxième chose utile pour le district.
Unité responsable : Bureau des finances du district
(1) Section répétée
4. Faire une troisième chose utile pour le district.
Unités responsables : Bureau de la santé du district
IV. Garanties
Texte.
Source : site du district
"""


def test_structure_keeps_document_order_and_warns_on_irregular_numbers() -> None:
    draft = parse_text(PLAN)

    assert [
        (c.number, [(s.number, [t.number for t in s.tasks]) for s in c.sections]) for c in draft.chapters
    ] == [
        ("I", []),
        ("II", [("1", [1, 3]), ("1", [4])]),
        ("IV", []),
    ]
    assert draft.warnings == [
        "no chapter numbered III: numbering jumps from II to IV",
        "section 1 appears twice in chapter II; both are kept in document order",
        "no task numbered 2 in section (1): numbering jumps from 1 to 3",
    ]


def test_structure_task_without_units_is_warned() -> None:
    draft = parse_text("Titre du plan\nI. Tâches\n(1) Section\n1. Une tâche sans unité responsable nommée.\n")

    assert draft.warnings == ["line 4: task 1 names no unit"]


def test_structure_tasks_restarting_in_each_section_are_regular() -> None:
    text = (
        "一、任务\n（一）甲\n1．第一项任务内容写在这里。\n责任单位：区财政局\n2．第二项任务内容写在这里。\n责任单位：区财政局\n"
        "（二）乙\n1．第三项任务内容写在这里。\n责任单位：区财政局\n"
    )

    draft = parse_text(text)

    assert ([t.number for t in draft.tasks()], draft.warnings) == ([1, 2, 1], [])


def test_structure_task_continuation_lines_join_the_task() -> None:
    text = (
        "I. Tâches\n(1) Section\n1. Une tâche écrite\nsur deux lignes de texte du plan.\n"
        "Unité responsable : Bureau A\n"
    )

    draft = parse_text(text)

    assert draft.tasks()[0].text == "Une tâche écrite sur deux lignes de texte du plan."


def test_parse_text_rejects_text_without_tasks() -> None:
    with pytest.raises(PlanTextError, match="no numbered tasks"):
        parse_text("I. Exigences générales\nDu texte seulement.\n")


def test_parse_text_rejects_unknown_language() -> None:
    with pytest.raises(PlanTextError, match="unsupported language"):
        parse_text(PLAN, lang="de")


def test_detect_language_three_languages() -> None:
    texts = [
        "Le plan de la ville et des districts",
        "The plan of the city and the districts",
        "区生态环境分局负责",
    ]

    assert [detect_language(t) for t in texts] == ["fr", "en", "zh"]


def test_normalise_keeps_length_and_maps_full_width() -> None:
    text = "1．（一）：％ l’eau\u00a0"

    assert (normalise(text), len(normalise(text))) == ("1.(一):% l'eau ", len(text))


def test_numerals_roman_and_chinese() -> None:
    assert [roman_value(r) for r in ["IV", "XXII", "VIII", "IIII", "ABC"]] == [4, 22, 8, None, None]
    assert [chinese_value(c) for c in ["一", "十", "十二", "二十三", "甲"]] == [1, 10, 12, 23, None]
