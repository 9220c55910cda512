"""Keeping the correction form open to anyone without third-party services: a honeypot field people do not
see, a signed time token (a form sent within seconds of being shown is a robot's, one older than the token's
life is stale), and a limit of forms per address and hour (counted in the database, so every server process
sees the same count; the address is kept only as a keyed hash)."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import time

from django.conf import settings
from django.core import signing
from django.http import HttpRequest

from envplan.accounts.login import client_address

HONEYPOT = "website"
TOKEN_SALT = "envplan.portal.correction-form"
MIN_SECONDS = 3
MAX_SECONDS = 2 * 3600
RATE_LIMIT = 5  # forms per address
RATE_WINDOW = dt.timedelta(hours=1)
KEEP = dt.timedelta(days=1)


def form_token() -> str:
    return signing.dumps(int(time.time()), salt=TOKEN_SALT)


def token_verdict(token: str) -> str:
    """ "ok", "too_fast" (a robot), "expired" or "bad"."""
    try:
        issued = signing.loads(token or "", salt=TOKEN_SALT, max_age=MAX_SECONDS)
    except signing.SignatureExpired:
        return "expired"
    except signing.BadSignature:
        return "bad"
    if not isinstance(issued, int):
        return "bad"
    return "too_fast" if time.time() - issued < MIN_SECONDS else "ok"


def address_key(request: HttpRequest) -> str:
    """A keyed hash of the sender's address: enough to count, useless to identify anyone."""
    address = client_address(request) or "unknown"
    secret = settings.SECRET_KEY.encode()
    return hmac.new(secret, f"correction:{address}".encode(), hashlib.sha256).hexdigest()[:32]


def allow(request: HttpRequest, *, now: dt.datetime) -> bool:
    """Count this form against its address; False when the address sent RATE_LIMIT forms in the window."""
    from envplan.portal.services import record_attempt

    return record_attempt(address_key(request), now=now, limit=RATE_LIMIT, window=RATE_WINDOW, keep=KEEP)
