"""``envplan inspections draw|verify`` (pure; no Django). The method: docs/draw-method.md.

``draw POOL.csv (--count N | --per-stratum N) (--seed HEX | --seed-file F) [--strata COLUMN]
[--inspectors ROSTER.csv [--team-size K] [--require QUALIFICATION …] [--max-targets M]]``
    prints the draw as JSON: ``{"pool_sha256", "seed_sha256", "method", "selected"}`` (plus ``"teams"``
    with ``--inspectors``). ``--count`` is a total, split across strata by largest remainder;
    ``--per-stratum`` takes up to N from every stratum.

``verify POOL.csv DRAW.json (--seed HEX | --seed-file F) [--inspectors ROSTER.csv]``
    makes the draw again from the pool, the seed and the method recorded in DRAW.json.

Exit codes: 0 drawn / reproduced; 1 not reproduced (each difference on stdout); 2 bad input or usage
(one line on stderr naming the file, line and field: duplicate ids, an empty pool, a short seed…).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn, TextIO

from envplan.draw.method import (
    Draw,
    DrawError,
    DrawMethod,
    Pool,
    differences,
    draw,
    parse_seed,
    published_draw,
)
from envplan.draw.pool import read_pool_csv, read_roster_csv
from envplan.draw.teams import Inspector, draw_teams, roster_sha256

EXIT_OK = 0
EXIT_NOT_REPRODUCED = 1
EXIT_BAD_INPUT = 2


class _UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    """Reports usage errors as exceptions and prints help to the given stream."""

    def __init__(self, *args: Any, out: TextIO, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._out = out

    def error(self, message: str) -> NoReturn:
        raise _UsageError(f"{self.prog}: error: {message}")

    def _print_message(self, message: str, file: Any = None) -> None:
        if message:
            self._out.write(message)


def _add_seed(parser: argparse.ArgumentParser) -> None:
    seed = parser.add_mutually_exclusive_group(required=True)
    seed.add_argument("--seed", help="the seed, hexadecimal, at least 32 digits (16 bytes)")
    seed.add_argument("--seed-file", help="a file holding the seed (keeps it off the command line)")


def _build_parser(out: TextIO) -> _Parser:
    parser = _Parser(prog="envplan inspections", description="Verifiable random inspections.", out=out)
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    summary = "draw targets (and inspector teams) from a pool, verifiably"
    drawing = commands.add_parser("draw", help=summary, description=summary, out=out)
    drawing.add_argument("pool", help="CSV with an id column (UTF-8)")
    count = drawing.add_mutually_exclusive_group(required=True)
    count.add_argument("--count", type=int, help="ids in all; with --strata, split in proportion")
    count.add_argument("--per-stratum", type=int, help="ids from each stratum (all of a smaller one)")
    _add_seed(drawing)
    drawing.add_argument("--strata", help="the pool's column naming each id's stratum")
    drawing.add_argument("--inspectors", help="CSV: id, qualifications, recused_from, recently_inspected")
    drawing.add_argument("--team-size", type=int, default=2, help="inspectors per target (default 2)")
    drawing.add_argument("--require", action="append", default=[], help="qualification every member holds")
    drawing.add_argument("--max-targets", type=int, help="most targets one inspector takes in this draw")
    summary = "make a published draw again and compare"
    verifying = commands.add_parser("verify", help=summary, description=summary, out=out)
    verifying.add_argument("pool", help="the pool CSV the draw was made from")
    verifying.add_argument("draw", help="the published draw (JSON printed by draw)")
    _add_seed(verifying)
    verifying.add_argument("--inspectors", help="the inspector roster, when the draw has teams")
    return parser


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


def _teams(
    result: Draw, roster: Sequence[Inspector], seed: bytes, settings: dict[str, Any]
) -> dict[str, Any]:
    assigned = draw_teams(
        result.selected,
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
        settings = {
            "team_size": args.team_size,
            "required": sorted(set(args.require)),
            "max_targets": args.max_targets,
        }
        document["teams"] = _teams(result, read_roster_csv(args.inspectors), seed, settings)
    out.write(json.dumps(document, ensure_ascii=False, indent=2) + "\n")
    return EXIT_OK


def _load_published(path: str) -> Any:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as error:
        raise DrawError(f"{path}: cannot read: {error.strerror or error}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise DrawError(f"{path}: not a JSON draw: {error}") from None


def _team_settings(teams: Any, path: str) -> dict[str, Any]:
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
            teams = _teams(remade, read_roster_csv(args.inspectors), seed, settings)
            if document["teams"]["roster_sha256"].lower() != teams["roster_sha256"]:
                found.append("teams.roster_sha256: the roster given is not the committed one")
            elif document["teams"]["assigned"] != teams["assigned"]:
                found.append("teams.assigned: the teams are not the ones the method gives")
    if found:
        out.write("".join(f"not reproduced: {line}\n" for line in found))
        return EXIT_NOT_REPRODUCED
    out.write(f"reproduced: {len(remade.selected)} id(s) drawn by {method.name}\n")
    return EXIT_OK


def main(
    argv: Sequence[str],
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
    stdin: TextIO | None = None,
) -> int:
    """Run ``envplan inspections draw|verify …``; returns the exit code (never raises on bad input)."""
    out = stdout if stdout is not None else sys.stdout
    err = stderr if stderr is not None else sys.stderr
    try:
        args = _build_parser(out).parse_args(list(argv))
    except _UsageError as error:
        err.write(f"{error}\n")
        return EXIT_BAD_INPUT
    except SystemExit as exit_:  # --help has been printed
        return exit_.code if isinstance(exit_.code, int) else EXIT_OK
    try:
        return _draw(args, out) if args.command == "draw" else _verify(args, out)
    except DrawError as error:
        err.write(f"envplan inspections {args.command}: {error}\n")
        return EXIT_BAD_INPUT
