"""`envplan up`: the whole deployment under one supervisor (envplan.site.supervisor).

It migrates the database, collects the static files when they changed, then runs the web server (its
job runner off: the worker takes the queued jobs), the worker, and `--receivers` HJ 212 receivers sharing
one port (SO_REUSEPORT). `--procfile` prints the same processes as a Procfile instead, for honcho,
foreman or a platform that reads one.
"""

from __future__ import annotations

import sys
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from envplan.site.supervisor import ProcessSpec, Supervisor


def deployment(
    *,
    bind: str,
    workers: int,
    threads: int,
    receivers: int,
    hj212_host: str,
    hj212_port: int,
    accept_unknown_devices: bool = False,
    metrics_port: int | None = None,
    python: str = sys.executable,
) -> list[ProcessSpec]:
    """The processes of the deployment. With `metrics_port`, receiver N serves its metrics on
    `metrics_port + N - 1` (on 127.0.0.1)."""
    envplan = (python, "-m", "envplan")
    specs = [
        ProcessSpec(
            "web",
            (
                *envplan,
                "serve",
                "--bind",
                bind,
                "--workers",
                str(workers),
                "--threads",
                str(threads),
                "--no-jobs",
                "--no-collectstatic",
            ),
        ),
        ProcessSpec("worker", (*envplan, "worker")),
    ]
    for number in range(1, receivers + 1):
        argv = [*envplan, "hj212", "serve", "--host", hj212_host, "--port", str(hj212_port), "--reuse-port"]
        if accept_unknown_devices:
            argv.append("--accept-unknown-devices")
        if metrics_port is not None:
            argv += ["--metrics-port", str(metrics_port + number - 1)]
        specs.append(ProcessSpec(f"hj212-{number}", tuple(argv)))
    return specs


class Command(BaseCommand):
    help = "Run the web server, the worker and the HJ 212 receivers under one supervisor."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", default="127.0.0.1:8000", help="the web server's host:port")
        parser.add_argument("--workers", type=int, default=2, help="web server processes (default 2)")
        parser.add_argument("--threads", type=int, default=8, help="threads per web process (default 8)")
        parser.add_argument(
            "--receivers", type=int, default=1, help="HJ 212 receivers on the one port (default 1; 0: none)"
        )
        parser.add_argument(
            "--hj212-host", default="0.0.0.0", help="the receivers' address (default 0.0.0.0)"
        )
        parser.add_argument("--hj212-port", type=int, default=9212, help="the receivers' port (default 9212)")
        parser.add_argument("--accept-unknown-devices", action="store_true", help="passed to the receivers")
        parser.add_argument(
            "--metrics-port",
            type=int,
            help="the receivers' Prometheus metrics on this port and the next ones, one per receiver, on "
            "127.0.0.1 (default: none; the web's are at /metrics)",
        )
        parser.add_argument("--grace", type=float, default=30.0, help="seconds to stop before a kill (30)")
        parser.add_argument("--no-migrate", action="store_true", help="do not migrate the database first")
        parser.add_argument(
            "--procfile", action="store_true", help="print the processes as a Procfile, run none"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        for name in ("workers", "threads"):
            if options[name] < 1:
                raise CommandError(f"--{name} must be at least 1, not {options[name]}", returncode=2)
        if options["receivers"] < 0:
            raise CommandError(f"--receivers must be 0 or more, not {options['receivers']}", returncode=2)
        if not 0 < options["hj212_port"] <= 65535:
            raise CommandError(f"--hj212-port {options['hj212_port']} is not a TCP port", returncode=2)
        metrics_port = options["metrics_port"]
        if metrics_port is not None and not 0 < metrics_port <= 65535 - max(0, options["receivers"] - 1):
            raise CommandError(f"--metrics-port {metrics_port} is not a TCP port", returncode=2)
        specs = deployment(
            bind=options["bind"],
            workers=options["workers"],
            threads=options["threads"],
            receivers=options["receivers"],
            hj212_host=options["hj212_host"],
            hj212_port=options["hj212_port"],
            accept_unknown_devices=options["accept_unknown_devices"],
            metrics_port=metrics_port,
            python="envplan" if options["procfile"] else sys.executable,
        )
        if options["procfile"]:
            for spec in specs:
                line = spec.procfile_line().replace("envplan -m envplan", "envplan")
                self.stdout.write(line)
            return
        from envplan.core.staticfiles import collect_static_if_stale

        if not options["no_migrate"]:
            call_command("migrate", interactive=False, verbosity=0)
            self.stdout.write("database migrated")
        if collect_static_if_stale():
            self.stdout.write("static files collected")
        from django.db import connections

        connections.close_all()  # the supervisor holds no connection while it runs
        self.stdout.flush()
        supervisor = Supervisor(specs, out=sys.stdout, grace=options["grace"])
        code = supervisor.run()
        if code:
            raise CommandError("some processes had to be killed", returncode=code)
