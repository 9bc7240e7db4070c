"""`python -m wsim.cli ...` runs the `wsim` command (useful where the script is not on PATH)."""

import sys

from wsim.cli import main

sys.exit(main())
