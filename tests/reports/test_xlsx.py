"""The streaming XLSX writer: what openpyxl (and so Excel's format) reads back."""

from __future__ import annotations

import warnings
from decimal import Decimal
from pathlib import Path

from openpyxl import load_workbook

from xxgk_audit.reports.xlsx import XlsxWriter, column_letter


def test_values_header_filters_and_frozen_row_read_back(tmp_path: Path) -> None:
    path = tmp_path / "f.xlsx"
    sheet = XlsxWriter(path, "审核问题", ["文件", "数量", "金额", "说明"], [20, 8, 10, 40])
    sheet.append(["a.txt", 3, Decimal("1.25"), "=HYPERLINK(\"http://x\") <b>&amp;</b>"])
    sheet.append(["b\x00\x1f.txt", None, -1, "第二行\n换行"])
    sheet.close()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        book = load_workbook(path)
    ws = book["审核问题"]
    assert [[c.value for c in row] for row in ws.iter_rows()] == [
        ["文件", "数量", "金额", "说明"],
        ["a.txt", 3, 1.25, "=HYPERLINK(\"http://x\") <b>&amp;</b>"],
        ["b\\x00\\x1f.txt", None, -1, "第二行\n换行"]]
    assert ws["D2"].data_type == "s"                     # text, never a formula
    assert ws["A1"].font.b and not ws["A2"].font.b
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == "A1:D3"
    assert ws.column_dimensions["D"].width == 40


def test_column_letters() -> None:
    assert [column_letter(i) for i in (1, 26, 27, 52, 703)] == ["A", "Z", "AA", "AZ", "AAA"]


def test_sheets_with_two_header_rows_merges_and_formulas(tmp_path: Path) -> None:
    from xxgk_audit.reports.xlsx import Formula, XlsxWorkbook

    path = tmp_path / "book.xlsx"
    book = XlsxWorkbook(path)
    first = book.sheet("表三", [["文件", "一、新收", None], [None, "自然人", "总计"]], [20, 8, 8],
                       merges=["A1:A2", "B1:C1"])
    second = book.sheet("指标", [["分子", "分母", "比值"]], [8, 8, 10])
    first.append(["a.txt", None, 0])            # blank stays empty, 0 stays 0
    second.append([1, 4, Formula("A2/B2", Decimal("0.25"))])
    second.append([0, 0, None])
    book.close()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        wb = load_workbook(path)
    assert wb.sheetnames == ["表三", "指标"]
    ws = wb["表三"]
    assert {str(r) for r in ws.merged_cells.ranges} == {"A1:A2", "B1:C1"}
    assert ws.freeze_panes == "A3" and ws.auto_filter.ref == "A2:C3"
    assert [c.value for c in ws[3]] == ["a.txt", None, 0]
    assert wb["指标"]["C2"].value == "=A2/B2" and wb["指标"]["C3"].value is None
    assert load_workbook(path, data_only=True)["指标"]["C2"].value == 0.25
