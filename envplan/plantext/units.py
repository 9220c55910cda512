"""Units named in a plan: splitting lists, reading roles, resolving spellings to canonical units.

The resolver is general: it normalises names (case, accents, plural, places, organisational words),
compares them by IDF-weighted token overlap (character bigrams for Chinese), and starts from the units a
person already confirmed (``KnownUnit`` with its aliases). Where a spelling is close to a unit but not
close enough, it is kept apart and reported as uncertain so that a person decides.
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from .model import KnownUnit, Uncertain, Unit


def _words(text: str) -> list[str]:
    return text.split()


# Similarity at or above SAME joins a unit; between UNSURE and SAME the spelling becomes its own unit
# and is reported as uncertain with the close units as candidates. Names that share their leading word
# (the field of the body: "agriculture ...") are already doubtful from LEADING_UNSURE. Tuned on the
# reference plan and the test plans: the twelve spellings of one ecology bureau score >= 0.85, distinct
# bureaus sharing one later word (development, affairs) stay under 0.35.
SAME = 0.72
UNSURE = 0.38
LEADING_UNSURE = 0.25

# Organisational and function words: they say what kind of body it is, not which one.
_STOP = frozenset(
    _words(
        """
    de du des la le les l d et a au aux en pour sur dans par un une of the and for in on to at
    by bureau bureaux office offices administration antenne branche succursale annexe agence
    direction departement department commission comite committee centre center service brigade
    district districts ville villes city county municipal municipalite municipality region
    regional zone sous people peoples populaire gouvernement government general
    """
    )
)
HEADS = frozenset(
    _words(
        """
    bureau bureaux office administration antenne branche succursale agence direction
    departement department commission comite committee centre center service services brigade
    zone ville town societe company gouvernement government station parc park groupe group
    entreprise corporation institut institute tribunal court parquet procuratorate association
    federation hopital hospital ecole school detachement team conseil council authority
    autorite division section unit unite
    """
    )
)
QUALIFIERS = frozenset(["succursale", "branche", "antenne", "annexe", "branch"])

CJK = re.compile(r"[\u4e00-\u9fff]")
_ORG_SUFFIX_ZH = re.compile(r"(分局|委员会|办公室|人民政府|政府|局|委|办)")
_CONNECTORS_ZH = re.compile(r"[和与及、·]")
COLLECTIVE_FR = re.compile(
    r"\b(?:divers(?:es)?|tous les|toutes les|l'ensemble des|les différent(?:e)?s|chaque|les)\s+"
    r"(?:quartiers|villes|bureaux de sous-district|sous-districts|communes|cantons|villages|"
    r"gouvernements|départements|unités)[^,;]*",
    re.IGNORECASE,
)
COLLECTIVE_EN = re.compile(
    r"\b(?:all|the various|various|each|every|the relevant)\s+(?:the\s+)?[a-z\-]+"
    r"(?:\s+(?:and|or)\s+[a-z\-]+)?",
    re.IGNORECASE,
)
_COLLECTIVE_ZH = re.compile(r"^(?:全区|全市|全县)?各")


def head_words(piece: str) -> list[str]:
    plain = strip_accents(piece.lower())
    return [w for w in re.split(r"[^a-z0-9]+", plain) if w]


def _accent_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for code in range(0x00C0, 0x0250):
        base = unicodedata.normalize("NFD", chr(code))[0]
        if base != chr(code) and base.isascii():
            table[code] = base
    return table


# Latin letters with diacritics to their base letter, by table: much faster than NFD on whole documents.
_ACCENTS = _accent_table()


def strip_accents(text: str) -> str:
    """Latin letters without their accents (é -> e); other characters unchanged."""
    return text.translate(_ACCENTS)


def _stem(token: str) -> str:
    if token.endswith("ies") and len(token) > 4:
        return token[:-3] + "y"
    if token.endswith("s") and not token.endswith("ss") and len(token) > 3:
        token = token[:-1]
    if token.endswith("le") and len(token) > 5:  # French feminine: rurale -> rural, naturelle -> naturell
        token = token[:-1]
    return token


def is_collective(name: str) -> bool:
    """A collective mention (all towns, 各街镇) names a group of units rather than one body."""
    text = name.strip()
    if CJK.search(text):
        return bool(_COLLECTIVE_ZH.match(text))
    return bool(COLLECTIVE_FR.match(text) or COLLECTIVE_EN.match(text))


def learn_places(text: str) -> frozenset[str]:
    """Place names mentioned in the document (districts, cities, towns), lowercase without accents.

    Chinese places are returned with their one-character abbreviation (昆都仑区 -> 昆区).
    """
    places: set[str] = set()
    plain = strip_accents(text)
    for match in re.finditer(
        r"\b(?:district|ville|city|county|town|region|province|commune)[ ]+"
        r"(?:de[ ]+|d'|du[ ]+|of[ ]+)?([A-Z][a-z]+)",
        plain,
    ):
        places.add(match.group(1).lower())
    for match in re.finditer(r"\b([A-Z][a-z]+)[ ]+(?:County|District|City|Town|Province)\b", plain):
        places.add(match.group(1).lower())
    for match in re.finditer(r"([\u4e00-\u9fff]{2,4}?)(市|区|县|旗|镇)(?=[\u4e00-\u9fff])", text[:5000]):
        if match.group(1)[0] in "各全本我该":
            continue
        places.add(match.group(1) + match.group(2))
        places.add(match.group(1)[0] + match.group(2))
    return frozenset(places)


def is_place(token: str, places: frozenset[str]) -> bool:
    if token in places:
        return True
    candidates = [token]
    if token.endswith(("qu", "shi")) and len(token) > 4:
        candidates.append(token[: -2 if token.endswith("qu") else -3])
    return any(len(c) >= 3 and any(p.startswith(c) for p in places if p.isascii()) for c in candidates)


@functools.lru_cache(maxsize=4096)
def unit_tokens(name: str, places: frozenset[str] = frozenset()) -> frozenset[str]:
    """The distinguishing tokens of a unit name (words, or character bigrams for Chinese)."""
    if CJK.search(name):
        core = name
        for place in sorted((p for p in places if not p.isascii()), key=len, reverse=True):
            core = core.replace(place, "")
        core = re.sub(r"^[市区县旗]", "", core)
        core = _ORG_SUFFIX_ZH.sub("", core)
        core = _CONNECTORS_ZH.sub("", core)
        core = re.sub(r"[^\u4e00-\u9fffA-Za-z0-9]", "", core)
        if not core:
            core = re.sub(r"[^\u4e00-\u9fff]", "", name)
        if len(core) == 1:
            return frozenset({core})
        return frozenset(core[i : i + 2] for i in range(len(core) - 1))
    plain = strip_accents(name.lower())
    words = [w for w in re.split(r"[^a-z0-9]+", plain.replace("'", " ")) if w]
    content = [_stem(w) for w in words if w not in _STOP]
    if not content:
        content = [_stem(w) for w in words if w not in {"de", "du", "des", "la", "le", "les", "l", "d", "of"}]
    without_places = [w for w in content if not is_place(w, places)]
    return frozenset(without_places or content)


def leading_token(name: str, places: frozenset[str] = frozenset()) -> str | None:
    """The first distinguishing word of a name (its main field: "agriculture" in "Bureau de l'agriculture et
    de l'élevage", "Agriculture" in "County Agriculture Bureau"); the first bigram for Chinese."""
    if CJK.search(name):
        tokens = unit_tokens(name, places)
        core = sorted(tokens, key=lambda t: name.find(t) if t in name else len(name))
        return core[0] if core else None
    plain = strip_accents(name.lower())
    for word in re.split(r"[^a-z0-9]+", plain.replace("'", " ")):
        if word and word not in _STOP and not is_place(word, places):
            return _stem(word)
    return None


def normalised_key(name: str) -> str:
    """The exact-match key of a spelling: lowercase, no accents, no punctuation, single spaces."""
    plain = strip_accents(name.lower().replace("\u2019", "'"))
    return " ".join(re.split(r"[^\w]+", plain)).strip()


def weighted_dice(a: frozenset[str], b: frozenset[str], weight: dict[str, float]) -> float:
    """Overlap of two token sets, each token weighted (rare tokens count more); 0..1."""
    if not a or not b:
        return 0.0
    shared = sum(weight.get(t, 1.0) for t in a & b)
    total = sum(weight.get(t, 1.0) for t in a) + sum(weight.get(t, 1.0) for t in b)
    return 2.0 * shared / total if total else 0.0


def weighted_containment(a: frozenset[str], b: frozenset[str], weight: dict[str, float]) -> float:
    """How much of the shorter name the longer one contains, weighted; 0..1."""
    if not a or not b:
        return 0.0
    shared = sum(weight.get(t, 1.0) for t in a & b)
    smaller = min(sum(weight.get(t, 1.0) for t in a), sum(weight.get(t, 1.0) for t in b))
    return shared / smaller if smaller else 0.0


# A name wholly contained in another ("environnement écologique" in "protection écologique et de
# l'environnement") is usually the same body with a word more; it scores CONTAINED of a full match.
CONTAINED = 0.85


def similarity(a: frozenset[str], b: frozenset[str], weight: dict[str, float]) -> float:
    """Similarity of two unit names' token sets: weighted Dice, or discounted containment if higher."""
    return max(weighted_dice(a, b, weight), CONTAINED * weighted_containment(a, b, weight))


# Kinds of body. Translations swap bureau / office / administration / commission freely, so those are one
# kind; a brigade, a centre, a zone, a town or a company is another kind of body.
_KINDS = {
    **dict.fromkeys(
        _words(
            """
    bureau bureaux office administration antenne branche succursale agence direction
    departement department commission comite committee authority autorite
    """
        ),
        "bureau",
    ),
    **dict.fromkeys(["centre", "center"], "centre"),
    **dict.fromkeys(["brigade", "detachement", "team", "squad"], "brigade"),
    **dict.fromkeys(["zone", "parc", "park"], "zone"),
    **dict.fromkeys(["ville", "villes", "town", "commune"], "town"),
    **dict.fromkeys(["societe", "company", "corporation", "groupe", "group"], "company"),
}
_KINDS_ZH = (
    ("中心", "centre"), ("大队", "brigade"), ("支队", "brigade"), ("开发区", "zone"), ("园区", "zone"),
    ("公司", "company"), ("镇", "town"), ("街道", "town"),
    ("局", "bureau"), ("委", "bureau"), ("办", "bureau"),
)  # fmt: skip
KIND_MISMATCH = 0.8


def body_kind(name: str) -> str | None:
    """The kind of body a name designates (bureau, centre, brigade, zone, town, company), if recognisable."""
    if CJK.search(name):
        tail = re.sub(r"[^\u4e00-\u9fff]", "", name)[-4:]
        return next((kind for suffix, kind in _KINDS_ZH if suffix in tail), None)
    words = head_words(name)
    heads = [w for w in words if w in _KINDS]
    if not heads:
        return None
    # French names put the kind first ("Brigade de ..."), English ones mostly last ("... Bureau").
    return _KINDS[heads[0]] if words[0] in _KINDS else _KINDS[heads[-1]]


# --------------------------------------------------------------------------------------------------
# Resolution


@dataclass
class _Cluster:
    id: str
    known: KnownUnit | None
    group: bool
    spellings: list[str] = field(default_factory=list)
    keys: set[str] = field(default_factory=set)
    token_sets: list[frozenset[str]] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)
    kinds: set[str] = field(default_factory=set)
    leading: set[str] = field(default_factory=set)
    used: bool = False


