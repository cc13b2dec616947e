"""Structured documents (HTML, DOCX, PDF) as lines for the one table and section parser.

A structured reader turns its document into `SourceLine`s — paragraphs, and table rows as
tab-separated cells with merged cells left empty (the layout the text reader understands best) —
each with where it came from. `read_lines` parses them with the text parser, which takes every
location from the line it read: the source document's line, page or element.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from xxgk_audit.engine.model.normalize import normalize_newlines
from xxgk_audit.engine.model.report import Location, Report

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
    """Parse the lines as a report: every location read from a line is that line's own."""
    from xxgk_audit.engine.readers.text import parse_lines     # the parser reads text too: imported late

    report = Report(path=path, kind=kind)
    if metadata:
        report.metadata.update(metadata)
    # one source line, one parser line: any line end inside it (U+2028 too) is a space
    return parse_lines(report, ((normalize_newlines(line.text).replace("\n", " "), line.location) for line in lines))
