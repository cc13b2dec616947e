"""The figures step of `batch`: what its outputs show, in one call (engine/app/batch_command.py)."""

from __future__ import annotations

from dataclasses import dataclass

from xxgk_audit.engine.batch.manifest import Expected
from xxgk_audit.engine.batch.store import Store
from xxgk_audit.engine.figures.collect import Figures, collect
from xxgk_audit.engine.figures.stats import Statistics, statistics

__all__ = ["BatchFigures", "batch_figures"]


@dataclass
class BatchFigures:
    figures: Figures            # figures.csv/.xlsx, indicators.csv, the coverage
    statistics: Statistics      # the index's 统计 section


def batch_figures(store: Store, report_ids: list[int], blank_cells: str, expected: list[Expected]) -> BatchFigures:
    figures = collect(store, report_ids, blank_cells=blank_cells, expected=expected)
    return BatchFigures(figures, statistics(figures))
