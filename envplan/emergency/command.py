"""The handlers of `envplan emergency …` that need Django (arguments in `envplan/commands/emergency.py`;
`assess` is the pure `envplan.standards.emergency.cli`): alerts, the CAP feed, neighbours' CAP files, the
reduction list, compliance.

    envplan emergency alerts [--all]
    envplan emergency cap-export [-o FILE]              the CAP 1.2 Atom feed of our alerts
    envplan emergency cap-import FILE [--source ID]      neighbours' CAP messages (a CAP file or Atom feed)
    envplan emergency cap-fetch                          read every active neighbour feed once
    envplan emergency list export --list ID -o FILE.xlsx
    envplan emergency list import FILE.xlsx (--list ID | --new TITLE --year Y)
    envplan emergency compliance ALERT_ID [--format csv|json] [-o FILE]

Exit codes: 0 done; 1 findings (a list row refused, an enterprise that did not comply, a feed that could
not be read); 2 bad input or usage, with one line naming the file.
"""

from __future__ import annotations

import argparse
import csv
import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from envplan.commandline import EXIT_USAGE, PROG, Streams

if TYPE_CHECKING:  # models are imported inside the commands, once Django is set up
    from envplan.emergency.models import ReductionList

FEED_URL = "http://localhost/emergency/cap.atom"  # the feed's id when written outside a request


def _write(data: bytes | str, output: str | None, out: TextIO) -> None:
    if output:
        Path(output).write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    else:
        out.write(data.decode("utf-8") if isinstance(data, bytes) else data)


# A command's body: its arguments, stdout and stderr; returns the exit code.
Run = Callable[[argparse.Namespace, TextIO, TextIO], int]


def _read(path: Path, prog: str, err: TextIO) -> bytes | None:
    """The file's bytes; None, said on stderr, when it cannot be read."""
    try:
        return path.read_bytes()
    except OSError as error:
        print(f"{prog}: {path}: cannot read: {error.strerror or error}", file=err)
        return None


def handler(
    run: Callable[[argparse.Namespace, TextIO, TextIO], int],
) -> Callable[[argparse.Namespace, Streams], int]:
    """A command of the group: its service's refusal becomes one line on stderr and exit 2."""

    def command(args: argparse.Namespace, streams: Streams) -> int:
        from envplan.emergency import services

        try:
            return run(args, streams.stdout, streams.stderr)
        except services.EmergencyError as error:
            print(f"{getattr(args, PROG, 'envplan emergency')}: {error}", file=streams.stderr)
            return EXIT_USAGE

    return command


