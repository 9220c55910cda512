"""The verifiable random draw of "double random, one public" inspections (双随机、一公开).

Pure: no Django, no clock, no randomness of its own. Everything follows from the pool, the seed and the
method, as documented in docs/draw-method.md, so that anyone can make the draw again.
"""

from envplan.draw.method import (
    METHOD,
    Draw,
    DrawError,
    DrawMethod,
    Pool,
    apportion,
    differences,
    draw,
    normalise,
    parse_seed,
    published_draw,
    rank_key,
    seed_sha256,
)
from envplan.draw.pool import read_pool_csv, read_roster_csv
from envplan.draw.teams import (
    Inspector,
    NotEnoughInspectors,
    TeamsDocument,
    TeamSettings,
    draw_teams,
    inspector_roster,
    roster_canonical,
    roster_sha256,
    team_rank_key,
    teams_document,
)

__all__ = [
    "METHOD",
    "Draw",
    "DrawError",
    "DrawMethod",
    "Inspector",
    "NotEnoughInspectors",
    "Pool",
    "TeamSettings",
    "TeamsDocument",
    "apportion",
    "differences",
    "draw",
    "draw_teams",
    "inspector_roster",
    "normalise",
    "parse_seed",
    "published_draw",
    "rank_key",
    "read_pool_csv",
    "read_roster_csv",
    "roster_canonical",
    "roster_sha256",
    "seed_sha256",
    "team_rank_key",
    "teams_document",
]
