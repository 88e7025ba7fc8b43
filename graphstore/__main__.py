"""``python -m graphstore`` runs the ``graphstore`` command (see graphstore.cli)."""

import sys

from .cli import main

sys.exit(main())
