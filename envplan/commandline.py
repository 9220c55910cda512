"""What every `envplan` sub-command shares: the parser that raises instead of exiting, the streams a
handler writes to, the exit codes, and the helper that declares sub-commands.

Pure (no Django): the pure packages' handlers take `Streams` from here, and the command's tree
(`envplan.commands`) is built from here without importing any handler.

A sub-command is declared once, in `envplan/commands/<group>.py`, with `Group.command(name, handler, ...)`:
the handler is named by a dotted path, `"package.module:function"`, imported only when that sub-command
runs, and called as `function(args, streams) -> exit code`.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sized
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, Protocol, TextIO, TypeVar

if TYPE_CHECKING:
    from envplan.problems import ProblemList

# The exit codes, the same for every command (README, "Exit codes").
EXIT_OK = 0
EXIT_FINDINGS = 1  # findings or failures in the data: rows refused, frames refused, a scan's findings
EXIT_USAGE = 2  # bad input or usage: nothing usable, a wrong option, a missing file

# Where the parsed arguments keep the sub-command's handler, whether it needs Django, and its name.
HANDLER = "envplan_handler"
NEEDS_DJANGO = "envplan_needs_django"
PROG = "envplan_prog"


class UsageError(Exception):
    """A command line that does not parse, or options that do not go together. The message names the
    command; `envplan` prints it as one line on stderr and exits with code 2."""


class RaisingParser(argparse.ArgumentParser):
    """Usage errors raise `UsageError` instead of printing the usage and leaving the process.

    `epilog_from` ("package.module:NAME") names a long help text kept beside the code it describes; it is
    imported only when the help is shown, so that building the command line stays light."""

    epilog_from: str | None = None

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{self.prog}: error: {message}")

    def format_help(self) -> str:
        if self.epilog_from is not None:
            module_name, _, name = self.epilog_from.partition(":")
            self.epilog = str(getattr(importlib.import_module(module_name), name))
        return super().format_help()


@dataclass(frozen=True)
class Streams:
    """Where a handler reads and writes. `quiet` (`-q`): no progress output, only results and errors."""

    stdout: TextIO
    stderr: TextIO
    stdin: TextIO
    quiet: bool = False


Handler = Callable[[argparse.Namespace, Streams], int]


class Progress(Protocol):
    """How far a long piece of work is: `done` of `total` (None: not known yet), and what it does now.
    The same callable shape as a queued job's (envplan.core.jobs.Progress): a service takes one and
    reports to a progress bar on a terminal, to a job's page, or to nobody."""

    def __call__(self, done: int, total: int | None = None, message: str = "") -> None: ...


def no_progress(done: int, total: int | None = None, message: str = "") -> None:
    """The progress of work nobody watches."""


def shows_progress(streams: Streams) -> bool:
    """A progress bar only for a person: stderr is a terminal and `-q` was not given."""
    isatty = getattr(streams.stderr, "isatty", None)
    return not streams.quiet and callable(isatty) and bool(isatty())


class ProgressBar:
    """A tqdm bar on `stream` (rate and time left), moved to `done` by each call."""

    def __init__(self, stream: TextIO, label: str, *, total: int | None, unit: str) -> None:
        from tqdm import tqdm  # here: only a terminal that shows a bar pays for the import

        # A terminal that does not say its width (a new pseudo-terminal, some containers) gets 80 columns:
        # tqdm would draw nothing in zero.
        sized = terminal_width(stream) > 0
        self.bar = tqdm(
            total=total,
            desc=label,
            unit=unit,
            file=stream,
            dynamic_ncols=sized,
            ncols=None if sized else 80,
            nrows=None if sized else 24,
            leave=True,
        )

    def __call__(self, done: int, total: int | None = None, message: str = "") -> None:
        if total is not None and total != self.bar.total:
            self.bar.total = total
        if message:
            self.bar.set_postfix_str(message, refresh=False)
        step = done - self.bar.n
        if step > 0:
            self.bar.update(step)
        else:
            self.bar.refresh()

    def close(self) -> None:
        self.bar.close()


def terminal_width(stream: TextIO) -> int:
    """The columns of the terminal `stream` writes to; 0 when it does not say."""
    import os

    try:
        return os.get_terminal_size(stream.fileno()).columns
    except (OSError, ValueError, AttributeError):
        return 0


