"""Tables: 表二, 表三 and 表四 read from classified lines by their labels, not by position.

A row label is followed by its values, on the same line (tab or pipe separated, or PDF text split
by spaces) or on the following lines (one cell per line). Values are mapped to the row's columns
in template order; blank fields are cells too (a blank cell is not a missing one).

Longer than most modules: the three tables share the row reading (values on the label's line or
one per line, merged columns, wrapped labels), and apart they would repeat it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from xxgk_audit.engine.model import template
from xxgk_audit.engine.model.labels import Match
from xxgk_audit.engine.model.normalize import parse_cell
from xxgk_audit.engine.model.report import Cell, LabelMatch, Location, Table
from xxgk_audit.engine.readers.classify import (INDEX, UNSEEN, Entry, Line, entries_of, format_only, is_note,
                                                split_fields, value_like)

__all__ = ["Builder", "read_disclosure", "read_applications", "read_review_litigation"]


_B6_SINGLE = template.APPLICATIONS_2019.row("B6").label
_RL_CELLS = [(row.key, col.key) for row in template.REVIEW_LITIGATION.rows for col in row.columns]
_SUBTOTAL = re.compile(r"小计|合计")


# ==== cells =====================================================================================
_LOOKAHEAD = 24          # lines searched for the cells of a one-cell-per-line row


@dataclass
class Builder:
    """A table being read: what becomes a `model.Table`, plus the line span it covers."""

    name: str
    source: list[Line]                  # the lines parsed: their locations are the cells' locations
    table: Table = field(init=False)
    lines: set[int] = field(default_factory=set)
    evidence: dict[str, list[str]] = field(default_factory=lambda: {f: [] for f in template.FORMATS})

    def __post_init__(self) -> None:
        self.table = Table(self.name, None)

    def at(self, no: int) -> Location:
        """The source location of parsed line `no`."""
        return self.source[no - 1].location

    def label(self, role: str, key: str, written: str, found: Match, line: int) -> None:
        self.table.labels.append(LabelMatch(self.name, role, key, written, found.template,
                                            round(found.score, 4), self.at(line)))
        self.lines.add(line)
        for fmt, label in format_only(found.template):
            if label not in self.evidence[fmt]:
                self.evidence[fmt].append(label)

    def put(self, row: str, columns: Sequence[str | None], values: list[tuple[str, int]]) -> None:
        for col, (raw, line) in zip(columns, values):
            self.lines.add(line)
            if col is None:
                continue
            value, kind = (None, "unseen") if raw.startswith(UNSEEN) else parse_cell(raw)
            self.table.cells[(row, col)] = Cell(value, raw.removeprefix(UNSEEN), kind, self.at(line))
            if col not in self.table.columns_found:
                self.table.columns_found.append(col)
        if row not in self.table.rows_found:
            self.table.rows_found.append(row)

    def result(self) -> Table | None:
        """The table, or None when nothing but column headers was seen (those alone are ambiguous)."""
        t = self.table
        if not (t.cells or t.extra_rows or t.note_present or any(lm.role != "column" for lm in t.labels)):
            return None
        self.table.location = self.at(min(self.lines)) if self.lines else Location()
        found = [f for f in template.FORMATS if self.evidence[f]]
        self.table.format = found[0] if len(found) == 1 else ("mixed" if found else None)
        return self.table


def _row_values(lines: list[Line], li: int, fi: int, n: int) -> tuple[list[tuple[str, int]], int]:
    """The cells after the label in field `fi` of line `li`, and the index of the last line used.

    Values on the label's own line win; otherwise the cells come one (or a few) per line from
    the following lines, up to the next label or prose line.
    """
    line = lines[li]
    after = line.fields[fi + 1:]
    skip = 0
    while skip < len(after) and is_note(after[skip]):
        skip += 1
    after = after[skip:]
    if any(value_like(f) for f in after):
        return [(f, line.no) for f in after], li
    found: list[tuple[str, int]] = []
    filled = 0
    last = li
    for j in range(li + 1, min(len(lines), li + 1 + _LOOKAHEAD)):
        nxt = lines[j]
        if nxt.kind == "blank":
            continue
        if nxt.kind == "text" and not found and not nxt.labels:
            tail = _wrapped_label_tail(nxt.fields)        # 「…只计这一情\n形,不计其他情形) 0 0 …」
            if tail:
                return [(f, nxt.no) for f in tail], j
        if nxt.kind not in ("values", "filler"):
            break
        found.extend((f, nxt.no) for f in nxt.fields)
        filled += sum(1 for f in nxt.fields if f)
        last = j
        if filled >= n:         # blank cells may belong to merged columns: read on until n values
            break
    if not any(value_like(raw) for raw, _ in found):
        if _cells_apart(line) and len(after) >= n:     # a table row of blank cells: blank, not absent
            return [(f, line.no) for f in after], li
        return [], li
    return found, last


def _cells_apart(line: Line) -> bool:
    """A line whose cells are marked off (tabs or pipes): its empty fields are blank cells."""
    return "\t" in line.text or "|" in line.text or "｜" in line.text


def _wrapped_label_tail(fields: list[str]) -> list[str]:
    """The values of a line that starts with the rest of a wrapped row label, else []."""
    k = 0
    while k < len(fields) and fields[k] and not value_like(fields[k]):
        k += 1
    tail = fields[k:]
    return tail if 0 < k and tail and all(not f or value_like(f) for f in tail) else []


def _fit(values: list[tuple[str, int]], n: int) -> tuple[list[tuple[str, int]], int]:
    """Exactly the row's cells: blank fields of merged columns dropped at the end, then the start.

    Returns the cells (at most n) and how many surplus values were dropped.
    """
    start, end = 0, len(values)
    while end - start > n and not values[end - 1][0].strip():
        end -= 1
    while end - start > n and not values[start][0].strip():
        start += 1
    kept = values[start:end]
    return kept[:n], max(0, len(kept) - n)


# ==== disclosure (表二) =========================================================================
def read_disclosure(lines: list[Line], year_format: str | None, notes: list[str]) -> Builder:
    b = Builder("disclosure", lines)
    header: list[str | None] = []
    anchored = False            # rows count only after a caption or a "信息内容" header
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        if line.kind != "label":
            continue
        row_at: tuple[int, Match, list[Entry]] | None = None
        header_here = False     # a header read on this line took its later fields (linear on long lines)
        for fi, found in line.labels:
            entries = entries_of(found, "disclosure")
            roles = {e.role for e in entries}
            if "caption" in roles:
                b.label("caption", entries[0].key, line.fields[fi], found, line.no)
                header, anchored = [], True
            elif "header" in roles and not header_here:
                b.lines.add(line.no)
                header, i = _disclosure_header(lines, i - 1, fi, b)
                anchored = header_here = True
            elif "row" in roles:
                row_at = (fi, found, [e for e in entries if e.role == "row"])
        if row_at is not None and anchored:
            i = _disclosure_row(lines, i - 1, row_at, header, year_format, b, notes) + 1
    return b


def _disclosure_header(lines: list[Line], li: int, fi: int, b: Builder) -> tuple[list[str | None], int]:
    """Column keys of a "信息内容" header row (same line or one header per line); next line index."""
    columns: list[str | None] = []
    line = lines[li]
    labels = dict(line.labels)
    for j in range(fi + 1, len(line.fields)):
        if line.fields[j]:
            columns.append(_disclosure_column(labels.get(j), line.fields[j], line.no, b))
    if columns:
        return columns, li + 1
    j = li + 1
    while j < len(lines) and lines[j].kind in ("label", "blank", "filler"):
        nxt = lines[j]
        cols = [entries_of(m, "disclosure", ("column",)) for _, m in nxt.labels]
        if nxt.kind == "label" and not all(cols):
            break
        for fj, found in nxt.labels:
            columns.append(_disclosure_column(found, nxt.fields[fj], nxt.no, b))
        j += 1
    return columns, j


def _disclosure_column(found: Match | None, written: str, line: int, b: Builder) -> str | None:
    entries = entries_of(found, "disclosure", ("column",)) if found else []
    if not entries:
        return None
    b.label("column", entries[0].key, written, found, line)
    return entries[0].key


def _disclosure_row(lines: list[Line], li: int, row_at: tuple[int, Match, list[Entry]],
                    header: list[str | None], year_format: str | None, b: Builder,
                    notes: list[str]) -> int:
    fi, found, entries = row_at
    line = lines[li]
    key = entries[0].key
    b.label("row", key, line.fields[fi], found, line.no)
    columns: list[str | None] = list(header)
    if not columns or None in columns:
        formats = {e.fmt for e in entries}
        fmt = next(iter(formats)) if len(formats) == 1 else _majority(b.evidence) or year_format
        if fmt is None:
            fmt = "2019" if len(_row_values(lines, li, fi, 3)[0]) >= 3 else "2021"
        columns = [c.key for c in _template_row("disclosure", key, fmt).columns]
    values, last = _row_values(lines, li, fi, len(columns))
    cells, surplus = _fit(values, len(columns))
    if surplus:
        notes.append(f"disclosure {key} (line {line.no}): {surplus} surplus value(s) ignored")
    b.put(key, columns, cells)
    return last


def _template_row(table: str, key: str, fmt: str) -> template.Row:
    for f in (fmt, *template.FORMATS):
        lay = template.layout(table, f)
        if key in lay.row_keys():
            return lay.row(key)
    raise KeyError(key)


def _majority(evidence: dict[str, list[str]]) -> str | None:
    counts = {f: len(v) for f, v in evidence.items() if v}
    if not counts:
        return None
    return max(counts, key=lambda f: counts[f])


# ==== applications (表三) =======================================================================
_APP_COLUMNS = [c.key for c in template.APPLICANT_COLUMNS]


def read_applications(lines: list[Line], notes: list[str]) -> Builder:
    b = Builder("applications", lines)
    order: list[str] = []         # header order of the columns between 自然人 and 总计 (incl. 小计)
    rows_started = False
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        if line.kind == "blank" or not line.fields:
            continue
        if "勾稽" in line.simp and len(line.text.strip()) <= 80:
            b.table.note_present = True
            b.lines.add(line.no)
        subtotal = None
        if _SUBTOTAL.search(line.simp):
            subtotal = next((fi for fi, f in enumerate(line.fields) if _SUBTOTAL.search(f)), None)
        row_at = None
        for fi, found, written in _app_labels(lines, i - 1, rows_started):
            entries = entries_of(found, "applications")
            if not entries:
                continue
            role = "row" if any(e.role == "row" for e in entries) else entries[0].role
            if role in ("row", "group"):
                if row_at is not None and row_at[2][0].role == "group":
                    b.label("caption", row_at[2][0].key, line.fields[row_at[0]], row_at[1], line.no)
                row_at = (fi, found, entries)
            elif not rows_started:
                b.label("caption" if role == "header" else "column", entries[0].key, written, found,
                        line.no)
                if role == "column" and entries[0].key not in ("NP", "TOT"):
                    order.append(entries[0].key)
        if subtotal is not None and (row_at is None or row_at[0] <= subtotal):
            if _row_values(lines, i - 1, subtotal, 1)[0]:
                rows_started = True
                i = _extra_row(lines, i - 1, subtotal, _columns(order), b) + 1
            elif not rows_started:
                b.table.extra_columns.append(line.fields[subtotal])
                b.lines.add(line.no)
                order.append("")
            continue
        if row_at is not None:
            rows_started = True
            i = _application_row(lines, i - 1, row_at, _columns(order), b, notes) + 1
    if b.table.extra_columns:
        notes.append("applications: subtotal column(s) " + "、".join(b.table.extra_columns)
                     + " not kept as cells")
    _settle_b6(b)
    return b


def _settle_b6(b: Builder) -> None:
    """「（六）其他处理」 with values is the 2019 single row, unless the 2021 sub-rows follow it:
    then it was their subtotal."""
    t = b.table
    if "B6" not in t.rows_found:
        return
    if not any(r.startswith("B6_") for r in t.rows_found):
        b.evidence["2019"].append(_B6_SINGLE)
        return
    t.rows_found.remove("B6")
    for cell_key in [k for k in t.cells if k[0] == "B6"]:
        del t.cells[cell_key]
    for lm in t.labels:
        if lm.role == "row" and lm.key == "B6":
            lm.role = "caption"
            t.extra_rows.append(lm.written)


def _app_labels(lines: list[Line], li: int, rows_started: bool) -> list[tuple[int, Match, str]]:
    """(field, match, written) of a line; in the header, headers split over two lines (「商业」
    above 「企业」) are joined up."""
    line = lines[li]
    found = [(fi, m, line.fields[fi]) for fi, m in line.labels]
    if rows_started or li + 1 >= len(lines) or not line.fields:
        return found
    below = lines[li + 1].fields
    matched = {fi for fi, _ in line.labels}
    for fi, cell in enumerate(line.fields):
        if fi in matched or fi >= len(below) or not cell or not below[fi]:
            continue
        joined = INDEX.match(cell + below[fi])
        if joined is not None and entries_of(joined, "applications", ("column",)):
            found.append((fi, joined, f"{cell}\n{below[fi]}"))
    return sorted(found, key=lambda x: x[0])


def _columns(order: list[str]) -> list[str | None]:
    """Column keys in position order; None for a non-standard (小计) column."""
    if "" not in order:
        return list(_APP_COLUMNS)
    middle = [k or None for k in order if k in _APP_COLUMNS[1:-1] or not k]
    return ["NP", *middle, "TOT"]


def _application_row(lines: list[Line], li: int, row_at: tuple[int, Match, list[Entry]],
                     columns: list[str | None], b: Builder, notes: list[str]) -> int:
    fi, found, entries = row_at
    line = lines[li]
    rows = [e for e in entries if e.role == "row"]
    groups = [e for e in entries if e.role == "group"]
    values, last = _row_values(lines, li, fi, len(columns))
    if not values or not rows and not any(value_like(raw) for raw, _ in values):
        if groups:      # a group label (（三）不予公开 …) heading its rows
            b.label("caption", groups[0].key, line.fields[fi], found, line.no)
        return li
    if not rows:        # a group label with values: a subtotal
        return _extra_row(lines, li, fi, columns, b)
    key = rows[0].key
    b.label("row", key, line.fields[fi], found, line.no)
    cells, surplus = _fit(values, len(columns))
    if surplus:
        notes.append(f"applications {key} (line {line.no}): {surplus} surplus value(s) ignored")
    b.put(key, columns, cells)
    return last


def _extra_row(lines: list[Line], li: int, fi: int, columns: list[str | None], b: Builder) -> int:
    """A non-standard row (a subtotal): recorded as written, its values not kept as cells."""
    values, last = _row_values(lines, li, fi, len(columns))
    b.table.extra_rows.append(lines[li].fields[fi])
    for _, line in values:
        b.lines.add(line)
    b.lines.add(lines[li].no)
    return last


# ==== review_litigation (表四) ==================================================================
_RL_SCAN = 40


def _prose(line: Line) -> bool:
    """Prose or a heading, not the (possibly vertical, one character per line) table header."""
    if line.kind != "text":
        return False
    matched = {fi for fi, _ in line.labels}
    return not line.fields or any(len(f) > 10 for fi, f in enumerate(line.fields) if fi not in matched)


def read_review_litigation(lines: list[Line], notes: list[str]) -> Builder:
    b = Builder("review_litigation", lines)
    anchor = next((i for i, line in enumerate(lines) for _, m in line.labels
                   if entries_of(m, "review_litigation", ("row", "header"))), None)
    if anchor is None:
        return b
    values: list[tuple[str, int]] = []
    blank_row: Line | None = None      # a line of 14 tabs (or 15 pipe cells): a row of 15 blank cells
    for line in lines[anchor:anchor + _RL_SCAN]:
        if line.kind == "values" or (values and line.kind == "filler"):
            values.extend((f, line.no) for f in line.fields)
            if len(values) >= 15:
                break
            continue
        if values or _prose(line):
            break
        if blank_row is None and line.kind in ("blank", "filler") and _cells_apart(line) \
                and len(split_fields(line.text)) >= 15:
            blank_row = line
        for fi, found in line.labels:
            entries = entries_of(found, "review_litigation", ("row", "column"))
            if entries:
                b.label(entries[0].role, entries[0].key, line.fields[fi], found, line.no)
        b.lines.add(line.no)
    if not values and blank_row is not None:     # blank cells are blank, not absent
        values = [(f, blank_row.no) for f in split_fields(blank_row.text)]
    if not values:
        return b
    cells, surplus = _fit(values, 15)
    if surplus:
        notes.append(f"review_litigation (line {values[0][1]}): {len(cells) + surplus} values for "
                     f"15 cells, the first 15 kept")
    elif len(cells) < 15:
        notes.append(f"review_litigation (line {values[0][1]}): only {len(cells)} of 15 values")
    for (row, col), (raw, line) in zip(_RL_CELLS, cells):
        b.put(row, [col], [(raw, line)])
    return b
