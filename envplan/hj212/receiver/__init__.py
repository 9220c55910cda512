"""The HJ 212 receiver: thousands of long-lived data-logger connections, every answered frame durable.

* ``core``, ``session``, ``stats``: the protocol logic, sans-I/O -- a :class:`ReceiverCore` shared by
  the connections and a :class:`Session` per connection, fed bytes, giving replies, landing records,
  counters and samples of what it refused;
* ``server``: the asyncio adapter (:class:`Receiver`): sockets, timers, replies sent once their batch is
  durable;
* ``writer``: the group-commit writer thread of the landing log;
* ``serving``: the one serving loop (:class:`ReceiverService`) of ``hj212 serve`` and
  ``hj212 serve-standalone``, with the :class:`Registry` interface a deployment implements.
"""

from envplan.hj212.receiver.core import (
    Device,
    DeviceLookup,
    Fed,
    FrameOutcome,
    ReceiverConfig,
    ReceiverCore,
    UnknownDevicePolicy,
)
from envplan.hj212.receiver.server import Receiver
from envplan.hj212.receiver.serving import (
    ReceiverService,
    Registry,
    Report,
    ServeOptions,
    StaticRegistry,
    run_event_loop,
)
from envplan.hj212.receiver.session import Session
from envplan.hj212.receiver.stats import ReceiverStats, RejectedSample

__all__ = [
    "Device",
    "DeviceLookup",
    "Fed",
    "FrameOutcome",
    "Receiver",
    "ReceiverConfig",
    "ReceiverCore",
    "ReceiverService",
    "ReceiverStats",
    "Registry",
    "RejectedSample",
    "Report",
    "ServeOptions",
    "Session",
    "StaticRegistry",
    "UnknownDevicePolicy",
    "run_event_loop",
]
