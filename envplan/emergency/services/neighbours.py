"""Neighbours' CAP feeds: registered, fetched (network, before the transaction) and stored."""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.db import transaction

from envplan.core import clock
from envplan.core.services import Actor, record_audit, snapshot
from envplan.emergency import cap
from envplan.emergency.models import (
    CapSource,
    NeighbourAlert,
)
from envplan.emergency.services.errors import EmergencyError

FETCH_TIMEOUT_SECONDS = 15
MAX_LINKED_MESSAGES = 50


# --- neighbours' CAP feeds -----------------------------------------------------------------------------


@transaction.atomic
def save_cap_source(*, name: str, url: str, by: Actor) -> CapSource:
    parsed = urllib.parse.urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise EmergencyError(f"{url!r} is not an http(s) address", field="url")
    if not name.strip():
        raise EmergencyError("the name is required", field="name")
    if CapSource.objects.filter(url=url).exists():
        raise EmergencyError("this feed is registered already", field="url")
    source = CapSource.objects.create(name=name.strip(), url=url)
    record_audit(source, action="emergency.feed_added", actor=by, after=snapshot(source, ("name", "url")))
    return source


@dataclass
class CapImport:
    new: int = 0
    known: int = 0
    links: list[str] = field(default_factory=list)


def _thread(message: cap.CapMessage) -> str:
    """The key of the first message of the alert a message belongs to."""
    keys = [cap.reference_key(r) for r in message.references]
    if not keys:
        return message.key
    known = NeighbourAlert.objects.filter(thread__in=keys).values_list("thread", flat=True).first()
    if known:
        return str(known)
    earliest = (
        NeighbourAlert.objects.filter(
            sender__in=[k.split(",")[0] for k in keys], identifier__in=[k.split(",")[-1] for k in keys]
        )
        .order_by("sent")
        .first()
    )
    return earliest.thread if earliest else keys[0]


def store_messages(
    messages: Sequence[cap.CapMessage], *, source: CapSource | None, by: Actor, name: str
) -> CapImport:
    result = CapImport()
    with transaction.atomic():
        for message in sorted(messages, key=lambda m: m.sent):
            if message.msg_type not in ("Alert", "Update", "Cancel"):
                continue
            if NeighbourAlert.objects.filter(sender=message.sender, identifier=message.identifier).exists():
                result.known += 1
                continue
            info = message.info
            NeighbourAlert.objects.create(
                source=source,
                sender=message.sender[:200],
                identifier=message.identifier[:200],
                sent=message.sent,
                status=message.status[:16],
                msg_type=message.msg_type,
                references=" ".join(message.references),
                thread=_thread(message)[:420],
                event=(info.event if info else "")[:300],
                headline=(info.headline if info else "")[:300],
                description=info.description if info else "",
                area=(info.area_desc if info else "")[:300],
                level=cap.level_of(message),
                severity=(info.severity if info else "")[:16],
                urgency=(info.urgency if info else "")[:16],
                certainty=(info.certainty if info else "")[:16],
                effective=(info.effective or info.onset) if info else None,
                expires=info.expires if info else None,
            )
            result.new += 1
        if result.new:
            target = source if source is not None else NeighbourAlert.objects.order_by("-pk").first()
            assert target is not None
            record_audit(
                target,
                action="emergency.neighbour_alerts_imported",
                actor=by,
                after={"from": name, "new": result.new, "known": result.known},
            )
    return result


def import_cap(data: bytes, *, name: str, source: CapSource | None = None, by: Actor) -> CapImport:
    """Store the messages of a CAP document or Atom feed not seen before (by sender and identifier).
    Linked messages (an Atom feed of links) are returned in ``links``, not fetched."""
    try:
        parsed = cap.parse_document(data, name=name)
    except cap.CapError as error:
        raise EmergencyError(str(error), field="file") from None
    result = store_messages(parsed.messages, source=source, by=by, name=name)
    result.links = parsed.links
    return result


Fetcher = Callable[[str], bytes]


def http_get(url: str) -> bytes:
    """GET ``url`` with a timeout and a size limit (a feed larger than cap.MAX_BYTES is refused)."""
    request = urllib.request.Request(
        url,
        headers={
            "User-Agent": "envplan-cap/1",
            "Accept": "application/atom+xml, application/cap+xml, application/xml",
        },
    )
    # The address is http(s): save_cap_source refuses any other scheme.
    with urllib.request.urlopen(request, timeout=FETCH_TIMEOUT_SECONDS) as response:
        data = response.read(cap.MAX_BYTES + 1)
    if len(data) > cap.MAX_BYTES:
        raise cap.CapError(f"{url}: more than {cap.MAX_BYTES // 2**20} MB")
    return bytes(data)


def fetch_cap_source(source: CapSource, *, fetch: Fetcher = http_get, by: Actor = None) -> CapImport:
    """Read a neighbour's feed (and the CAP messages it links to) and store what is new. A feed that
    cannot be read is noted on the source (its last error) and changes nothing else."""
    messages: list[cap.CapMessage] = []
    try:
        parsed = cap.parse_document(fetch(source.url), name=source.url)
        messages.extend(parsed.messages)
        for link in parsed.links[:MAX_LINKED_MESSAGES]:
            absolute = urllib.parse.urljoin(source.url, link)
            messages.extend(cap.parse_document(fetch(absolute), name=absolute).messages)
    except (cap.CapError, urllib.error.URLError, OSError, ValueError) as error:
        CapSource.objects.filter(pk=source.pk).update(
            last_fetched_at=clock.now(), last_error=str(error)[:500]
        )
        raise EmergencyError(f"{source.name}: {error}", field="url") from None
    result = store_messages(messages, source=source, by=by, name=source.url)
    CapSource.objects.filter(pk=source.pk).update(last_fetched_at=clock.now(), last_error="")
    return result
