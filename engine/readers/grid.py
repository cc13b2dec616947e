"""Tables of structured documents (HTML, DOCX) as lines for the one text parser, and back.

A reader hands over the document as `Block`s in reading order: paragraphs (`SourceLine`) and
tables (`Grid`: rows of cells, each cell holding its own blocks). `flatten` turns them into lines:

- a data table becomes one tab-separated line per row: one field per cell, and an empty field
  where a cell from a row above covers the position (HTML rowspan, Word vMerge). A horizontally
  merged cell is ONE field, not followed by empty ones: the fields after a row label are then
  exactly the row's value cells whatever the label's colspan, so a blank value cell cannot
  shift its neighbours when the text parser lines values up with columns;
- a layout table (a page frame: it holds another table, has a single column or holds long
  prose) is not a table of the report: its cells' blocks are read as paragraphs, in order.

After parsing, `pin_cells` points every table cell of the report at the exact cell element
it was read from (the parser knows lines, that is rows; the reader knows cells).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Union

from xxgk_audit.engine.model.report import Cell, Location, Report
from xxgk_audit.engine.readers import UnsupportedDocument
from xxgk_audit.engine.readers.lines import SourceLine, grid_lines

__all__ = ["Block", "Grid", "GridCell", "GridRow", "CellBudget", "flatten", "pin_cells", "span",
           "MAX_CELLS", "MAX_SPAN", "MAX_NESTING"]

MAX_CELLS = 100_000       # table cells in one document; a report has about 300
MAX_SPAN = 1000           # rowspan/colspan beyond this are clamped (the HTML limit for colspan)
MAX_NESTING = 20          # tables inside tables deeper than this: the document is refused
_LAYOUT_CELL_CHARS = 300  # a cell with more text than this is prose: its table frames the page
_LEADING_DIGITS = re.compile(r"\s*(\d{1,7})")
_CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")


@dataclass
class GridCell:
    blocks: list[Block]               # paragraphs (and nested tables) inside the cell
    location: Location                # the cell element
    colspan: int = 1
    rowspan: int = 1                  # rows this cell covers (HTML); Word marks covered cells instead
    covered: bool = False             # a Word vMerge continuation: the cell above covers it

    @cached_property
    def text(self) -> str:
        """The cell's paragraphs as one line (asked once the cell is complete): joined by a space,
        or by nothing between two CJK characters (「商业」/「企业」 is 「商业企业」, as it reads)."""
        text = ""
        for b in self.blocks:
            if isinstance(b, SourceLine) and b.text:
                glue = "" if not text or _CJK.match(text[-1]) and _CJK.match(b.text[0]) else " "
                text += glue + b.text
        return text


@dataclass
class GridRow:
    cells: list[GridCell]
    location: Location                # the row element


@dataclass
class Grid:
    rows: list[GridRow] = field(default_factory=list)


Block = Union[SourceLine, Grid]
Pins = dict[str, list[GridCell | None]]   # row element -> its fields' cells (None: a covered position)


class CellBudget:
    """Counts the table cells of a document and checks table nesting: past the limits
    (MAX_CELLS, MAX_NESTING) the document is refused."""

    def __init__(self) -> None:
        self.used = 0

    def take(self) -> None:
        self.used += 1
        if self.used > MAX_CELLS:
            raise UnsupportedDocument(f"表格单元格过多（超过 {MAX_CELLS} 个），未读取")

    @staticmethod
    def nest(depth: int) -> None:
        if depth > MAX_NESTING:
            raise UnsupportedDocument(f"表格嵌套过深（超过 {MAX_NESTING} 层），未读取")


def span(value: str | None) -> int:
    """A rowspan/colspan/gridSpan attribute as a count: 1 when absent or invalid, at most MAX_SPAN."""
    if not value:
        return 1
    digits = _LEADING_DIGITS.match(value)
    return min(max(int(digits[1]), 1), MAX_SPAN) if digits else 1


def flatten(blocks: list[Block]) -> tuple[list[SourceLine], Pins]:
    """Lines for `read_lines`, and for each table row (by element) the cell behind each field."""
    lines: list[SourceLine] = []
    pins: Pins = {}
    _flatten(blocks, lines, pins)
    return lines, pins


def _flatten(blocks: list[Block], lines: list[SourceLine], pins: Pins) -> None:
    for block in blocks:
        if isinstance(block, SourceLine):
            lines.append(block)
        elif _is_layout(block):
            for row in block.rows:
                for cell in row.cells:
                    if not cell.covered:
                        _flatten(cell.blocks, lines, pins)
        else:
            rows = _fields(block)
            # a row of one cell gets an empty second field: a tab keeps it a table row, which the
            # parser does not split at spaces
            texts = [[c.text if c else "" for c in cells] + [""] * (len(cells) == 1) for cells in rows]
            lines.extend(grid_lines(texts, lambda r: block.rows[r].location))
            for row, cells in zip(block.rows, rows):
                pins[row.location.element or ""] = cells


def _is_layout(grid: Grid) -> bool:
    cells = [c for row in grid.rows for c in row.cells if not c.covered]
    return (any(isinstance(b, Grid) for c in cells for b in c.blocks)
            or all(len(row.cells) <= 1 for row in grid.rows)
            or any(len(c.text) > _LAYOUT_CELL_CHARS for c in cells))


def _fields(grid: Grid) -> list[list[GridCell | None]]:
    """Each row's fields: its cells, with None where a cell from above covers the position."""
    out: list[list[GridCell | None]] = []
    above: dict[int, tuple[GridCell, int]] = {}     # column -> (cell, rows it still covers)
    for r, row in enumerate(grid.rows):
        fields: list[GridCell | None] = []
        below: dict[int, tuple[GridCell, int]] = {}
        cells = iter(row.cells)
        col = 0
        while True:
            if col in above:
                cell, left = above[col]
                fields.append(None)
                if left > 1:
                    below[col] = (cell, left - 1)
                col += cell.colspan
                continue
            cell = next(cells, None)
            if cell is None:
                later = [c for c in above if c > col]
                if not later:
                    break
                fields.append(None)                   # a hole before a cell that covers from above
                col = min(later)
                continue
            fields.append(None if cell.covered else cell)
            rows_left = min(cell.rowspan, len(grid.rows) - r)      # clipped to the table's real size
            if rows_left > 1:
                below[col] = (cell, rows_left - 1)
            col += cell.colspan
        out.append(fields)
        above = below
    return out


