"""The HJ 212 CRC and the variants real data loggers send.

HJ 212-2017 Annex A ("ANSI CRC16"): ``reg = 0xFFFF``; for each byte ``reg = (reg >> 8) ^ b`` then eight
reflected shifts with 0xA001; sent as four hex digits, high byte first.  Unlike CRC-16/MODBUS the byte is
XOR-ed into the *shifted* register, so each step is ``reg = T[(reg >> 8) ^ b]`` with T the ordinary
reflected 0xA001 table, and only the 8-bit high byte carries state between bytes.

Fast path (:func:`crc_hj212`): the state map ``H(x) = T[x] >> 8`` is linear over GF(2), invertible and of
order 8 (``H^8 = I``, checked at import).  The byte entering the last table look-up is therefore
``x_n = XOR_j H^j(w_j) ^ H^((n-1) mod 8)(0xFF)`` where ``w_j`` is the XOR of every byte whose distance from
the end is ``j`` modulo 8.  Those eight XORs are computed for the whole message at once by folding one big
integer in C (``int.from_bytes`` and shifts, with the shift/mask plan cached per message size), so the
Python-level work is O(log n) instead of O(n); the eight table look-ups at the end are unrolled.
:func:`crc_hj212_table` (the plain table loop) and :func:`crc_hj212_bitwise` (the Annex routine) stay as
references; ``bench/hj212.py`` measures the three.

No compiled CRC package computes this CRC: its byte step is not that of any CRC-16, nor of any CRC-8
polynomial (checked against all 256 8-bit polynomials, reflected and not), so none is used.
"""

from __future__ import annotations

import enum

_POLY = 0xA001  # HJ 212-2017 Annex A: reflected 0x8005


def _reflected_entry(x: int) -> int:
    reg = x
    for _ in range(8):
        reg = (reg >> 1) ^ _POLY if reg & 1 else reg >> 1
    return reg


_TABLE: tuple[int, ...] = tuple(_reflected_entry(i) for i in range(256))
_H: tuple[int, ...] = tuple(t >> 8 for t in _TABLE)


def _power_tables() -> tuple[tuple[int, ...], ...]:
    powers = [tuple(range(256))]
    for _ in range(8):
        previous = powers[-1]
        powers.append(tuple(_H[v] for v in previous))
    if powers[8] != powers[0]:  # pragma: no cover - a property of the polynomial, verified once
        raise RuntimeError("HJ 212 CRC state map is not of order 8")
    return tuple(powers[:8])


_HPOW = _power_tables()
# H^k(0xFF) for the initial register's high byte, indexed by k mod 8.
_INIT_TERM: tuple[int, ...] = tuple(_HPOW[k][0xFF] for k in range(8))


def crc_hj212_bitwise(data: bytes) -> int:
    """HJ 212-2017 Annex A routine, bit by bit (reference)."""
    reg = 0xFFFF
    for b in data:
        reg = (reg >> 8) ^ b
        for _ in range(8):
            lsb = reg & 1
            reg >>= 1
            if lsb:
                reg ^= _POLY
    return reg


def crc_hj212_table(data: bytes) -> int:
    """HJ 212-2017 Annex A CRC, one table look-up per byte (reference for the fast path)."""
    reg = 0xFFFF
    table = _TABLE
    for b in data:
        reg = table[(reg >> 8) ^ b]
    return reg


# Folding plans: for a message of ``words`` 8-byte words, the (shift, mask) pairs that halve the big
# integer until one word is left; cached for frame-sized messages (at most _CACHED_WORDS words).
_FOLD_PLANS: dict[int, tuple[tuple[int, int], ...]] = {}
_FOLD_MASKS: dict[int, int] = {}
_CACHED_WORDS = 2048


