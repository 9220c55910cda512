"""`envplan air import` shows a progress bar on a terminal, and nothing when its stderr is piped or with -q.

The terminal is a real pseudo-terminal (`pty.openpty`): the command's stderr is the terminal's side that
a shell would give it, and the test reads what a person would see from the other side.
"""

from __future__ import annotations

from envplan.air.models import AirImport
from tests.air.conftest import DATA
from tests.commandline import on_terminal, piped

FILE = str(DATA / "cnemc_selected_rows_baotou_and_edge_cases.csv")


def test_air_import_on_a_terminal_shows_a_progress_bar_to_the_last_step(stations):
    code, out, shown = on_terminal("air", "import", FILE, "--format", "cnemc")

    assert code == 1  # some rows refused: the bar changes nothing of the result
    assert out.endswith("partial, 4 rows stored, 22 errors\n")
    assert "air import cnemc_selected_rows_baotou_and_edge_cases.csv" in shown
    assert "4/4" in shown  # the four steps, the last one reached
    assert "100%" in shown
    assert "step/s" in shown or "s/step" in shown  # tqdm's rate


def test_air_import_piped_prints_no_progress(stations):
    code, out, err = piped("air", "import", FILE, "--format", "cnemc")

    assert code == 1
    assert out.endswith("partial, 4 rows stored, 22 errors\n")
    assert "%" not in err and "step" not in err
    assert AirImport.objects.count() == 1


def test_air_import_quiet_on_a_terminal_prints_no_progress(stations):
    code, _, shown = on_terminal("air", "import", FILE, "--format", "cnemc", "-q")

    assert code == 1
    assert "%" not in shown and "step" not in shown


def test_an_import_job_reports_the_import_steps_to_its_page(stations, monkeypatch):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from envplan.core import jobs
    from envplan.core.models import JobState

    seen: list[tuple[int, int | None, str]] = []
    report = jobs.report_progress

    def watch(job, done, total=None, message=""):
        seen.append((done, total, message))
        report(job, done, total, message)

    monkeypatch.setattr(jobs, "report_progress", watch)
    with open(FILE, "rb") as handle:
        upload = SimpleUploadedFile("h.csv", handle.read())
    jobs.enqueue("air.hourly", by=None, upload=upload, params={"format": "cnemc"})

    (finished,) = jobs.run_pending_jobs()

    assert finished.state == JobState.DONE
    # After the job's own (0, 1): the import's four steps, without their names (words for a terminal, not
    # translated for the page).
    assert seen[1:] == [(0, 4, ""), (1, 4, ""), (2, 4, ""), (3, 4, ""), (4, 4, "")]
    assert (finished.progress_done, finished.progress_total, finished.percent) == (4, 4, 100)
