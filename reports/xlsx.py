"""A minimal streaming XLSX writer: sheets of values, frozen header rows, filters, widths, merged
header cells and formulas.

Why not openpyxl: its write-only mode costs some 0.2 ms per row in cell objects, the larger part of
writing the outputs of a 10,000-report batch. This writes each sheet's XML rows as text straight
into a temporary file and zips the package at the end, so memory stays flat and a row costs a few
microseconds. Text is always stored as an inline string (never a formula); numbers as numbers; a
formula only where the caller says so (`Formula`, with its value already computed).
"""

from __future__ import annotations

import math
import re
import tempfile
import zipfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Sequence
from xml.sax.saxutils import escape

__all__ = ["XlsxWorkbook", "XlsxSheet", "XlsxWriter", "Formula", "column_letter"]

from .escape import xml_text

__all__ = ["XlsxWriter", "column_letter"]

_CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">\
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>\
<Default Extension="xml" ContentType="application/xml"/>\
<Override PartName="/xl/workbook.xml" \
ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>\
{sheets}<Override PartName="/xl/styles.xml" \
ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>\
</Types>"""
_ROOT_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
<Relationship Id="rId1" \
Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" \
Target="xl/workbook.xml"/></Relationships>"""
_WORKBOOK_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
{sheets}<Relationship Id="rId0" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" \
Target="styles.xml"/></Relationships>"""
_SHEET_TYPE = ('<Override PartName="/xl/worksheets/sheet{n}.xml" '
               'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>')
_SHEET_REL = ('<Relationship Id="rId{n}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
              'worksheet" Target="worksheets/sheet{n}.xml"/>')
_STYLES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">\
<fonts count="2"><font><sz val="11"/><name val="等线"/></font><font><b/><sz val="11"/><name val="等线"/></font></fonts>\
<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>\
<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>\
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>\
<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>\
<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>\
<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>\
</styleSheet>"""
_MAIN = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_REL = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'


def column_letter(index: int) -> str:
    """1 → A, 27 → AA."""
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


@dataclass(frozen=True)
class Formula:
    """A cell computed by a formula (written without the leading "="), with its value."""

    text: str
    value: int | Decimal | float | None = None


class XlsxSheet:
    """`append(values)` row by row after the header rows; a None value leaves the cell empty."""

    def __init__(self, name: str, headers: Sequence[Sequence[str | None]], widths: Sequence[float],
                 merges: Sequence[str] = ()):
        self.name = name
        self.widths = widths
        self.merges = merges            # header ranges shown as one cell, e.g. "F1:L1"
        self.header_rows = len(headers)
        self._letters = [column_letter(i) for i in range(1, len(widths) + 1)]
        self._rows = tempfile.TemporaryFile("w+", encoding="utf-8")
        self._count = 0
        for header in headers:
            self._write(header, style=' s="1"')

    @property
    def rows(self) -> int:
        """Rows written so far, header rows included (the next row's number minus one)."""
        return self._count

    def append(self, values: Sequence[Any]) -> None:
        self._write(values)

    def _write(self, values: Sequence[Any], style: str = "") -> None:
        self._count += 1
        n = self._count
        cells = []
        for letter, value in zip(self._letters, values):
            if value is None:
                continue
            if type(value) is int:          # most cells: the fast path
                cells.append(f'<c r="{letter}{n}"{style}><v>{value}</v></c>')
                continue
            if isinstance(value, Formula):
                cached = "" if value.value is None else f"<v>{value.value}</v>"
                cells.append(f'<c r="{letter}{n}"{style}><f>{escape(value.text)}</f>{cached}</c>')
                continue
            if isinstance(value, bool):
                value = str(value)
            if isinstance(value, (int, Decimal)) or (isinstance(value, float) and math.isfinite(value)):
                cells.append(f'<c r="{letter}{n}"{style}><v>{value}</v></c>')
            else:
                text = escape(xml_text(str(value)))
                cells.append(f'<c r="{letter}{n}"{style} t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>')
        self._rows.write(f'<row r="{n}">{"".join(cells)}</row>')

    @property
    def _filter(self) -> str:
        return f"A{self.header_rows}:{self._letters[-1]}{max(self._count, self.header_rows)}"

    def _write_to(self, package: zipfile.ZipFile, number: int) -> None:
        last = f"{self._letters[-1]}{max(self._count, 1)}"
        cols = "".join(f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>'
                       for i, w in enumerate(self.widths, 1))
        top = self.header_rows + 1
        selected = ' tabSelected="1"' if number == 1 else ""
        head = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet {_MAIN} {_REL}>'
                f'<dimension ref="A1:{last}"/><sheetViews><sheetView workbookViewId="0"{selected}>'
                f'<pane ySplit="{self.header_rows}" topLeftCell="A{top}" activePane="bottomLeft" state="frozen"/>'
                f'</sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/><cols>{cols}</cols><sheetData>')
        merges = (f'<mergeCells count="{len(self.merges)}">' + "".join(f'<mergeCell ref="{m}"/>' for m in self.merges)
                  + "</mergeCells>") if self.merges else ""
        tail = f'</sheetData><autoFilter ref="{self._filter}"/>{merges}</worksheet>'
        with package.open(f"xl/worksheets/sheet{number}.xml", "w") as sheet:
            sheet.write(head.encode("utf-8"))
            self._rows.seek(0)
            while chunk := self._rows.read(1 << 20):
                sheet.write(chunk.encode("utf-8"))
            sheet.write(tail.encode("utf-8"))
        self._rows.close()


