"""``envplan inspections draw|verify`` (pure; no Django): the handlers; their arguments are declared in
``envplan/commands/inspections.py``. The method: docs/draw-method.md.

``draw POOL.csv (--count N | --per-stratum N) (--seed HEX | --seed-file F) [--strata COLUMN]
[--inspectors ROSTER.csv [--team-size K] [--require QUALIFICATION …] [--max-targets M]]``
    prints the draw as JSON: ``{"pool_sha256", "seed_sha256", "method", "selected"}`` (plus ``"teams"``
    with ``--inspectors``). ``--count`` is a total, split across strata by largest remainder;
    ``--per-stratum`` takes up to N from every stratum.

``verify POOL.csv DRAW.json (--seed HEX | --seed-file F) [--inspectors ROSTER.csv] [--json]``
    makes the draw again from the pool, the seed and the method recorded in DRAW.json; with ``--json``,
    prints ``{"reproduced", "method", "selected", "differences"}``.

Exit codes: 0 drawn / reproduced; 1 not reproduced (each difference on stdout); 2 bad input or usage
(one line on stderr naming the file, line and field: duplicate ids, an empty pool, a short seed…).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from envplan.commandline import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, Streams, json_line
from envplan.draw.method import (
    DrawError,
    DrawMethod,
    Pool,
    differences,
    draw,
    parse_seed,
    published_draw,
)
from envplan.draw.pool import read_pool_csv, read_roster_csv
from envplan.draw.teams import TeamSettings, teams_document

EXIT_NOT_REPRODUCED = EXIT_FINDINGS


def _seed(args: argparse.Namespace) -> bytes:
    if args.seed_file is None:
        try:
            return parse_seed(args.seed)
        except DrawError as error:
            raise DrawError(f"--seed: {error}") from None
    try:
        text = Path(args.seed_file).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise DrawError(f"{args.seed_file}: cannot read the seed: {error}") from None
    try:
        return parse_seed(text)
    except DrawError as error:
        raise DrawError(f"{args.seed_file}: {error}") from None


def _draw(args: argparse.Namespace, out: TextIO) -> int:
    seed = _seed(args)
    pool = read_pool_csv(args.pool, strata=args.strata)
    method = DrawMethod(count=args.count, per_stratum=args.per_stratum, strata=args.strata)
    try:
        result = draw(pool, seed, method)
    except DrawError as error:
        raise DrawError(f"{args.pool}: {error}") from None
    document = result.as_json()
    if args.inspectors:
        settings: TeamSettings = {
            "team_size": args.team_size,
            "required": sorted(set(args.require)),
            "max_targets": args.max_targets,
        }
        document["teams"] = teams_document(
            result.selected, read_roster_csv(args.inspectors), seed=seed, settings=settings
        )
    out.write(json.dumps(document, ensure_ascii=False, indent=2) + "\n")
    return EXIT_OK


def _load_published(path: str) -> Any:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as error:
        raise DrawError(f"{path}: cannot read: {error.strerror or error}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise DrawError(f"{path}: not a JSON draw: {error}") from None


def _team_settings(teams: object, path: str) -> TeamSettings:
    if not isinstance(teams, dict):
        raise DrawError(f"{path}: teams: expected an object")
    size, required, most = teams.get("team_size"), teams.get("required"), teams.get("max_targets")
    if isinstance(size, bool) or not isinstance(size, int):
        raise DrawError(f"{path}: teams.team_size: expected a whole number")
    if not isinstance(required, list) or not all(isinstance(item, str) for item in required):
        raise DrawError(f"{path}: teams.required: expected a list of qualifications")
    if most is not None and (isinstance(most, bool) or not isinstance(most, int)):
        raise DrawError(f"{path}: teams.max_targets: expected a whole number or null")
    if not isinstance(teams.get("roster_sha256"), str) or not isinstance(teams.get("assigned"), dict):
        raise DrawError(f"{path}: teams: roster_sha256 and assigned are required")
    return {"team_size": size, "required": required, "max_targets": most}


def _verify(args: argparse.Namespace, out: TextIO) -> int:
    seed = _seed(args)
    try:
        method, document = published_draw(_load_published(args.draw))
    except DrawError as error:
        message = str(error)
        raise DrawError(message if message.startswith(args.draw) else f"{args.draw}: {message}") from None
    pool: Pool = read_pool_csv(args.pool, strata=method.strata)
    remade = draw(pool, seed, method)
    found = differences(document, remade)
    if "teams" in document:
        settings = _team_settings(document["teams"], args.draw)
        if not args.inspectors:
            raise DrawError(f"{args.draw}: the draw has inspector teams: give the roster with --inspectors")
        if not found:
            teams = teams_document(
                remade.selected, read_roster_csv(args.inspectors), seed=seed, settings=settings
            )
            if document["teams"]["roster_sha256"].lower() != teams["roster_sha256"]:
                found.append("teams.roster_sha256: the roster given is not the committed one")
            elif document["teams"]["assigned"] != teams["assigned"]:
                found.append("teams.assigned: the teams are not the ones the method gives")
    if args.json:
        document = {
            "reproduced": not found,
            "method": method.name,
            "selected": len(remade.selected),
            "differences": found,
        }
        out.write(json_line(document))
        return EXIT_NOT_REPRODUCED if found else EXIT_OK
    if found:
        out.write("".join(f"not reproduced: {line}\n" for line in found))
        return EXIT_NOT_REPRODUCED
    out.write(f"reproduced: {len(remade.selected)} id(s) drawn by {method.name}\n")
    return EXIT_OK


def _reporting(name: str, run: Callable[[argparse.Namespace, Streams], int]) -> Callable[..., int]:
    """The handler of `envplan inspections NAME`: a DrawError is one line on stderr and exit code 2."""

    def handler(args: argparse.Namespace, streams: Streams) -> int:
        try:
            return run(args, streams)
        except DrawError as error:
            streams.stderr.write(f"envplan inspections {name}: {error}\n")
            return EXIT_USAGE

    return handler


draw_command = _reporting("draw", lambda args, streams: _draw(args, streams.stdout))
verify_command = _reporting("verify", lambda args, streams: _verify(args, streams.stdout))
