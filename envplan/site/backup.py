"""`envplan backup DEST` and `envplan restore SRC`: the database, the uploaded files, the lake and the
landing files not yet ingested, copied so that the copy is consistent, and checked when restored.

Consistency. The database is the reference point: it is dumped first (`pg_dump`, one transaction's
snapshot; for SQLite, the online backup API, which copies a consistent state while others write). Then
come the files, which only ever grow around it:

* an uploaded file is written before the row that names it is committed, and never changed after, so
  every file the dump names already exists when the uploads are copied;
* lake files are immutable and only added; a compaction writes its merged file before it deletes the
  files it replaces. The list of live files (the manifest) is taken after the dump, and a file that a
  compaction deletes between the listing and its copy is made up for by listing again: every row the
  database knew of at the dump is in the copied lake, and rows that arrived after it are there too,
  which readers accept (rows are keyed, the last written wins, as after any import);
* landing files (frames answered by a receiver but not yet moved into the lake) are copied after the
  lake, the closed ones whole and the open ones up to their last complete record (a torn tail is
  ignored when they are read), so a frame moved into the lake meanwhile is in both, and its values are
  de-duplicated on their key when the copy is ingested.

A manifest (`manifest.json`) lists every file copied with its size and SHA-256, and the row count of
every table at the dump; `restore` refuses a target that is not empty, loads the dump, copies the files
back and checks every checksum.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection

from envplan.commandline import Progress, no_progress
from envplan.lake import Lake
from envplan.lake.landing import MOVED

FORMAT = 1
MANIFEST = "manifest.json"
PG_DUMP = "database.pgdump"
SQLITE_DUMP = "database.sqlite3"


class BackupError(Exception):
    """Bad input or an unusable target: one line for the operator (exit code 2)."""


@dataclass(frozen=True)
class Summary:
    tables: int
    rows: int
    uploads: int
    lake_files: int
    landing_files: int
    bytes: int

    def line(self) -> str:
        return (
            f"{self.rows} rows in {self.tables} tables, {self.uploads} uploaded files, "
            f"{self.lake_files} lake files, {self.landing_files} landing files ({self.bytes / 1e6:.1f} MB)"
        )


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def uploads_root() -> Path:
    return Path(settings.MEDIA_ROOT)


def landing_root() -> Path:
    return Path(settings.DATA_DIR) / "landing"


def secret_key_file() -> Path:
    return Path(settings.DATA_DIR) / "secret_key"


def is_postgresql() -> bool:
    return connection.vendor == "postgresql"


def table_counts() -> dict[str, int]:
    """Rows per table of the database (every table Django knows, migrations included)."""
    counts: dict[str, int] = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
            counts[table] = int(cursor.fetchone()[0])
    return counts


def _database_url_parts() -> dict[str, str]:
    db = settings.DATABASES["default"]
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])  # not on the command line, where `ps` would show it
    return env


def _pg_arguments() -> list[str]:
    db = settings.DATABASES["default"]
    args = ["--dbname", str(db["NAME"])]
    for flag, value in (
        ("--host", db.get("HOST")),
        ("--port", db.get("PORT")),
        ("--username", db.get("USER")),
    ):
        if value:
            args += [flag, str(value)]
    return args


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))
    if candidates:
        return str(candidates[-1])
    raise BackupError(f"{name} not found: install the PostgreSQL client (Debian: postgresql-client)")


def _run(argv: list[str]) -> None:
    result = subprocess.run(argv, capture_output=True, text=True, env=_database_url_parts())
    if result.returncode != 0:
        last = (result.stderr.strip().splitlines() or [f"exit code {result.returncode}"])[-1]
        raise BackupError(f"{Path(argv[0]).name} failed: {last}")


def _empty_or_new(folder: Path) -> None:
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise BackupError(f"{folder} exists and is not an empty folder")


# ---------------------------------------------------------------------------------------------- backup


def _copy_file(source: Path, target: Path) -> dict[str, Any]:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    return {"path": target.as_posix(), "size": target.stat().st_size, "sha256": sha256_of(target)}


def _dump_database(dest: Path) -> str:
    if is_postgresql():
        target = dest / PG_DUMP
        _run([_pg_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", "--file", str(target),
              *_pg_arguments()])  # fmt: skip
        return PG_DUMP
    target = dest / SQLITE_DUMP
    source = sqlite3.connect(str(settings.DATABASES["default"]["NAME"]))
    copy = sqlite3.connect(str(target))
    try:
        with copy:
            source.backup(copy)  # the online backup API: a consistent copy while others write
    finally:
        copy.close()
        source.close()
    return SQLITE_DUMP


def _copy_lake(lake: Lake, dest: Path) -> list[dict[str, Any]]:
    """Every live part file, by kind; listed again when a compaction removed a file meanwhile."""
    copied: dict[str, dict[str, Any]] = {}
    for _attempt in range(5):
        missing = False
        for kind in lake.kinds():
            for part in lake.live_files(kind):
                relative = f"{kind}/{part.partition}/{part.path.name}"
                if relative in copied:
                    continue
                try:
                    data = lake.read_bytes(part)
                except (FileNotFoundError, OSError):
                    missing = True  # compacted away since the listing: its rows are in a newer file
                    continue
                target = dest / "lake" / relative
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)
                copied[relative] = {
                    "path": relative,
                    "size": len(data),
                    "sha256": hashlib.sha256(data).hexdigest(),
                }
        if not missing:
            break
    return [copied[key] for key in sorted(copied)]


def _walk(root: Path, *, skip: tuple[str, ...] = ()) -> Iterator[Path]:
    if not root.is_dir():
        return
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if path.is_file() and not (relative.parts and relative.parts[0] in skip):
            yield path


def _landing_files() -> Iterator[Path]:
    return (p for p in _walk(landing_root(), skip=(MOVED, "heartbeats")) if p.suffix in (".log", ".part"))


def _copy_tree(root: Path, target: Path, paths: Iterator[Path]) -> list[dict[str, Any]]:
    """Copy each path under `root` to the same place under `target`; entries name it relative to both."""
    copied = []
    for path in paths:
        relative = path.relative_to(root)
        copied.append({**_copy_file(path, target / relative), "path": relative.as_posix()})
    return copied


# A backup's steps, as its progress reports them.
BACKUP_STEPS = ("database", "uploads", "lake", "landing", "manifest")


def backup(dest: Path, *, progress: Progress = no_progress) -> Summary:
    """Write a backup of this instance to `dest` (a new or empty folder). `progress` hears each of
    BACKUP_STEPS as it starts."""
    _empty_or_new(dest)
    dest.mkdir(parents=True, exist_ok=True)
    steps = len(BACKUP_STEPS)
    progress(0, steps, "database")
    counts = table_counts()
    dump = _dump_database(dest)
    progress(1, steps, "uploads")
    uploads = _copy_tree(uploads_root(), dest / "uploads", _walk(uploads_root()))
    progress(2, steps, "lake")
    lake = _copy_lake(Lake(settings.LAKE_URL), dest)
    progress(3, steps, "landing")
    landing = _copy_tree(landing_root(), dest / "landing", _landing_files())
    progress(4, steps, "manifest")
    secret = secret_key_file()
    if secret.is_file():
        _copy_file(secret, dest / "secret_key")
        (dest / "secret_key").chmod(0o600)
    manifest = {
        "format": FORMAT,
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "database": {
            "vendor": connection.vendor, "file": dump, "sha256": sha256_of(dest / dump), "tables": counts,
        },
        "uploads": uploads,
        "lake": lake,
        "landing": landing,
        "secret_key": secret.is_file(),
    }  # fmt: skip
    (dest / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True))
    total = sum(f.stat().st_size for f in dest.rglob("*") if f.is_file())
    progress(steps, steps)
    return Summary(len(counts), sum(counts.values()), len(uploads), len(lake), len(landing), total)


# --------------------------------------------------------------------------------------------- restore


def read_manifest(source: Path) -> dict[str, Any]:
    if not source.is_dir():
        raise BackupError(f"{source} is not a folder")
    path = source / MANIFEST
    try:
        manifest = json.loads(path.read_text())
    except FileNotFoundError:
        raise BackupError(f"{source} holds no {MANIFEST}: not an envplan backup") from None
    except (OSError, ValueError) as error:
        raise BackupError(f"{path}: unreadable ({error})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{path}: not a backup of format {FORMAT}")
    return manifest


def _check(path: Path, expected: dict[str, Any]) -> None:
    if not path.is_file():
        raise BackupError(f"{path} is missing from the backup")
    if sha256_of(path) != expected["sha256"]:
        raise BackupError(f"{path} does not match its checksum in the manifest")


def _target_problem(lake: Lake) -> str | None:
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
    if tables:
        return f"the database already has {len(tables)} tables: restore needs an empty database"
    if any(_walk(uploads_root())):
        return f"{uploads_root()} already holds files"
    if lake.kinds():
        return f"the lake {settings.LAKE_URL} already holds data"
    if any(_landing_files()):
        return f"{landing_root()} already holds landing files"
    return None


def restore(source: Path) -> Summary:
    """Load the backup at `source` into this instance, which must be empty; every file is checked."""
    manifest = read_manifest(source)
    database = manifest["database"]
    if database["vendor"] != connection.vendor:
        raise BackupError(
            f"the backup holds a {database['vendor']} database and this instance uses {connection.vendor}"
        )
    _check(source / database["file"], database)
    for entry in manifest["uploads"]:
        _check(source / "uploads" / entry["path"], entry)
    for entry in manifest["lake"]:
        _check(source / "lake" / entry["path"], entry)
    for entry in manifest["landing"]:
        _check(source / "landing" / entry["path"], entry)
    lake = Lake(settings.LAKE_URL)
    problem = _target_problem(lake)
    if problem:
        raise BackupError(problem)

    if connection.vendor == "postgresql":
        _run([_pg_tool("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error", *_pg_arguments(),
              str(source / database["file"])])  # fmt: skip
    else:
        connection.close()
        copy = sqlite3.connect(str(source / database["file"]))
        target = sqlite3.connect(str(settings.DATABASES["default"]["NAME"]))
        try:
            with target:
                copy.backup(target)
        finally:
            target.close()
            copy.close()
    for entry in manifest["uploads"]:
        _copy_file(source / "uploads" / entry["path"], uploads_root() / entry["path"])
    for entry in manifest["lake"]:
        kind, partition, name = entry["path"].split("/")
        lake.put_bytes(kind, partition, name, (source / "lake" / entry["path"]).read_bytes())
    for entry in manifest["landing"]:
        _copy_file(source / "landing" / entry["path"], landing_root() / entry["path"])
    if manifest.get("secret_key") and (source / "secret_key").is_file():
        with contextlib.suppress(FileNotFoundError):
            secret_key_file().unlink()
        _copy_file(source / "secret_key", secret_key_file())
        secret_key_file().chmod(0o600)
    counts = table_counts()
    expected = database["tables"]
    different = sorted(t for t in expected if counts.get(t) != expected[t])
    if different:
        raise BackupError(f"restored tables differ from the backup's counts: {', '.join(different[:5])}")
    total = sum(f.stat().st_size for f in source.rglob("*") if f.is_file())
    return Summary(
        len(counts), sum(counts.values()), len(manifest["uploads"]), len(manifest["lake"]),
        len(manifest["landing"]), total,
    )  # fmt: skip
