"""Migration 0002 gives imports stored before it their error count (and drops the old "… and N more" row)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("air", "0001_stations_and_imports")]
AFTER = [("air", "0002_import_error_count")]


@pytest.mark.django_db(transaction=True)
def test_air_migration_counts_errors_stored_before_it():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps.get_model("air", "AirImport")
    row = {"file": "h.csv", "line": 2, "field": "pm25", "message": "not a number: 'x'"}
    cap = {"file": "big.csv", "line": None, "field": "", "message": "… and 12345 more errors"}
    capped = old.objects.create(
        file_name="big.csv",
        sha256="a" * 64,
        status="partial",
        errors=[row, row, cap],
    )
    plain = old.objects.create(file_name="small.csv", sha256="b" * 64, status="partial", errors=[row])
    clean = old.objects.create(file_name="good.csv", sha256="c" * 64, status="stored", errors=[])

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps.get_model("air", "AirImport")

    counted = {record.pk: (record.error_count, record.errors) for record in new.objects.all()}
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())  # leave the schema as the other tests expect it
    assert counted == {capped.pk: (12_347, [row, row]), plain.pk: (1, [row]), clean.pk: (0, [])}
