"""Whether the MLMD tests may skip: without ml-metadata each test module skips itself, but
where the suite must be complete (CI, ``GRAPHSTORE_REQUIRE_NEO4J=1``,
``GRAPHSTORE_REQUIRE_MLMD=1``) the run stops with an error instead, so a runner on a Python
without ml-metadata wheels (3.12+) cannot pass with every MLMD test skipped.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Mapping

__all__ = ["MISSING", "mlmd_missing_but_required"]

MISSING = ("the MLMD compatibility tests are required here (CI, GRAPHSTORE_REQUIRE_NEO4J=1 or "
           "GRAPHSTORE_REQUIRE_MLMD=1), but ml-metadata is not installed: it has wheels for "
           "Python 3.9-3.11 only; build the venv with python3.11 and pip install '.[mlmd]' "
           "(GRAPHSTORE_REQUIRE_MLMD=0 lets them skip)")


def mlmd_required(env: Mapping[str, str]) -> bool:
    """GRAPHSTORE_REQUIRE_MLMD decides when set; otherwise CI or GRAPHSTORE_REQUIRE_NEO4J=1."""
    explicit = env.get("GRAPHSTORE_REQUIRE_MLMD")
    if explicit is not None:
        return explicit == "1"
    return env.get("GRAPHSTORE_REQUIRE_NEO4J") == "1" or env.get("CI", "").lower() in ("1", "true")


def mlmd_missing_but_required() -> bool:
    return mlmd_required(os.environ) and importlib.util.find_spec("ml_metadata") is None
