"""The Parquet time-series lake (see `envplan.lake.store`)."""

from envplan.lake.store import PARTITION, Lake, LakeError, PartFile

__all__ = ["PARTITION", "Lake", "LakeError", "PartFile"]
