"""Inspector teams: same HMAC ranking per target, recusal, qualification, rotation and load."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from envplan.draw import (
    DrawError,
    Inspector,
    NotEnoughInspectors,
    draw_teams,
    inspector_roster,
    roster_canonical,
    team_rank_key,
)

SEED = bytes(range(16))
ROSTER = [Inspector(f"I{number}", frozenset({"enforcement"})) for number in range(1, 9)]
TARGETS = [f"E{number:02d}" for number in range(12)]


def ranked(target: str, names: list[str]) -> list[str]:
    return sorted(
        names, key=lambda name: hmac.new(SEED, f"{target}\t{name}".encode(), hashlib.sha256).digest()
    )


def test_team_rank_key_is_hmac_of_target_tab_inspector():
    assert team_rank_key(SEED, "E01", "I3") == hmac.new(SEED, b"E01\tI3", hashlib.sha256).digest()


def test_draw_teams_takes_the_first_ranked_inspectors_per_target():
    teams = draw_teams(TARGETS, ROSTER, seed=SEED, team_size=2)

    names = [inspector.id for inspector in ROSTER]
    assert teams == {target: tuple(ranked(target, names)[:2]) for target in TARGETS}
    assert list(teams) == TARGETS


def test_draw_teams_never_draws_a_recused_inspector():
    names = [inspector.id for inspector in ROSTER]
    favourites = {target: ranked(target, names)[0] for target in TARGETS}
    roster = [
        Inspector(
            inspector.id,
            inspector.qualifications,
            recused_from=frozenset(t for t, favourite in favourites.items() if favourite == inspector.id),
        )
        for inspector in ROSTER
    ]

    teams = draw_teams(TARGETS, roster, seed=SEED, team_size=3)

    assert all(favourites[target] not in team for target, team in teams.items())
    assert teams == {target: tuple(ranked(target, names)[1:4]) for target in TARGETS}


def test_draw_teams_requires_qualifications_and_skips_recent_inspectors():
    roster = [
        Inspector("I1", frozenset({"enforcement", "hazardous-waste"})),
        Inspector("I2", frozenset({"enforcement"})),
        Inspector("I3", frozenset({"enforcement", "hazardous-waste"}), recently_inspected=frozenset({"E00"})),
        Inspector("I4", frozenset({"hazardous-waste", "enforcement"})),
    ]

    teams = draw_teams(["E00", "E01"], roster, seed=SEED, required=frozenset({"hazardous-waste"}))

    assert teams == {
        "E00": tuple(ranked("E00", ["I1", "I4"])),
        "E01": tuple(ranked("E01", ["I1", "I3", "I4"])[:2]),
    }


def most_targets(teams: dict[str, tuple[str, ...]]) -> int:
    load: dict[str, int] = {}
    for team in teams.values():
        for name in team:
            load[name] = load.get(name, 0) + 1
    return max(load.values())


def test_draw_teams_spreads_the_load_with_max_targets():
    free, capped = (draw_teams(TARGETS, ROSTER, seed=SEED, max_targets=most) for most in (None, 4))

    assert (most_targets(free), most_targets(capped)) == (5, 4)
    assert all(len(team) == 2 for team in capped.values())


def test_draw_teams_refuses_a_short_team_and_names_the_target():
    roster = [Inspector("I1", recused_from=frozenset({"E02"})), Inspector("I2")]

    with pytest.raises(NotEnoughInspectors) as caught:
        draw_teams(["E01", "E02"], roster, seed=SEED, team_size=2)

    assert str(caught.value) == "target 'E02': 1 eligible inspector(s), a team needs 2"


def test_draw_teams_same_result_whatever_the_roster_order():
    assert draw_teams(TARGETS, ROSTER, seed=SEED) == draw_teams(TARGETS, list(reversed(ROSTER)), seed=SEED)


def test_roster_canonical_lists_sorted_fields():
    roster = inspector_roster(
        [
            Inspector("I2", frozenset({"z", "a"}), frozenset({"E9", "E1"})),
            Inspector("I1", recently_inspected=frozenset({"E3"})),
        ]
    )

    assert roster_canonical(roster) == b"I1\t\t\tE3\nI2\ta;z\tE1;E9\t\n"


@pytest.mark.parametrize(
    ("roster", "message"),
    [
        ([], "the inspector pool is empty"),
        ([Inspector("I1"), Inspector(" I1 ")], "inspector 'I1' appears twice"),
        ([Inspector("I1", frozenset({"a;b"}))], "qualification of I1: 'a;b' holds a ';'"),
    ],
)
def test_inspector_roster_refuses_bad_rosters(roster: list[Inspector], message: str):
    with pytest.raises(DrawError) as caught:
        inspector_roster(roster)

    assert str(caught.value).startswith(message)
