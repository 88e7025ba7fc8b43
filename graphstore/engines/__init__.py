"""Engines: run compiled operations in one transaction per API call and translate errors."""

from .base import Engine, Transaction, open_engine

__all__ = ["Engine", "Transaction", "open_engine"]
