"""Sample imports: the pure validator plus the registry's checks; a file is stored whole or rejected whole."""

from __future__ import annotations

import polars as pl

from envplan.core.models import AuditEntry
from envplan.water import lake as water_lake
from envplan.water.demo_data import DEMO_FOLDER
from envplan.water.models import ImportStatus, WaterImport
from envplan.water.services import import_monitoring_sections, import_samples
from tests.water.conftest import HEADER, write

GOOD = (
    HEADER
    + "S1,2025-01-10,river,7.5,6.5,3.5,0.40,0.15,\n"
    + "S2,2025-01-10 09:30,river,7.8,8.0,2.1,0.12,0.05,0\n"
    + "S3,2025-01-11,river,,,,,,1\n"
    + "R1,2025-01-12,lake,7.2,7.9,<0.5,0.1L,0.02,\n"
)


def stored() -> pl.DataFrame:
    return water_lake.samples().sort("monitoring_section", "time")


def test_import_samples_good_file_is_stored_in_the_lake(monitoring_sections, tmp_path):
    record = import_samples(write(tmp_path, GOOD), by=None)

    rows = stored()
    assert (record.status, record.rows, record.rows_new, record.errors) == (ImportStatus.STORED, 4, 4, [])
    assert rows.select("monitoring_section", "waterbody", "codmn", "nh3n", "dry", "generated").rows() == [
        ("R1", "lake", 0.25, 0.05, False, False),
        ("S1", "river", 3.5, 0.4, False, False),
        ("S2", "river", 2.1, 0.12, False, False),
        ("S3", "river", None, None, True, False),
    ]
    assert rows.get_column("import_id").unique().to_list() == [record.pk]
    assert AuditEntry.objects.filter(action="water.samples_imported").count() == 1


def test_import_samples_bad_file_is_rejected_whole_with_errors_naming_line_and_field(
    monitoring_sections, tmp_path
):
    text = (
        HEADER
        + "S1,2025-01-10,river,7.5,6.5,3.5,0.40,0.15,\n"  # line 2: good
        + "S1,2025-02-10,river,7.5,six,3.5,0.40,0.15,\n"  # line 3: text in a numeric field
        + "S2,2025-02-10,river,15,6.5,3.5,0.40,0.15,\n"  # line 4: pH 15
        + "S3,2025-02-10,river,7.5,6.5,3.5,-0.2,0.15,\n"  # line 5: negative concentration
        + "S1,2025-03-10,sea,7.5,6.5,3.5,0.40,0.15,\n"  # line 6: unknown water-body type
        + "X9,2025-03-10,river,7.5,6.5,3.5,0.40,0.15,\n"  # line 7: unknown section
    )

    record = import_samples(write(tmp_path, text, "bad.csv"), by=None)

    assert (record.status, record.rows, record.rows_new) == (ImportStatus.REJECTED, 0, 0)
    assert [(e["file"], e["line"], e["field"]) for e in record.errors] == [
        ("bad.csv", 3, "do"),
        ("bad.csv", 4, "ph"),
        ("bad.csv", 5, "nh3n"),
        ("bad.csv", 6, "waterbody"),
        ("bad.csv", 7, "section"),
    ]
    assert record.errors[0]["message"].startswith("not a number: 'six'")
    assert record.errors[1]["message"] == "pH 15 outside 0-14"
    assert (
        record.errors[4]["message"] == "unknown monitoring section 'X9' (register it in the sections first)"
    )
    assert stored().height == 0


def test_import_samples_waterbody_contradicting_the_registry_is_an_error(monitoring_sections, tmp_path):
    text = HEADER + "R1,2025-01-12,river,7.2,7.9,2,0.1,0.02,\n"

    record = import_samples(write(tmp_path, text), by=None)

    assert [(e["line"], e["field"], e["message"]) for e in record.errors] == [
        (2, "waterbody", "waterbody 'river' differs from the registry's 'lake' for section 'R1'")
    ]


def test_import_samples_same_monitoring_section_and_time_twice_in_a_file_is_an_error(
    monitoring_sections, tmp_path
):
    text = (
        HEADER + "S1,2025-01-10,river,7.5,6.5,3.5,0.4,0.15,\n" + "S1,2025-01-10,river,7.5,6.5,3.6,0.4,0.15,\n"
    )

    record = import_samples(write(tmp_path, text), by=None)

    assert [(e["line"], e["field"]) for e in record.errors] == [(3, "time")]
    assert stored().height == 0


def test_import_samples_unreadable_file_is_rejected_with_one_error(monitoring_sections, tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes(HEADER.encode() + "S1,2025-01-10,river,7.5,6.5,3.5,0.4,0.15,é\n".encode("latin-1"))

    record = import_samples(path, by=None)

    assert (record.status, [(e["line"], e["field"]) for e in record.errors]) == (
        ImportStatus.REJECTED,
        [(1, "file")],
    )


def test_import_samples_re_import_does_not_double_rows(monitoring_sections, tmp_path):
    path = write(tmp_path, GOOD)
    import_samples(path, by=None)

    again = import_samples(path, by=None)

    assert (again.status, again.rows, again.rows_new) == (ImportStatus.STORED, 4, 0)
    assert stored().height == 4
    assert WaterImport.objects.count() == 2


def test_import_samples_corrected_value_replaces_the_stored_one(monitoring_sections, tmp_path):
    import_samples(write(tmp_path, GOOD), by=None)
    corrected = HEADER + "S1,2025-01-10,river,7.5,6.5,4.5,0.40,0.15,\n"

    record = import_samples(write(tmp_path, corrected, "fix.csv"), by=None)

    assert record.rows_new == 1
    assert stored().filter(pl.col("monitoring_section") == "S1").get_column("codmn").to_list() == [4.5]


def test_import_samples_documented_example_file_is_accepted(db, tmp_path):
    import_monitoring_sections(DEMO_FOLDER / "sections.csv", by=None)

    record = import_samples(DEMO_FOLDER / "samples-example.csv", by=None)

    rows = stored()
    assert (record.status, record.rows, record.errors) == (ImportStatus.STORED, 6, [])
    assert rows.filter(pl.col("monitoring_section") == "KDL-W04").get_column("cod").to_list() == [5.0]
    assert rows.filter(pl.col("dry")).get_column("monitoring_section").to_list() == ["KDL-W05"]
