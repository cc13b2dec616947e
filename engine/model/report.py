"""The parsed report: what readers produce and what facts are derived from.

Readers fill a `Report`; they never judge. Every value keeps its raw text and where it came from, so
that a finding can point at the exact place in the source document.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any


Number = int | Decimal

# Lexical kinds of a cell's raw text (set by the reader, judged by CELL rules).
CELL_KINDS = (
    "int",          # plain non-negative integer: "0", "12", "1,024", "１２"
    "signed",       # explicit sign: "+3", "-2", "－1"
    "decimal",      # "26.55"
    "unit",         # number with a unit or words: "251000元", "3件", "约5"
    "blank",        # empty
    "placeholder",  # "—", "-", "/", "无"
    "unreadable",   # anything else ("? 0", "O", "見附件")
)


@dataclass(slots=True)
class Location:
    """Where something sits in the source document. Unknown parts stay None."""

    line: int | None = None         # 1-based line in a text source
    page: int | None = None         # 1-based page in a PDF
    element: str | None = None      # e.g. "table[2]/tr[5]/td[3]" in HTML or DOCX

    def to_dict(self) -> dict[str, Any]:
        return {"line": self.line, "page": self.page, "element": self.element}


@dataclass(slots=True)
class Cell:
    value: Number | None            # None when blank or unreadable: unknown, never zero
    raw: str
    kind: str                       # one of CELL_KINDS
    location: Location = field(default_factory=Location)


@dataclass(slots=True)
class LabelMatch:
    """A row/column/caption label as written, and the template label it was matched to."""

    table: str
    role: str                       # "row" | "column" | "caption"
    key: str                        # canonical key (row key, column key or caption item)
    written: str
    template: str
    score: float                    # 1.0 = identical after normalisation
    location: Location = field(default_factory=Location)


@dataclass
class Table:
    name: str                       # "disclosure" | "applications" | "review_litigation"
    format: str | None              # layout the reader recognised: "2019" | "2021" | "mixed" | None
    cells: dict[tuple[str, str], Cell] = field(default_factory=dict)
    rows_found: list[str] = field(default_factory=list)      # canonical row keys, in order seen
    columns_found: list[str] = field(default_factory=list)   # canonical column keys, in order seen
    labels: list[LabelMatch] = field(default_factory=list)
    extra_rows: list[str] = field(default_factory=list)      # non-standard rows (subtotals), as written
    extra_columns: list[str] = field(default_factory=list)   # non-standard columns (小计), as written
    note_present: bool = False      # the 勾稽关系 note (applications only)
    location: Location = field(default_factory=Location)

    def value(self, row: str, col: str) -> Number | None:
        cell = self.cells.get((row, col))
        return None if cell is None else cell.value


@dataclass
class Section:
    number: int                     # 1..6 for the official sections; 7+ for extra ones
    title: str                      # as written ("" when the section has no heading)
    text: str                       # body text without tables
    start_line: int | None = None
    end_line: int | None = None
    heading_found: bool = True
    page: int | None = None         # PDF page of the heading


@dataclass
class Report:
    path: str
    kind: str                       # reader kind: "txt", "html", "docx", "pdf"
    text: str = ""                  # full text as read (normalised newlines)
    title: str | None = None
    title_line: int | None = None
    agency: str | None = None
    year: int | None = None
    format: str | None = None       # detected from table labels: "2019" | "2021" | "mixed" | None
    format_evidence: dict[str, list[str]] = field(default_factory=dict)  # format -> labels seen
    period_text: str | None = None  # the statistics-period sentence as written
    period_line: int | None = None
    preamble: str = ""
    preamble_agency: str | None = None
    sections: list[Section] = field(default_factory=list)
    tables: dict[str, Table] = field(default_factory=dict)
    metadata: dict[str, Any] = field(default_factory=dict)  # e.g. published date from a page
    notes: list[str] = field(default_factory=list)          # reader remarks (never judgements)

    def section(self, number: int) -> Section | None:
        return next((s for s in self.sections if s.number == number), None)

    def table(self, name: str) -> Table | None:
        return self.tables.get(name)
