"""The Chinese and English plans written for these tests (tests/data/plantext), and the .docx version."""

from __future__ import annotations

from pathlib import Path

from envplan.plantext import Draft, parse_file

DATA = Path(__file__).resolve().parents[3] / "tests" / "data" / "plantext"


def _targets(draft: Draft) -> dict[int, list[tuple[str, float, str, str | None]]]:
    return {
        t.number: [(g.comparator, g.value, g.unit_of_measure, g.deadline) for g in t.targets]
        for t in draft.tasks()
    }


def _roles(draft: Draft, number: int) -> list[tuple[str, str, str]]:
    task = next(t for t in draft.tasks() if t.number == number)
    return [(r.role, draft.unit_by_id(r.unit).name, r.as_written) for r in task.units]


def test_zh_meta_is_read(zh_draft: Draft) -> None:
    assert zh_draft.meta.to_dict() == {
        "title": "昆都仑区2025年水污染防治工作方案",
        "doc_number": "昆府办发〔2025〕9号",
        "issuer": "昆都仑区人民政府办公室",
        "date": "2025-04-18",
        "language": "zh",
    }


def test_zh_structure_has_chapters_sections_tasks(zh_draft: Draft) -> None:
    outline = [(c.number, c.title, [(s.number, [t.number for t in s.tasks]) for s in c.sections])
               for c in zh_draft.chapters]  # fmt: skip

    assert outline == [
        ("一", "总体要求", []),
        ("二", "主要目标", []),
        ("三", "重点任务", [("一", [1, 2]), ("二", [3, 4]), ("三", [5])]),
        ("四", "保障措施", []),
    ]
    assert zh_draft.warnings == []


def test_zh_parenthesised_tail_gives_roles_and_is_cut_from_text(zh_draft: Draft) -> None:
    task = zh_draft.tasks()[0]

    assert (
        task.text == "完成3处乡镇级集中式饮用水水源保护区划定和标志设立，9月底前完成水源地环境问题排查整治。"
    )
    assert [(role, written) for role, _, written in _roles(zh_draft, 1)] == [
        ("lead", "区生态环境分局"),
        ("responsible", "区农牧局"),
        ("responsible", "各镇人民政府"),
        ("implementing", "各街镇"),
    ]


def test_zh_unit_lines_give_roles(zh_draft: Draft) -> None:
    assert [(role, written) for role, _, written in _roles(zh_draft, 4)] == [
        ("lead", "区发展和改革委员会"),
        ("responsible", "包头市生态环境局昆都仑区分局"),
        ("responsible", "区住房和城乡建设局"),
    ]


def test_zh_unit_spelled_two_ways_resolves_to_one(zh_draft: Draft) -> None:
    ecology = {r.unit for t in zh_draft.tasks() for r in t.units if "生态环境" in r.as_written}
    development = {r.unit for t in zh_draft.tasks() for r in t.units if "发展" in r.as_written}

    assert (len(ecology), len(development)) == (1, 1)
    assert len(zh_draft.units) == 8


def test_zh_collective_mentions_are_groups(zh_draft: Draft) -> None:
    groups = sorted(u.name for u in zh_draft.units if u.group)

    assert groups == ["各街镇", "各镇人民政府"]


def test_zh_goals_and_targets(zh_draft: Draft) -> None:
    goals = [(g.indicator, g.comparator, g.value, g.deadline) for g in zh_draft.goals]

    assert goals == [
        ("全区地表水国考断面水质优良（达到或优于Ⅲ类）比例", ">=", 80.0, "2025-12-31"),
        ("城市建成区黑臭水体消除比例", ">=", 100.0, "2025-12-31"),
        ("农村生活污水治理率", ">=", 60.0, "2025-12-31"),
        ("重点河湖生态流量保障率", ">=", 90.0, "2025-12-31"),
    ]
    assert _targets(zh_draft) == {
        1: [(">=", 3.0, "count", None), ("=", 1.0, "milestone", "2025-09-30")],
        2: [],
        3: [(">=", 12.0, "km", None), (">=", 75.0, "%", None)],
        4: [(">=", 2.0, "count", "2025-12-31"), (">=", 30.0, "%", "2025-12-31")],
        5: [(">=", 100.0, "%", None)],
    }


def test_zh_slogans_and_plan_ordinals_are_not_targets(zh_draft: Draft) -> None:
    # “十四五”, “一河一策” and 每季度公开一次 are in the text; none is a target.
    indicators = [g.indicator for t in zh_draft.tasks() for g in t.targets] + [
        g.indicator for g in zh_draft.goals
    ]

    assert [i for i in indicators if "十四五" in i or "一河一策" in i or "季度" in i] == []


def test_en_meta_is_read(en_draft: Draft) -> None:
    assert en_draft.meta.to_dict() == {
        "title": "Hexi County 2025 Air Quality Improvement Action Plan",
        "doc_number": "Hexi Gov. Office Issue [2025] No. 12",
        "issuer": "General Office of the Hexi County People's Government",
        "date": "2025-03-03",
        "language": "en",
    }


def test_en_roles_and_names_with_and(en_draft: Draft) -> None:
    assert _roles(en_draft, 1) == [
        ("lead", "County Ecology and Environment Bureau", "County Ecology and Environment Bureau"),
        (
            "responsible",
            "County Development and Reform Commission",
            "County Development and Reform Commission",
        ),
        (
            "responsible",
            "County Bureau of Industry and Information Technology",
            "County Bureau of Industry and Information Technology",
        ),
    ]
    assert _roles(en_draft, 2)[0] == (
        "lead",
        "County Ecology and Environment Bureau",
        "Hexi Bureau of Ecology and Environment",
    )
    assert _roles(en_draft, 3)[2] == (
        "implementing",
        "all towns and sub-districts",
        "all towns and sub-districts",
    )


def test_en_goals_and_targets(en_draft: Draft) -> None:
    goals = [(g.indicator, g.comparator, g.value, g.unit_of_measure, g.deadline) for g in en_draft.goals]

    assert goals == [
        ("annual average PM2.5 concentration in the county", "<=", 35.0, "µg/m³", "2025-12-31"),
        ("good-days ratio", ">=", 82.5, "%", "2025-12-31"),
        ("number of heavily polluted days", "<", 3.0, "count", "2025-12-31"),
    ]
    assert _targets(en_draft) == {
        1: [(">=", 4.0, "count", "2025-10-31"), (">", 95.0, "%", None)],
        2: [(">=", 100.0, "%", "2025-06-30")],
        3: [(">=", 90.0, "%", None), (">=", 150.0, "count", None)],
        4: [(">", 85.0, "%", None)],
    }


def test_docx_version_parses_like_the_text(zh_draft: Draft) -> None:
    from_docx = parse_file(DATA / "plan_zh.docx")

    assert from_docx.to_dict() == zh_draft.to_dict()
