"""The house's floors (docs/architecture.md): every import goes down or stays on its floor, never up.

Read from the source with `ast`, so imports inside functions count as much as those at the top of a module.
"""

from __future__ import annotations

import ast
from pathlib import Path

import envplan

ROOT = Path(envplan.__file__).resolve().parent

# Lowest first. A module of the package belongs to the floor of its first name under `envplan`.
FLOORS: dict[str, tuple[str, ...]] = {
    "pure": (
        "standards", "hj212", "plantext", "lake", "screening", "draw", "engines", "problems", "archives",
        "commandline",
    ),
    "base": ("core",),
    "plan": ("plans", "accounts"),
    "workflow": ("imports", "progress", "indicators"),
    "monitoring": ("air", "water", "sources", "cases"),
    "enforcement": ("emergency", "inspections", "credit"),
    "face": (
        "dashboard", "exports", "api", "portal", "demo", "site",
        "cli", "commands", "urls", "settings", "config", "wsgi", "asgi", "__main__", "__init__",
    ),
}  # fmt: skip
ORDER = list(FLOORS)
FLOOR_OF = {name: floor for floor, names in FLOORS.items() for name in names}


def first_name(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if parts[0] == "envplan" and len(parts) > 1 else None


def imports_of(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
    return found


def source_files() -> list[Path]:
    return sorted(p for p in ROOT.rglob("*.py") if "migrations" not in p.relative_to(ROOT).parts)


def test_floors_every_part_of_the_package_has_a_floor():
    names = {p.relative_to(ROOT).parts[0].removesuffix(".py") for p in source_files()}

    assert sorted(names - set(FLOOR_OF)) == []


def test_floors_no_module_imports_from_a_floor_above_its_own():
    upward = []
    for path in source_files():
        mine = path.relative_to(ROOT).parts[0].removesuffix(".py")
        for line, module in imports_of(path):
            other = first_name(module)
            if other is None or other == mine or other not in FLOOR_OF:
                continue
            if ORDER.index(FLOOR_OF[other]) > ORDER.index(FLOOR_OF[mine]):
                upward.append(f"{path.relative_to(ROOT)}:{line} ({FLOOR_OF[mine]}) imports {module}")

    assert upward == []


def test_floors_the_reader_sees_imports_inside_functions(tmp_path: Path):
    sample = tmp_path / "sample.py"
    sample.write_text("def f():\n    from envplan.demo.loader import load_demo\n    import envplan.site\n")

    assert imports_of(sample) == [(2, "envplan.demo.loader"), (3, "envplan.site")]
