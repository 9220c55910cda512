"""Frames with each deviation real data loggers make (reference A.14), built here from a plain upload.

Each builder takes the parts of a data segment and returns the frame's bytes; ``DEVIATIONS`` maps each
deviation's name to a frame that has that deviation and no other (QNs and DataTimes differ by ``n``, so
the values of every frame are distinct)."""

from __future__ import annotations

from collections.abc import Callable

from envplan.hj212.crc import crc_hj212, crc_modbus, swap16

MN = "010000A8900016F000169DC0"  # 24 characters, as HJ 212-2017 §6.3.2 asks
PASSWORD = "123456"


def stamp(n: int) -> str:
    """YYYYMMDDhhmmss, ``n`` seconds after 2026-01-01 08:00 (n below an hour)."""
    return f"2026010108{n // 60:02d}{n % 60:02d}"


def segment(
    n: int,
    *,
    qn: bool = True,
    st: str = "31",
    cn: str = "2011",
    mn: str = MN,
    flag: str | None = "5",
    data_time: str | None = None,
    factor: str = "a21026",
) -> bytes:
    """A real-time upload whose QN and DataTime follow ``n`` (seconds after 2026-01-01 08:00)."""
    fields = [f"QN={stamp(n)}{n % 1000:03d}"] if qn else []
    fields += [f"ST={st}", f"CN={cn}", f"PW={PASSWORD}", f"MN={mn}"]
    if flag is not None:
        fields.append(f"Flag={flag}")
    cp = f"DataTime={data_time or stamp(n)};{factor}-Rtd={n}.5,{factor}-Flag=N"
    return (";".join(fields) + f";CP=&&{cp}&&").encode()


def framed(data: bytes, *, extra_length: int = 0, crc: str | None = None) -> bytes:
    """``## length data CRC CR LF`` with the length field counting ``extra_length`` characters more."""
    return b"##%04d%b%b\r\n" % (len(data) + extra_length, data, (crc or f"{crc_hj212(data):04X}").encode())


def lowercase_crc(data: bytes) -> bytes:
    text = f"{crc_hj212(data):04x}"
    if text == text.upper():  # a CRC of digits only has no case: not this deviation
        raise ValueError("pick another segment")
    return framed(data, crc=text)


def _lowercase(n: int) -> bytes:
    for m in range(n, n + 50):
        try:
            return lowercase_crc(segment(m))
        except ValueError:
            continue
    raise AssertionError("no segment with hex letters in its CRC")


def modbus_swapped(data: bytes) -> bytes:
    return framed(data, crc=f"{swap16(crc_modbus(data)):04X}")


DEVIATIONS: dict[str, Callable[[int], bytes]] = {
    "length+2": lambda n: framed(segment(n), extra_length=2),  # counts the CR LF
    "length+6": lambda n: framed(segment(n), extra_length=6),  # counts the ## and the four digits
    "length+10": lambda n: framed(segment(n), extra_length=10),  # counts the ## and digits and the CRC
    "crc-lowercase": _lowercase,
    "crc-modbus-swapped": lambda n: modbus_swapped(segment(n)),
    "no-qn": lambda n: framed(segment(n, qn=False)),
    "no-flag": lambda n: framed(segment(n, flag=None)),
    "mn-length": lambda n: framed(segment(n, mn="88888880000001")),  # a 2005-length MN with a 2017 Flag
    "split-unnumbered": lambda n: framed(segment(n, flag="7")),
    "vendor-st": lambda n: framed(segment(n, st="80")),
    "vendor-cn": lambda n: framed(segment(n, cn="2073")),
    "vendor-factor": lambda n: framed(segment(n, factor="ele01")),
    "datatime-ms": lambda n: framed(segment(n, data_time=stamp(n) + "123")),
}


def good(n: int) -> bytes:
    return framed(segment(n))
