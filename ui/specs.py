"""The old name of ``ui/chart_cache.py``, kept for ``ui/training.py`` alone: delete it when that module
imports ``chart_cache`` (its owner's edit, pending)."""

from ui.chart_cache import build_spec

__all__ = ["build_spec"]
