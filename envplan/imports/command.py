"""`envplan plan import FILE [--accept] [--json]`: the handler (arguments in `envplan/commands/plan.py`).

Stores a plan document as a draft for review (or a plan at once). Unusable input prints one line to
stderr and exits with code 2.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from envplan.commandline import EXIT_OK, EXIT_USAGE, Streams, json_line
from envplan.imports import services
from envplan.problems import ProblemList

if TYPE_CHECKING:
    from envplan.imports.models import PlanImport
    from envplan.plans.models import Plan


def import_plan(args: argparse.Namespace, streams: Streams) -> int:
    out, err = streams.stdout, streams.stderr
    path = Path(args.file)
    try:
        content = path.read_bytes()
    except OSError as error:
        print(f"{path}: cannot read the file ({error.strerror or error})", file=err)
        return EXIT_USAGE
    try:
        imp, created = services.create_import(filename=path.name, content=content, by=None)
    except services.PlanImportError as error:
        print(error, file=err)
        return EXIT_USAGE
    counts = services.draft_counts(imp.draft)
    warnings = ProblemList.restore(imp.draft.get("warnings", []), imp.draft.get("warnings_total"))
    uncertain = imp.draft.get("uncertain", [])
    if args.json:
        plan = None
        if args.accept:
            plan = _accept(imp, err)
            if plan is None:
                return EXIT_USAGE
        document = {
            "import": imp.pk,
            "file": imp.source_name,
            "created": created,
            "status": imp.status,
            **{name: counts[name] for name in ("chapters", "sections", "tasks", "targets", "units")},
            "warnings": list(warnings),
            "warnings_total": warnings.total,
            "uncertain": [
                {"unit": doubt["unit"], "as_written": doubt["as_written"], "reason": doubt["reason"]}
                for doubt in uncertain
            ],
            "plan": None if plan is None else {"id": plan.pk, "title": plan.title},
        }
        out.write(json_line(document))
        return EXIT_OK
    state = "created" if created else f"already imported ({imp.status})"
    print(
        f"import {imp.pk}: {imp.source_name} {state}; {counts['chapters']} chapters, "
        f"{counts['sections']} sections, {counts['tasks']} tasks, {counts['targets']} targets, "
        f"{counts['units']} units",
        file=out,
    )
    for line in warnings.lines("warning: {}".format, "warning", "warnings"):
        print(line, file=out)
    for doubt in uncertain:
        print(f"uncertain unit {doubt['unit']}: {doubt['as_written']} ({doubt['reason']})", file=out)
    if args.accept:
        accepted = _accept(imp, err)
        if accepted is None:
            return EXIT_USAGE
        print(f"accepted: plan {accepted.pk} {accepted.title}", file=out)
    return EXIT_OK


def _accept(imp: PlanImport, err: TextIO) -> Plan | None:
    """Accept the draft as a plan; None, the refusal said on stderr, when it cannot be."""
    try:
        return services.accept_import(imp, by=None)
    except services.PlanImportError as error:
        print(error, file=err)
        return None
