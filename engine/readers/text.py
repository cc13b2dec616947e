"""Plain-text reader: a report as text (copied from HTML, PDF or Word) into a `Report`.

Tables are found by their labels, not by position: a row label (matched against both formats'
labels) is followed by its values, on the same line (tab or pipe separated, or PDF text split by
spaces) or on the following lines (one cell per line). Values are mapped to the row's columns in
template order. Sections are found by their "一、…" headings, including headings glued to the end
of a line or several on one line. The reader never judges and never raises: problems become
`report.notes`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path

from xxgk_audit.engine.model import template
from xxgk_audit.engine.model.labels import T2S, LabelIndex, Match, normalize_label, similarity, strip_pinyin
from xxgk_audit.engine.model.report import Cell, LabelMatch, Location, Report, Section, Table
from xxgk_audit.engine.model.normalize import TRANSLATION, decode_document, normalize_newlines, parse_cell
from xxgk_audit.engine.model.reading import note_replaced

__all__ = ["read_text"]


# ==== template labels ===========================================================================
@dataclass(frozen=True, slots=True, eq=False)    # compared and hashed by identity: cheap cache keys
class _Entry:
    table: str
    role: str               # "row" | "column" | "caption" | "group" | "header"
    key: str
    fmt: str | None         # the format that prints this label with this role; None = both


def _group_key(rows: Sequence[template.Row], group: str) -> str:
    keys = [r.key for r in rows if r.group == group]
    return os.path.commonprefix(keys).rstrip("_") if keys else group


def _entries() -> Iterable[tuple[str, _Entry]]:
    for fmt in template.FORMATS:
        disclosure = template.layout("disclosure", fmt)
        for row in disclosure.rows:
            yield row.label, _Entry("disclosure", "row", row.key, fmt)
        for col in disclosure.columns:
            yield col.header, _Entry("disclosure", "column", col.key, fmt)
        apps = template.layout("applications", fmt)
        for row in apps.rows:
            yield row.label, _Entry("applications", "row", row.key, fmt)
        for group in apps.group_labels:
            yield group, _Entry("applications", "group", _group_key(apps.rows, group), fmt)
    for item, caption in template.ITEM_CAPTIONS.items():
        yield caption, _Entry("disclosure", "caption", item, "2019" if item == "9" else None)
    yield "信息内容", _Entry("disclosure", "header", "信息内容", None)
    for col in template.APPLICANT_COLUMNS:
        yield col.header, _Entry("applications", "column", col.key, None)
    for header in template.APPLICANT_HEADERS:
        yield header, _Entry("applications", "header", header, None)
    for key, header in template.RL_GROUP_HEADERS.items():
        yield header, _Entry("review_litigation", "row", key, None)
    yield "行政诉讼", _Entry("review_litigation", "header", "行政诉讼", None)
    for col in template.RL_COLUMNS:
        yield col.header, _Entry("review_litigation", "column", col.key, None)


def _build_index() -> LabelIndex[tuple[_Entry, ...]]:
    grouped: dict[str, tuple[str, list[_Entry]]] = {}
    for label, entry in _entries():
        grouped.setdefault(normalize_label(label), (label, []))[1].append(entry)
    return LabelIndex((label, tuple(entries)) for label, entries in grouped.values())


_INDEX = _build_index()
_FORMAT_ONLY = [(fmt, label, normalize_label(label))
                for fmt, labels in template.FORMAT_ONLY_LABELS.items() for label in labels]


@lru_cache(maxsize=256)
def _format_only(template_label: str) -> tuple[tuple[str, str], ...]:
    """(format, label) pairs of template.FORMAT_ONLY_LABELS that `template_label` is evidence for."""
    key = normalize_label(template_label)
    return tuple((fmt, label) for fmt, label, only in _FORMAT_ONLY if key == only or key.startswith(only))


_B6_SINGLE = template.APPLICATIONS_2019.row("B6").label
_SECTION_TITLES = {n: (title, *template.SECTION_VARIANTS.get(n, ()))
                   for n, title in template.SECTION_TITLES.items()}
_RL_CELLS = [(row.key, col.key) for row in template.REVIEW_LITIGATION.rows for col in row.columns]

# ==== lines =====================================================================================
_SIMPLIFY = {**TRANSLATION, **T2S}


def _simp(text: str) -> str:
    """normalize_text + to_simplified in one pass: same length as `text`, offsets shared."""
    return text.translate(_SIMPLIFY)


_NBSP = re.compile(r"&nbsp;?|&#160;", re.IGNORECASE)
_CJK = re.compile(r"[\u3400-\u9fff]")
_DIGIT = re.compile(r"\d")
_SUBTOTAL = re.compile(r"小计|合计")
_VALUE_KINDS = frozenset({"int", "signed", "decimal", "unit", "placeholder"})
_MAX_LABEL = 60          # longer fields are prose, not labels
_MAX_PROSE_ROW = 150     # a line without tabs/pipes longer than this is prose


@dataclass(slots=True)
class _Line:
    no: int                 # 1-based line number in the source
    text: str               # as written, minus pinyin glosses and &nbsp;
    simp: str               # normalize_text + to_simplified(text): same length, offsets shared
    fields: list[str]       # cells as written; [] for prose
    kind: str               # "blank" | "filler" | "values" | "label" | "text"
    labels: list[tuple[int, Match[tuple[_Entry, ...]]]] = field(default_factory=list)


def _split(text: str) -> list[str]:
    """Cells of a table-like line: tab-separated, pipe-separated, or PDF text split by spaces."""
    if "\t" in text:
        return [f.strip() for f in text.rstrip("\r\n").split("\t")]
    stripped = text.strip().replace("｜", "|")
    if "|" in stripped:
        if not stripped.replace("|", "").strip():
            return [""] * stripped.count("|")          # "|", "||": empty cells of merged columns
        pieces = stripped.split("|")
        if stripped.startswith("|"):
            pieces = pieces[1:]
        if stripped.endswith("|"):
            pieces = pieces[:-1]
        return [p.strip() for p in pieces]
    return stripped.split()


def _value_like(raw: str) -> bool:
    kind = parse_cell(raw)[1]
    return kind in _VALUE_KINDS or (kind == "unreadable" and _DIGIT.search(raw) is not None)


def _is_note(raw: str) -> bool:
    """A fragment of words after a row label (a note in its own cell, a label split by PDF)."""
    return len(_CJK.findall(raw)) >= 4 and not _DIGIT.search(raw)


def _make_line(no: int, raw: str) -> _Line:
    text, simp, fields, kind, labels = _analyse(raw)
    return _Line(no, text, simp, fields, kind, labels)


@lru_cache(maxsize=4096)
def _analyse(raw: str) -> tuple[str, str, list[str], str, list[tuple[int, Match[tuple[_Entry, ...]]]]]:
    """What a line holds, cached by its text: table rows repeat from one report to the next.

    The lists returned are shared between lines with the same text; readers never mutate them.
    """
    if not raw or raw.isspace():
        return raw, raw, [], "blank", []
    text = strip_pinyin(raw)
    if "&" in text:
        text = _NBSP.sub(" ", text)
    simp = _simp(text)
    stripped = text.strip()
    if not stripped:
        return text, simp, [], "blank", []
    tabular = "\t" in text or "|" in text or "｜" in text
    if not tabular and (len(stripped) > _MAX_PROSE_ROW or "。" in stripped):
        return text, simp, [], "text", []
    fields = _split(text)
    labels: list[tuple[int, Match[tuple[_Entry, ...]]]] = []
    values = other = 0
    for i, cell in enumerate(fields):
        if not cell:
            continue
        if len(cell) <= _MAX_LABEL and _CJK.search(cell):
            found = _INDEX.match(cell)
            if found is not None:
                labels.append((i, found))
                continue
        if _value_like(cell):
            values += 1
        else:
            other += 1
    if labels:
        kind = "label"
    elif values and not other:
        kind = "values"
    elif not values and not other:
        kind = "filler"
    else:
        kind = "text"
    return text, simp, fields, kind, labels


def _lines(text: str) -> list[_Line]:
    return [_make_line(no, raw) for no, raw in enumerate(text.split("\n"), 1)]


def _entries_of(found: Match[tuple[_Entry, ...]], table: str, roles: tuple[str, ...] = ()) -> list[_Entry]:
    """The template entries of a matched label that belong to `table` (and have one of `roles`)."""
    return _select(found.payload, table, roles)


@lru_cache(maxsize=1024)
def _select(payload: tuple[_Entry, ...], table: str, roles: tuple[str, ...]) -> list[_Entry]:
    return [e for e in payload if e.table == table and (not roles or e.role in roles)]


# ==== cells =====================================================================================
_LOOKAHEAD = 24          # lines searched for the cells of a one-cell-per-line row


@dataclass
class _Builder:
    """A table being read: what becomes a `model.Table`, plus the line span it covers."""

    name: str
    table: Table = field(init=False)
    lines: set[int] = field(default_factory=set)
    evidence: dict[str, list[str]] = field(default_factory=lambda: {f: [] for f in template.FORMATS})

    def __post_init__(self) -> None:
        self.table = Table(self.name, None)

    def label(self, role: str, key: str, written: str, found: Match, line: int) -> None:
        self.table.labels.append(LabelMatch(self.name, role, key, written, found.template,
                                            round(found.score, 4), Location(line=line)))
        self.lines.add(line)
        for fmt, label in _format_only(found.template):
            if label not in self.evidence[fmt]:
                self.evidence[fmt].append(label)

    def put(self, row: str, columns: Sequence[str | None], values: list[tuple[str, int]]) -> None:
        for col, (raw, line) in zip(columns, values):
            self.lines.add(line)
            if col is None:
                continue
            value, kind = parse_cell(raw)
            self.table.cells[(row, col)] = Cell(value, raw, kind, Location(line))
            if col not in self.table.columns_found:
                self.table.columns_found.append(col)
        if row not in self.table.rows_found:
            self.table.rows_found.append(row)

    def result(self) -> Table | None:
        """The table, or None when nothing but column headers was seen (those alone are ambiguous)."""
        t = self.table
        if not (t.cells or t.extra_rows or t.note_present or any(lm.role != "column" for lm in t.labels)):
            return None
        first = min(self.lines) if self.lines else None
        self.table.location = Location(line=first)
        found = [f for f in template.FORMATS if self.evidence[f]]
        self.table.format = found[0] if len(found) == 1 else ("mixed" if found else None)
        return self.table


def _row_values(lines: list[_Line], li: int, fi: int, n: int) -> tuple[list[tuple[str, int]], int]:
    """The cells after the label in field `fi` of line `li`, and the index of the last line used.

    Values on the label's own line win; otherwise the cells come one (or a few) per line from
    the following lines, up to the next label or prose line.
    """
    line = lines[li]
    after = line.fields[fi + 1:]
    skip = 0
    while skip < len(after) and _is_note(after[skip]):
        skip += 1
    after = after[skip:]
    if any(_value_like(f) for f in after):
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
    if not any(_value_like(raw) for raw, _ in found):
        if "\t" in line.text and len(after) >= n:      # a table row of blank cells: unknown, not absent
            return [(f, line.no) for f in after], li
        return [], li
    return found, last


def _wrapped_label_tail(fields: list[str]) -> list[str]:
    """The values of a line that starts with the rest of a wrapped row label, else []."""
    k = 0
    while k < len(fields) and fields[k] and not _value_like(fields[k]):
        k += 1
    tail = fields[k:]
    return tail if 0 < k and tail and all(not f or _value_like(f) for f in tail) else []


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
def _read_disclosure(lines: list[_Line], year_format: str | None, notes: list[str]) -> _Builder:
    b = _Builder("disclosure")
    header: list[str | None] = []
    anchored = False            # rows count only after a caption or a "信息内容" header
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        if line.kind != "label":
            continue
        row_at: tuple[int, Match, list[_Entry]] | None = None
        header_here = False     # a header read on this line took its later fields (linear on long lines)
        for fi, found in line.labels:
            entries = _entries_of(found, "disclosure")
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


def _disclosure_header(lines: list[_Line], li: int, fi: int, b: _Builder) -> tuple[list[str | None], int]:
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
        cols = [_entries_of(m, "disclosure", ("column",)) for _, m in nxt.labels]
        if nxt.kind == "label" and not all(cols):
            break
        for fj, found in nxt.labels:
            columns.append(_disclosure_column(found, nxt.fields[fj], nxt.no, b))
        j += 1
    return columns, j


def _disclosure_column(found: Match | None, written: str, line: int, b: _Builder) -> str | None:
    entries = _entries_of(found, "disclosure", ("column",)) if found else []
    if not entries:
        return None
    b.label("column", entries[0].key, written, found, line)
    return entries[0].key


def _disclosure_row(lines: list[_Line], li: int, row_at: tuple[int, Match, list[_Entry]],
                    header: list[str | None], year_format: str | None, b: _Builder,
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


def _read_applications(lines: list[_Line], notes: list[str]) -> _Builder:
    b = _Builder("applications")
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
            entries = _entries_of(found, "applications")
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


def _settle_b6(b: _Builder) -> None:
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


def _app_labels(lines: list[_Line], li: int, rows_started: bool) -> list[tuple[int, Match, str]]:
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
        joined = _INDEX.match(cell + below[fi])
        if joined is not None and _entries_of(joined, "applications", ("column",)):
            found.append((fi, joined, f"{cell}\n{below[fi]}"))
    return sorted(found, key=lambda x: x[0])


def _columns(order: list[str]) -> list[str | None]:
    """Column keys in position order; None for a non-standard (小计) column."""
    if "" not in order:
        return list(_APP_COLUMNS)
    middle = [k or None for k in order if k in _APP_COLUMNS[1:-1] or not k]
    return ["NP", *middle, "TOT"]


def _application_row(lines: list[_Line], li: int, row_at: tuple[int, Match, list[_Entry]],
                     columns: list[str | None], b: _Builder, notes: list[str]) -> int:
    fi, found, entries = row_at
    line = lines[li]
    rows = [e for e in entries if e.role == "row"]
    groups = [e for e in entries if e.role == "group"]
    values, last = _row_values(lines, li, fi, len(columns))
    if not values or not rows and not any(_value_like(raw) for raw, _ in values):
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


def _extra_row(lines: list[_Line], li: int, fi: int, columns: list[str | None], b: _Builder) -> int:
    """A non-standard row (a subtotal): recorded as written, its values not kept as cells."""
    values, last = _row_values(lines, li, fi, len(columns))
    b.table.extra_rows.append(lines[li].fields[fi])
    for _, line in values:
        b.lines.add(line)
    b.lines.add(lines[li].no)
    return last


# ==== review_litigation (表四) ==================================================================
_RL_SCAN = 40


def _prose(line: _Line) -> bool:
    """Prose or a heading, not the (possibly vertical, one character per line) table header."""
    if line.kind != "text":
        return False
    matched = {fi for fi, _ in line.labels}
    return not line.fields or any(len(f) > 10 for fi, f in enumerate(line.fields) if fi not in matched)


def _read_review_litigation(lines: list[_Line], notes: list[str]) -> _Builder:
    b = _Builder("review_litigation")
    anchor = next((i for i, line in enumerate(lines) for _, m in line.labels
                   if _entries_of(m, "review_litigation", ("row", "header"))), None)
    if anchor is None:
        return b
    values: list[tuple[str, int]] = []
    blank_row: _Line | None = None      # a line of 14 tabs: a table row of 15 blank cells
    for line in lines[anchor:anchor + _RL_SCAN]:
        if line.kind == "values" or (values and line.kind == "filler"):
            values.extend((f, line.no) for f in line.fields)
            if len(values) >= 15:
                break
            continue
        if values or _prose(line):
            break
        if blank_row is None and line.kind == "blank" and line.text.count("\t") >= 14:
            blank_row = line
        for fi, found in line.labels:
            entries = _entries_of(found, "review_litigation", ("row", "column"))
            if entries:
                b.label(entries[0].role, entries[0].key, line.fields[fi], found, line.no)
        b.lines.add(line.no)
    if not values and blank_row is not None:     # blank cells are unknown, not absent
        values = [(f, blank_row.no) for f in _split(blank_row.text)]
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


# ==== sections ==================================================================================
_HEADING = re.compile(r"(?:^|(?<=[\s。;!?)」\"#|*]))(?P<num>[一二三四五六七八九十]{1,3})\s*[、.]")
_TITLE_END = re.compile(r"[\s。;:,]")
_CN_DIGITS = {c: i + 1 for i, c in enumerate(template.CHINESE_NUMERALS)}
_APP_ROW_SCORE = 0.85
_MARKUP_CHARS = " \t#*|>"
_MARKUP = re.compile(r"^[#*|>\s]+")


@dataclass
class _Heading:
    number: int
    title: str
    line: int               # index into lines
    start: int              # offset of the numeral in the line
    end: int                # offset just after the title
    score: float
    whole_line: bool


def _cn_int(numeral: str) -> int | None:
    if len(numeral) == 1:
        return _CN_DIGITS.get(numeral)
    tens, _, ones = numeral.partition("十")
    if "十" not in numeral or len(numeral) > 3:
        return None
    return (_CN_DIGITS.get(tens, 1) if tens else 1) * 10 + (_CN_DIGITS.get(ones, 0) if ones else 0)


@lru_cache(maxsize=2048)
def _title_score(number: int, title: str) -> float:
    """How close a heading is to the official title (or an accepted variant) of section `number`."""
    return max((similarity(title, official) for official in _SECTION_TITLES.get(number, ())), default=0.0)


def _is_table_row_label(title: str) -> bool:
    found = _INDEX.match(title)
    return found is not None and found.score >= _APP_ROW_SCORE and bool(
        _entries_of(found, "applications", ("row", "group")))


def _heading_candidates(lines: list[_Line], skip: set[int]) -> list[_Heading]:
    found = []
    for li, line in enumerate(lines):
        if line.no in skip or "、" not in line.simp and "." not in line.simp:
            continue
        for m in _HEADING.finditer(line.simp):
            number = _cn_int(m["num"])
            if number is None:
                continue
            at_start = not line.simp[:m.start()].strip(" \t#|*")
            rest = line.simp[m.end():].strip()
            whole = at_start and len(rest) <= 40 and "。" not in rest.rstrip("。")
            if whole:
                end = len(line.text.rstrip())
            else:
                stop = _TITLE_END.search(line.simp, m.end() + 1, m.end() + 41)
                end = stop.start() if stop else min(len(line.simp), m.end() + 40)
            title = line.text[m.start():end].strip()
            if _is_table_row_label(title):
                continue
            score = _title_score(number, title)
            if score >= (0.6 if at_start else 0.8) or whole:
                found.append(_Heading(number, title, li, m.start(), end, score, whole))
    return found


def _select_headings(candidates: list[_Heading], notes: list[str]) -> tuple[list[_Heading], set[int]]:
    """Strong headings (titles like the template's) first, then short numbered lines in sequence.

    Returns the headings in document order and the line indexes of duplicated headings.
    """
    chosen: dict[int, _Heading] = {}
    strong = [h for h in candidates if h.score >= (0.6 if h.whole_line else 0.8)]
    for h in strong:                # per number the best title, the first of equals
        if h.number not in chosen or h.score > chosen[h.number].score:
            chosen[h.number] = h
    duplicates: set[int] = set()
    for h in strong:
        if chosen[h.number] is not h:
            if h.whole_line:
                duplicates.add(h.line)
            notes.append(f"duplicate heading {h.title!r} at line {h.line + 1} ignored")
    for h in candidates:
        if h.number in chosen or not h.whole_line:
            continue
        pos = (h.line, h.start)
        before = [n for n, c in chosen.items() if (c.line, c.start) < pos]
        after = [n for n, c in chosen.items() if (c.line, c.start) > pos]
        in_order = all(n < h.number for n in before) and all(n > h.number for n in after)
        if in_order and (h.number == 1 and not before or h.number - 1 in before):
            chosen[h.number] = h
    return sorted(chosen.values(), key=lambda c: (c.line, c.start)), duplicates


def _section_chunks(lines: list[_Line], heads: list[_Heading], k: int,
                    exclude: set[int]) -> list[tuple[int, str, str]]:
    """(line index, text, simp) pieces of section k's body, table and excluded lines left out."""
    h = heads[k]
    nxt = heads[k + 1] if k + 1 < len(heads) else None
    stop_line = nxt.line if nxt else len(lines) - 1
    chunks = []
    for li in range(h.line, stop_line + 1):
        line = lines[li]
        a = h.end if li == h.line else 0
        z = nxt.start if nxt and li == nxt.line else len(line.text)
        if li != h.line and line.no in exclude:
            continue
        piece = line.text[a:z].strip(_MARKUP_CHARS)
        if piece:
            chunks.append((li, piece, line.simp[a:z].strip(_MARKUP_CHARS)))
    return chunks


# ==== title, year, agency, period ===============================================================
_PAGE_HEADER = re.compile(r"^\s*Page\s*\d+\s*[-–—]\s*(?P<title>.+?)\s*$", re.IGNORECASE)
_TITLE_WORDS = re.compile(r"年度报告|工作报告|年报")
_NOT_TITLE = re.compile(r"根据|依据|本报告|本年度报告|当前位置|首页|>|。|\|")
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*年(?:度)?")
_FIRST_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})")      # also 「20231月1日」
_REPORT_NAME = re.compile(r"(?:政府信息公开|政务公开|信息公开|工作年度报告|年度报告|工作报告|工作情况|年报|报告)")
_AGENCY_END = re.compile(r"(?:局|办公室|委员会|委|政府|办事处|街道|街办|管委会|中心|厅|院|所|办|处|镇|乡|县|市|区|旗|"
                         r"队|站|会|部|署|馆|社|园区|集团|公司)$")
