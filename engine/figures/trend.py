"""A report page's small trend: its agency's key figures over the years in the store.

Only numbers count: a year whose report has the cell blank, unreadable or missing shows no value
there (a trend never draws a presumed zero).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from xxgk_audit.engine.batch.store import Store, agency_years

__all__ = ["TREND_FIGURES", "Trend", "TrendSeries", "trend_of"]

# (label, the cells summed): 新收申请, 行政复议, 行政诉讼 (direct and after review)
TREND_FIGURES = (("新收申请", ("A1.TOT",)), ("行政复议", ("RV.TOT",)), ("行政诉讼", ("LD.TOT", "LR.TOT")))
_STORES: dict[str, Store] = {}      # read-only, one per worker process


@dataclass(frozen=True)
class TrendSeries:
    label: str
    cells: tuple[str, ...]
    values: tuple[int | None, ...]      # one per year; None: unknown that year


@dataclass(frozen=True)
class Trend:
    agency: str
    years: tuple[int, ...]
    current: int | None                 # the year of the page's report
    series: tuple[TrendSeries, ...]


def trend_of(store_path: str, path: str) -> Trend | None:
    """The trend of the agency of the report at `path`, when the store has two years or more of it
    (None too when this process cannot read the store, e.g. a Dask worker elsewhere)."""
    if store_path not in _STORES:
        if not Path(store_path).is_file():
            return None
        _STORES[store_path] = Store(store_path, readonly=True)
    agency, rows = agency_years(_STORES[store_path], path)
    if agency is None or len({year for year, _, _ in rows}) < 2:
        return None
    by_year: dict[int, dict[str, int]] = {}
    current = None
    for year, report_path, tables_json in rows:
        cells: dict[str, int] = {}
        for table in (json.loads(tables_json) if tables_json else {}).values():
            cells.update({k: v for k, v in table.items() if isinstance(v, int)})
        by_year.setdefault(year, cells)
        if report_path == path:
            current = year
    years = tuple(sorted(by_year))
    series = tuple(TrendSeries(label, keys, tuple(_sum(by_year[y], keys) for y in years))
                   for label, keys in TREND_FIGURES)
    return Trend(agency, years, current, series)


def _sum(cells: dict[str, int], keys: tuple[str, ...]) -> int | None:
    if any(k not in cells for k in keys):
        return None
    return sum(cells[k] for k in keys)
