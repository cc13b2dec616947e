"""figures.csv, indicators.csv and figures.xlsx: the figures engine/figures computed, written out.

figures.csv has one row per value cell of 表二/表三/表四 per report (`value` empty unless the cell
holds a number: a blank is never written as 0); indicators.csv one row per indicator per report.
Both are UTF-8 with a byte-order mark, like findings.csv. The workbook has the sheets 表二, 表三,
表四 (a row per report, a column per cell, headed as in the template), 指标 (each ratio written
as a formula over its numerator and denominator), 汇总 (by parent and year) and 覆盖 (coverage).
Nothing is computed here.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import IO, Any, Iterable

from xxgk_audit.engine.figures.cells import NUMBER, SHEETS, BLANK, MISSING, ReportFigures, sheet_columns
from xxgk_audit.engine.figures.collect import Figures, IndicatorRow
from xxgk_audit.engine.model.vocabulary import COVERAGE_LABELS, INDICATOR_STATUS_LABELS
from .findings_export import csv_text
from .xlsx import Formula, XlsxSheet, XlsxWorkbook, column_letter

__all__ = ["FIGURE_COLUMNS", "INDICATOR_COLUMNS", "write_figures", "write_batch_figures",
           "coverage_rows", "FIGURES_CSV", "INDICATORS_CSV", "FIGURES_XLSX"]

FIGURE_COLUMNS = ("path", "agency", "year", "parent", "format", "table", "row", "column", "value", "raw", "status")
INDICATOR_COLUMNS = ("path", "agency", "year", "indicator", "value", "numerator", "denominator", "status",
                     "assumed_zero")
FIGURES_CSV, INDICATORS_CSV, FIGURES_XLSX = "figures.csv", "indicators.csv", "figures.xlsx"

_IDENTITY = (("文件", 30), ("机关", 24), ("年度", 7), ("上级机关", 20), ("格式", 8))


def write_batch_figures(outdir: Path, figures: Figures) -> None:
    """figures.csv, indicators.csv and figures.xlsx in a batch's folder."""
    write_figures(figures, outdir / FIGURES_CSV, outdir / INDICATORS_CSV, outdir / FIGURES_XLSX)


def write_figures(figures: Figures, path: Path | None = None, indicators: Path | None = None,
                  xlsx: Path | None = None) -> None:
    """The files asked for, in one pass over the reports: figures.csv at `path`, indicators.csv at
    `indicators`, the workbook at `xlsx` (each None: not written)."""
    book = _Book(xlsx, figures) if xlsx is not None else None
    out = _bom_csv(path) if path is not None else None
    try:
        writer = csv.writer(out) if out is not None else None
        if writer is not None:
            writer.writerow(FIGURE_COLUMNS)
        for report in figures.each_report():
            if writer is not None:
                writer.writerows(_figure_rows(report))
            if book is not None:
                book.add(report)
    finally:
        if out is not None:
            out.close()
    if indicators is not None:
        with _bom_csv(indicators) as fh:
            writer = csv.writer(fh)
            writer.writerow(INDICATOR_COLUMNS)
            writer.writerows(_indicator_csv(row) for row in figures.indicators)
    if book is not None:
        book.close()


def _bom_csv(path: Path) -> IO[str]:
    """UTF-8 with a byte-order mark (as Excel wants), the mark written once: the utf-8-sig codec
    costs a Python call on every write, a good part of writing two million rows."""
    out = open(path, "w", encoding="utf-8", newline="")
    out.write("\ufeff")
    return out


def _figure_rows(report: ReportFigures) -> Iterable[list[str]]:
    head = [csv_text(report.path), csv_text(report.agency), csv_text(report.year), csv_text(report.parent),
            csv_text(report.format)]
    for cell in report.cells:
        yield head + [cell.table, cell.row, cell.column, "" if cell.value is None else str(cell.value),
                      csv_text(cell.raw), cell.status]


def _indicator_csv(row: IndicatorRow) -> list[str]:
    v = row.value
    return [csv_text(row.path), csv_text(row.agency), csv_text(row.year), v.indicator.key, csv_text(v.value),
            csv_text(v.numerator), csv_text(v.denominator), v.status, ";".join(v.assumed_zero)]