_PUBLISH_VERB = re.compile(r"(?:现予?公布|特?向社会公布|现公开|现予?发布|特编制|编制了|现将)\s*《?"
                           r"(?P<chunk>[^。;,《》]{2,60}?(?:年度报告|工作报告|年报|报告|工作情况))")
_COMPILED_BY = re.compile(r"由(?P<org>[^。;,、由]{2,40}?)(?:负责|组织|牵头)?(?:编制|编写|撰写|根据|依据)")
_PREAMBLE_LIKE = re.compile(r"本(?:年度)?报告|本年报|年度报告")
_PREAMBLE_START = re.compile(r"\s*(?:本(?:年度)?报告|本年报|根据|依据|按照)")
_PREAMBLE_WORDS = re.compile(r"编制|组成|统计|部分|公布")
_CHROME = re.compile(r"当前位置|首页|\s>\s|发布日期|发表日期|来源:|字号|打印|无障碍|[|\t]")
_NARRATIVE_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*年(?:度|以来)?\s*[,，]")
_YEAR_END = re.compile(r"截[止至]\s*((?:19|20)\d{2})\s*年\s*12\s*月\s*31\s*日")
_DATE = r"\d{4}\s*年?\s*\d{1,2}\s*月\s*\d{1,2}\s*日"
_PERIOD = re.compile(rf"(?P<start>{_DATE})\s*起?\s*(?:至|到|—|-|~)\s*(?:\d{{4}}\s*年)?\s*\d{{1,2}}\s*月\s*"
                     r"\d{1,2}\s*日\s*止?")