def _alerts(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from django.utils.timezone import localtime

    from envplan.emergency import queries

    alerts = queries.alert_list() if args.all else queries.alerts_in_force()
    for alert in alerts:
        lifted = f" lifted {localtime(alert.lifted_at):%Y-%m-%d %H:%M}" if alert.lifted_at else ""
        print(
            f"{alert.pk}\t{alert.region}\t{alert.level}\t{alert.state}\t"
            f"response {localtime(alert.response_start):%Y-%m-%d %H:%M}{lifted}",
            file=out,
        )
    return 0


def _cap_export(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from envplan.core import clock
    from envplan.emergency import cap, queries

    base = args.base_url.rstrip("/")
    changes = queries.feed_changes()
    entries = [
        cap.FeedEntry(
            queries.cap_message(
                change, [c for c in change.alert.changes.all() if c.sequence < change.sequence]
            ),
            f"{base}/emergency/cap/{change.pk}.xml",
        )
        for change in changes
    ]
    body = cap.atom_feed(
        entries,
        title="Heavy-pollution alerts",
        feed_url=f"{base}/emergency/cap.atom",
        author=changes[0].alert.issuer if changes else "envplan",
        updated=changes[0].sent_at if changes else clock.now(),
    )
    _write(body, args.output, out)
    return 0


def _cap_import(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from envplan.emergency import services
    from envplan.emergency.models import CapSource

    path = Path(args.file)
    data = _read(path, "envplan emergency cap-import", err)
    if data is None:
        return 2
    source = None
    if args.source is not None:
        source = CapSource.objects.filter(pk=args.source).first()
        if source is None:
            print(f"envplan emergency cap-import: --source: no neighbour feed {args.source}", file=err)
            return 2
    result = services.import_cap(data, name=str(path), source=source, by=None)
    print(f"{path}: {result.new} new messages, {result.known} already known", file=out)
    for link in result.links:
        print(f"{path}: linked message not read (fetch the feed): {link}", file=err)
    return 0


def _cap_fetch(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from envplan.emergency import services
    from envplan.emergency.models import CapSource

    failed = 0
    for source in CapSource.objects.filter(active=True):
        try:
            result = services.fetch_cap_source(source)
        except services.EmergencyError as error:
            print(f"envplan emergency cap-fetch: {error}", file=err)
            failed += 1
            continue
        print(f"{source.name}: {result.new} new messages, {result.known} already known", file=out)
    return 1 if failed else 0


def _list_export(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from envplan.core import clock
    from envplan.emergency import listxlsx
    from envplan.emergency.models import ReductionList

    reduction_list = ReductionList.objects.filter(pk=args.list_id).first()
    if reduction_list is None:
        print(f"envplan emergency list export: --list: no list {args.list_id}", file=err)
        return 2
    rows, caps = listxlsx.export_rows(reduction_list, on=reduction_list.revised_on or clock.today())
    Path(args.output).write_bytes(listxlsx.write_workbook(rows, caps))
    print(f"{args.output}: {len(rows)} rows", file=out)
    return 0


def _list_import(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from envplan.emergency import services
    from envplan.emergency.models import ReductionList

    path = Path(args.file)
    content = _read(path, "envplan emergency list import", err)
    if content is None:
        return 2
    if (args.list_id is None) == (args.new is None):
        print("envplan emergency list import: give either --list ID or --new TITLE --year Y", file=err)
        return 2
    if args.list_id is not None:
        target = ReductionList.objects.filter(pk=args.list_id).first()
        if target is None:
            print(f"envplan emergency list import: --list: no list {args.list_id}", file=err)
            return 2
        return _import_into(target, path, content, out, err)
    if args.year is None:
        print("envplan emergency list import: --new needs --year", file=err)
        return 2
    from django.db import transaction

    with transaction.atomic():
        target = services.create_list(title=args.new, year=args.year, by=None)
        code = _import_into(target, path, content, out, err)
        if code:
            transaction.set_rollback(True)  # a refused file leaves no empty list behind
        return code


def _import_into(target: ReductionList, path: Path, content: bytes, out: TextIO, err: TextIO) -> int:
    from envplan.emergency import services

    result = services.import_list(target, name=str(path), content=content, by=None)
    for problem in result.problems[:1000]:
        print(f"{path}: {problem}", file=err)
    if len(result.problems) > 1000:
        print(f"… and {len(result.problems) - 1000:,} more errors", file=err)
    if result.problems:
        print(f"{path}: refused, nothing stored ({len(result.problems)} problems)", file=out)
        return 1
    print(f"{path}: list {target.pk}: {result.entries} enterprises, {result.lines} lines", file=out)
    return 0


def _compliance(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from envplan.core import clock
    from envplan.emergency import queries
    from envplan.emergency.models import Alert

    alert = Alert.objects.filter(pk=args.alert).first()
    if alert is None:
        print(f"envplan emergency compliance: no alert {args.alert}", file=err)
        return 2
    report = queries.compliance_report(alert, now=clock.now())
    rows = queries.case_rows(report)
    if args.format == "json":
        text = json.dumps(rows, ensure_ascii=False, indent=1) + "\n"
    else:
        import io

        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=list(queries.CASE_COLUMNS), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        text = buffer.getvalue()
    _write(text, args.output, out)
    return 1 if rows else 0


alerts = handler(_alerts)
cap_export = handler(_cap_export)
cap_import = handler(_cap_import)
cap_fetch = handler(_cap_fetch)
list_export = handler(_list_export)
list_import = handler(_list_import)
compliance = handler(_compliance)
