"""Every value cell of a stored report's 表二/表三/表四, with its status, and the sheet columns.

A cell's `status` says what the report holds there: `number` (the value), `blank` (empty),
`placeholder` ("—", "/", "无"), `unreadable` (text that is not a number), or `missing` (the cell or
its table was not found). Only a number has a value, so a blank is never written as 0.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, NamedTuple

from xxgk_audit.engine.model import template
from xxgk_audit.engine.model.template import AMOUNT, TABLE_NAMES

__all__ = ["STATUSES", "SHEETS", "FigureCell", "ReportFigures", "SheetColumn", "report_figures", "sheet_columns"]

NUMBER, BLANK, PLACEHOLDER, UNREADABLE, MISSING = "number", "blank", "placeholder", "unreadable", "missing"
STATUSES = (NUMBER, BLANK, PLACEHOLDER, UNREADABLE, MISSING)
SHEETS = {"disclosure": "表二", "applications": "表三", "review_litigation": "表四"}


class FigureCell(NamedTuple):      # a tuple: millions are made for a large batch
    table: str
    row: str
    column: str
    value: int | Decimal | None         # None unless status is "number"
    raw: str | None                     # as written; None when the cell was not found
    status: str

    @property
    def key(self) -> str:
        return f"{self.row}.{self.column}"


@dataclass(frozen=True)
class ReportFigures:
    """A stored report's identity and cells (in its format's template order, then any others read)."""

    report_id: int
    path: str
    agency: str | None
    year: int | None
    parent: str | None
    format: str | None
    status: str                         # the audit's: "pass" | "fail" | "error"
    cells: tuple[FigureCell, ...]

    def by_key(self) -> dict[str, FigureCell]:
        return {cell.key: cell for cell in self.cells}


@dataclass(frozen=True)
class SheetColumn:
    """A cell's column on the 表二/表三/表四 sheets: two header levels, as in the template."""

    table: str
    row: str
    column: str
    group: str          # level 1: the row's label (its item or group first)
    header: str         # level 2: the column's header, with the format when only one has it

    @property
    def key(self) -> str:
        return f"{self.row}.{self.column}"


def report_figures(row: dict[str, Any]) -> ReportFigures:
    """The figures of a store row (engine/batch/store.py:figure_reports)."""
    values = json.loads(row["tables_json"]) if row["tables_json"] else {}
    cells = json.loads(row["cells_json"]) if row["cells_json"] else {}
    out: list[FigureCell] = []
    if row["status"] != "error":
        for table in TABLE_NAMES:
            got, read = values.get(table, {}), cells.get(table, {})
            keys = _layout_keys(table, row["format"])
            extra = [k for k in read if k not in keys]
            out.extend(_cell(table, key, got.get(key), read.get(key), amount)
                       for key, amount in (*keys.items(), *((k, _is_amount(table, k)) for k in extra)))
    return ReportFigures(row["id"], row["path"], row["agency"], row["year"], row["parent"], row["format"],
                         row["status"], tuple(out))


def _cell(table: str, key: str, value: Any, read: list[str] | None, amount: bool) -> FigureCell:
    row, column = key.split(".", 1)
    raw = read[0] if read else None
    if read is not None and read[1] in (BLANK, PLACEHOLDER):
        # as written: the store's tables hold the audit's presumed zeros, a figure never does
        return FigureCell(table, row, column, None, raw, read[1])
    if value is not None:
        return FigureCell(table, row, column, _exact(value, amount), raw if read else str(value), NUMBER)
    if read is None:
        return FigureCell(table, row, column, None, None, MISSING)
    return FigureCell(table, row, column, None, raw, UNREADABLE)


def _exact(value: Any, amount: bool) -> int | Decimal:
    """Stored counts are ints; money comes back from JSON as a float or an int: the exact decimal."""
    if isinstance(value, float) or amount:
        return Decimal(str(value))
    return int(value)


@functools.lru_cache(maxsize=None)
def _layout_keys(table: str, fmt: str | None) -> dict[str, bool]:
    """{"ROW.COL": is money} of a table's cells in the format's template order."""
    return {f"{r}.{c}": _is_amount(table, f"{r}.{c}") for r, c in template.layout(table, fmt).cell_keys()}


_AMOUNTS = {f"{r.key}.{c.key}" for fmt in template.FORMATS for r in template.layout("disclosure", fmt).rows
            for c in r.columns if c.value_type == AMOUNT}


def _is_amount(table: str, key: str) -> bool:
    return table == "disclosure" and key in _AMOUNTS


def sheet_columns(table: str) -> list[SheetColumn]:
    """The cells of both formats, in template order (2021's, with 2019's own cells where their row is)."""
    by_format = {fmt: template.layout(table, fmt) for fmt in ("2021", "2019")}
    keys = {fmt: set(lay.cell_keys()) for fmt, lay in by_format.items()}
    rows: list[template.Row] = []
    for fmt in ("2021", "2019"):
        for r in by_format[fmt].rows:
            if all(r.key != have.key for have in rows):
                _insert_row(rows, r, by_format[fmt])
    out = []
    for r in rows:
        columns: list[template.Column] = []
        for fmt in ("2021", "2019"):
            if any(x.key == r.key for x in by_format[fmt].rows):
                columns += [c for c in by_format[fmt].row(r.key).columns if all(c.key != x.key for x in columns)]
        for c in columns:
            only = [fmt for fmt in ("2019", "2021") if (r.key, c.key) in keys[fmt]]
            header = c.header if len(only) == 2 else f"{c.header}（{only[0]}年版）"
            group = f"{r.group}·{r.label}" if r.group and table == "applications" and r.group.startswith("（") \
                else r.label
            out.append(SheetColumn(table, r.key, c.key, group, header))
    return out


def _insert_row(rows: list[template.Row], row: template.Row, layout: template.TableLayout) -> None:
    """Put a row of the other format after the row that precedes it in its own layout."""
    order = layout.row_keys()
    before = order[:order.index(row.key)]
    at = max((i + 1 for i, r in enumerate(rows) if r.key in before), default=0)
    rows.insert(at, row)

