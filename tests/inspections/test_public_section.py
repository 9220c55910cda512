"""The random-inspections section of the public portal: a draw's commitment is public from the start,
its seed once revealed and its targets once published; only published results and publicised closures
appear."""

from __future__ import annotations

import datetime as dt
import hashlib

from envplan.inspections import public
from envplan.inspections.models import RectificationTask
from envplan.inspections.services import draws
from tests.inspections.conftest import NOW, at
from tests.inspections.test_links import record


def test_a_draw_shows_its_hashes_then_its_seed_then_its_targets(enforcement):
    planned = {d.stratum: d for d in draws.plan_draws(enforcement.task, by=None)}
    draw = draws.commit_draw(planned["key"], by=None, now=NOW)
    committed = {row["draw"]: row for row in public.draw_rows(NOW)}[draw.pk]
    draws.make_draw(draw, by=None, now=NOW)
    made = {row["draw"]: row for row in public.draw_rows(NOW)}[draw.pk]
    after_period = at(dt.date(2025, 10, 8))
    draws.reveal_seed(draw, by=None, now=after_period)
    revealed = {row["draw"]: row for row in public.draw_rows(after_period)}[draw.pk]
    draws.publish_draw(draw, by=None, now=after_period)
    published = {row["draw"]: row for row in public.draw_rows(after_period)}[draw.pk]
    draw.refresh_from_db()

    assert (committed["seed"], committed["selected"], len(committed["pool_sha256"])) == ("", "", 64)
    assert (made["seed"], made["selected"]) == ("", "")
    assert revealed["seed"] == draw.seed_hex and revealed["selected"] == ""
    assert hashlib.sha256(bytes.fromhex(published["seed"])).hexdigest() == published["seed_sha256"]
    assert published["selected"].split() == draw.result["selected"]
    names = {entry["id"]: entry["name"] for entry in draw.pool}
    assert published["selected_names"].split("; ") == [names[i] for i in draw.result["selected"]]


def test_only_published_results_and_publicised_closures_appear(enforcement):
    plant = enforcement.enterprises[0]
    done = record(enforcement, plant, day=dt.date(2025, 7, 8), fine=80000, decision="昆环罚〔2025〕7号")
    record(enforcement, plant, day=dt.date(2025, 7, 9), fine=None)  # completed, not yet published
    done.state, done.published_at = "published", NOW
    done.save()
    closed = RectificationTask.objects.create(
        round="r", number=1, problem="dust at the yard", subject="the plant", goal="covered",
        accepting_unit=enforcement.world.ecology, deadline=dt.date(2025, 9, 30), state="closed",
        notice_start=dt.date(2025, 6, 20), notice_end=dt.date(2025, 6, 27), closed_on=dt.date(2025, 6, 30),
    )  # fmt: skip
    RectificationTask.objects.create(
        round="r", number=2, problem="open drain", subject="the plant", goal="closed",
        accepting_unit=enforcement.world.ecology, deadline=dt.date(2025, 9, 30), state="accepted",
    )  # fmt: skip

    results = public.result_rows(NOW)
    closures = public.closure_rows(NOW)

    assert [(r["record"], r["result_zh"], r["fine_yuan"]) for r in results] == [
        (done.pk, "发现问题待后续处理", 80000.0)
    ]
    assert [(c["task"], c["status"], c["closed_a_month_early"]) for c in closures] == [
        (closed.pk, "已销号", True)
    ]
    assert public.closure_owner(closures[0]) == enforcement.world.ecology.code
