import sys

from envplan.cli import main

sys.exit(main())
