"""findings.csv and findings.xlsx: one row per finding over a batch, for people who work in Excel.

Both files have the same columns. The CSV is for programs: English column keys, severity keys
(error/warning/info), UTF-8 with a byte-order mark so that Excel also reads it as UTF-8. The
workbook is for people: Chinese headers, Chinese severity labels, a frozen header row and filters.
Rows are written as reports come (the workbook streamed by reports/xlsx.py), so a large batch is
never held in memory.

Text from a report could start like a spreadsheet formula ("=HYPERLINK(…)"): in the CSV such a
value gets a leading apostrophe, and in the workbook every text is stored as text, never as a
formula.
"""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterator

from xxgk_audit.engine.evaluation.audit import ReportResult
from xxgk_audit.engine.evaluation.facts import jsonable
from xxgk_audit.engine.evaluation.findings import Finding
from xxgk_audit.engine.model.vocabulary import SEVERITY_LABELS
from .xlsx import XlsxWriter

__all__ = ["COLUMNS", "FindingsExport", "finding_rows", "plain_value", "csv_text"]

# (key, Chinese header, width in the workbook)
COLUMNS = (
    ("path", "文件", 28), ("agency", "机关", 24), ("year", "年度", 7), ("rule", "规则", 11),
    ("severity", "严重程度", 9), ("title", "规则标题", 30), ("message", "问题说明", 60),
    ("section", "部分", 6), ("table", "表", 16), ("row", "行", 7), ("column", "列", 9),
    ("line", "源文件行号", 10), ("page", "页码", 6), ("expected", "期望", 12), ("actual", "实际", 16),
)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def finding_rows(result: ReportResult) -> Iterator[list[Any]]:
    """One row per finding of `result`, in COLUMNS order; unknown values are None."""
    rep = result.report
    for finding in result.findings:
        yield _row(result.path, rep.agency if rep else None, rep.year if rep else None, finding)


def _row(path: str, agency: str | None, year: int | None, f: Finding) -> list[Any]:
    loc = f.location
    return [path, agency, year, f.rule, f.severity, f.title, f.message, loc.section, loc.table, loc.row,
            loc.column, loc.line, loc.page, plain_value(f.expected), plain_value(f.actual)]


def plain_value(value: Any) -> Any:
    """An expected or actual value for output: numbers as numbers (exact Decimals as ints when
    integral), a list as one text, None when unknown."""
    value = jsonable(value)
    if isinstance(value, (list, tuple)):
        return "、".join(str(v) for v in value)
    return value


class FindingsExport:
    """Writes findings.csv and findings.xlsx side by side, report by report."""

    def __init__(self, csv_path: Path, xlsx_path: Path):
        self._csv_file = open(csv_path, "w", encoding="utf-8-sig", newline="")
        self._csv = csv.writer(self._csv_file)
        self._csv.writerow([key for key, _, _ in COLUMNS])
        self._sheet = XlsxWriter(xlsx_path, "审核问题", [header for _, header, _ in COLUMNS],
                                 [width for _, _, width in COLUMNS])

    def add(self, result: ReportResult) -> None:
        for row in finding_rows(result):
            self._csv.writerow([csv_text(v) for v in row])
            row[4] = SEVERITY_LABELS.get(row[4], row[4])
            self._sheet.append(row)

    def close(self) -> None:
        self._csv_file.close()
        self._sheet.close()


def csv_text(value: Any) -> str:
    if value is None:
        return ""
    text = str(value)
    if isinstance(value, str) and text.startswith(_FORMULA_START) and not _is_number(text):
        return "'" + text
    return text


def _is_number(text: str) -> bool:
    try:
        Decimal(text)
    except ArithmeticError:
        return False
    return True