def _fold_plan(words: int) -> tuple[tuple[int, int], ...]:
    steps: list[tuple[int, int]] = []
    size = words
    while size > 1:
        shift = (size // 2) * 64
        mask = _FOLD_MASKS.get(shift)
        if mask is None:
            mask = (1 << shift) - 1
            if words <= _CACHED_WORDS:
                _FOLD_MASKS[shift] = mask
        steps.append((shift, mask))
        size -= size // 2
    plan = tuple(steps)
    if words <= _CACHED_WORDS:
        _FOLD_PLANS[words] = plan
    return plan


_H0, _H1, _H2, _H3, _H4, _H5, _H6, _H7 = _HPOW


def crc_hj212(data: bytes) -> int:
    """HJ 212-2017 Annex A CRC16 of ``data`` (the data segment bytes); ``crc_hj212(b"") == 0xFFFF``."""
    n = len(data)
    if n < 24:
        return crc_hj212_table(data) if n else 0xFFFF
    # word-aligned from the end of the message: leading zero bytes of the padding fold in as zeros
    value = int.from_bytes(data, "big")
    words = (n + 7) >> 3
    plan = _FOLD_PLANS.get(words)
    for shift, mask in plan if plan is not None else _fold_plan(words):
        value = (value >> shift) ^ (value & mask)
    # byte j (0 = last) of the folded word is the XOR of all bytes at distance j (mod 8) from the end
    return _TABLE[
        _INIT_TERM[(n - 1) & 7]
        ^ _H0[value & 0xFF]
        ^ _H1[(value >> 8) & 0xFF]
        ^ _H2[(value >> 16) & 0xFF]
        ^ _H3[(value >> 24) & 0xFF]
        ^ _H4[(value >> 32) & 0xFF]
        ^ _H5[(value >> 40) & 0xFF]
        ^ _H6[(value >> 48) & 0xFF]
        ^ _H7[value >> 56]
    ]


def _crc16_reflected(data: bytes, reg: int) -> int:
    """The reflected 0xA001 CRC-16 of `data` from the initial register `reg`."""
    table = _TABLE
    for b in data:
        reg = (reg >> 8) ^ table[(reg ^ b) & 0xFF]
    return reg


def crc_modbus(data: bytes) -> int:
    """CRC-16/MODBUS (init 0xFFFF, reflected 0xA001), sent by some non-conforming loggers."""
    return _crc16_reflected(data, 0xFFFF)


def crc_arc(data: bytes) -> int:
    """CRC-16/ARC (init 0x0000, reflected 0xA001), sent by some non-conforming loggers."""
    return _crc16_reflected(data, 0)


def swap16(value: int) -> int:
    return ((value & 0xFF) << 8) | (value >> 8)


class CrcKind(enum.Enum):
    """How a frame's CRC field relates to its data segment (values as printed by ``check``)."""

    STANDARD = "standard"
    MODBUS = "variant:modbus"
    MODBUS_SWAPPED = "variant:modbus-swapped"
    ARC = "variant:arc"
    INVALID = "invalid"

    @property
    def is_variant(self) -> bool:
        return self not in (CrcKind.STANDARD, CrcKind.INVALID)


VARIANTS: frozenset[CrcKind] = frozenset({CrcKind.MODBUS, CrcKind.MODBUS_SWAPPED, CrcKind.ARC})
_VARIANT_NAMES = {"modbus": CrcKind.MODBUS, "modbus-swapped": CrcKind.MODBUS_SWAPPED, "arc": CrcKind.ARC}


def variant_from_name(name: str) -> CrcKind:
    """``"modbus"``, ``"modbus-swapped"`` or ``"arc"`` (with or without a ``variant:`` prefix)."""
    key = name.removeprefix("variant:")
    try:
        return _VARIANT_NAMES[key]
    except KeyError:
        raise ValueError(f"unknown CRC variant {name!r}; known: {sorted(_VARIANT_NAMES)}") from None


def classify_crc(segment: bytes, field: int) -> CrcKind:
    """Which algorithm produced ``field`` for ``segment`` (the standard one is tried first)."""
    if crc_hj212(segment) == field:
        return CrcKind.STANDARD
    modbus = crc_modbus(segment)
    if modbus == field:
        return CrcKind.MODBUS
    if swap16(modbus) == field:
        return CrcKind.MODBUS_SWAPPED
    if crc_arc(segment) == field:
        return CrcKind.ARC
    return CrcKind.INVALID
