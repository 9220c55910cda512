"""Fixtures of the screening tests: the real UCI turbine series, read once."""

from __future__ import annotations

import polars as pl
import pytest

from tests.pure.screening.series import DATA


@pytest.fixture(scope="session")
def uci() -> dict[int, pl.DataFrame]:
    from envplan.screening.evaluation import read_uci

    return read_uci(DATA)
