"""What the receiver counts, and what it keeps of the frames it refuses.

Nothing is dropped silently: every item the framer delivers (a frame, or bytes it could not read as one)
is either landed or refused, and every refusal is counted per MN (when one can be read and trusted) and
reason, and per connection; the first few refused frames of each MN and reason are kept as samples, and
the first refusal of each is a notice for the log (once per device and reason, not per frame).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

MAX_COUNTED_DEVICES = 100_000  # (MN, reason) pairs counted apart; past it, spoofed MNs count under "?"
SAMPLES_PER_REASON = 3
MAX_SAMPLED = 10_000  # (MN, reason) pairs with samples
SAMPLE_BYTES = 2048  # of each sampled frame
MAX_LOGGED = 1_000  # (MN, reason) pairs logged; past it, only counted


@dataclass(frozen=True, slots=True)
class RejectedSample:
    """One refused frame, as received (at most SAMPLE_BYTES of it)."""

    mn: str  # "?" when none could be read and trusted
    reason: str
    message: str
    peer: str
    received_ns: int
    frame: bytes


@dataclass
class ReceiverStats:
    """Counters for tests and metrics.

    ``frames_received`` counts every item the framer delivered -- frames, and pieces of bytes that could
    not be read as one (garbage, frames cut short) -- and each is either landed (``frames_landed``;
    ``frames_quarantined`` of them from unknown devices, ``frames_with_variants`` of them with a tolerated
    deviation of their framing or header noted in their metadata, ``frames_with_warnings`` of those with a
    decoding warning) or in ``rejected``, keyed by (MN or "?", reason: length, crc, header, segment, flag,
    split, cp, password, unknown-device, garbage, truncated, trailer, too-long, the name of a deviation
    refused by the strict setting, or flood / errors for what a connection sent in the read that got it
    closed).  So ``frames_received == frames_landed + sum(rejected.values())``.

    ``replies_sent`` went out after their batch was fsynced (``fsyncs`` batches); ``replies_dropped`` were
    not sent because the connection had closed or the batch could not be made durable
    (``landing_errors``).  ``closed`` counts connections cut by the receiver per reason: idle, flood,
    slow-reader, errors, shutdown; ``connections_refused`` were closed on arrival because
    ``max_connections`` were open.
    """

    connections_opened: int = 0
    connections_open: int = 0
    connections_refused: int = 0
    frames_received: int = 0
    frames_landed: int = 0
    frames_quarantined: int = 0
    frames_refused: int = 0
    frames_with_warnings: int = 0
    frames_with_variants: int = 0
    replies_queued: int = 0
    replies_sent: int = 0
    replies_dropped: int = 0
    fsyncs: int = 0
    landing_errors: int = 0
    closed: Counter[str] = field(default_factory=Counter)  # reason -> connections
    rejected: Counter[tuple[str, str]] = field(default_factory=Counter)  # (MN or "?", reason) -> frames

    def as_dict(self) -> dict[str, object]:
        return {
            "connections_opened": self.connections_opened,
            "connections_open": self.connections_open,
            "connections_refused": self.connections_refused,
            "frames_received": self.frames_received,
            "frames_landed": self.frames_landed,
            "frames_quarantined": self.frames_quarantined,
            "frames_refused": self.frames_refused,
            "frames_with_warnings": self.frames_with_warnings,
            "frames_with_variants": self.frames_with_variants,
            "replies_queued": self.replies_queued,
            "replies_sent": self.replies_sent,
            "replies_dropped": self.replies_dropped,
            "fsyncs": self.fsyncs,
            "landing_errors": self.landing_errors,
            "closed": dict(self.closed),
            "rejected": {f"{mn}|{reason}": n for (mn, reason), n in self.rejected.items()},
        }


class Refusals:
    """Counts refused frames into ``stats.rejected`` and keeps their samples and log notices."""

    def __init__(self, stats: ReceiverStats) -> None:
        self.stats = stats
        self.samples: list[RejectedSample] = []  # kept since the last take_samples()
        self.notices: list[str] = []
        self._sampled: Counter[tuple[str, str]] = Counter()
        self._logged = 0

    def add(
        self, mn: str | None, reason: str, *, message: str, raw: bytes, peer: str, received_ns: int
    ) -> None:
        rejected = self.stats.rejected
        key = (mn or "?", reason)
        if key not in rejected and len(rejected) >= MAX_COUNTED_DEVICES:
            key = ("?", reason)
        rejected[key] += 1
        if rejected[key] == 1:
            self._notice(key, message, peer)
        if self._sampled[key] < SAMPLES_PER_REASON and (
            key in self._sampled or len(self._sampled) < MAX_SAMPLED
        ):
            self._sampled[key] += 1
            self.samples.append(
                RejectedSample(
                    mn=key[0],
                    reason=reason,
                    message=message[:500],
                    peer=peer,
                    received_ns=received_ns,
                    frame=raw[:SAMPLE_BYTES],
                )
            )

    def _notice(self, key: tuple[str, str], message: str, peer: str) -> None:
        self._logged += 1
        if self._logged > MAX_LOGGED:
            return
        mn, reason = key
        who = f"MN {mn}" if mn != "?" else "a sender whose MN could not be read"
        line = (
            f"refused a frame of {who} from {peer}: {reason}: {message}; further ones are counted, not logged"
        )
        if self._logged == MAX_LOGGED:
            line += f" (the last such line: {MAX_LOGGED} devices and reasons logged)"
        self.notices.append(line)

    def take_samples(self) -> list[RejectedSample]:
        samples, self.samples = self.samples, []
        return samples
