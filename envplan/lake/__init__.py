"""The Parquet time-series lake (see `envplan.lake.store`) and the receivers' landing log (`.landing`).

The store's names are loaded on first use, so that a receiver importing only `envplan.lake.landing` does
not pay for Polars (about 44 MiB per process).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from envplan.lake.store import PARTITION, Lake, LakeError, PartFile

__all__ = ["PARTITION", "Lake", "LakeError", "PartFile"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from envplan.lake import store

        return getattr(store, name)
    raise AttributeError(f"module 'envplan.lake' has no attribute {name!r}")