@contextlib.contextmanager
def progress_bar(
    streams: Streams, label: str, *, total: int | None = None, unit: str = "it"
) -> Iterator[Progress]:
    """A progress callable for a long command: a bar on stderr when a person watches it
    (`shows_progress`), otherwise one that prints nothing. The bar is closed on the way out."""
    if not shows_progress(streams):
        yield no_progress
        return
    bar = ProgressBar(streams.stderr, label, total=total, unit=unit)
    try:
        yield bar
    finally:
        bar.close()


def global_options(parser: argparse.ArgumentParser, *, defaults: bool) -> None:
    """`-v/--verbose` and `-q/--quiet`. On the root parser with their defaults; on every sub-command
    without (argparse.SUPPRESS), so that `envplan -q air import F` and `envplan air import F -q` agree."""
    verbose: dict[str, Any] = {"default": 0} if defaults else {"default": argparse.SUPPRESS}
    quiet: dict[str, Any] = {"default": False} if defaults else {"default": argparse.SUPPRESS}
    parser.add_argument(
        "-v", "--verbose", action="count", help="more log lines: -v information, -vv debugging", **verbose
    )
    parser.add_argument(
        "-q", "--quiet", action="store_true", help="no progress output; log errors only", **quiet
    )


class Group:
    """A command group (`envplan air`, `envplan air stations`): its sub-commands and nested groups."""

    def __init__(self, parser: argparse.ArgumentParser) -> None:
        self.parser = parser
        self._commands = parser.add_subparsers(
            dest=argparse.SUPPRESS, metavar="COMMAND", required=True, parser_class=RaisingParser
        )

    def command(
        self,
        name: str,
        handler: str,
        *,
        help: str,
        django: bool = False,
        epilog_from: str | None = None,
        **parser_options: Any,
    ) -> RaisingParser:
        """Declare `name`, run by `handler` ("module:function"), which needs Django when `django` is
        true. Returns the sub-command's parser, for its arguments."""
        if handler.count(":") != 1:
            raise ValueError(f"handler {handler!r}: expected 'package.module:function'")
        parser_options.setdefault("description", help)
        parser: RaisingParser = self._commands.add_parser(name, help=help, **parser_options)
        parser.epilog_from = epilog_from
        global_options(parser, defaults=False)
        parser.set_defaults(**{HANDLER: handler, NEEDS_DJANGO: django, PROG: parser.prog})
        return parser

    def group(self, name: str, *, help: str, **parser_options: Any) -> Group:
        """Declare a nested group (`envplan air stations import`)."""
        parser_options.setdefault("description", help)
        parser: RaisingParser = self._commands.add_parser(name, help=help, **parser_options)
        global_options(parser, defaults=False)
        return Group(parser)


def resolve(handler: str) -> Handler:
    """The function a dotted path ("package.module:function") names."""
    module_name, _, function = handler.partition(":")
    found: Handler = getattr(importlib.import_module(module_name), function)
    return found


def json_line(document: object) -> str:
    """One JSON document on one line (UTF-8 text as is), for `--json` outputs."""
    import json  # here: building the command line, which imports this module, needs no JSON

    return json.dumps(document, ensure_ascii=False, default=str) + "\n"


def import_summary(
    *, file: str, status: str, rows: int, problems: Iterable[Mapping[str, Any]], total: int, **more: object
) -> dict[str, object]:
    """The `--json` shape of every file import: `file`, `status`, `rows` (stored), the import's own
    figures, `errors` (all counted) and `problems` (the first 1,000: file, line, field, message)."""
    return {
        "file": file,
        "status": status,
        "rows": rows,
        **more,
        "errors": total,
        "problems": [
            {key: issue.get(key) for key in ("file", "line", "field", "message")} for issue in problems
        ],
    }


def issue_line(issue: Mapping[str, object]) -> str:
    """One problem of a file import as a person reads it: `FILE, line N, FIELD: message`."""
    return f"{issue['file']}, line {issue['line']}, {issue['field']}: {issue['message']}"


class ImportRecord(Protocol):
    """What a stored file import (envplan.core.models.FileImport) tells its command."""

    file_name: str
    status: str
    rows: int
    error_count: int

    @property
    def problems(self) -> ProblemList[dict[str, Any]]: ...


Imported = TypeVar("Imported", bound=ImportRecord)


