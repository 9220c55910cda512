"""The verifiable draw, method ``envplan-draw-1`` (docs/draw-method.md is its public description).

Every id is ranked by HMAC-SHA256(seed, id); each stratum gives its first ids in that order. Before the
draw the office publishes SHA-256 of the seed and of the pool's canonical form; after it, the seed, so
that anyone can recompute the draw. Changing anything here changes the method: give it a new name.
"""

from __future__ import annotations

import hashlib
import hmac
import string
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

METHOD = "envplan-draw-1"
MIN_SEED_BYTES = 16
# A tab separates the fields of a canonical line (and the target from the inspector in a team key), a
# newline ends it: neither may appear inside an id or a stratum, or two pools could hash alike.
_FORBIDDEN = ("\t", "\n", "\r")


class DrawError(ValueError):
    """Input that cannot be drawn from (bad pool, seed or count); exit code 2 on the command line."""


def normalise(text: str) -> str:
    """The canonical form of an id or a stratum: Unicode NFC, surrounding white space removed."""
    return unicodedata.normalize("NFC", text).strip()


def check_name(text: str, what: str) -> str:
    """``text`` normalised, refused if empty or holding a tab or a line break."""
    name = normalise(text)
    if not name:
        raise DrawError(f"{what}: empty")
    if any(mark in name for mark in _FORBIDDEN):
        raise DrawError(f"{what}: {name!r} holds a tab or a line break")
    return name


@dataclass(frozen=True)
class Pool:
    """The ids to draw from, sorted, each with its stratum ("" when the draw is not stratified)."""

    entries: tuple[tuple[str, str], ...]
    strata_column: str | None = None

    @classmethod
    def of(cls, rows: Iterable[tuple[str, str]], strata_column: str | None = None) -> Pool:
        """A pool from (id, stratum) pairs in any order; ids and strata are normalised and checked."""
        seen: set[str] = set()
        entries = []
        for number, (raw_id, raw_stratum) in enumerate(rows, start=1):
            identifier = check_name(raw_id, f"id of entry {number}")
            stratum = check_name(raw_stratum, f"stratum of {identifier}") if strata_column else ""
            if identifier in seen:
                raise DrawError(f"id {identifier!r} appears twice")
            seen.add(identifier)
            entries.append((identifier, stratum))
        if not entries:
            raise DrawError("the pool is empty")
        return cls(tuple(sorted(entries)), strata_column)

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(identifier for identifier, _ in self.entries)

    def strata(self) -> dict[str, list[str]]:
        """Stratum -> its ids, strata in code-point order."""
        groups: dict[str, list[str]] = {}
        for identifier, stratum in self.entries:
            groups.setdefault(stratum, []).append(identifier)
        return dict(sorted(groups.items()))

    def canonical(self) -> bytes:
        """One line per id in code-point order, ``id`` or ``id<TAB>stratum``, each ending in LF; UTF-8."""
        if self.strata_column:
            lines = (f"{identifier}\t{stratum}\n" for identifier, stratum in self.entries)
        else:
            lines = (f"{identifier}\n" for identifier, _ in self.entries)
        return "".join(lines).encode("utf-8")

    def sha256(self) -> str:
        return hashlib.sha256(self.canonical()).hexdigest()


def parse_seed(text: str) -> bytes:
    """The seed from its hexadecimal form (at least 16 bytes, 32 hex digits; either case)."""
    digits = text.strip()
    if not digits or any(char not in string.hexdigits for char in digits) or len(digits) % 2:
        raise DrawError("the seed is written as hexadecimal digits, two per byte")
    seed = bytes.fromhex(digits)
    if len(seed) < MIN_SEED_BYTES:
        raise DrawError(
            f"the seed has {len(seed)} bytes; at least {MIN_SEED_BYTES} are needed so that its published "
            "hash cannot be reversed by trying every value"
        )
    return seed


def seed_sha256(seed: bytes) -> str:
    return hashlib.sha256(seed).hexdigest()


def rank_key(seed: bytes, identifier: str) -> bytes:
    """The id's place in the draw: smaller comes first."""
    return hmac.new(seed, identifier.encode("utf-8"), hashlib.sha256).digest()