def pin_cells(report: Report, pins: Pins) -> None:
    """Point each table cell of the report at the cell element its value was read from.

    The parser read a row's values as a run of consecutive fields after the row's label (all the
    fields of a row without a label); the run is found again by the cells' raw text.
    """
    for table in report.tables.values():
        labels: dict[str, set[str]] = {}
        for lm in table.labels:
            labels.setdefault(lm.location.element or "", set()).add(lm.written)
        rows: dict[str, list[Cell]] = {}
        for cell in table.cells.values():
            if cell.location.element in pins:
                rows.setdefault(cell.location.element, []).append(cell)
        for element, cells in rows.items():
            fields = pins[element]
            texts = [" ".join(f.text.split()) if f else "" for f in fields]
            written = labels.get(element, set())
            first = 1 + max((i for i, t in enumerate(texts) if t in written), default=-1)
            start = _find_run(texts, [c.raw for c in cells], first)
            if start is None:
                continue
            for cell, found in zip(cells, fields[start:]):
                if found is not None:
                    cell.location = Location(found.location.line, found.location.page, found.location.element)


def _find_run(texts: list[str], raws: list[str], first: int) -> int | None:
    for start in range(first, len(texts) - len(raws) + 1):
        if all(texts[start + k] == raw for k, raw in enumerate(raws)):
            return start
    return None
