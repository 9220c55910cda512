"""`envplan emergency …`: the CAP feed out, a neighbour's file in, the list as Excel both ways, the
compliance findings, and neighbour feeds read over HTTP (a real server on the loopback)."""

from __future__ import annotations

import http.server
import io
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from lxml import etree

from envplan.emergency import services
from envplan.emergency.command import main
from envplan.emergency.demo_data import DEMO_FOLDER
from envplan.emergency.jobs import fetch_neighbour_feeds_job
from envplan.emergency.models import Alert, CapSource, NeighbourAlert, ReductionList
from tests.emergency.conftest import DATA, NOW


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_assess_goes_to_the_pure_command(tmp_path: Path):
    forecast = tmp_path / "f.csv"
    forecast.write_text("date,aqi\n2025-01-13,160\n2025-01-14,215\n2025-01-15,238\n")

    code, out, _ = run("assess", str(forecast), "--rules", "2024")

    assert code == 0
    assert '"level": "orange"' in out


def test_cap_export_writes_a_feed_valid_against_the_schema(demo, tmp_path: Path):
    schema = etree.XMLSchema(etree.parse(str(DATA / "CAP-v1.2.xsd")))

    code, _, _ = run("cap-export", "-o", str(tmp_path / "feed.atom"), "--base-url", "https://envplan.example")

    alerts = etree.parse(str(tmp_path / "feed.atom")).findall(
        ".//{urn:oasis:names:tc:emergency:cap:1.2}alert"
    )
    assert (code, len(alerts)) == (0, 3)
    assert all(schema.validate(etree.ElementTree(alert)) for alert in alerts)


def test_cap_import_reads_a_file_and_names_a_missing_one(db, tmp_path: Path):
    code, out, _ = run("cap-import", str(DATA / "qingshan_alert.xml"))
    missing, _, err = run("cap-import", str(tmp_path / "nowhere.xml"))

    assert (code, out.strip()) == (0, f"{DATA / 'qingshan_alert.xml'}: 1 new messages, 0 already known")
    assert missing == 2
    assert "nowhere.xml: cannot read" in err
    assert NeighbourAlert.objects.count() == 1


def test_list_export_then_import_as_a_new_draft(demo, tmp_path: Path):
    revision = ReductionList.objects.get(year=2025)
    target = tmp_path / "list.xlsx"

    exported = run("list", "export", "--list", str(revision.pk), "-o", str(target))
    imported = run("list", "import", str(target), "--new", "2026 draft", "--year", "2026")

    assert exported[0] == 0 and imported[0] == 0, (exported, imported)
    draft = ReductionList.objects.get(year=2026)
    assert sorted(draft.entries.values_list("enterprise__name", flat=True)) == sorted(
        revision.entries.values_list("enterprise__name", flat=True)
    )
    assert draft.entries.get(row_number=2).lines.get(stop_from="orange").outlets.get().code == "DA002"


def test_list_import_of_a_bad_file_exits_1_and_leaves_no_new_list(demo, tmp_path: Path):
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "应急减排清单"
    book.active.append(["企业名称", "生产线/工序", "SO2排放量(年,t)"])
    book.active.append(["Nobody Ltd", "x", "-3"])
    path = tmp_path / "bad.xlsx"
    book.save(path)

    code, out, err = run("list", "import", str(path), "--new", "bad", "--year", "2026")

    assert code == 1
    assert "row 2, SO2排放量(年,t): -3 is not between 0 and" in err
    assert "refused, nothing stored" in out
    assert not ReductionList.objects.filter(year=2026).exists()


def test_compliance_exits_1_with_the_findings_as_csv(demo):
    code, out, _ = run("compliance", str(Alert.objects.get(generated=True).pk))

    lines = out.strip().splitlines()
    assert code == 1
    assert lines[0].startswith("enterprise,credit_code,finding")
    assert [line.split(",")[2] for line in lines[1:]] == [
        "over_allowance", "over_allowance", "over_allowance", "stopped_line_emitting", "no_data",
    ]  # fmt: skip


def test_usage_errors_exit_2(db):
    assert run("compliance", "999")[0] == 2
    assert run("list", "import", "x.xlsx")[0] == 2
    assert run("nonsense")[0] == 2


# --- neighbour feeds over HTTP -------------------------------------------------------------------------


@pytest.fixture
def feed_server() -> Iterator[str]:
    """A real HTTP server on the loopback serving tests/data/emergency and the demo's neighbour feed."""
    files = {
        "/feed.atom": (DEMO_FOLDER / "neighbour_feed.xml").read_bytes(),
        "/qingshan.xml": (DATA / "qingshan_alert.xml").read_bytes(),
        "/links.atom": (
            b'<feed xmlns="http://www.w3.org/2005/Atom"><id>x</id><title>t</title><updated>2025-10-19T16:00:00+08:00'
            b"</updated><entry><id>q</id><title>q</title><updated>2025-10-19T16:00:00+08:00</updated>"
            b'<link rel="alternate" type="application/cap+xml" href="qingshan.xml"/></entry></feed>'
        ),
        "/broken.atom": b"<feed",
    }

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = files.get(self.path)
            self.send_response(200 if body is not None else 404)
            self.end_headers()
            self.wfile.write(body or b"")

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_worker_job_reads_inline_and_linked_feeds_and_notes_a_broken_one(db, feed_server: str):
    for name, path in (("Jiuyuan", "/feed.atom"), ("Qingshan", "/links.atom"), ("Broken", "/broken.atom")):
        services.save_cap_source(name=name, url=feed_server + path, by=None)

    summary = fetch_neighbour_feeds_job(NOW.date())
    again = run("cap-fetch")

    assert summary == "3 new neighbour messages, 1 feeds failed"
    assert again[0] == 1 and "Broken" in again[2]
    assert sorted(NeighbourAlert.objects.values_list("identifier", flat=True)) == [
        "jiuyuan-2025-001", "jiuyuan-2025-002", "qingshan-2025-007",
    ]  # fmt: skip
    broken = CapSource.objects.get(name="Broken")
    assert "not well-formed XML" in broken.last_error
    assert CapSource.objects.get(name="Jiuyuan").last_error == ""
