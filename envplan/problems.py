"""Bounded problem lists: the first problems of a check are kept, the others only counted.

A file with a million bad rows must not print a million lines, store a million rows of JSON or render
a million table rows. Every import, validator command and page keeps the first `DEFAULT_LIMIT` problems
and the total, and says how many more there were.

Pure: standard library only (no Django, no envplan app), so the pure packages may use it too.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Final, Generic, TypeVar

__all__ = ["DEFAULT_LIMIT", "ProblemList"]

DEFAULT_LIMIT: Final = 1_000

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class ProblemList(Generic[T]):
    """The first problems of a check (`kept`, in the order found) and how many there were (`total`)."""

    kept: tuple[T, ...]
    total: int

    def __post_init__(self) -> None:
        if self.total < len(self.kept):
            raise ValueError(f"total {self.total} is less than the {len(self.kept)} problems kept")

    @classmethod
    def collect(cls, problems: Iterable[T], *, limit: int = DEFAULT_LIMIT) -> ProblemList[T]:
        """Keep the first `limit` problems of any iterable and count the rest without holding them."""
        iterator = iter(problems)
        kept = tuple(itertools.islice(iterator, max(limit, 0)))
        return cls(kept, len(kept) + sum(1 for _ in iterator))

    @classmethod
    def first(cls, head: Iterable[T], *, total: int, limit: int = DEFAULT_LIMIT) -> ProblemList[T]:
        """For a caller that already knows the total (a frame's height) and can hand over its head."""
        return cls(tuple(itertools.islice(head, max(limit, 0))), total)

    @classmethod
    def restore(
        cls, stored: Iterable[T], total: int | None = None, *, limit: int = DEFAULT_LIMIT
    ) -> ProblemList[T]:
        """A stored list and its stored total. Records written before lists were bounded may hold more than
        `limit` problems and no total: the first `limit` are kept and the rest counted."""
        items = list(stored)
        return cls(tuple(items[: max(limit, 0)]), max(total or 0, len(items)))

    @property
    def more(self) -> int:
        """How many problems were counted but not kept."""
        return self.total - len(self.kept)

    def __bool__(self) -> bool:
        return self.total > 0

    def __iter__(self) -> Iterator[T]:
        return iter(self.kept)

    def summary(self, singular: str = "", plural: str = "") -> str:
        """'… and 933,004 more errors' ('' when every problem was kept); the nouns are optional."""
        if not self.more:
            return ""
        noun = singular if self.more == 1 else (plural or singular)
        return f"… and {self.more:,} more{' ' + noun if noun else ''}"

    def lines(self, render: Callable[[T], str], singular: str = "", plural: str = "") -> list[str]:
        """One line per kept problem, then the summary line when some were left out."""
        rendered = [render(problem) for problem in self.kept]
        summary = self.summary(singular, plural)
        return [*rendered, summary] if summary else rendered
