"""The distribution name users install (``graphstore`` on PyPI is another project's)."""

from __future__ import annotations

__all__ = ["DISTRIBUTION", "pip_install"]

# The import name stays ``graphstore``; the distribution has a name of its own (decisions.md).
DISTRIBUTION = "graphstore-lineage"


def pip_install(extra: str | None = None) -> str:
    """The install command for graphstore, or for one of its extras."""
    return f"pip install '{DISTRIBUTION}[{extra}]'" if extra else f"pip install {DISTRIBUTION}"
