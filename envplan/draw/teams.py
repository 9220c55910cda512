"""Inspector teams for drawn targets, by the same ranking (docs/draw-method.md, "Inspector teams").

For each target, in draw order, the eligible inspectors are ranked by HMAC-SHA256(seed, target TAB
inspector) and the first ``team_size`` form its team. An inspector is eligible for a target when they hold
every required qualification, are not recused from the target, did not inspect it in the previous round
(rotation), and have not yet reached ``max_targets`` in this draw. A recused inspector is never drawn.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TypedDict

from envplan.draw.method import DrawError, check_name


@dataclass(frozen=True)
class Inspector:
    id: str
    qualifications: frozenset[str] = frozenset()
    recused_from: frozenset[str] = frozenset()
    recently_inspected: frozenset[str] = frozenset()


class NotEnoughInspectors(DrawError):
    """Fewer eligible inspectors than a team needs, for one target."""

    def __init__(self, target: str, eligible: int, needed: int) -> None:
        super().__init__(f"target {target!r}: {eligible} eligible inspector(s), a team needs {needed}")
        self.target = target
        self.eligible = eligible
        self.needed = needed


def inspector_roster(inspectors: Iterable[Inspector]) -> tuple[Inspector, ...]:
    """The inspectors with their names normalised and checked, sorted by id; duplicate ids refused."""
    roster: dict[str, Inspector] = {}
    for inspector in inspectors:
        identifier = check_name(inspector.id, "inspector id")
        if identifier in roster:
            raise DrawError(f"inspector {identifier!r} appears twice")
        roster[identifier] = Inspector(
            identifier,
            _names(inspector.qualifications, f"qualification of {identifier}"),
            _names(inspector.recused_from, f"recusal of {identifier}"),
            _names(inspector.recently_inspected, f"previous target of {identifier}"),
        )
    if not roster:
        raise DrawError("the inspector pool is empty")
    return tuple(roster[identifier] for identifier in sorted(roster))


def _names(values: Iterable[str], what: str) -> frozenset[str]:
    names = frozenset(check_name(value, what) for value in values)
    for name in names:
        if ";" in name:
            raise DrawError(f"{what}: {name!r} holds a ';', which separates names in the canonical form")
    return names


def roster_canonical(roster: Sequence[Inspector]) -> bytes:
    """One line per inspector in id order: id, qualifications, recusals, previous targets (tab-separated;
    each list sorted and joined by ';'), ending in LF; UTF-8."""
    lines = (
        "\t".join(
            [
                inspector.id,
                ";".join(sorted(inspector.qualifications)),
                ";".join(sorted(inspector.recused_from)),
                ";".join(sorted(inspector.recently_inspected)),
            ]
        )
        + "\n"
        for inspector in sorted(roster, key=lambda inspector: inspector.id)
    )
    return "".join(lines).encode("utf-8")


def roster_sha256(roster: Sequence[Inspector]) -> str:
    return hashlib.sha256(roster_canonical(roster)).hexdigest()


def team_rank_key(seed: bytes, target: str, inspector: str) -> bytes:
    return hmac.new(seed, f"{target}\t{inspector}".encode(), hashlib.sha256).digest()


def draw_teams(
    targets: Sequence[str],
    inspectors: Iterable[Inspector],
    *,
    seed: bytes,
    team_size: int = 2,
    required: frozenset[str] = frozenset(),
    max_targets: int | None = None,
) -> dict[str, tuple[str, ...]]:
    """A team of ``team_size`` inspectors for each target, in the targets' order.

    Raises ``NotEnoughInspectors`` naming the first target that cannot be staffed: a short team is
    never returned (the practice is at least two inspectors per check).
    """
    if team_size < 1:
        raise DrawError("a team has at least one inspector")
    if max_targets is not None and max_targets < 1:
        raise DrawError("an inspector takes at least one target")
    roster = inspector_roster(inspectors)
    needed = _names(required, "required qualification")
    load = {inspector.id: 0 for inspector in roster}
    teams: dict[str, tuple[str, ...]] = {}
    for raw_target in targets:
        target = check_name(raw_target, "target")
        if target in teams:
            raise DrawError(f"target {target!r} appears twice")
        eligible = [
            inspector.id
            for inspector in roster
            if needed <= inspector.qualifications
            and target not in inspector.recused_from
            and target not in inspector.recently_inspected
            and (max_targets is None or load[inspector.id] < max_targets)
        ]
        if len(eligible) < team_size:
            raise NotEnoughInspectors(target, len(eligible), team_size)
        ranked = sorted(eligible, key=lambda name: (team_rank_key(seed, target, name), name))
        team = tuple(ranked[:team_size])
        for identifier in team:
            load[identifier] += 1
        teams[target] = team
    return teams


class TeamSettings(TypedDict):
    """How teams are drawn, as a published draw records them."""

    team_size: int
    required: list[str]  # sorted
    max_targets: int | None


class TeamsDocument(TeamSettings):
    """The ``teams`` of a published draw: the roster's digest, the settings and each target's team."""

    roster_sha256: str
    assigned: dict[str, list[str]]


def teams_document(
    targets: Sequence[str], roster: Sequence[Inspector], *, seed: bytes, settings: TeamSettings
) -> TeamsDocument:
    """The teams of the drawn `targets` (``draw_teams``), as a published draw holds them."""
    assigned = draw_teams(
        targets,
        roster,
        seed=seed,
        team_size=settings["team_size"],
        required=frozenset(settings["required"]),
        max_targets=settings["max_targets"],
    )
    return {
        "roster_sha256": roster_sha256(roster),
        **settings,
        "assigned": {target: list(team) for target, team in assigned.items()},
    }
