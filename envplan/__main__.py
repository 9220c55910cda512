# PYTHON_ARGCOMPLETE_OK
import sys

from envplan.cli import main

sys.exit(main())
