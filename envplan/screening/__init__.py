"""Screening of suspicious automatic-monitoring data: explainable detectors over HJ 212 series.

Pure: no Django, no settings, no clock. :func:`scan` takes readings in the layout of
`envplan readings export` (one or many outlets) and returns findings, highest score first; the detectors,
their sources and parameters are listed in README.md next to this file.
"""

from envplan.screening.model import (
    FINDINGS_SCHEMA,
    LIMITS_SCHEMA,
    MAINTENANCE_SCHEMA,
    OUTLETS_SCHEMA,
    READINGS_SCHEMA,
)
from envplan.screening.options import DETECTORS, ScanOptions
from envplan.screening.scan import baselines_of, rank, readings_frame, scan, scan_arrow

__all__ = [
    "DETECTORS",
    "FINDINGS_SCHEMA",
    "LIMITS_SCHEMA",
    "MAINTENANCE_SCHEMA",
    "OUTLETS_SCHEMA",
    "READINGS_SCHEMA",
    "ScanOptions",
    "baselines_of",
    "rank",
    "readings_frame",
    "scan",
    "scan_arrow",
]
