"""``python -m lifetools``: the command line."""

import sys

from lifetools.pipeline.cli import main

sys.exit(main())