def coverage_rows(figures: Figures) -> list[tuple[str, dict[str, Any]]]:
    """(category label, entry) of the coverage lists, as the index and the 覆盖 sheet show them."""
    cov = figures.coverage
    return [(COVERAGE_LABELS[kind], entry) for kind in ("missing", "late", "unreadable")
            for entry in getattr(cov, kind)]


class _Book:
    def __init__(self, path: Path, figures: Figures):
        self.book = XlsxWorkbook(path)
        self.figures = figures
        self.columns = {table: sheet_columns(table) for table in SHEETS}
        self.sheets: dict[str, XlsxSheet] = {}
        for table, name in SHEETS.items():
            columns = self.columns[table]
            first = len(_IDENTITY) + 1
            top = [h for h, _ in _IDENTITY] + [c.group for c in columns]
            second = [None] * len(_IDENTITY) + [c.header for c in columns]
            merges = [f"{column_letter(i)}1:{column_letter(i)}2" for i in range(1, first)]
            merges += _spans([c.group for c in columns], first)
            self.sheets[table] = self.book.sheet(name, [top, second], [w for _, w in _IDENTITY] + [11] * len(columns),
                                                 merges)

    def add(self, report: ReportFigures) -> None:
        cells = report.by_key()
        head = [report.path, report.agency, report.year, report.parent, report.format]
        for table, sheet in self.sheets.items():
            values = []
            for column in self.columns[table]:
                cell = cells.get(column.key)
                if cell is None or cell.table != table or cell.status in (BLANK, MISSING):
                    values.append(None)             # empty: a blank is never 0
                else:
                    values.append(cell.value if cell.status == NUMBER else cell.raw)
            sheet.append(head + values)

    def close(self) -> None:
        self._indicators()
        self._totals()
        self._coverage()
        self.book.close()

    def _indicators(self) -> None:
        headers = ("文件", "机关", "年度", "上级机关", "指标", "指标键", "公式", "分子", "分母", "比值", "状态", "假定为零的单元格")
        widths = (30, 24, 7, 20, 14, 26, 40, 8, 8, 10, 10, 24)
        sheet = self.book.sheet("指标", [headers], widths)
        for row in self.figures.indicators:
            v = row.value
            n = sheet.rows + 1
            ratio = Formula(f"H{n}/I{n}", v.value) if v.value is not None else None
            sheet.append([row.path, row.agency, row.year, row.parent, v.indicator.label, v.indicator.key,
                          v.indicator.formula, v.numerator, v.denominator, ratio, INDICATOR_STATUS_LABELS[v.status],
                          "、".join(v.assumed_zero) or None])

    def _totals(self) -> None:
        headers = ("上级机关", "年度", "表", "行", "列", "项目", "报告数", "合计", "有数值", "空白", "无法识别或缺失")
        sheet = self.book.sheet("汇总", [headers], (20, 7, 6, 8, 10, 40, 8, 12, 8, 8, 12))
        labels = {(c.table, c.key): f"{c.group} · {c.header}" for cols in self.columns.values() for c in cols}
        for t in self.figures.totals:
            sheet.append([t.parent or "（未注明）", t.year, SHEETS[t.table], t.row, t.column,
                          labels.get((t.table, f"{t.row}.{t.column}")), t.reports, t.total, t.numbers, t.blanks,
                          t.unknown])

    def _coverage(self) -> None:
        sheet = self.book.sheet("覆盖", [("类别", "机关", "年度", "上级机关", "文件")], (12, 28, 7, 20, 40))
        sheet.append(["应发布", f"共 {self.figures.coverage.expected} 个机关·年度", None, None, None])
        for label, entry in coverage_rows(self.figures):
            sheet.append([label, entry["agency"], entry["year"], entry["parent"], entry.get("path")])


def _spans(groups: list[str], first: int) -> list[str]:
    """Merged ranges of the runs of equal level-1 headers, starting at column `first`."""
    out, start = [], 0
    for i in range(1, len(groups) + 1):
        if i == len(groups) or groups[i] != groups[start]:
            if i - start > 1:
                out.append(f"{column_letter(first + start)}1:{column_letter(first + i - 1)}1")
            start = i
    return out

