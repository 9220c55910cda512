"""Reassembly of split packets (Flag D=1, PNUM/PNO), sans-I/O.

HJ 212-2017 Tables C.49/C.50: each sub-packet has its own QN, the same DataTime, ``PNUM=n;PNO=i``, and the
payload is split at item boundaries.  Sub-packets are grouped by (MN, ST, CN, PNUM, DataTime); when all
PNO 1..PNUM are present the CP item lists are joined in PNO order (the repeated DataTime kept once).
The caller passes ``now`` (seconds, any monotonic clock) so that incomplete groups can expire.  A segment
whose Flag has D set but that carries no PNUM/PNO passes through whole (the header keeps a warning).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from envplan.hj212.segment import DataSegment, Flag, parse_cp


@dataclass
class _Group:
    first_seen: float
    parts: dict[int, DataSegment] = field(default_factory=dict)


GroupKey = tuple[str, str, str, int, str]


class SplitReassembler:
    """``feed(segment, now)`` returns a whole segment when one is complete (unsplit segments pass through)."""

    def __init__(self, *, max_age: float = 600.0, max_groups: int = 10_000) -> None:
        self.max_age = max_age
        self.max_groups = max_groups
        self._groups: dict[GroupKey, _Group] = {}
        self.expired = 0

    @property
    def pending(self) -> int:
        return len(self._groups)

    def feed(self, segment: DataSegment, now: float) -> DataSegment | None:
        header = segment.header
        if not header.split or header.pnum is None or header.pno is None:
            return segment  # not split, or split flagged without packet numbers (read as whole, see segment)
        if header.pnum == 1:
            return _merged([segment])
        self.expire(now)
        key: GroupKey = (header.mn, header.st, header.cn, header.pnum, segment.cp.params.get("DataTime", ""))
        group = self._groups.get(key)
        if group is None:
            if len(self._groups) >= self.max_groups:
                oldest = min(self._groups, key=lambda k: self._groups[k].first_seen)
                del self._groups[oldest]
                self.expired += 1
            group = self._groups[key] = _Group(first_seen=now)
        group.parts[header.pno] = segment  # a resent sub-packet replaces the earlier copy
        if len(group.parts) < header.pnum:
            return None
        del self._groups[key]
        return _merged([group.parts[i] for i in range(1, header.pnum + 1)])

    def oldest_pending(self) -> float | None:
        """The ``now`` at which the oldest incomplete group got its first part (None: nothing pending)."""
        return min((group.first_seen for group in self._groups.values()), default=None)

    def expire(self, now: float) -> int:
        stale = [k for k, g in self._groups.items() if now - g.first_seen > self.max_age]
        for key in stale:
            del self._groups[key]
        self.expired += len(stale)
        return len(stale)


def _merged(parts: list[DataSegment]) -> DataSegment:
    items: list[str] = []
    data_time_item: str | None = None
    for part in parts:
        for item in part.cp_text.split(";"):
            if item.startswith("DataTime="):
                data_time_item = data_time_item or item
            elif item:
                items.append(item)
    cp_text = ";".join(([data_time_item] if data_time_item else []) + items)
    first = parts[0].header
    assert first.flag is not None
    header = replace(first, flag=Flag(first.flag.value & ~0x02), pnum=None, pno=None)
    qns = tuple(p.header.qn for p in parts if p.header.qn)
    variants = tuple(dict.fromkeys(name for part in parts for name in part.variants))
    return DataSegment(header=header, cp_text=cp_text, cp=parse_cp(cp_text), qns=qns, variants=variants)
