"""The verifiable draw in the app: plan, commit, draw, reveal, publish; and what is stored is exactly what
the pure `envplan inspections verify` reproduces from the exported pool, roster and JSON."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest

from envplan.core.models import AuditEntry
from envplan.inspections import frequency
from envplan.inspections.errors import ErrorKind, InspectionError
from envplan.inspections.models import Draw, DrawState, InspectionRecord, InspectionTask, Recusal
from envplan.inspections.services import draws
from tests.commandline import in_group
from tests.inspections.conftest import NOW, Enforcement, at, drawn, inspected


def _made(enforcement: Enforcement, stratum: str = "general") -> Draw:
    return drawn(enforcement.task, stratum, by=enforcement.world.officer)


def _complete_all(draw: Draw, day: dt.date) -> None:
    for record in InspectionRecord.objects.filter(drawn_target__draw=draw):
        inspected(record, day)


def _verify(
    tmp_path: Path, draw: Draw, *, seed: str | None = None, document: dict | None = None
) -> tuple[int, str]:
    (tmp_path / "pool.csv").write_bytes(draws.pool_csv(draw))
    (tmp_path / "roster.csv").write_bytes(draws.roster_csv(draw))
    published = document if document is not None else json.loads(draws.draw_json(draw))
    (tmp_path / "draw.json").write_text(json.dumps(published), encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    code = in_group("inspections")(
        [
            "verify",
            str(tmp_path / "pool.csv"),
            str(tmp_path / "draw.json"),
            "--seed",
            seed or draw.seed_hex,
            "--inspectors",
            str(tmp_path / "roster.csv"),
        ],
        stdout=out,
        stderr=err,
    )
    return code, out.getvalue() + err.getvalue()


def test_draws_plan_gives_each_stratum_its_ratio(enforcement):
    planned = draws.plan_draws(enforcement.task, by=enforcement.world.officer)

    # key 50 % of 3 → 2; special 100 % of 1 → 1; general 1:2 a year × 4 inspectors ÷ 6, a quarter → 2
    assert {d.stratum: d.count for d in planned} == {"general": 2, "key": 2, "special": 1}
    assert AuditEntry.objects.filter(action="inspections.draws_planned").count() == 1


def test_draws_plan_without_a_ratio_rule_is_refused(enforcement):
    from envplan.inspections.models import RatioRule

    RatioRule.objects.filter(category="special").delete()

    with pytest.raises(InspectionError, match="special"):
        draws.plan_draws(enforcement.task, by=None)
    assert not Draw.objects.exists()


def test_draws_commit_publishes_hashes_and_keeps_the_seed_secret(enforcement, client):
    planned = {d.stratum: d for d in draws.plan_draws(enforcement.task, by=None)}

    draw = draws.commit_draw(planned["key"], by=enforcement.world.officer, now=NOW)

    assert draw.state == DrawState.COMMITTED
    assert [entry["id"] for entry in draw.pool] == sorted(f"E{e.pk}" for e in enforcement.key)
    assert len(draw.seed_hex) == 64 and len(draw.seed_sha256) == 64 and len(draw.pool_sha256) == 64
    page = client.get(draw.get_public_url())
    assert page.status_code == 200
    text = page.content.decode()
    assert draw.pool_sha256 in text and draw.seed_sha256 in text
    assert draw.seed_hex not in text
    entry = AuditEntry.objects.get(action="inspections.draw_committed")
    assert entry.after["seed_sha256"] == draw.seed_sha256 and "seed" not in entry.after


def test_draws_made_draw_verifies_with_the_pure_command(enforcement, tmp_path):
    draw = _made(enforcement)

    code, output = _verify(tmp_path, draw)

    assert (code, output) == (0, f"reproduced: {draw.count} id(s) drawn by envplan-draw-1\n")


def test_draws_a_changed_selection_or_seed_is_not_reproduced(enforcement, tmp_path):
    draw = _made(enforcement)
    tampered = dict(draw.result, selected=list(reversed(draw.result["selected"])))
    other_seed = ("0" if draw.seed_hex[0] != "0" else "1") + draw.seed_hex[1:]

    assert _verify(tmp_path, draw, document=tampered)[0] == 1
    code, output = _verify(tmp_path, draw, seed=other_seed)
    assert code == 1
    assert "seed_sha256" in output


def test_draws_teams_have_two_qualified_inspectors_and_records_follow(enforcement):
    draw = _made(enforcement)

    teams = draw.result["teams"]["assigned"]
    assert len(teams) == draw.count
    assert all(len(team) == 2 and len(set(team)) == 2 for team in teams.values())
    records = InspectionRecord.objects.filter(drawn_target__draw=draw)
    assert records.count() == draw.count
    for record in records:
        codes = sorted(record.inspectors.values_list("code", flat=True))
        assert codes == sorted(teams[record.drawn_target.pool_id])
        assert record.findings.count() == 2


def test_draws_a_recused_inspector_is_never_drawn_for_that_enterprise(enforcement):
    key = enforcement.key
    recused = enforcement.inspectors[0]
    for enterprise in key:
        Recusal.objects.create(
            inspector=recused, enterprise=enterprise, reason="relative", declared_on=dt.date(2025, 7, 1)
        )

    draw = _made(enforcement, "key")

    assert draw.roster[0]["recused_from"] == sorted(f"E{e.pk}" for e in key)
    assert all(recused.code not in team for team in draw.result["teams"]["assigned"].values())


def test_draws_commit_refuses_a_pool_that_cannot_be_staffed(enforcement):
    for inspector in enforcement.inspectors[1:]:
        Recusal.objects.create(
            inspector=inspector,
            enterprise=enforcement.enterprises[3],
            reason="x",
            declared_on=dt.date(2025, 7, 1),
        )
    planned = {d.stratum: d for d in draws.plan_draws(enforcement.task, by=None)}

    with pytest.raises(InspectionError) as raised:
        draws.commit_draw(planned["special"], by=None, now=NOW)

    assert raised.value.kind == ErrorKind.NOT_ENOUGH_INSPECTORS
    assert Draw.objects.get(pk=planned["special"].pk).state == DrawState.PLANNED


def test_draws_rotation_leaves_out_the_previous_rounds_targets(enforcement):
    first = _made(enforcement, "special")
    previous_team = first.result["teams"]["assigned"][first.result["selected"][0]]
    next_task = InspectionTask.objects.create(
        year=2025,
        code="2025-Q4",
        name="Q4",
        period_start=dt.date(2025, 10, 1),
        period_end=dt.date(2025, 12, 31),
        required_qualifications=["enforcement"],
    )

    second = drawn(next_task, "special")

    target = second.result["selected"][0]
    recent = {entry["id"]: entry["recently_inspected"] for entry in second.roster}
    assert all(recent[code] == [target] for code in previous_team)
    assert set(second.result["teams"]["assigned"][target]).isdisjoint(previous_team)


def test_draws_office_held_seed_is_checked_against_the_commitment(enforcement, tmp_path):
    import hashlib

    seed = bytes(range(32))
    planned = {d.stratum: d for d in draws.plan_draws(enforcement.task, by=None)}
    draw = draws.commit_draw(planned["key"], by=None, seed_sha256=hashlib.sha256(seed).hexdigest(), now=NOW)
    assert (draw.seed_hex, draw.seed_from_office) == ("", True)

    with pytest.raises(InspectionError, match="not the committed seed"):
        draws.make_draw(draw, by=None, seed=bytes(range(1, 33)).hex(), now=NOW)
    with pytest.raises(InspectionError, match="keeps this draw's seed"):
        draws.make_draw(draw, by=None, now=NOW)
    made = draws.make_draw(draw, by=None, seed=seed.hex(), now=NOW)

    assert made.seed_hex == seed.hex()
    assert _verify(tmp_path, made)[0] == 0


def test_draws_steps_go_in_order(enforcement):
    planned = draws.plan_draws(enforcement.task, by=None)

    with pytest.raises(InspectionError) as raised:
        draws.make_draw(planned[0], by=None, now=NOW)
    assert raised.value.kind == ErrorKind.WRONG_STATE
    with pytest.raises(InspectionError):
        draws.publish_draw(planned[0], by=None, now=NOW)


def test_draws_reveal_waits_for_the_inspections(enforcement):
    draw = _made(enforcement)

    with pytest.raises(InspectionError, match="confidential"):
        draws.reveal_seed(draw, by=None, now=NOW)
    _complete_all(draw, dt.date(2025, 8, 5))
    revealed = draws.reveal_seed(draw, by=enforcement.world.officer, now=at(dt.date(2025, 8, 6)))

    assert revealed.state == DrawState.REVEALED
    assert AuditEntry.objects.get(action="inspections.seed_revealed").after == {"seed": draw.seed_hex}


def test_draws_reveal_is_allowed_after_the_period_even_with_open_records(enforcement):
    draw = _made(enforcement)

    revealed = draws.reveal_seed(draw, by=None, now=at(dt.date(2025, 10, 1)))

    assert revealed.state == DrawState.REVEALED


def test_draws_public_page_shows_everything_once_published(enforcement, client, tmp_path):
    draw = _made(enforcement)
    _complete_all(draw, dt.date(2025, 8, 5))
    draws.reveal_seed(draw, by=None, now=at(dt.date(2025, 8, 6)))
    before = client.get(draw.get_public_url()).content.decode()
    draws.publish_draw(draw, by=None, now=at(dt.date(2025, 8, 6)))

    page = client.get(draw.get_public_url())
    pool = client.get(f"{draw.get_public_url()}pool.csv")
    document = client.get(f"{draw.get_public_url()}draw.json")

    assert draw.seed_hex not in before
    assert page.status_code == 200
    assert draw.seed_hex in page.content.decode()
    assert page.content.decode().count('data-testid="drawn-target"') == draw.count
    assert 'data-testid="verified"' in page.content.decode()
    assert pool.status_code == 200 and pool.content == draws.pool_csv(draw)
    assert json.loads(document.content) == draw.result


def test_draws_public_files_are_hidden_until_published(enforcement, client):
    draw = _made(enforcement)

    assert client.get(f"{draw.get_public_url()}pool.csv").status_code == 404
    assert client.get(f"{draw.get_public_url()}draw.json").status_code == 404
    planned = Draw.objects.create(task=enforcement.task, stratum="other", category="key", count=1)
    assert client.get(planned.get_public_url()).status_code == 404


def test_draws_frequency_factor_moves_an_enterprise_to_a_raised_stratum(enforcement):
    raised = enforcement.enterprises[5]  # a general object

    def fake_credit(enterprise_ids, year, on):
        assert year == 2025
        return {
            raised.pk: frequency.FrequencyRaise(multiplier=Decimal("1.5"), reason="credit grade D (test)")
        }

    frequency.register_factor("test.credit", label="credit", factor=fake_credit)
    try:
        entries = {entry.enterprise.pk: entry for entry in draws.pool_entries(2025)}
        planned = {d.stratum: d for d in draws.plan_draws(enforcement.task, by=None)}
        draw = draws.commit_draw(planned["general-x1.5"], by=None, now=NOW)
    finally:
        frequency.unregister_factor("test.credit")

    assert entries[raised.pk].effective.stratum == "general-x1.5"
    assert entries[raised.pk].effective.reasons == ("credit grade D (test)",)
    assert [entry["id"] for entry in draw.pool] == [f"E{raised.pk}"]
    # general share 1:2 a year × 4 ÷ 6, a quarter = 1/3, × 1.5 = 1/2 of 1 → 1
    assert draw.count == 1
    assert planned["general"].count == 2


def test_draws_register_pool_draws_with_the_pure_command_by_stratum(enforcement, tmp_path):
    (tmp_path / "pool.csv").write_bytes(draws.registry_pool_csv(2025))
    out, err = io.StringIO(), io.StringIO()

    code = in_group("inspections")(
        [
            "draw",
            str(tmp_path / "pool.csv"),
            "--per-stratum",
            "1",
            "--strata",
            "stratum",
            "--seed",
            "ab" * 16,
        ],
        stdout=out,
        stderr=err,
    )

    assert (code, err.getvalue()) == (0, "")
    assert json.loads(out.getvalue())["method"]["quotas"] == {"general": 1, "key": 1, "special": 1}


def test_draws_pool_csv_writes_formula_like_names_as_text(enforcement):
    enforcement.enterprises[3].name = '=HYPERLINK("http://x")'
    enforcement.enterprises[3].save()
    planned = {d.stratum: d for d in draws.plan_draws(enforcement.task, by=None)}
    draw = draws.commit_draw(planned["special"], by=None, now=NOW)

    line = draws.pool_csv(draw).decode().splitlines()[1]

    assert line.startswith(f"E{enforcement.enterprises[3].pk},\"'=HYPERLINK")