@dataclass(frozen=True)
class Resolution:
    """Which unit each spelling was resolved to, the units used, and the doubts."""

    unit_of: dict[str, str]
    units: list[Unit]
    uncertain: list[Uncertain]


class UnitResolver:
    """Resolve spellings of units to canonical units, starting from the units a person confirmed."""

    def __init__(self, known_units: Sequence[KnownUnit] = (), *, places: Iterable[str] = ()) -> None:
        self.known_units = tuple(known_units)
        self.places = frozenset(places)

    def tokens(self, name: str) -> frozenset[str]:
        return unit_tokens(name, self.places)

    def resolve(self, mentions: Sequence[str]) -> Resolution:
        """Resolve every spelling (in document order); equal spellings resolve alike."""
        distinct = list(dict.fromkeys(m.strip() for m in mentions if m.strip()))
        weight = self._weights(distinct)
        clusters: list[_Cluster] = []
        for known in self.known_units:
            cluster = _Cluster(id=known.id, known=known, group=known.group)
            for spelling in (known.name, *known.aliases):
                cluster.keys.add(normalised_key(spelling))
                cluster.token_sets.append(self.tokens(spelling))
                cluster.kinds.update(k for k in (body_kind(spelling),) if k)
                cluster.leading.update(t for t in (leading_token(spelling, self.places),) if t)
            clusters.append(cluster)
        taken = {k.id for k in self.known_units}
        next_number = 1
        unit_of: dict[str, str] = {}
        doubts: list[tuple[str, str, list[tuple[str, float]]]] = []
        counts = Counter(m.strip() for m in mentions if m.strip())

        for spelling in distinct:
            key = normalised_key(spelling)
            group = is_collective(spelling)
            tokens = self.tokens(spelling)
            kind = body_kind(spelling)
            lead = leading_token(spelling, self.places)
            chosen: _Cluster | None = next((c for c in clusters if key in c.keys), None)
            close: list[tuple[str, float]] = []
            if chosen is None:
                scored = sorted(
                    (
                        (
                            max((similarity(tokens, ts, weight) for ts in c.token_sets), default=0.0)
                            * (KIND_MISMATCH if kind and c.kinds and kind not in c.kinds else 1.0),
                            i,
                        )
                        for i, c in enumerate(clusters)
                        if c.group == group
                    ),
                    reverse=True,
                )
                if scored and scored[0][0] >= SAME:
                    chosen = clusters[scored[0][1]]
                else:
                    close = [
                        (clusters[i].id, s)
                        for s, i in scored
                        if s >= UNSURE
                        or (
                            s >= LEADING_UNSURE
                            and lead is not None
                            and lead in clusters[i].leading
                            and not (kind and clusters[i].kinds and kind not in clusters[i].kinds)
                        )
                    ]
            if chosen is None:
                while f"u{next_number}" in taken:
                    next_number += 1
                chosen = _Cluster(id=f"u{next_number}", known=None, group=group)
                taken.add(chosen.id)
                clusters.append(chosen)
                if close:
                    doubts.append((chosen.id, spelling, close))
            chosen.used = True
            if spelling not in chosen.spellings:
                chosen.spellings.append(spelling)
            chosen.counts[spelling] += counts[spelling]
            chosen.keys.add(key)
            chosen.token_sets.append(tokens)
            if kind:
                chosen.kinds.add(kind)
            if lead:
                chosen.leading.add(lead)
            unit_of[spelling] = chosen.id

        units: list[Unit] = []
        for cluster in clusters:
            if not cluster.used:
                continue
            if cluster.known is not None:
                name = cluster.known.name
            else:
                order = {s: i for i, s in enumerate(cluster.spellings)}
                name = max(cluster.spellings, key=lambda s: (cluster.counts[s], -order[s]))
            aliases = tuple(s for s in cluster.spellings if s != name)
            units.append(Unit(id=cluster.id, name=name, aliases=aliases, group=cluster.group))
        first_use = {uid: i for i, uid in enumerate(dict.fromkeys(unit_of.values()))}
        units.sort(key=lambda u: first_use[u.id])
        uncertain = [
            Uncertain(
                unit=uid,
                as_written=spelling,
                candidates=tuple(c for c, _ in close),
                score=close[0][1],
                reason="close to another unit but not close enough to merge; a person should decide",
            )
            for uid, spelling, close in doubts
        ]
        return Resolution(unit_of=unit_of, units=units, uncertain=uncertain)

    def _weights(self, distinct: Sequence[str]) -> dict[str, float]:
        names = list(distinct)
        for known in self.known_units:
            names.extend((known.name, *known.aliases))
        df: Counter[str] = Counter()
        for name in names:
            df.update(self.tokens(name))
        total = max(len(names), 1)
        return {token: math.log(1.0 + total / count) for token, count in df.items()}
