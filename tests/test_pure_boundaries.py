"""The pure packages import neither Django nor any envplan app (ARCHITECTURE.md, "pure core")."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import envplan

PURE_PACKAGES = [
    "envplan.standards",
    "envplan.hj212",
    "envplan.plantext",
    "envplan.lake",
    "envplan.problems",
    "envplan.archives",
    "envplan.draw",
    "envplan.engines",
    "envplan.screening",
    "envplan.commandline",
]
ROOT = Path(envplan.__file__).resolve().parent


def modules_of(package: str) -> list[str]:
    folder = ROOT / package.split(".", 1)[1]
    names = [package]
    if not folder.is_dir():  # a single-module pure library (envplan/problems.py)
        return names
    names += [
        f"{package}.{info.name}" for info in pkgutil.walk_packages([str(folder)]) if "." not in info.name
    ]
    return names


@pytest.mark.parametrize("package", PURE_PACKAGES)
def test_pure_package_imports_no_django_and_no_app(package: str):
    modules = modules_of(package)
    script = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "allowed = {'envplan', " + ", ".join(repr(p) for p in PURE_PACKAGES) + "}\n"
        "def pure(m):\n"
        "    return any(m == p or m.startswith(p + '.') for p in allowed)\n"
        "bad = sorted(m for m in sys.modules if m == 'django' or m.startswith('django.')\n"
        "             or (m.startswith('envplan.') and not pure(m)))\n"
        "print('\\n'.join(bad))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""
