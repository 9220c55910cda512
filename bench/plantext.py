"""Parse time of the reference plan against a naive baseline measured in the same run.

Baseline: read the file, normalise it (full-width to ASCII) and split it into numbered-task lines with
one regular expression, which is the least any parser must do. The ratio says how much the real parse
(structure, units, resolution, targets) costs on top. Goal: a full parse under 0.1 s.

It then times the Chinese plans written for the tests (tests/data/plantext/plan_zh_*.txt: notices,
portal copies, traditional script), whose parse adds script conversion and the Chinese layouts.

    .venv/bin/python bench/plantext.py [--quick] [FILE]
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from envplan.plantext import parse_text
from envplan.plantext.lang import normalise
from envplan.plantext.units import unit_tokens

REPO = Path(__file__).resolve().parents[1]
SEED = REPO / ".." / "shared" / "seed" / "000_ec31d6e5ef1e973d.txt"
CHINESE = sorted((REPO / "tests" / "data" / "plantext").glob("plan_zh_*.txt"))
_TASK_LINE = re.compile(r"^\s*(\d{1,3})[.．]\s", re.M)


def _best_of(repeats: int, action: Callable[[], object]) -> tuple[float, float]:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return min(times), statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("file", nargs="?", default=str(SEED))
    parser.add_argument("--quick", action="store_true", help="few repeats, a smoke run of a second or two")
    args = parser.parse_args(argv)
    path = Path(args.file)
    if not path.is_file():
        print(f"error: {path}: no such file", file=sys.stderr)
        return 2
    repeats = 3 if args.quick else 30

    def baseline() -> int:
        text = normalise(path.read_text(encoding="utf-8"))
        return len(_TASK_LINE.findall(text))

    def full() -> int:
        unit_tokens.cache_clear()  # time a first parse, not one helped by the previous run's cache
        return len(parse_text(path.read_text(encoding="utf-8")).tasks())

    tasks = full()  # warm-up (regex compilation) outside the timings
    base_min, base_median = _best_of(repeats, baseline)
    full_min, full_median = _best_of(repeats, full)
    print(f"file: {path.name} ({path.stat().st_size} bytes, {tasks} tasks), repeats: {repeats}")
    for label, low, middle in (
        ("baseline read+normalise+regex split", base_min, base_median),
        ("parse_text (full draft)            ", full_min, full_median),
    ):
        print(f"{label}: min {low * 1000:.2f} ms, median {middle * 1000:.2f} ms")
    print(f"ratio full/baseline (median): {full_median / base_median:.1f}x; goal < 100 ms: "
          f"{'met' if full_median < 0.1 else 'NOT met'}")  # fmt: skip
    for plan in CHINESE:
        text = plan.read_text(encoding="utf-8")

        def chinese(text: str = text) -> int:
            unit_tokens.cache_clear()
            return len(parse_text(text).tasks())

        chinese()
        low, middle = _best_of(repeats, chinese)
        print(f"{plan.name:<34} ({len(text)} chars): min {low * 1000:.2f} ms, median {middle * 1000:.2f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
