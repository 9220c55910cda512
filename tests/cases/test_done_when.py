"""Done-when of issue 14, the app half: `envplan screening scan` on the demo's HJ 212 data, exported with
`envplan readings export`, finds the demo enterprise whose data was doctored and explains it; the
screening job files the same findings into a case, whose page and evidence packet show them."""

from __future__ import annotations

import io
import json
from pathlib import Path

import polars as pl
from django.urls import reverse
from pypdf import PdfReader

from envplan.cases.models import Case
from envplan.cases.services import run_screening
from envplan.cli import main as envplan_main
from envplan.sources.demo_data import DOCTORED_MN
from envplan.sources.models import Device, FactorLimit
from tests.cases.conftest import END, ZONE, login
from tests.commandline import envplan


def export_demo(folder: Path) -> tuple[Path, Path]:
    """Every demo logger's hourly values as `readings export` writes them, in one file, and the
    registry's limits in the layout `screening scan --limits` reads."""
    parts = []
    for mn in Device.objects.order_by("mn").values_list("mn", flat=True):
        code, out, _err = envplan("readings", "export", "--mn", mn, "--kind", "hourly", "--lake-only")
        assert code == 0
        parts.append(pl.read_csv(io.StringIO(out), infer_schema=False))
    readings = folder / "readings.csv"
    pl.concat([part for part in parts if part.height]).write_csv(readings)
    rows = [
        (device.mn, limit.factor, limit.field, float(limit.limit), limit.reference_o2)
        for device in Device.objects.select_related("outlet")
        for limit in FactorLimit.objects.filter(outlet=device.outlet)
    ]
    limits = folder / "limits.csv"
    pl.DataFrame(rows, schema=["mn", "factor", "field", "limit", "reference_o2"], orient="row").with_columns(
        pl.col("reference_o2").cast(pl.Float64)
    ).write_csv(limits)
    return readings, limits


def test_done_when_screening_scan_finds_the_doctored_enterprise_and_explains_it(demo, tmp_path, capsys):
    readings, limits = export_demo(tmp_path)

    code = envplan_main(["screening", "scan", str(readings), "--limits", str(limits)])

    findings = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert code == 1  # findings
    assert {f["mn"] for f in findings} == {DOCTORED_MN}  # the two honest enterprises raise nothing
    held = next(f for f in findings if f["detector"] == "flat_line")
    assert (held["factor"], held["start"], held["end"]) == (
        "a21002",
        "2025-10-11T08:00:00+08:00",
        "2025-10-12T13:00:00+08:00",
    )
    assert "NOx (a21002) Avg held at 35.2 for 30 h (30 values in a row" in held["explanation"]
    hugging = next(f for f in findings if f["detector"] == "limit_hugging")
    assert "only 0 at or above the limit itself" in hugging["explanation"]


def test_done_when_the_case_page_and_packet_show_what_the_scan_found(demo, users, client, tmp_path, capsys):
    readings, limits = export_demo(tmp_path)
    envplan_main(["screening", "scan", str(readings), "--limits", str(limits)])
    scanned = {
        (f["detector"], f["factor"], f["start"], f["end"])
        for f in map(json.loads, capsys.readouterr().out.splitlines())
    }

    run_screening(end=END)
    case = Case.objects.get()
    page = login(client, "chief").get(reverse("cases:case", args=[case.pk]))
    packet = client.get(reverse("cases:packet", args=[case.pk]))

    filed = {
        (f.detector, f.factor, f.start.astimezone(ZONE).isoformat(), f.end.astimezone(ZONE).isoformat())
        for f in case.findings.all()
    }
    assert filed == scanned
    assert case.enterprise.name == "Kundulun Heating Co. (illustrative)"
    html = page.content.decode()
    assert "NOx (a21002) Avg held at 35.2 for 30 values in a row" in html
    assert html.count('data-testid="finding"') == 3
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(packet.content)).pages)
    assert "Kundulun Heating Co. (illustrative)" in text
    assert "held at 35.2 for 30 values in a row" in text.replace("\n", " ")
