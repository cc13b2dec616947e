"""The figures of a set of stored reports: one pass over the store, then pandas for the aggregation.

The pass keeps, per cell, only small integer codes (group, cell, status) and the count (money
apart, as exact Decimals), summed by pandas into partial group totals every 250,000 cells, so its
memory does not grow with the cells of the batch; the writers read the reports from the store
again (`Figures.each_report`) rather than holding them. pandas does the group sums (汇总 by
parent and year), the year-over-year join (last year's A1.TOT for `applications_yoy`) and the
group counts the statistics need. It is imported here, on use.
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Iterator

from xxgk_audit.engine.batch.manifest import Expected
from xxgk_audit.engine.batch.store import (Store, figure_reports, load_expected, reports_with_rule,
                                           unreadable_paths)
from xxgk_audit.engine.figures.cells import NUMBER, STATUSES, ReportFigures, report_figures, sheet_columns
from xxgk_audit.engine.figures.coverage import LATE_RULE, Coverage, coverage
from xxgk_audit.engine.figures.indicators import INDICATORS, PREV, IndicatorValue, cell_values, indicator_values
from xxgk_audit.engine.model.template import TABLE_NAMES

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Figures", "IndicatorRow", "TotalRow", "collect"]

_NEEDED = {key for ind in INDICATORS for _, key in ind.numerator + ind.denominator if not key.startswith(PREV)}
_YOY_KEY = "A1.TOT"
_BLANKS, _UNKNOWN = ("blank", "placeholder"), ("unreadable", "missing")


@dataclass(frozen=True, slots=True)
class IndicatorRow:
    path: str
    agency: str | None
    year: int | None
    parent: str | None
    value: IndicatorValue


@dataclass(frozen=True, slots=True)
class TotalRow:
    """A cell summed over the reports of a parent (None: no parent given) and a year."""

    parent: str | None
    year: int | None
    table: str
    row: str
    column: str
    reports: int            # reports whose format has this cell
    total: int | Decimal    # the sum of the numbers (a blank adds nothing: under either policy)
    numbers: int            # reports with a number there
    blanks: int             # blank or placeholder
    unknown: int            # unreadable or missing


@dataclass
class Figures:
    """What the figures outputs show; `each_report()` reads the reports' cells again."""

    store: Store
    selection: dict[str, Any]
    blank_cells: str
    identities: list[tuple[int, str, str | None, int | None, str | None, str | None, str]]
    indicators: list[IndicatorRow] = field(default_factory=list)
    totals: list[TotalRow] = field(default_factory=list)
    coverage: Coverage = field(default_factory=Coverage)
    frame: "pd.DataFrame | None" = None     # per report: identity and the key figures (engine/figures/stats.py)

    def each_report(self) -> Iterator[ReportFigures]:
        for row in figure_reports(self.store, **self.selection):
            yield report_figures(row)


