"""The codec's single error type."""

from __future__ import annotations


class HJ212Error(ValueError):
    """Any malformed or unacceptable HJ 212 input.

    ``reason`` is a short machine-readable code (``"header"``, ``"length"``, ``"crc"``, ``"trailer"``,
    ``"too-long"``, ``"garbage"``, ``"truncated"``, ``"segment"``, ``"cp"``, ``"flag"``, ``"split"``, or
    the name of a deviation a strict reader refuses, see ``tolerance``); the message is for people.  The
    stream framer also gives the bytes it could not read as a frame (``raw``), so that a receiver can keep
    a sample of what it refused.
    """

    def __init__(self, reason: str, message: str, *, raw: bytes = b"") -> None:
        super().__init__(f"{reason}: {message}")
        self.reason = reason
        self.message = message
        self.raw = raw
