"""`envplan serve`: the web application behind gunicorn, static files served by WhiteNoise.

gunicorn's threaded workers (gthread): a worker's main thread waits for whole requests and hands each to
one of its threads, so a client sending its headers or body slowly holds a connection, not a worker.
Each worker also runs a job runner thread (envplan.core.jobs.JobRunner) so that queued uploads are read
without a separate `envplan worker` (turn it off with --no-jobs when one runs).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

# Seconds. A worker silent for `timeout` is restarted; requests are short since uploads became jobs.
WORKER_TIMEOUT = 30
GRACEFUL_TIMEOUT = 20
KEEPALIVE = 5


class Command(BaseCommand):
    help = "Serve the web application with gunicorn (static files included)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", default="127.0.0.1:8000", help="host:port (default 127.0.0.1:8000)")
        parser.add_argument("--workers", type=int, default=2, help="processes (default 2)")
        parser.add_argument("--threads", type=int, default=8, help="threads per process (default 8)")
        parser.add_argument("--no-jobs", action="store_true", help="no job runner (an `envplan worker` runs)")
        parser.add_argument(
            "--no-collectstatic", action="store_true", help="never collect static files, even when stale"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from django.db import connections
        from gunicorn.app.base import BaseApplication

        from envplan.core.staticfiles import collect_static_if_stale

        if not options["no_collectstatic"] and collect_static_if_stale():
            self.stdout.write("static files collected (once, until they change)")
        # Imported after collecting: WhiteNoise indexes the static folder when the application loads.
        from envplan.wsgi import application

        # The workers are forked from this process: they must not share its database connection.
        connections.close_all()
        run_jobs = not options["no_jobs"]

        class Server(BaseApplication):  # type: ignore[misc]  # gunicorn ships no type hints
            def load_config(self) -> None:
                self.cfg.set("bind", options["bind"])
                self.cfg.set("workers", options["workers"])
                self.cfg.set("worker_class", "gthread")
                self.cfg.set("threads", options["threads"])
                self.cfg.set("timeout", WORKER_TIMEOUT)
                self.cfg.set("graceful_timeout", GRACEFUL_TIMEOUT)
                self.cfg.set("keepalive", KEEPALIVE)
                # No gunicorn access log: each request is one line of ours (envplan.core.logs), with its id
                # and duration, in the format ENVPLAN_LOG_FORMAT chooses.
                # gunicorn 27 opens a control socket in the home folder; two servers would share it.
                self.cfg.set("control_socket_disable", True)
                if run_jobs:
                    self.cfg.set("post_worker_init", start_job_runner)
                    self.cfg.set("worker_exit", stop_job_runner)

            def load(self) -> Any:
                return application

        self.stdout.write(f"envplan serving on http://{options['bind']}/")
        self.stdout.flush()
        Server().run()


def start_job_runner(worker: Any) -> None:
    from envplan.core.jobs import JobRunner

    runner = JobRunner()
    worker.envplan_job_runner = runner
    runner.start()


def stop_job_runner(server: Any, worker: Any) -> None:
    runner = getattr(worker, "envplan_job_runner", None)
    if runner is not None:
        runner.stop()
