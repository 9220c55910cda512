"""The progress and accounts tests' world: the one small world of tests/world.py, on 2025-06-10."""

from __future__ import annotations

import datetime as dt

from tests.world import PASSWORD, World, user
from tests.world import build_world as build_shared_world

__all__ = ["PASSWORD", "TODAY", "World", "build_world", "minimal_pdf", "user"]

TODAY = dt.date(2025, 6, 10)


def build_world(*, today: dt.date = TODAY) -> World:
    return build_shared_world(today=today)


# A minimal valid PDF: header, one empty page, cross-reference table and trailer.
def minimal_pdf() -> bytes:
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def housing_report(world: World, *, submit: bool = False, value: str = "4.5", period: dt.date | None = None):  # type: ignore[no-untyped-def]
    """The housing unit's report on the lead task's target (May by default), as its reporter saves it."""
    from envplan.progress import services

    return services.save_report(
        **world.housing_writes(period or dt.date(2025, 5, 1)),
        narrative="Laid 4.5 km of pipe.",
        status="in_progress",
        values={world.target.pk: value},
        submit=submit,
    )