class XlsxWorkbook:
    """Sheets added with `sheet(...)`, filled in any order; `close()` writes the file."""

    def __init__(self, path: Path):
        self.path = path
        self.sheets: list[XlsxSheet] = []

    def sheet(self, name: str, headers: Sequence[Sequence[str | None]], widths: Sequence[float],
              merges: Sequence[str] = ()) -> XlsxSheet:
        sheet = XlsxSheet(name, headers, widths, merges)
        self.sheets.append(sheet)
        return sheet

    def close(self) -> None:
        names = [escape(s.name, {'"': "&quot;"}) for s in self.sheets]
        numbers = range(1, len(self.sheets) + 1)
        sheets = "".join(f'<sheet name="{name}" sheetId="{n}" r:id="rId{n}"/>' for n, name in zip(numbers, names))
        filters = "".join(f'<definedName name="_xlnm._FilterDatabase" localSheetId="{n - 1}" hidden="1">'
                          f"'{name}'!{_absolute(s._filter)}</definedName>"
                          for n, name, s in zip(numbers, names, self.sheets))
        workbook = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook {_MAIN} {_REL}>'
                    f'<sheets>{sheets}</sheets><definedNames>{filters}</definedNames></workbook>')
        with zipfile.ZipFile(self.path, "w", zipfile.ZIP_DEFLATED) as package:
            package.writestr("[Content_Types].xml", _CONTENT_TYPES.format(
                sheets="".join(_SHEET_TYPE.format(n=n) for n in numbers)))
            package.writestr("_rels/.rels", _ROOT_RELS)
            package.writestr("xl/workbook.xml", workbook)
            package.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS.format(
                sheets="".join(_SHEET_REL.format(n=n) for n in numbers)))
            package.writestr("xl/styles.xml", _STYLES)
            for n, sheet in zip(numbers, self.sheets):
                sheet._write_to(package, n)


class XlsxWriter:
    """A workbook of one sheet: `append(values)` row by row after the header given here."""

    def __init__(self, path: Path, sheet: str, headers: Sequence[str], widths: Sequence[float]):
        self._book = XlsxWorkbook(path)
        self._sheet = self._book.sheet(sheet, [headers], widths)

    def append(self, values: Sequence[Any]) -> None:
        self._sheet.append(values)

    def close(self) -> None:
        self._book.close()


def _absolute(ref: str) -> str:
    """"A1:D3" → "$A$1:$D$3"."""
    return ":".join(re.sub(r"([A-Z]+)(\d+)", r"$\1$\2", part) for part in ref.split(":"))