def collect(store: Store, report_ids: list[int] | None = None, *, year: int | None = None,
            parent: str | None = None, blank_cells: str = "zero",
            expected: list[Expected] | None = None) -> Figures:
    """The figures of the reports `report_ids` (a batch's, in its order), or else of the latest
    audit of every stored report (of `year`, of `parent`). `expected`: who should have published
    (None: what the store was last told, restricted to `year` and `parent`)."""
    import numpy as np
    import pandas as pd

    selection = {"report_ids": report_ids} if report_ids is not None else {"year": year, "parent": parent}
    totals = _Totals(np, pd)
    identities = []
    needed: list[tuple[dict[str, int], set[str]]] = []
    for row in figure_reports(store, **selection):
        figures = report_figures(row)
        identities.append((figures.report_id, figures.path, figures.agency, figures.year, figures.parent,
                           figures.format, figures.status))
        totals.add(figures)
        values, assumed = cell_values(figures, blank_cells)
        needed.append(({k: v for k, v in values.items() if k in _NEEDED}, assumed & _NEEDED))
    out = Figures(store, selection, blank_cells, identities)
    reports = pd.DataFrame(identities, columns=["id", "path", "agency", "year", "parent", "format", "status"])
    reports["year"] = reports["year"].astype("Int64")
    out.totals = totals.rows()
    out.indicators = _indicators(store, reports, needed, blank_cells, pd)
    out.frame = reports.assign(a1=pd.array([v.get(_YOY_KEY) for v, _ in needed], dtype="Int64"))
    if expected is None:
        expected = [e for e in (Expected(*row) for row in load_expected(store))
                    if (year is None or e.year == year) and (parent is None or e.parent == parent)]
    published_late = reports_with_rule(store, LATE_RULE)
    late = {row[1] for row in identities if row[0] in published_late}
    reports_seen = [(i[1], i[2], i[3], i[4], i[6]) for i in identities]
    if report_ids is None and (year is not None or parent is not None):
        # an unreadable file has no year or parent in the store: its manifest row's count
        listed = {e.path for e in expected if e.path is not None}
        have = {i[1] for i in identities}
        reports_seen += [(path, None, None, None, "error") for path in unreadable_paths(store)
                         if path in listed and path not in have]
    out.coverage = coverage(expected, reports_seen, late)
    return out


class _Totals:
    """The group sums, built as the pass goes: each report's cells are kept as small integer codes
    (group, cell, status, count) and every CHUNK cells pandas sums them into partial totals, so
    memory does not grow with the batch; `rows()` adds the partials up."""

    CHUNK = 250_000

    def __init__(self, np: Any, pd: Any) -> None:
        self.np, self.pd = np, pd
        self.cells: dict[tuple[str, str, str], int] = {}
        self.groups: dict[tuple[str | None, int | None], int] = {}
        self._new()
        self.partials: list[Any] = []
        self.amounts: list[tuple[int, int, Decimal]] = []
        self._status = {s: i for i, s in enumerate(STATUSES)}

    def _new(self) -> None:
        self.group, self.cell, self.status, self.value = array("i"), array("i"), array("b"), array("q")

    def add(self, figures: ReportFigures) -> None:
        group = self.groups.setdefault((figures.parent, figures.year), len(self.groups))
        codes, status = self.cells, self._status
        for cell in figures.cells:
            code = codes.setdefault((cell.table, cell.row, cell.column), len(codes))
            self.group.append(group)
            self.cell.append(code)
            self.status.append(status[cell.status])
            if cell.status == NUMBER and isinstance(cell.value, Decimal):
                self.amounts.append((group, code, cell.value))
                self.value.append(0)
            else:
                self.value.append(cell.value if cell.status == NUMBER else 0)
        if len(self.group) >= self.CHUNK:
            self._flush()

    def _flush(self) -> None:
        np, pd = self.np, self.pd
        if not len(self.group):
            return
        status = np.frombuffer(self.status, dtype=np.int8)
        code = self._status
        frame = pd.DataFrame({"group": np.frombuffer(self.group, dtype=np.int32),
                              "cell": np.frombuffer(self.cell, dtype=np.int32),
                              "total": np.frombuffer(self.value, dtype=np.int64),
                              "reports": np.ones(len(status), dtype=np.int64),
                              "numbers": (status == code[NUMBER]).astype(np.int64),
                              "blanks": np.isin(status, [code[s] for s in _BLANKS]).astype(np.int64),
                              "unknown": np.isin(status, [code[s] for s in _UNKNOWN]).astype(np.int64)})
        self.partials.append(frame.groupby(["group", "cell"], sort=False).sum())
        self._new()

    def rows(self) -> list[TotalRow]:
        """Every cell summed by parent and year, with the counts by status."""
        self._flush()
        if not self.partials:
            return []
        pd = self.pd
        sums = pd.concat(self.partials).groupby(level=["group", "cell"], sort=False).sum()
        amounts: dict[tuple[int, int], Decimal] = {}
        if self.amounts:
            money = pd.DataFrame(self.amounts, columns=["group", "cell", "amount"])
            amounts = money.groupby(["group", "cell"])["amount"].agg(lambda v: sum(v, Decimal(0))).to_dict()
        cells = {c: key for key, c in self.cells.items()}
        groups = {g: key for key, g in self.groups.items()}
        order = _cell_order()
        out = []
        for (group, cell), total, n, numbers, blanks, unknown in zip(
                sums.index, sums["total"], sums["reports"], sums["numbers"], sums["blanks"], sums["unknown"]):
            parent, year = groups[group]
            table, r, c = cells[cell]
            out.append(TotalRow(parent, year, table, r, c, int(n), amounts.get((group, cell), int(total)),
                                int(numbers), int(blanks), int(unknown)))
        out.sort(key=lambda t: (t.parent or "", t.year or 0, order.get((t.table, f"{t.row}.{t.column}"), (9, 0))))
        return out


