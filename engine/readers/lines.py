"""Structured documents (HTML, DOCX, PDF) as lines for the one table and section parser.

A structured reader turns its document into `SourceLine`s — paragraphs, and table rows as
tab-separated cells with merged cells left empty (the layout the text reader understands best) —
each with where it came from. `read_lines` parses them with the text reader and then moves every
location back to the source document: its line, page or element.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from xxgk_audit.engine.model.normalize import normalize_newlines
from xxgk_audit.engine.model.report import Location, Report
from xxgk_audit.engine.readers.text import read_text

__all__ = ["SourceLine", "read_lines", "grid_lines"]


@dataclass
class SourceLine:
    text: str                 # one line of text: no newline inside
    location: Location        # where it is in the source document


def grid_lines(grid: list[list[str]], locate) -> list[SourceLine]:
    """Table rows as tab-separated lines; `locate(r)` gives the Location of row r.

    Cells of a row are cleaned of tabs and newlines (a cell with a line break is one cell).
    """
    return [SourceLine("\t".join(" ".join(c.split()) for c in row), locate(r)) for r, row in enumerate(grid)]


def read_lines(path: str, kind: str, lines: list[SourceLine], metadata: dict[str, Any] | None = None) -> Report:
    """Parse the lines as a text report, then point every location at the source document."""
    # one source line, one parser line: any line end inside it (U+2028 too) is a space
    report = read_text(path, text="\n".join(normalize_newlines(line.text).replace("\n", " ") for line in lines))
    report.kind = kind
    if metadata:
        report.metadata.update(metadata)
    _relocate(report, [line.location for line in lines])
    return report


def _relocate(report: Report, source: list[Location]) -> None:
    def where(n: int | None) -> Location | None:
        return source[n - 1] if n is not None and 0 < n <= len(source) else None

    def moved(loc: Location) -> Location:
        found = where(loc.line)
        return loc if found is None else Location(found.line, found.page, found.element)

    for table in report.tables.values():
        table.location = moved(table.location)
        for cell in table.cells.values():
            cell.location = moved(cell.location)
        for label in table.labels:
            label.location = moved(label.location)
    for section in report.sections:
        start, end = where(section.start_line), where(section.end_line)
        section.page = start.page if start else None
        section.start_line = start.line if start else None
        section.end_line = end.line if end else None
    for attr in ("title_line", "period_line"):
        found = where(getattr(report, attr))
        setattr(report, attr, found.line if found else None)
