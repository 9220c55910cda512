"""Small real PNG pictures for the demo's inspection photos and evidence, each stamped GENERATED.

Pure standard library (zlib, struct): the demo must not need an imaging package. The pictures are plain
scenes (sky, ground, a building and a stack whose colours follow a number) with the word GENERATED in a
tiny bitmap font, so that nobody takes them for a photograph of a real site.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable

RGB = tuple[int, int, int]

# 3 × 5 bitmaps of the letters of GENERATED.
GLYPHS = {
    "G": ("###", "#..", "#.#", "#.#", "###"),
    "E": ("###", "#..", "##.", "#..", "###"),
    "N": ("#.#", "###", "###", "#.#", "#.#"),
    "R": ("##.", "#.#", "##.", "#.#", "#.#"),
    "A": (".#.", "#.#", "###", "#.#", "#.#"),
    "T": ("###", ".#.", ".#.", ".#.", ".#."),
    "D": ("##.", "#.#", "#.#", "#.#", "##."),
}
LABEL = "GENERATED"


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png(width: int, height: int, pixel: Callable[[int, int], RGB]) -> bytes:
    """An 8-bit RGB PNG of the given size, each pixel from `pixel(x, y)`."""
    if width < 1 or height < 1:
        raise ValueError("a picture has at least one pixel")
    rows = bytearray()
    for y in range(height):
        rows.append(0)  # filter: none
        for x in range(width):
            rows.extend(pixel(x, y))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(bytes(rows), 9))
        + _chunk(b"IEND", b"")
    )


def _label_pixels(scale: int, left: int, top: int) -> set[tuple[int, int]]:
    ink: set[tuple[int, int]] = set()
    for index, letter in enumerate(LABEL):
        for row, line in enumerate(GLYPHS[letter]):
            for column, mark in enumerate(line):
                if mark != "#":
                    continue
                x0 = left + (index * 4 + column) * scale
                y0 = top + row * scale
                ink.update((x0 + dx, y0 + dy) for dx in range(scale) for dy in range(scale))
    return ink


def generated_photo(number: int, *, width: int = 120, height: int = 90) -> bytes:
    """A small scene that varies with `number`, with GENERATED written across its top."""
    building: RGB = (120 + number * 37 % 100, 110 + number * 53 % 90, 100 + number * 71 % 80)
    stack_x = 20 + number * 29 % max(width - 40, 1)
    horizon = height * 2 // 3
    ink = _label_pixels(2, 4, 4)
    band = 4 + 5 * 2 + 2

    def pixel(x: int, y: int) -> RGB:
        if (x, y) in ink:
            return (160, 20, 20)
        if y < band and x < 4 + len(LABEL) * 8:
            return (255, 255, 255)
        if stack_x <= x < stack_x + 6 and horizon - 45 <= y < horizon:
            return (90, 90, 95)
        if width // 2 <= x < width // 2 + 40 and horizon - 25 <= y < horizon:
            return building
        if y < horizon:
            shade = 150 + y * 80 // max(horizon, 1)
            return (shade // 2, shade * 3 // 4, min(shade + 40, 255))
        return (110 - (y - horizon), 100 - (y - horizon) // 2, 60)

    return png(width, height, pixel)
