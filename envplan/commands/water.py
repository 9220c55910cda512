"""`envplan water`: classes and assessments from files (pure); sections, sample imports and evaluation
(Django)."""

from __future__ import annotations

from envplan.commandline import Group, engine_options, file_import, json_option, registry_import

NAME = "water"
HELP = "surface water: GB 3838 classes and assessments; sections, sample imports, evaluation"

# envplan.problems.DEFAULT_LIMIT, written out so that building the command line imports no engine
# (tests/commands pins it).
MAX_ERRORS = 1000


def add_commands(group: Group) -> None:
    for name, handler, summary in (
        ("classify", "classify_command", "class, main pollutants and exceedance of each sample (CSV out)"),
        ("assess", "assess_command", "section classes, target attainment, I-III shares and basin status"),
    ):
        command = group.command(name, f"envplan.standards.water_cli:{handler}", help=summary)
        command.add_argument("file", help="CSV file (UTF-8); - for standard input")
        command.add_argument("--below-detection", choices=("half", "limit", "zero"), default="half")
        command.add_argument(
            "--max-errors", type=int, default=MAX_ERRORS, help="errors printed (default %(default)s)"
        )
        if name == "assess":
            command.add_argument("--period", required=True, help="YYYY, YYYY-MM or YYYY-Qn")
            command.add_argument("--min-sections", type=int, default=5)
            command.add_argument("--heavy-share-below", type=float, default=60.0)
            engine_options(command, where="per monitoring section")

    registry_import(
        group,
        "sections",
        "envplan.water.command:import_sections",
        registry="the monitoring-section registry",
        objects="monitoring sections",
    )
    file_import(
        group,
        "envplan.water.command:import_samples",
        help="import monitoring results into the lake, all or nothing (exit 2, nothing stored, on any error)",
    )

    evaluate = group.command(
        "evaluate",
        "envplan.water.command:evaluate",
        django=True,
        help="monthly and year-to-date results of the sections",
    )
    evaluate.add_argument("--period", help="YYYY or YYYY-MM (default: this year so far)")
    json_option(evaluate, "counts")
