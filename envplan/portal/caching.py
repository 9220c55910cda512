"""Public pages are cached, and dropped the moment what they show changes.

* Every write to a model a public section watches (`Section.watch`, plus the portal's own) bumps one
  version number in the database after its transaction commits (once per transaction, however many rows).
  Each process reads it at most once a second, so a cached page costs no database query.
* A public page is cached under (version, language, host, path): a bumped version is a new key in every
  server process at once, and a short TTL bounds what a missed write (a Parquet file written without a
  database row) or the passing of time (today's air ages) can leave stale. Past its TTL (each page its
  own, within ±20 %), a thread renders the page again while readers still get the copy there is.
* Each response carries an ETag and Last-Modified from the same version, so a browser asks again with
  If-None-Match each time and gets 304 without a page being rendered (a reader sees an answer to their
  report at once); `Cache-Control: public, s-maxage` lets a reverse proxy keep it for the TTL (it varies
  on the language cookie).
* Only one thread per process renders a missing page; the others wait for it (no stampede after a bump).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import random
import threading
import time
import weakref
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import F
from django.db.models.signals import post_delete, post_save
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers
from django.utils.http import http_date
from django.utils.translation import get_language

from envplan.core.publication import counts_as_change

logger = logging.getLogger("envplan.portal")

TTL_SECONDS = 60
# A page past its TTL is kept a while longer, to be served while one reader refreshes it.
KEEP_SECONDS = 10 * TTL_SECONDS
STAMP_SECONDS = 1.0
_known: tuple[float, tuple[int, Any]] | None = None
# The portal's own records, and the demo clock (the pages show "today").
OWN_WATCH = {"portal.CorrectionRequest", "portal.DataOwner", "core.DemoClock"}
KEPT_HEADERS = ("Content-Type", "Content-Disposition", "Content-Language")

_locks: dict[str, threading.Lock] = {}
_refreshers: weakref.WeakSet[threading.Thread] = weakref.WeakSet()
_locks_guard = threading.Lock()


def generation() -> str:
    """The version and the moment of the last change, as one key part."""
    version, changed = stamp()
    return f"{version}.{int(changed.timestamp() * 1000) if changed else 0}"


def stamp() -> tuple[int, dt.datetime | None]:
    """(version, when it last changed). Keys use both: a database restored or flushed starts its versions
    again, never at the same moment.

    Read from the database at most once a STAMP_SECONDS per process, so that a page served from the cache
    touches no database: another process's write is seen within that second, this process's at once."""
    global _known
    known = _known
    now = time.monotonic()
    if known is not None and known[0] > now:
        return known[1]
    from envplan.portal.models import PublicStamp

    row = PublicStamp.objects.filter(pk=1).values_list("version", "changed_at").first()
    value = (0, None) if row is None else (row[0], row[1])
    _known = (now + STAMP_SECONDS, value)
    return value


def forget_stamp() -> None:
    """Read the stamp again at the next request (after this process's own bump; in tests)."""
    global _known
    _known = None


def bump() -> None:
    """A new version: every cached public page is stale."""
    from envplan.portal.models import PublicStamp

    now = timezone.now()
    if not PublicStamp.objects.filter(pk=1).update(version=F("version") + 1, changed_at=now):
        PublicStamp.objects.get_or_create(pk=1, defaults={"version": 1, "changed_at": now})
    forget_stamp()


class _Batch:
    """The bumps a transaction asked for: the first to run after its commit bumps, the others do nothing."""

    __slots__ = ("done",)

    def __init__(self) -> None:
        self.done = False


def schedule_bump() -> None:
    """Bump once the current transaction commits (at once outside one), once however many rows it writes.

    Every write registers its own callback (a rolled-back savepoint drops its own, never another's); the
    callbacks of one transaction share a batch, so only the first to run does the update."""
    batch = getattr(connection, "_envplan_bump_batch", None)
    if batch is None or batch.done:
        batch = _Batch()
        connection._envplan_bump_batch = batch  # type: ignore[attr-defined]  # one per connection (thread)

    def run() -> None:
        if not batch.done:
            batch.done = True
            bump()

    transaction.on_commit(run)


def _on_write(sender: Any, instance: Any = None, **kwargs: Any) -> None:
    label = getattr(getattr(sender, "_meta", None), "label", "")
    if label in OWN_WATCH or counts_as_change(label, instance):
        schedule_bump()


def connect() -> None:
    """Listen to every model's writes; which ones count is decided at each write, so sections registered
    by apps that load after the portal are covered too."""
    post_save.connect(_on_write, dispatch_uid="envplan.portal.caching.saved")
    post_delete.connect(_on_write, dispatch_uid="envplan.portal.caching.deleted")


def wait_for_refreshes(timeout: float = 30.0) -> None:
    """Wait for the pages being refreshed in the background (for tests and benchmarks)."""
    for thread in list(_refreshers):
        thread.join(timeout)


def _lock(key: str) -> threading.Lock:
    with _locks_guard:
        if len(_locks) > 1000:
            _locks.clear()
        return _locks.setdefault(key, threading.Lock())


def _render(
    view: Callable[..., HttpResponse], request: HttpRequest, args: Any, kwargs: Any
) -> HttpResponse | tuple[bytes, dict[str, str], float]:
    """The view's page to keep (content, headers, when), or its response when it is not to be kept."""
    rendered = view(request, *args, **kwargs)
    if rendered.status_code != 200 or rendered.streaming or rendered.cookies:
        return rendered
    headers = {name: rendered[name] for name in KEPT_HEADERS if name in rendered}
    # Each page is refreshed at its own time, so that the pages rendered together at start-up are not all
    # rendered again in the same second.
    return rendered.content, headers, time.time() + TTL_SECONDS * random.uniform(0.8, 1.2)


def _refresh(
    key: str, language: str, view: Callable[..., HttpResponse], request: HttpRequest, args: Any, kwargs: Any
) -> None:
    try:
        with translation.override(language):
            fresh = _render(view, request, args, kwargs)
        if not isinstance(fresh, HttpResponse):
            cache.set(key, fresh, KEEP_SECONDS)
    except Exception:  # a failed refresh keeps the page there is; the next one tries again
        logger.exception("refreshing public page %s failed", request.path)
    finally:
        _lock(key).release()
        connection.close()  # this thread's own database connection


def public_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Open to anyone (no login), cached as described above. The view must not depend on the person."""

    @login_not_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method not in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        version, changed = stamp()
        current = f"{version}.{int(changed.timestamp() * 1000) if changed else 0}"
        language = get_language() or "en"
        place = f"{request.get_host()}{request.get_full_path()}"
        digest = hashlib.sha256(place.encode()).hexdigest()[:24]
        etag = f'W/"{current}-{language}-{digest[:12]}"'
        if etag in request.headers.get("If-None-Match", ""):
            response: HttpResponse = HttpResponseNotModified()
        else:
            key = f"portal:{current}:{language}:{digest}"
            stored = cache.get(key)
            if stored is None:
                with _lock(key):  # the first reader renders; the others wait for its page
                    stored = cache.get(key)
                    if stored is None:
                        stored = _render(view, request, args, kwargs)
                        if isinstance(stored, HttpResponse):
                            return stored
                        cache.set(key, stored, KEEP_SECONDS)
            elif time.time() > stored[2] and _lock(key).acquire(blocking=False):
                # Past its refresh time with no change recorded: a thread renders it again while every
                # reader, this one too, gets the copy there is (no reader waits for a render no write
                # asked for).
                refresher = threading.Thread(
                    target=_refresh, args=(key, language, view, request, args, kwargs), daemon=True
                )
                _refreshers.add(refresher)
                refresher.start()
            content, headers, _refresh_at = stored
            response = HttpResponse(content)
            for name, value in headers.items():
                response[name] = value
        response["ETag"] = etag
        if changed is not None:
            response["Last-Modified"] = http_date(changed.timestamp())
        # Browsers ask again each time (a 304 when nothing changed: a reader sees an answer at once); a
        # reverse proxy may keep the page for the TTL.
        response["Cache-Control"] = f"public, max-age=0, s-maxage={TTL_SECONDS}"
        patch_vary_headers(response, ("Accept-Language", "Cookie"))
        return response

    return wrapped
