"""lifetools: a reproducible research publication framework for the Life Rooms series."""

from __future__ import annotations

__version__ = "0.1.0"
__all__ = ["__version__"]
