"""Layouts of real Chinese plans, each on a plan written for these tests (tests/data/plantext/plan_zh_*)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from envplan.plantext import Draft, parse_file, parse_text
from envplan.plantext.scoring import score
from envplan.plantext.targets import extract_targets, find_deadline
from tests.commandline import in_group

main = in_group("plan")

DATA = Path(__file__).resolve().parents[3] / "tests" / "data" / "plantext"
PLANS = ["plan_zh_fengdu", "plan_zh_luzhou", "plan_zh_tongling", "plan_zh_chengxi_opening"]


@pytest.fixture(scope="module")
def drafts() -> dict[str, Draft]:
    return {name: parse_file(DATA / f"{name}.txt") for name in PLANS}


def _units(draft: Draft, number: int) -> list[tuple[str, str]]:
    task = next(t for t in draft.tasks() if t.number == number)
    return [(ref.role, ref.as_written) for ref in task.units]


def _targets(draft: Draft, number: int) -> list[tuple[str | None, str, float, str, str | None]]:
    task = next(t for t in draft.tasks() if t.number == number)
    return [(t.kind, t.comparator, t.value, t.unit_of_measure, t.deadline) for t in task.targets]


@pytest.mark.parametrize("name", PLANS)
def test_written_plans_match_their_gold_files_entirely(drafts: dict[str, Draft], name: str) -> None:
    gold = json.loads((DATA / f"{name}.gold.json").read_text(encoding="utf-8"))

    found = score(drafts[name], gold)

    assert {c: (t.found, t.expected) for c, t in found.tallies.items()} == {
        c: (t.expected, t.expected) for c, t in found.tallies.items()
    }


def test_attribution_labelled_lines_after_the_task(drafts: dict[str, Draft]) -> None:
    assert _units(drafts["plan_zh_luzhou"], 1) == [
        ("lead", "县生态环境分局"),
        ("implementing", "县水利局"),
        ("implementing", "县住建局"),
        ("responsible", "各乡镇人民政府"),
    ]


def test_attribution_labels_in_one_line_with_or_without_semicolon(drafts: dict[str, Draft]) -> None:
    draft = drafts["plan_zh_luzhou"]

    assert _units(draft, 3)[:2] == [("lead", "县农业农村局"), ("responsible", "县生态环境分局")]
    assert _units(draft, 4)[:2] == [("lead", "县水利局"), ("responsible", "县河长办")]


def test_attribution_bracket_at_the_end_is_cut_from_the_text(drafts: dict[str, Draft]) -> None:
    task = drafts["plan_zh_fengdu"].tasks()[0]

    assert task.text == "淘汰35蒸吨/小时及以下燃煤锅炉，9月底前完成剩余8台锅炉的拆除或清洁能源改造。"
    assert _units(drafts["plan_zh_fengdu"], 1) == [
        ("lead", "区发改委"),
        ("responsible", "区市场监管局"),
        ("responsible", "各街道办事处"),
    ]


def test_attribution_two_labels_in_one_bracket_and_peihe_as_a_verb(drafts: dict[str, Draft]) -> None:
    # Task 2 says 区工信局配合做好… in its body: a verb, not an implementing unit.
    assert _units(drafts["plan_zh_fengdu"], 2) == [
        ("lead", "区工信局"),
        ("responsible", "区统计局"),
        ("responsible", "区生态环境分局"),
    ]


def test_attribution_several_brackets_and_a_positional_rule(drafts: dict[str, Draft]) -> None:
    draft = drafts["plan_zh_fengdu"]

    assert _units(draft, 3) == [
        ("lead", "区交通运输局"),
        ("responsible", "区公安分局"),
        ("lead", "区住建局"),
        ("responsible", "区城管局"),
    ]
    # 下同: the rule holds for the later bracket too, written with half-width brackets and commas.
    assert _units(draft, 4) == [("lead", "区城管局"), ("responsible", "各街道办事处")]
    assert _units(draft, 5) == [("lead", "区生态环境分局"), ("implementing", "区应急管理局")]


def test_attribution_rider_carries_a_unit_to_every_later_task(drafts: dict[str, Draft]) -> None:
    draft = drafts["plan_zh_luzhou"]

    implementing = [
        [ref.as_written for ref in task.units if ref.role == "implementing"] for task in draft.tasks()
    ]

    assert implementing == [
        ["县水利局", "县住建局"],
        ["各乡镇人民政府"],
        ["各乡镇人民政府"],
        ["各乡镇人民政府"],
    ]


def test_attribution_roles_from_words_in_brackets() -> None:
    text = (
        "一、任务\n1.开展河道清理。(区水务局牵头负责,区农业局参与,各街镇具体落实,区财政局按职责分工负责)\n"
        "2.推进管网建设,区住建局要积极配合区水务局工作。\n"
    )

    draft = parse_text(text, lang="zh")

    assert _units(draft, 1) == [
        ("lead", "区水务局"),
        ("implementing", "区农业局"),
        ("implementing", "各街镇"),
        ("responsible", "区财政局"),
    ]
    assert (_units(draft, 2), draft.warnings) == ([], ["line 3: task 2 names no unit"])


def test_attribution_parenthetical_notes_are_not_units() -> None:
    draft = parse_text("一、任务\n1.全区(含经开区),开展扬尘排查。(区住建局负责)\n")

    assert (_units(draft, 1), draft.tasks()[0].text) == (
        [("responsible", "区住建局")],
        "全区(含经开区),开展扬尘排查。",
    )


def test_numbering_sections_run_across_chapters_and_tasks_across_sections(drafts: dict[str, Draft]) -> None:
    outline = [
        (c.number, [(s.number, [t.number for t in s.tasks]) for s in c.sections])
        for c in drafts["plan_zh_fengdu"].chapters
    ]

    assert outline == [
        ("一", [("一", []), ("二", [])]),
        ("二", [("三", [1, 2]), ("四", [3, 4, 5])]),
        ("三", []),
    ]
    assert drafts["plan_zh_fengdu"].warnings == []


def test_numbering_bracketed_items_are_the_tasks_when_nothing_else_is(drafts: dict[str, Draft]) -> None:
    draft = drafts["plan_zh_tongling"]

    assert [(t.number, t.text[:8]) for t in draft.tasks()] == [
        (3, "嚴格建設用地准入"),
        (4, "推進耕地分類管理"),
        (5, "加強涉重金屬企業"),
    ]


def test_meta_notice_with_broken_titles_and_a_date_in_chinese_numerals(drafts: dict[str, Draft]) -> None:
    assert drafts["plan_zh_fengdu"].meta.to_dict() == {
        "title": "枫渡区2025年大气污染防治攻坚方案",
        "doc_number": "枫政办发〔2025〕11号",
        "issuer": "枫渡区人民政府办公室",
        "date": "2025-03-12",
        "language": "zh",
    }


def test_meta_forwarding_notice_and_traditional_title_kept_as_written(drafts: dict[str, Draft]) -> None:
    assert drafts["plan_zh_tongling"].meta.to_dict() == {
        "title": "桐嶺市2025年土壤污染防治工作要點",
        "doc_number": "桐政办〔2025〕4号",
        "issuer": "桐岭市人民政府办公室",
        "date": "2025-02-08",
        "language": "zh",
    }


def test_meta_notice_of_several_plans_without_issuer(drafts: dict[str, Draft]) -> None:
    meta = drafts["plan_zh_chengxi_opening"].meta

    assert (meta.title, meta.doc_number, meta.issuer, meta.date) == (
        "澄溪区2025年大气污染防治工作方案",
        None,
        None,
        "2025-04-21",
    )


def test_meta_portal_fields_are_a_warned_fallback(drafts: dict[str, Draft]) -> None:
    draft = drafts["plan_zh_luzhou"]

    assert (draft.meta.issuer, draft.meta.date, draft.meta.doc_number) == (
        "鹭洲县生态环境保护委员会办公室",
        "2024-04-02",
        "鹭环委办〔2024〕3号",
    )
    assert draft.warnings == [
        "meta: the document number (鹭环委办〔2024〕3号) comes from the web page's metadata",
        "meta: the issuer (鹭洲县生态环境保护委员会办公室) comes from the web page's metadata; check it",
        "meta: the date (2024-04-02) comes from the web page's metadata; check it",
    ]


def test_meta_document_number_glued_to_the_title_with_a_dash() -> None:
    text = "雁栖区2025年扬尘污染治理方案—雁环委办〔2025〕6号\n一、主要目标\n降尘量不高于7吨/平方公里·月。\n"

    meta = parse_text(text).meta

    assert (meta.title, meta.doc_number) == ("雁栖区2025年扬尘污染治理方案", "雁环委办〔2025〕6号")


def test_meta_unlabelled_portal_bullets_give_issuer_and_date() -> None:
    text = (
        "• 000014349/2025-00008\n• 雁栖区生态环境分局\n• 生态环境,大气\n• 2025-02-17\n"
        "雁栖区2025年臭氧污染防治方案\n一、主要目标\n优良天数比率达到80%以上。\n"
    )

    draft = parse_text(text)

    assert (draft.meta.issuer, draft.meta.date) == ("雁栖区生态环境分局", "2025-02-17")
    assert len([w for w in draft.warnings if "web page's metadata" in w]) == 2


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("PM2.5平均浓度控制在33微克/立方米以下。", ("<=", 33.0, "µg/m³")),
        ("PM2.5浓度控制在36微克/立方米以内。", ("<=", 36.0, "µg/m³")),
        ("PM10平均浓度不高于58μg/m3。", ("<=", 58.0, "µg/m³")),
        ("重污染天数不超过2天。", ("<=", 2.0, "days")),
        ("PM2.5平均浓度低于30微克/立方米。", ("<", 30.0, "µg/m³")),
        ("优良天数比例不低于64.7%。", (">=", 64.7, "%")),
        ("饮用水水源地水质达标率达到92.9%以上。", (">=", 92.9, "%")),
        ("重污染天数比例控制在1.5%以内。", ("<=", 1.5, "%")),
        ("优良天数比率达到64.2%(235天)。", (">=", 64.2, "%")),
        ("国考断面水质达到或优于III类。", ("<=", 3.0, "water class")),
        ("湖库水质稳定保持Ⅱ类。", ("<=", 2.0, "water class")),
        ("化肥利用率提高到43%。", (">=", 43.0, "%")),
        ("全年推广面积不少于50万亩。", (">=", 50.0, "10^4 mu")),
    ],
)
def test_targets_ceilings_floors_ratios_and_classes(text: str, expected: tuple[str, float, str]) -> None:
    found = [(t.comparator, t.value, t.unit_of_measure) for t in extract_targets(text, "zh", 2025)]

    assert found == [expected]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("空气质量排名退出全省后20位。", [("ranking", ">", 20.0, "rank from bottom")]),
        ("水环境质量保持全省前十。", [("ranking", "<=", 10.0, "rank")]),
        ("淘汰2蒸吨及以下燃煤锅炉。", []),
        ("对年用煤量大于1000吨的企业开展核查。", []),
        ("达到或优于Ⅲ类水体比例达到80%以上。", [("value", ">=", 80.0, "%")]),
    ],
)
def test_targets_ranks_and_scope_thresholds(text: str, expected: list[tuple[str, str, float, str]]) -> None:
    found = [(t.kind, t.comparator, t.value, t.unit_of_measure) for t in extract_targets(text, "zh", 2025)]

    assert found == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("到2025年", "2025-12-31"),
        ("年底前", "2024-12-31"),
        ("9月底前", "2024-09-30"),
        ("6月份", "2024-06-30"),
        ("12月底", "2024-12-31"),
        ("10月中旬", "2024-10-20"),
        ("上半年", "2024-06-30"),
        ("三季度末", "2024-09-30"),
        ("2025年3月完成", "2025-03-31"),
    ],
)
def test_deadlines_resolve_against_the_plan_year(text: str, expected: str) -> None:
    found = find_deadline(text, 2024)

    assert (found.date if found else None) == expected


def test_targets_dated_actions_are_milestones_and_keep_the_original_script(drafts: dict[str, Draft]) -> None:
    assert _targets(drafts["plan_zh_fengdu"], 2) == [("milestone", "=", 1.0, "milestone", "2025-06-30")]
    goal = drafts["plan_zh_tongling"].goals[1]
    assert (goal.kind, goal.indicator) == ("milestone", "重點建設用地安全利用得到有效保障")


def test_noise_traditional_and_simplified_spellings_are_one_unit() -> None:
    text = (
        "一、重點任務\n1.開展農用地土壤污染狀況詳查。(市生態環境局牽頭)\n"
        "2.推进建设用地调查。(市生态环境局牵头,市自然资源局配合)\n"
    )

    draft = parse_text(text)

    assert [(u.name, u.aliases) for u in draft.units] == [
        ("市生態環境局", ("市生态环境局",)),
        ("市自然资源局", ()),
    ]
    assert draft.tasks()[0].text == "開展農用地土壤污染狀況詳查。"


def test_noise_spaces_and_widths_do_not_change_the_reading() -> None:
    text = "一、任务\n1．开展  工业  企业排查 。 （区工信局牵头，区生态环境分局配合）\n"
    half = "一、任务\n1.开展工业企业排查。(区工信局牵头,区生态环境分局配合)\n"

    spaced, plain = parse_text(text), parse_text(half)

    assert _units(spaced, 1) == _units(plain, 1) == [("lead", "区工信局"), ("implementing", "区生态环境分局")]


def test_partial_opening_gives_a_draft_with_a_warning(drafts: dict[str, Draft]) -> None:
    draft = drafts["plan_zh_chengxi_opening"]

    assert (draft.tasks(), len(draft.goals)) == ([], 4)
    assert draft.warnings == [
        "no numbered tasks found: the draft holds the notice, meta and goals only (a partial document?)"
    ]


def test_partial_task_cut_after_its_label_is_warned_not_refused() -> None:
    text = "雁栖区2025年方案\n一、主要任务\n1.严控煤炭消费总量。完成省定目标。\n牵头单位:\n"

    draft = parse_text(text)

    assert draft.warnings == [
        "line 4: 牵头单位: names no unit (the document may be cut off here)",
        "line 3: task 1 names no unit",
    ]


def test_partial_cli_prints_the_draft_and_exits_0() -> None:
    out, err = io.StringIO(), io.StringIO()

    code = main(["parse", str(DATA / "plan_zh_chengxi_opening.txt")], stdout=out, stderr=err)

    assert (code, err.getvalue(), json.loads(out.getvalue())["goals"][3]["kind"]) == (0, "", "ranking")


def test_second_plan_in_one_file_stops_with_a_warning() -> None:
    text = (
        "雁栖区2025年大气污染防治方案\n一、任务\n1.开展排查。(区生态环境分局负责)\n"
        "雁栖区2025年水污染防治方案\n一、任务\n1.开展巡河。(区水务局负责)\n"
    )

    draft = parse_text(text)

    assert [t.number for t in draft.tasks()] == [1]
    assert draft.warnings == [
        "line 5: a second plan starts here (雁栖区2025年水污染防治方案); only the first is read"
    ]