def apportion(sizes: Mapping[str, int], total: int) -> dict[str, int]:
    """Split ``total`` across strata in proportion to their sizes (largest remainder, Hamilton).

    Each stratum first gets floor(total × size / pool size); the seats left go one each to the strata
    with the largest remainders, ties to the stratum name that comes first in code-point order.
    Integer arithmetic throughout, so that every reader gets the same split.
    """
    pool_size = sum(sizes.values())
    if not 0 <= total <= pool_size:
        raise DrawError(f"cannot take {total} from a pool of {pool_size}")
    quotas = {name: total * size // pool_size for name, size in sizes.items()}
    left = total - sum(quotas.values())
    by_remainder = sorted(sizes, key=lambda name: (-(total * sizes[name] % pool_size), name))
    for name in by_remainder[:left]:
        quotas[name] += 1
    return dict(sorted(quotas.items()))


@dataclass(frozen=True)
class DrawMethod:
    """How the draw was made; with the pool and the seed, enough to make it again."""

    count: int | None = None
    per_stratum: int | None = None
    strata: str | None = None
    name: str = METHOD

    def quotas(self, pool: Pool) -> dict[str, int]:
        if (self.count is None) == (self.per_stratum is None):
            raise DrawError("give either a total count or a count per stratum")
        if self.per_stratum is not None and not self.strata:
            raise DrawError("a count per stratum needs a strata column")
        wanted = self.count if self.count is not None else self.per_stratum
        if wanted is None or wanted < 1:
            raise DrawError("the count is a whole number, 1 or more")
        sizes = {name: len(ids) for name, ids in pool.strata().items()}
        if self.per_stratum is not None:
            return {name: min(self.per_stratum, size) for name, size in sizes.items()}
        if wanted > len(pool.entries):
            raise DrawError(f"count {wanted} is larger than the pool ({len(pool.entries)} ids)")
        return apportion(sizes, wanted)


@dataclass(frozen=True)
class Draw:
    pool_sha256: str
    seed_sha256: str
    method: DrawMethod
    quotas: dict[str, int]
    selected: tuple[str, ...]

    def as_json(self) -> dict[str, Any]:
        return {
            "pool_sha256": self.pool_sha256,
            "seed_sha256": self.seed_sha256,
            "method": {
                "name": self.method.name,
                "count": self.method.count,
                "per_stratum": self.method.per_stratum,
                "strata": self.method.strata,
                "quotas": self.quotas if self.method.strata else None,
            },
            "selected": list(self.selected),
        }


def draw(pool: Pool, seed: bytes, method: DrawMethod) -> Draw:
    """Draw from ``pool``: strata in code-point order, each giving its quota of ids in rank order."""
    if (method.strata or None) != (pool.strata_column or None):
        raise DrawError("the method's strata column is not the pool's")
    quotas = method.quotas(pool)
    selected: list[str] = []
    for stratum, ids in pool.strata().items():
        ranked = sorted(ids, key=lambda identifier: (rank_key(seed, identifier), identifier))
        selected.extend(ranked[: quotas[stratum]])
    return Draw(pool.sha256(), seed_sha256(seed), method, quotas, tuple(selected))


def published_draw(document: Any) -> tuple[DrawMethod, dict[str, Any]]:
    """Read a published draw (the JSON ``draw`` prints): its method and its fields, checked."""
    if not isinstance(document, dict):
        raise DrawError("expected a JSON object")
    for key in ("pool_sha256", "seed_sha256", "method", "selected"):
        if key not in document:
            raise DrawError(f"{key}: missing")
    for key in ("pool_sha256", "seed_sha256"):
        if not isinstance(document[key], str):
            raise DrawError(f"{key}: expected text")
    selected = document["selected"]
    if not isinstance(selected, list) or not all(isinstance(item, str) for item in selected):
        raise DrawError("selected: expected a list of ids")
    method = document["method"]
    if not isinstance(method, dict):
        raise DrawError("method: expected an object")
    if method.get("name") != METHOD:
        raise DrawError(f"method.name: {method.get('name')!r} is not {METHOD!r}, the method this verifies")
    for key in ("count", "per_stratum"):
        value = method.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            raise DrawError(f"method.{key}: expected a whole number or null")
    strata = method.get("strata")
    if strata is not None and not isinstance(strata, str):
        raise DrawError("method.strata: expected a column name or null")
    remade = DrawMethod(count=method.get("count"), per_stratum=method.get("per_stratum"), strata=strata)
    return remade, document


def differences(document: dict[str, Any], remade: Draw) -> list[str]:
    """What in a published draw the remade draw does not reproduce (empty: reproduced)."""
    found = []
    if document["seed_sha256"].lower() != remade.seed_sha256:
        found.append("seed_sha256: the seed given is not the committed one")
    if document["pool_sha256"].lower() != remade.pool_sha256:
        found.append("pool_sha256: the pool given is not the committed one")
    published = list(document["selected"])
    if published != list(remade.selected):
        for position, (was, now) in enumerate(zip(published, remade.selected, strict=False), start=1):
            if was != now:
                found.append(f"selected: position {position} is {was!r}; the method gives {now!r}")
                break
        else:
            found.append(f"selected: {len(published)} ids published; the method gives {len(remade.selected)}")
    return found
