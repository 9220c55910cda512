"""One plan as text, Word, a saved web page and a PDF reads to one draft; tables of tasks; scans refused."""

from __future__ import annotations

import html
import io
from pathlib import Path

import docx
import pytest
import weasyprint

from envplan.plantext import Draft, PlanTextError, parse_file
from tests.commandline import in_group

main = in_group("plan")


DATA = Path(__file__).resolve().parents[3] / "tests" / "data" / "plantext"
SOURCE = DATA / "plan_zh_fengdu.txt"

PORTAL_TOP = """<!DOCTYPE html><html><head><meta charset="utf-8">
<title>枫渡区2025年大气污染防治攻坚方案_政策文件_枫渡区人民政府</title>
<script>var tracker = "1. 不是任务";</script><style>.nav{color:red}</style></head><body>
<div class="top-bar">无障碍 | 长者模式 | 登录 | 注册</div>
<div class="nav"><ul><li><a href="/">首页</a></li><li><a href="/gk">政务公开</a></li>
<li><a href="/hd">互动交流</a></li><li><a href="/fw">办事服务</a></li></ul></div>
<div class="breadcrumb">当前位置：<a href="/">首页</a> &gt; <a href="/gk">政策文件</a></div>
<table class="xxgk-table"><tr><td>索引号：11410000/2025-00017</td><td>主题分类：生态环境</td></tr>
<tr><td>发布机构：枫渡区人民政府办公室</td><td>发布日期：2025-03-14</td></tr></table>
<h1>枫渡区人民政府办公室关于印发《枫渡区2025年大气污染防治攻坚方案》的通知</h1>
<div id="zoom" class="article-content">
"""
PORTAL_BOTTOM = """</div>
<div class="share">分享到：<a href="#">微信</a> <a href="#">微博</a></div>
<div class="sidebar"><h3>相关文件</h3><ul><li><a href="/a">1. 关于做好秋冬季大气污染防治的通知</a></li>
<li><a href="/b">2. 枫渡区2024年大气污染防治工作总结</a></li></ul></div>
<div class="footer">主办单位：枫渡区人民政府办公室 网站标识码：0000000000 备案号：示例ICP备00000000号</div>
</body></html>"""


def _lines() -> list[str]:
    return SOURCE.read_text(encoding="utf-8").splitlines()


def _write_docx(path: Path) -> None:
    document = docx.Document()
    for line in _lines():
        document.add_paragraph(line)
    document.save(str(path))


def _write_html(path: Path) -> None:
    body = "\n".join(f"<p>{html.escape(line)}</p>" for line in _lines() if line.strip())
    path.write_text(PORTAL_TOP + body + PORTAL_BOTTOM, encoding="utf-8")


def _write_pdf(path: Path) -> None:
    # A4 with the usual first-line indent, so that long paragraphs wrap and must be joined again.
    body = "".join(f"<p>{html.escape(line.strip())}</p>" for line in _lines() if line.strip())
    page = (
        "<html><head><meta charset='utf-8'><style>@page{size:A4;margin:2.5cm}"
        "body{font-family:'Noto Serif CJK SC','Noto Sans CJK SC',serif;font-size:15pt}"
        "p{text-indent:2em;margin:0 0 4pt 0}</style></head><body>" + body + "</body></html>"
    )
    weasyprint.HTML(string=page).write_pdf(str(path))


@pytest.fixture(scope="module")
def four_drafts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Draft]:
    folder = tmp_path_factory.mktemp("four")
    (folder / "plan.txt").write_bytes(SOURCE.read_bytes())
    _write_docx(folder / "plan.docx")
    _write_html(folder / "plan.html")
    _write_pdf(folder / "plan.pdf")
    return {suffix: parse_file(folder / f"plan.{suffix}") for suffix in ("txt", "docx", "html", "pdf")}


def test_inputs_four_formats_of_one_plan_give_one_draft(four_drafts: dict[str, Draft]) -> None:
    reference = four_drafts["txt"].to_dict()

    assert {suffix: draft.to_dict() == reference for suffix, draft in four_drafts.items()} == {
        "txt": True,
        "docx": True,
        "html": True,
        "pdf": True,
    }
    assert [t.number for t in four_drafts["pdf"].tasks()] == [1, 2, 3, 4, 5]