def _cell_order() -> dict[tuple[str, str], tuple[int, int]]:
    return {(table, col.key): (t, i) for t, table in enumerate(TABLE_NAMES)
            for i, col in enumerate(sheet_columns(table))}


def _indicators(store: Store, reports: "pd.DataFrame", needed: list[tuple[dict[str, int], set[str]]],
                blank_cells: str, pd: Any) -> list[IndicatorRow]:
    """Every indicator of every report; last year's A1.TOT by a join on (agency, year − 1), from the
    reports at hand or else from the store."""
    own = pd.DataFrame({"agency": reports["agency"], "year": reports["year"],
                        "a1": pd.array([v.get(_YOY_KEY) for v, _ in needed], dtype="Int64"),
                        "assumed": [_YOY_KEY in a for _, a in needed]})
    readable = own[(reports["status"] != "error").to_numpy() & own["agency"].notna().to_numpy()
                   & own["year"].notna().to_numpy()]
    prior = readable.drop_duplicates(["agency", "year"], keep="last")
    have = set(zip(prior["agency"], prior["year"]))
    extra = [_stored_prior(store, agency, int(y) - 1, blank_cells)
             for agency, y in have if (agency, y - 1) not in have]
    prior = pd.concat([prior, pd.DataFrame([e for e in extra if e is not None],
                                           columns=["agency", "year", "a1", "assumed"])], ignore_index=True)
    prior = prior.assign(year=prior["year"].astype("Int64") + 1).rename(columns={"a1": "prev_a1",
                                                                                 "assumed": "prev_assumed"})
    joined = own.merge(prior, on=["agency", "year"], how="left")
    out = []
    for (values, assumed), ident, prev, prev_assumed in zip(needed, reports.itertuples(index=False),
                                                            joined["prev_a1"], joined["prev_assumed"]):
        if ident.status == "error":
            continue
        values, assumed = dict(values), set(assumed)
        if not pd.isna(prev):
            values[PREV + _YOY_KEY] = int(prev)
            if bool(prev_assumed):
                assumed.add(PREV + _YOY_KEY)
        year = None if pd.isna(ident.year) else int(ident.year)
        out.extend(IndicatorRow(ident.path, ident.agency, year, ident.parent, v)
                   for v in indicator_values(values, assumed))
    return out


def _stored_prior(store: Store, agency: str, year: int, blank_cells: str) -> tuple[str, int, int, bool] | None:
    """(agency, year, A1.TOT, assumed zero) of the agency's latest stored report of `year`."""
    found = store.latest(agency, year)
    if found is None or found["status"] == "error":
        return None
    row = next(figure_reports(store, [found["id"]]))
    values, assumed = cell_values(report_figures(row), blank_cells)
    if _YOY_KEY not in values:
        return None
    return agency, year, values[_YOY_KEY], _YOY_KEY in assumed
