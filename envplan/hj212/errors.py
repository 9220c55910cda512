"""The codec's single error type."""

from __future__ import annotations


class HJ212Error(ValueError):
    """Any malformed or unacceptable HJ 212 input.

    ``reason`` is a short machine-readable code (``"header"``, ``"length"``, ``"crc"``, ``"trailer"``,
    ``"too-long"``, ``"garbage"``, ``"segment"``, ``"cp"``, ``"flag"``, ``"split"``);
    the message is for people.
    """

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(f"{reason}: {message}")
        self.reason = reason
        self.message = message
