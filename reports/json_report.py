"""JSON output: `check --format json` (one object for the batch) and `extract` (the parsed model).

`check` writes one object, streamed report by report so a large batch is never held in memory:

    {"tool": {"name": "xxgk-audit", "version": "0.1.0"},
     "reports": [ReportResult.to_dict(), ...],
     "summary": {"reports": 2, "pass": 1, "fail": 1, "error": 0,
                 "findings": {"error": 3, "warning": 0, "info": 1}, "not_assessable": 4,
                 "cross_report": ["XREF-009", "TEXT-005", …]}}

`cross_report` names the rules that need other reports (run them with `batch`); their checks in
each report say so, and `not_assessable` does not count them.

Keys keep the order the engine gives them; non-ASCII text is written as is (UTF-8).
"""

from __future__ import annotations

import json
from typing import IO, Any, Callable

from xxgk_audit.engine import __version__
from xxgk_audit.engine.evaluation.audit import ReportResult, contract_format
from xxgk_audit.engine.evaluation.facts import jsonable
from xxgk_audit.engine.model.names import shown
from xxgk_audit.engine.model.report import Cell, Report, Table
from xxgk_audit.engine.model.template import TABLE_NAMES
from . import Summary

__all__ = ["JsonRenderer", "JsonListWriter", "TOOL", "dumps", "report_model"]

TOOL = {"name": "xxgk-audit", "version": __version__}


def dumps(data: Any, indent: int | None = None) -> str:
    """JSON as valid UTF-8 text: a lone surrogate (a non-UTF-8 file name) is written escaped."""
    return shown(json.dumps(data, ensure_ascii=False, indent=indent), backslash="\\\\")


class JsonRenderer:
    """The `check --format json` object, written one report per line."""

    def __init__(self, out: IO[str]):
        self.out = out
        self._count = 0

    def start(self) -> None:
        self.out.write(f'{{"tool": {dumps(TOOL)}, "reports": [')

    def add(self, result: ReportResult) -> None:
        self.out.write(("\n" if self._count == 0 else ",\n") + dumps(result.to_dict()))
        self._count += 1

    def finish(self, summary: Summary, extra: dict[str, Any] | None = None) -> None:
        """Close the object after the summary and the `extra` keys (batch: "coverage")."""
        end = "\n]" if self._count else "]"
        more = "".join(f", {dumps(key)}: {dumps(value)}" for key, value in (extra or {}).items())
        self.out.write(f'{end}, "summary": {dumps(summary.to_dict())}{more}}}\n')


class JsonListWriter:
    """A JSON array written item by item (`extract` on several files)."""

    def __init__(self, out: IO[str]):
        self.out = out
        self._count = 0

    def add(self, item: dict[str, Any]) -> None:
        self.out.write(("[\n" if self._count == 0 else ",\n") + dumps(item, indent=2))
        self._count += 1

    def finish(self) -> None:
        self.out.write("\n]\n" if self._count else "[]\n")


# ---- extract: the parsed model ----------------------------------------------------------------
def report_model(report: Report) -> dict[str, Any]:
    """The parsed report as plain data: identity, sections, table values and raw cells.

    `tables` maps each table to {row: {column: number or null}} (null: blank or unreadable);
    a table the reader did not find is null. `cells` gives each cell's raw text, lexical kind
    and source line, in the same shape.
    """
    tables = {name: report.tables.get(name) for name in TABLE_NAMES}
    return {
        "path": report.path,
        "year": report.year,
        "agency": report.agency,
        "format": contract_format(report),
        "layout": report.format,
        "kind": report.kind,
        "title": report.title,
        "period": report.period_text,
        "sections": [{"number": s.number, "title": s.title, "text": s.text, "line": s.start_line}
                     for s in report.sections],
        "tables": {name: _by_row(t, _value) if t else None for name, t in tables.items()},
        "cells": {name: _by_row(t, _raw) if t else None for name, t in tables.items()},
        "notes": list(report.notes),
    }


def _by_row(table: Table, show: Callable[[Cell], Any]) -> dict[str, dict[str, Any]]:
    rows: dict[str, dict[str, Any]] = {}
    for (row, column), cell in table.cells.items():
        rows.setdefault(row, {})[column] = show(cell)
    return rows


def _value(cell: Cell) -> Any:
    return jsonable(cell.value)


def _raw(cell: Cell) -> dict[str, Any]:
    return {"raw": cell.raw, "kind": cell.kind, "line": cell.location.line}
