"""``python -m lifetools``: the command line."""

import sys

from lifetools.cli import main

sys.exit(main())