def test_inputs_web_page_drops_the_portal(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    _write_html(path)

    draft = parse_file(path)
    text = " ".join(t.text for t in draft.tasks())

    assert ("首页" in text, "微博" in text, "不是任务" in text, "相关文件" in text) == (
        False,
        False,
        False,
        False,
    )
    assert draft.warnings == []


def test_inputs_web_page_metadata_is_a_marked_fallback(tmp_path: Path) -> None:
    # The page holds the plan without its notice (saved as GB18030): issuer and date come from the
    # portal's table, and the draft says so.
    lines = _lines()
    start = lines.index("枫渡区2025年大气污染防治")
    body = "\n".join(f"<p>{html.escape(line)}</p>" for line in lines[start:] if line.strip())
    top = PORTAL_TOP.replace(
        "<h1>枫渡区人民政府办公室关于印发《枫渡区2025年大气污染防治攻坚方案》的通知</h1>",
        "<h1>枫渡区2025年大气污染防治攻坚方案</h1>",
    )
    path = tmp_path / "page.htm"
    path.write_text(top + body + PORTAL_BOTTOM, encoding="gb18030")

    draft = parse_file(path)

    assert (draft.meta.issuer, draft.meta.date, draft.meta.doc_number) == (
        "枫渡区人民政府办公室",
        "2025-03-14",
        None,
    )
    assert draft.warnings == [
        "meta: the issuer (枫渡区人民政府办公室) comes from the web page's metadata; check it",
        "meta: the date (2025-03-14) comes from the web page's metadata; check it",
    ]


def test_inputs_docx_table_of_tasks_reads_units_roles_and_deadlines(tmp_path: Path) -> None:
    document = docx.Document()
    opening = [
        "雁栖区2025年噪声污染防治工作方案",
        "一、工作目标",
        "全年功能区声环境质量夜间达标率达到85%以上。",
    ]
    for line in [*opening, "二、重点任务"]:
        document.add_paragraph(line)
    rows = [
        ["序号", "工作任务", "牵头单位", "责任单位", "完成时限"],
        ["1", "划定并公布全区声环境功能区。", "区生态环境分局", "区自然资源局、区住建局", "2025年6月底前"],
        ["2", "对建筑施工夜间作业开展专项检查。", "区住建局", "区城管局", "2025年10月底"],
    ]
    table = document.add_table(rows=len(rows), cols=len(rows[0]))
    for row_cells, values in zip(table.rows, rows, strict=True):
        for cell, value in zip(row_cells.cells, values, strict=True):
            cell.text = value
    path = tmp_path / "table.docx"
    document.save(str(path))

    draft = parse_file(path)

    assert [
        (t.number, [(u.role, u.as_written) for u in t.units], [(g.kind, g.deadline) for g in t.targets])
        for t in draft.tasks()
    ] == [
        (
            1,
            [("lead", "区生态环境分局"), ("responsible", "区自然资源局"), ("responsible", "区住建局")],
            [("milestone", "2025-06-30")],
        ),
        (2, [("lead", "区住建局"), ("responsible", "区城管局")], [("milestone", "2025-10-31")]),
    ]
    assert [(g.comparator, g.value, g.unit_of_measure) for g in draft.goals] == [(">=", 85.0, "%")]


def test_inputs_scanned_pdf_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    page = (
        "<html><body><svg width='400' height='300'><rect width='400' height='300' fill='#ccc'/>"
        "<circle cx='200' cy='150' r='80' fill='#333'/></svg></body></html>"
    )
    path = tmp_path / "scan.pdf"
    weasyprint.HTML(string=page).write_pdf(str(path))
    out, err = io.StringIO(), io.StringIO()

    code = main(["parse", str(path)], stdout=out, stderr=err)

    assert (code, out.getvalue()) == (2, "")
    assert err.getvalue() == (
        f"error: {path}: the PDF has no text layer (a scanned image?); run OCR on it, or use the Word or "
        "text version of the plan\n"
    )
    with pytest.raises(PlanTextError, match="no text layer"):
        parse_file(path)


def test_inputs_gb18030_text_reads_like_utf8(tmp_path: Path) -> None:
    path = tmp_path / "plan.txt"
    path.write_bytes(SOURCE.read_text(encoding="utf-8").encode("gb18030"))

    assert parse_file(path).to_dict() == parse_file(SOURCE).to_dict()
