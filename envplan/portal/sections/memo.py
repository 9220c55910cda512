"""Several tables of a section come from one computation (a city's figures): compute it once per data
version and moment, not once per table; kept no longer than the pages' TTL (envplan.portal.caching)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import Any

_lock = threading.Lock()
_memo: dict[Hashable, tuple[float, Any]] = {}


def once(key: Hashable, compute: Callable[[], Any]) -> Any:
    from envplan.portal.caching import TTL_SECONDS, generation

    full = (generation(), key)
    now = time.time()
    with _lock:
        found = _memo.get(full)
        if found is not None and now - found[0] <= TTL_SECONDS:
            return found[1]
    value = compute()
    with _lock:
        if len(_memo) > 32:
            _memo.clear()
        _memo[full] = (now, value)
    return value


def clear() -> None:
    with _lock:
        _memo.clear()
