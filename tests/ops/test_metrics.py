"""`/metrics`: the web's and the worker's metrics in Prometheus' text format, for a scraper holding the token
or, without one, on this machine; read with `prometheus_client.parser`."""

from __future__ import annotations

import datetime as dt

from django.test import Client, override_settings
from prometheus_client.parser import text_string_to_metric_families

from envplan.core.worker import Job, run_job

TOKEN = "s3cret-scraper-token"


def samples(response) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    found = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def health_requests(found) -> float:
    key = ("envplan_http_requests_total", (("method", "GET"), ("route", "health/"), ("status", "200")))
    return found.get(key, 0.0)


def test_metrics_count_requests_and_their_latency(db):
    client = Client()  # from 127.0.0.1, no token configured
    before = samples(client.get("/metrics"))

    for _ in range(3):
        client.get("/health/")
    after = samples(client.get("/metrics"))

    assert health_requests(after) - health_requests(before) == 3
    count = ("envplan_http_request_duration_seconds_count", (("route", "health/"),))
    assert after[count] - before.get(count, 0.0) == 3


def test_metrics_count_job_runs_durations_and_failures(db):
    client = Client()
    before = samples(client.get("/metrics"))
    job = Job("metrics-probe", lambda today: 1 / 0, every=dt.timedelta(hours=1))

    run_job(job, today=dt.date(2026, 3, 1))
    run_job(job, today=dt.date(2026, 3, 1))
    after = samples(client.get("/metrics"))

    def moved(name, labels):
        key = (name, tuple(sorted(labels.items())))
        return after[key] - before.get(key, 0.0)

    assert moved("envplan_job_runs_total", {"job": "metrics-probe", "result": "failed"}) == 2
    assert moved("envplan_job_failures_total", {"job": "metrics-probe"}) == 2
    assert moved("envplan_job_duration_seconds_count", {"job": "metrics-probe"}) == 2


def test_without_a_token_only_this_machine_may_scrape(db):
    assert Client(REMOTE_ADDR="10.1.2.3").get("/metrics").status_code == 403
    # Through a proxy every client would look local: refused.
    assert Client().get("/metrics", headers={"X-Forwarded-For": "10.1.2.3"}).status_code == 403
    assert Client(REMOTE_ADDR="::1").get("/metrics").status_code == 200


@override_settings(ENVPLAN_METRICS_TOKEN=TOKEN)
def test_with_a_token_a_scraper_sends_it_as_a_bearer_from_anywhere(db):
    far = Client(REMOTE_ADDR="10.1.2.3")

    assert far.get("/metrics").status_code == 403
    assert Client().get("/metrics").status_code == 403  # the token is asked of this machine too
    assert far.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 403
    assert far.get("/metrics", headers={"Authorization": f"Basic {TOKEN}"}).status_code == 403
    assert samples(far.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}))


def test_envplan_up_gives_each_receiver_its_own_metrics_port():
    from envplan.site.management.commands.up import deployment

    specs = deployment(
        bind="127.0.0.1:8000",
        workers=1,
        threads=1,
        receivers=2,
        hj212_host="0.0.0.0",
        hj212_port=9212,
        metrics_port=9300,
        python="python",
    )

    receivers = {spec.name: spec.argv for spec in specs if spec.name.startswith("hj212")}
    assert [argv[argv.index("--metrics-port") + 1] for argv in receivers.values()] == ["9300", "9301"]


def test_in_multi_process_mode_metrics_add_up_every_process(tmp_path):
    """PROMETHEUS_MULTIPROC_DIR (gunicorn's several workers): two processes each answer a request; the
    /metrics of a third counts both."""
    import os
    import subprocess
    import sys

    folder = tmp_path / "prometheus"
    folder.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("ENVPLAN_")}
    env.update(
        {"ENVPLAN_DATA_DIR": str(tmp_path / "data"), "PROMETHEUS_MULTIPROC_DIR": str(folder)},
        DJANGO_SETTINGS_MODULE="envplan.settings",
    )
    script = (
        "import django; django.setup()\n"
        "from django.test import Client\n"
        "import sys\n"
        "response = Client().get(sys.argv[1], HTTP_HOST='127.0.0.1')\n"
        "sys.stdout.write(response.content.decode() if sys.argv[1] == '/metrics' else '')\n"
    )

    def run(path: str) -> str:
        done = subprocess.run(
            [sys.executable, "-c", script, path], env=env, capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    run("/health/")
    run("/health/")
    text = run("/metrics")

    found = {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }
    assert health_requests(found) == 2
