"""For tests of pages whose uploads became queued jobs: run the queue as the worker would."""

from __future__ import annotations

from typing import Any

from django.test import Client

from envplan.core.jobs import run_pending_jobs


def finish_job(client: Client, response: Any) -> Any:
    """`response` redirects to a job's page: run the queued jobs, then open that page (as its sender)."""
    assert response.status_code == 302, response.status_code
    job_page = response["Location"]
    assert job_page.startswith("/jobs/"), job_page
    run_pending_jobs()
    return client.get(job_page)
