"""The water engine is pure: importing it pulls in neither Django nor any other envplan app (only the
pure envplan.problems and envplan.commandline)."""

from __future__ import annotations

import subprocess
import sys


def test_purity_water_modules_import_no_django_and_no_other_envplan_app() -> None:
    code = (
        "import sys, envplan.standards.water, envplan.standards.water_cli; "
        "print(sorted(m for m in sys.modules if m == 'django' or m.startswith('django.') "
        "or (m.startswith('envplan.') and not m.startswith(('envplan.standards', 'envplan.problems', "
        "'envplan.commandline')))))"
    )

    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)

    assert result.stdout.strip() == "[]"
