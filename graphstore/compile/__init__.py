"""Compilers: engine-neutral operations (graphstore.ops) → statements for one engine."""

from .base import Compiled, Compiler, Rows, Statement

__all__ = ["Compiled", "Compiler", "Rows", "Statement"]
