"""Several tables of a section come from one computation (a city's figures): compute it once per data
version and moment, not once per table; kept no longer than the pages' TTL (envplan.portal.caching)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import Any, TypeVar, cast

_lock = threading.Lock()
_memo: dict[Hashable, tuple[float, Any]] = {}
T = TypeVar("T")


def once(key: Hashable, compute: Callable[[], T]) -> T:
    from envplan.portal.caching import TTL_SECONDS, generation

    full = (generation(), key)
    now = time.time()
    with _lock:
        found = _memo.get(full)
        if found is not None and now - found[0] <= TTL_SECONDS:
            return cast(T, found[1])  # stored under this key by the same compute
    value = compute()
    with _lock:
        if len(_memo) > 32:
            _memo.clear()
        _memo[full] = (now, value)
    return value


def clear() -> None:
    with _lock:
        _memo.clear()