def run_file_import(
    args: argparse.Namespace,
    streams: Streams,
    load: Callable[[Progress], Imported],
    refusal: type[Exception],
    *,
    label: str,
    line: Callable[[Imported], str],
    failed: Callable[[Imported], bool] = lambda record: False,
    more: Callable[[Imported], dict[str, object]] = lambda record: {},
) -> int:
    """`envplan GROUP import FILE [--json]` (declared by `file_import`): `load` the file, with a progress
    bar labelled `label` and the file's name. A `refusal` (a file that cannot be read at all) is printed on
    stderr, exit 2. Otherwise the import's outcome: with `--json` its summary (`import_summary`, with the
    import's own figures `more(record)`) as one JSON line; else its problems on stderr, then
    `line(record)`, on stderr too when the import `failed`. Exit code: 0 when every row was stored, 1 when
    some were, 2 when none were."""
    try:
        with progress_bar(streams, f"{label} {Path(args.file).name}", unit="step") as progress:
            record = load(progress)
    except refusal as error:
        print(error, file=streams.stderr)
        return EXIT_USAGE
    code = EXIT_OK if not record.error_count else EXIT_FINDINGS if record.rows else EXIT_USAGE
    if args.json:
        summary = import_summary(
            file=record.file_name,
            status=record.status,
            rows=record.rows,
            problems=record.problems,
            total=record.problems.total,
            **more(record),
        )
        streams.stdout.write(json_line(summary))
        return code
    for problem in record.problems.lines(issue_line, "error", "errors"):
        print(problem, file=streams.stderr)
    print(line(record), file=streams.stderr if failed(record) else streams.stdout)
    return code


Result = TypeVar("Result")


def run_service(
    streams: Streams,
    call: Callable[[], Result],
    refusal: type[Exception],
    *,
    as_json: bool,
    text: Callable[[Result], str],
) -> int:
    """Run `call` for a command. A `refusal` is printed on stderr (exit 2); otherwise the result is printed
    as one JSON line with `--json`, or as `text(result)` for a person (exit 0)."""
    try:
        result = call()
    except refusal as error:
        print(error, file=streams.stderr)
        return EXIT_USAGE
    if as_json:
        streams.stdout.write(json_line(result))
    else:
        print(text(result), file=streams.stdout)
    return EXIT_OK


class RegistryImport(Protocol):
    """A service that creates or updates a registry's objects from a CSV file (the person: None, the
    command line) and returns them."""

    def __call__(self, path: str, /, *, by: None) -> Sized: ...


def run_registry_import(
    args: argparse.Namespace,
    streams: Streams,
    load: RegistryImport,
    refusal: type[Exception],
    *,
    key: str,
    objects: str,
) -> int:
    """`envplan GROUP REGISTRY import FILE [--json]` (declared by `registry_import`): how many `objects`
    were created or updated (`{"file": ..., key: count}` with `--json`)."""
    return run_service(
        streams,
        lambda: {"file": args.file, key: len(load(args.file, by=None))},
        refusal,
        as_json=args.json,
        text=lambda done: f"{done[key]} {objects} created or updated",
    )


def parse(parser: argparse.ArgumentParser, args: list[str]) -> argparse.Namespace:
    """The parsed command line; a word no sub-command knows is a usage error of that sub-command (argparse
    would blame the root parser)."""
    parsed, extras = parser.parse_known_args(args)
    if extras:
        raise UsageError(
            f"{getattr(parsed, PROG, parser.prog)}: error: unrecognized arguments: {' '.join(extras)}"
        )
    return parsed


def engine_options(command: argparse.ArgumentParser, *, where: str) -> None:
    """`--engine local|spark` and `--spark-master`: the same pure functions here or on Apache Spark."""
    command.add_argument(
        "--engine",
        choices=("local", "spark"),
        default="local",
        help=f"where it runs: here, or on Apache Spark {where} (pip install 'envplan[spark]', Java 17); "
        "both give the same rows",
    )
    command.add_argument("--spark-master", default="local[2]", help="Spark's master URL (default local[2])")


def json_option(command: argparse.ArgumentParser, what: str) -> None:
    """`--json`: print `what` (the summary, the counts, ...) as one JSON object (`json_line`)."""
    command.add_argument("--json", action="store_true", help=f"print the {what} as one JSON object")


def registry_import(group: Group, name: str, handler: str, *, registry: str, objects: str) -> None:
    """`envplan GROUP NAME import FILE [--json]`: create or update a registry's `objects` from a CSV file."""
    importing = group.group(name, help=registry).command(
        "import", handler, django=True, help=f"create or update {objects} from a CSV file"
    )
    importing.add_argument("file")
    json_option(importing, "summary")


def file_import(group: Group, handler: str, *, help: str) -> RaisingParser:
    """`envplan GROUP import FILE [--json]`: a data file into the lake. Returns the command, for its own
    options."""
    importing = group.command("import", handler, django=True, help=help)
    importing.add_argument("file")
    json_option(importing, "summary and the refused rows")
    return importing
