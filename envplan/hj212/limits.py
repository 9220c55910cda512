"""The open-file (descriptor) limit of a receiver process, and the connection maximum derived from it.

Each logger connection holds one descriptor; the process also needs some for the listening socket, the
landing file and its folder, the event loop, the database connection and the logs.  Processes usually start
with a soft limit (often 1024) far below the hard one, and a receiver holding thousands of idle loggers
then runs out: accepting fails with "too many open files", and so would opening the next landing file.  So
the receiver raises its soft limit to the hard one at start and refuses connections past the limit minus a
reserve (:attr:`envplan.hj212.receiver.ReceiverConfig.max_connections`).
"""

from __future__ import annotations

import contextlib
import resource
from dataclasses import dataclass

# Descriptors kept for everything but connections (see the module docstring), with a wide margin.
RESERVE = 100
# Used when the hard limit is unlimited: Linux's default ceiling for one process (fs.nr_open).
UNLIMITED_CEILING = 1 << 20


@dataclass(frozen=True, slots=True)
class DescriptorLimit:
    soft: int  # in effect now
    hard: int | None  # None: unlimited
    before: int  # the soft limit the process started with

    def describe(self) -> str:
        hard = "unlimited" if self.hard is None else str(self.hard)
        raised = f", raised from {self.before}" if self.soft != self.before else ""
        return f"open-file limit {self.soft} (hard limit {hard}{raised})"


def raise_descriptor_limit(wanted: int | None = None) -> DescriptorLimit:
    """Raise the soft RLIMIT_NOFILE toward the hard limit (or to ``wanted`` when smaller); never lowers it."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    unlimited = resource.RLIM_INFINITY
    ceiling = UNLIMITED_CEILING if hard == unlimited else hard
    target = ceiling if wanted is None else min(wanted, ceiling)
    before = ceiling if soft == unlimited else soft
    if soft != unlimited and soft < target:
        # refused by a kernel ceiling below the hard limit (macOS's OPEN_MAX): keep the current limit
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    now = ceiling if soft == unlimited else soft
    return DescriptorLimit(soft=now, hard=None if hard == unlimited else hard, before=before)


def default_max_connections(soft_limit: int) -> int:
    """Connections a process with this open-file limit may hold: the limit minus :data:`RESERVE` (half the
    limit when it is that small)."""
    if soft_limit > 2 * RESERVE:
        return soft_limit - RESERVE
    return max(1, soft_limit // 2)


def connection_limit(requested: int | None) -> tuple[int, str]:
    """Raise the open-file limit, then the connection maximum to use (``requested``, else the default for
    the limit) and a line saying both, for the receiver's start-up output."""
    limit = raise_descriptor_limit()
    fitting = default_max_connections(limit.soft)
    maximum = fitting if requested is None else requested
    line = f"{limit.describe()}; at most {maximum} connections"
    if maximum > fitting:
        line += f" (more than the {fitting} the limit leaves room for: accepting may fail)"
    return maximum, line
