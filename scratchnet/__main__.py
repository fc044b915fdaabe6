"""``python -m scratchnet``: the command line (``scratchnet.cli``)."""

import sys

from .cli import main

sys.exit(main())
