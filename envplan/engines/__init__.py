"""Where the pure evaluation functions run: on this machine (``local``) or on Apache Spark (``spark``).

Both engines run the very same functions of :mod:`envplan.standards`, never a second implementation
(ARCHITECTURE.md, "Past one machine"): the local engine calls them on the whole frame; the Spark engine
(:mod:`envplan.engines.spark`) calls them once per partition (a station and the year of its days, a city,
a monitoring section and period) through ``applyInArrow``, and gathers the partitions' results. Because
each function's result for a partition depends on that partition's rows only, both engines give the same
rows; ``tests/deploy/test_engines.py`` compares them row by row.

PySpark is an optional dependency (``pip install 'envplan[spark]'``, and Java 17): it is imported only when
the Spark engine is asked for.
"""

from __future__ import annotations

from envplan.engines.local import Engine, LocalEngine

ENGINES = ("local", "spark")


class EngineError(Exception):
    """The engine cannot be started (PySpark or Java missing): one line for the operator."""


def get_engine(name: str, *, master: str = "local[2]") -> Engine:
    """The engine of that name; Spark runs against `master` (``local[N]`` or a cluster URL)."""
    if name == "local":
        return LocalEngine()
    if name == "spark":
        try:
            from envplan.engines.spark import SparkEngine
        except ImportError as error:
            raise EngineError(
                f"--engine spark needs PySpark: pip install 'envplan[spark]' ({error})"
            ) from None
        return SparkEngine.start(master=master)
    raise EngineError(f"unknown engine {name!r}: choose one of {', '.join(ENGINES)}")


__all__ = ["ENGINES", "Engine", "EngineError", "LocalEngine", "get_engine"]