_CLAUSE_START = re.compile(r"[。;,!?]")
_PUBLISHED = re.compile(r"(?:发布日期|发表日期|发布时间|发文日期|时间)\s*[:|]?\s*\|?\s*"
                        r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")
_PRE2019_MARKERS = ("概述", "工作机构和人员", "公开目录", "收费及减免")


def _agency_like(name: str) -> bool:
    simp = _simp(name)
    return 2 <= len(name) <= 40 and "、" not in simp and _AGENCY_END.search(simp) is not None


def _agency_in_name(text: str, simp: str) -> str | None:
    """The agency in a report's name: 「湛江市司法局2025年政府信息公开工作年度报告」 → 湛江市司法局."""
    m = _YEAR.search(simp)
    pieces = [(0, m.start()), (m.end(), len(simp))] if m else [(0, len(simp))]
    for a, z in pieces:
        if simp[a:a + 1] == "报" and m and a == m.end():
            a += 1                                         # 「2020年报」
        cut = _REPORT_NAME.search(simp, a, z)
        name = text[a:cut.start() if cut else z].strip(" _-—:：《》\t")
        if name and _agency_like(name):
            return name
    return None


def _strip_office(org: str) -> str:
    """「…管理局办公室编制」: the office compiles the bureau's report; the agency is the bureau."""
    return org[:-3] if org.endswith("办公室") and org[:-3].endswith(("局", "厅")) else org


def _find_title(lines: list[_Line], limit: int) -> tuple[str | None, int | None, int]:
    """Title, its line number, and how many title-like lines there are before `limit`."""
    title: str | None = None
    title_no: int | None = None
    count = 0
    for li in range(min(limit, len(lines))):
        line = lines[li]
        page = _PAGE_HEADER.match(line.text)
        text = page["title"] if page else line.text.strip()
        simp = _simp(text)
        if not text or len(text) > 60 or not _TITLE_WORDS.search(simp):
            continue
        if not page and _NOT_TITLE.search(simp):
            continue
        count += 1
        if title is not None:
            continue
        title, title_no = text, line.no
        if not _agency_in_name(text, simp) and li > 0 and not page:
            prev = next((p for p in reversed(lines[max(0, li - 3):li]) if p.text.strip()), None)
            if prev is not None and len(prev.text.strip()) <= 30 and not _NOT_TITLE.search(prev.simp) \
                    and not re.search(r"[,。:;]", prev.simp):
                title, title_no = prev.text.strip() + text, prev.no
    return title, title_no, count


def _find_period(lines: list[_Line], limit: int) -> tuple[str | None, int | None]:
    fallback: tuple[str | None, int | None] = (None, None)
    for li, line in enumerate(lines):
        if "日" not in line.simp:
            continue
        for m in _PERIOD.finditer(line.simp):
            clause_start = 0
            for c in _CLAUSE_START.finditer(line.simp, 0, m.start()):
                clause_start = c.end()
            clause = line.simp[clause_start:m.start()]
            kw = next((clause.find(w) for w in ("统计", "数据") if w in clause), -1)
            if kw >= 0:
                return line.text[clause_start + kw:m.end()].strip(), line.no
            if fallback[0] is None and li < limit:
                fallback = (line.text[m.start():m.end()].strip(), line.no)
    return fallback


def _year_of(text: str | None, pattern: re.Pattern[str] = _YEAR) -> int | None:
    if not text:
        return None
    m = pattern.search(_simp(text))
    if m is None:
        return None
    year = int(m.group(1)[:4])
    return year if 1990 <= year <= 2100 else None


def _preamble_agency(pieces: Iterable[tuple[str, str]]) -> str | None:
    for text, simp in pieces:
        for m in _PUBLISH_VERB.finditer(simp):
            a, z = m.span("chunk")
            name = _agency_in_name(text[a:z], simp[a:z])
            if name:
                return name
        for m in _COMPILED_BY.finditer(simp):
            org = text[m.start("org"):m.end("org")].strip()
            if _agency_like(org):
                return _strip_office(org)
    return None


def _published(lines: list[_Line], limit: int) -> date | None:
    for line in lines[:limit]:
        m = _PUBLISHED.search(line.simp)
        if m:
            try:
                return date(int(m[1]), int(m[2]), int(m[3]))
            except ValueError:
                return None
    return None


# ==== assembling the report =====================================================================
def read_text(source: str | Path, *, text: str | bytes | None = None) -> Report:
    """Read a report given as text: the file at `source`, or `text` (then `source` only names it).

    Never raises: a failure in one stage is recorded in `report.notes` and the rest is returned.
    """
    report = Report(path=str(source), kind="txt")
    try:
        if text is None:
            text = Path(source).read_bytes()
        if isinstance(text, bytes):
            text, encoding, replaced = decode_document(text)
            report.metadata["encoding"] = encoding
            if replaced:
                note_replaced(report.metadata, encoding, replaced)
        report.text = normalize_newlines(text)
    except MemoryError:
        raise                     # the file's READ error (engine/evaluation/budget.py), not a note
    except Exception as exc:  # noqa: BLE001 - the reader must not raise on any input
        report.notes.append(f"could not read {source}: {exc!r}")
        return report
    _parse(report)
    return report


@dataclass
class _State:
    """What the stages of one parse hand on to each other."""

    lines: list[_Line]
    table_lines: set[int] = field(default_factory=set)           # line numbers inside tables
    preamble: list[tuple[str, str]] = field(default_factory=list)  # (text, simp) pieces
    section1: list[tuple[str, str]] = field(default_factory=list)


def _parse(report: Report) -> None:
    try:
        state = _State(_lines(report.text))
    except MemoryError:
        raise
    except Exception as exc:  # noqa: BLE001 - keep what was read, say what failed
        report.notes.append(f"lines: internal error {exc!r}")
        return
    for stage in (_stage_head, _stage_tables, _stage_sections, _stage_agency_year, _stage_format):
        try:
            stage(report, state)
        except MemoryError:
            raise
        except Exception as exc:  # noqa: BLE001
            report.notes.append(f"{stage.__name__[7:]}: internal error {exc!r}")


_HEAD_LINES = 15        # the title and a keyword-less period are looked for in the first lines


def _stage_head(report: Report, state: _State) -> None:
    """Title, statistics period, and the year they state."""
    report.title, report.title_line, count = _find_title(state.lines, _HEAD_LINES)
    report.metadata["title_count"] = count
    report.period_text, report.period_line = _find_period(state.lines, _HEAD_LINES)
    if report.title:
        report.year = _year_of(report.title)
        report.agency = _agency_in_name(report.title, _simp(report.title))
    if report.year is None:
        report.year = _year_of(report.period_text, _FIRST_YEAR)
    published = _published(state.lines, _HEAD_LINES)
    if published:
        report.metadata["published"] = published


def _stage_tables(report: Report, state: _State) -> None:
    year_format = template.expected_format(report.year)
    year_format = year_format if year_format in template.FORMATS else None
    builders = (_read_disclosure(state.lines, year_format, report.notes),
                _read_applications(state.lines, report.notes),
                _read_review_litigation(state.lines, report.notes))
    for b in builders:
        table = b.result()
        if table is None:
            continue
        report.tables[b.name] = table
        state.table_lines.update(range(min(b.lines), max(b.lines) + 1))
        for fmt, labels in b.evidence.items():
            seen = report.format_evidence.setdefault(fmt, [])
            seen.extend(label for label in labels if label not in seen)


def _stage_sections(report: Report, state: _State) -> None:
    """Sections from their headings, the preamble before them (or opening section 一), and a
    heading-less section for each table whose heading is missing."""
    lines = state.lines
    heads, duplicates = _select_headings(_heading_candidates(lines, state.table_lines), report.notes)
    exclude = state.table_lines | {lines[li].no for li in duplicates}
    first = (heads[0].line, heads[0].start) if heads else None
    preamble = _preamble_pieces(lines, first, exclude | {report.title_line})
    bodies = [_section_chunks(lines, heads, k, exclude) for k in range(len(heads))]
    opens_one = bool(heads) and heads[0].number == 1
    if opens_one and bodies[0] and not any(_PREAMBLE_LIKE.search(s) for _, _, s in preamble) \
            and _looks_like_preamble(bodies[0][0][2]):
        preamble = [bodies[0].pop(0)]
        report.notes.append(f"preamble found inside section 一 (line {lines[preamble[0][0]].no})")
    report.preamble = "\n".join(text for _, text, _ in preamble)
    state.preamble = [(text, simp) for _, text, simp in preamble]
    state.section1 = [(text, simp) for _, text, simp in bodies[0]] if opens_one else []
    for k, h in enumerate(heads):
        nxt = heads[k + 1] if k + 1 < len(heads) else None
        report.sections.append(Section(h.number, _MARKUP.sub("", h.title).strip(),
                                       "\n".join(text for _, text, _ in bodies[k]), lines[h.line].no,
                                       _section_end(lines, h, nxt)))
    present = {s.number for s in report.sections}
    for name, table in report.tables.items():
        number = template.TABLE_SECTION[name]
        if number not in present and table.location.line is not None:
            present.add(number)
            report.sections.append(Section(number, "", "", table.location.line, table.location.line,
                                           heading_found=False))
    report.sections.sort(key=lambda s: s.start_line or 0)


def _stage_agency_year(report: Report, state: _State) -> None:
    """The agency named in the preamble; the year from the prose when title and period have none."""
    report.preamble_agency = _preamble_agency(state.preamble)
    report.agency = report.agency or report.preamble_agency
    if report.year is not None:
        return
    prose = [text for text, _ in state.preamble + state.section1]
    if not report.sections:
        prose += [line.text for line in state.lines[:10]]
    for pattern in (_NARRATIVE_YEAR, _YEAR_END):
        report.year = next((year for text in prose if (year := _year_of(text, pattern))), None)
        if report.year is not None:
            return


def _looks_like_preamble(simp: str) -> bool:
    """A paragraph that introduces the report (「本报告由…编制」, 「根据…现公布…」)."""
    return bool(_PREAMBLE_START.match(simp) and _PREAMBLE_WORDS.search(simp))


def _preamble_pieces(lines: list[_Line], first: tuple[int, int] | None,
                     exclude: set[int]) -> list[tuple[int, str, str]]:
    """Prose before the first heading, page chrome and short lines left out; without headings,
    the introducing paragraphs among the first lines."""
    last = first[0] if first else min(len(lines), 10) - 1
    pieces = []
    for li in range(last + 1):
        line = lines[li]
        z = first[1] if first and li == first[0] else len(line.text)
        if line.no in exclude or _PAGE_HEADER.match(line.text) or _CHROME.search(line.simp[:z]):
            continue
        text = line.text[:z].strip()
        if (len(text) >= 20 or "。" in text) and (first or _looks_like_preamble(line.simp.strip())):
            pieces.append((li, text, line.simp[:z].strip()))
    return pieces


def _section_end(lines: list[_Line], h: _Heading, nxt: _Heading | None) -> int:
    if nxt is None:
        return next((line.no for line in reversed(lines) if line.text.strip()), lines[h.line].no)
    at_start = not lines[nxt.line].simp[:nxt.start].strip(" \t#|*")
    return lines[nxt.line].no - 1 if at_start and nxt.line > h.line else lines[nxt.line].no


def _stage_format(report: Report, state: _State) -> None:
    seen = [f for f in template.FORMATS if report.format_evidence.get(f)]
    report.format = seen[0] if len(seen) == 1 else ("mixed" if seen else None)
    report.format_evidence = {f: report.format_evidence.get(f, []) for f in template.FORMATS}
    if _pre2019_outline(report, state.lines):
        report.metadata["outline"] = "pre2019"
        report.notes.append("pre-2019 outline (概述 / 工作机构和人员 / 公开目录…): neither national "
                            "format applies")
    elif any(_title_score(s.number, s.title) >= 0.8 for s in report.sections if s.number <= 6):
        report.metadata["outline"] = "standard"


def _pre2019_outline(report: Report, lines: list[_Line]) -> bool:
    """No table of either format, and headings or "(一)…" sub-headings of the pre-2019 outline."""
    if report.format is not None:
        return False
    headings = [_simp(s.title) for s in report.sections]
    headings += [line.simp for line in lines if line.kind != "blank" and len(line.text.strip()) <= 40
                 and line.simp.lstrip(" #").startswith("(")]
    return any(marker in h for h in headings for marker in _PRE2019_MARKERS)
