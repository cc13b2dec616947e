"""PDF reader (text layer only; no OCR): pages into `SourceLine`s for the one text parser.

Each page gives, in reading order (top to bottom):

- ruled tables (pdfplumber, from the page's *visible* lines and rectangles: white fills that some
  word processors draw behind every text line are not table borders), one tab-separated line per
  table row with merged cells left empty; a cell's line breaks are joined (「结\\n果\\n维\\n持」 →
  「结果维持」). A table that continues on the next page simply goes on with the next page's rows:
  the parser anchors rows on their labels, not on a header.
- the text outside those tables, its wrapped lines joined back into paragraphs (also across a
  page break), so that a sentence such as the statistics period is one line again. Wide gaps
  inside a line (an unruled table) become tabs. Page numbers in the margins are dropped.

Locations: `page` is the 1-based page; `element` is "page[3]/table[2]/row[7]" for a table row
and "page[1]/line[5]" for a paragraph (its first text line on that page); `line` stays None
(a PDF has no lines to point at).

Refused with `UnsupportedDocument` (a one-line Chinese reason): a truncated or corrupt file, a
PDF that needs a password to open, and one of more than `MAX_PAGES` pages (checked before any
page is parsed, so reading stays bounded). A PDF encrypted without an open password (copy or print
restrictions only) is read. A PDF without a text layer (a scan) is read as a report without text:
the rules report that (META-013); pages without text are named in `report.notes`.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import pdfplumber
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
from pdfminer.pdftypes import resolve1
from pdfplumber.utils.exceptions import PdfminerException

from ..model import Location, Report
from . import UnsupportedDocument
from .lines import SourceLine, grid_lines, read_lines

__all__ = ["read_pdf", "MAX_PAGES"]

MAX_PAGES = 200         # an annual report has a few dozen pages at most; longer PDFs are refused

_WIDE = "\u2e80-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef\u201c\u201d\u2018\u2019"
_WIDE_GAP = re.compile(rf"(?<=[{_WIDE}]) +(?=[{_WIDE}])")     # layout spaces between CJK characters
_WIDE_CHAR = re.compile(rf"[{_WIDE}]")
_PAGE_NUMBER = re.compile(r"^[-—–－\s]*(?:第\s*)?\d{1,4}\s*(?:页)?(?:\s*[/共]\s*\d{1,4}\s*页?)?[-—–－\s]*$")
_HEADING_START = re.compile(r"^\s*(?:[一二三四五六七八九十]{1,3}\s*[、.．]|[（(][一二三四五六七八九十]{1,3}[）)])")
_MARGIN = 0.12          # share of the page height at the top and bottom where page numbers sit
_SPACE_GAP = 3.0        # points between characters that make a space (pdfplumber's x_tolerance)


# ==== entry point ===============================================================================
def read_pdf(path: Path, data: bytes) -> Report:
    """Read a PDF's text layer into a Report (through the text parser), or raise
    UnsupportedDocument when it cannot be read."""
    if b"%%EOF" not in data[-4096:]:
        raise UnsupportedDocument("PDF 文件不完整（缺少文件结束标记），可能在下载或复制时被截断")
    try:
        doc = _read_pages(data)
    except UnsupportedDocument:
        raise
    except PdfminerException as exc:
        raise UnsupportedDocument(_open_failure(exc.args[0] if exc.args else exc)) from None
    except Exception as exc:  # noqa: BLE001 - pdfminer raises many kinds on a damaged file
        raise UnsupportedDocument(f"PDF 文件已损坏，无法解析（{type(exc).__name__}）") from None
    report = read_lines(str(path), "pdf", _flow(doc.blocks), {"pages": doc.pages})
    if doc.encrypted:
        report.notes.append("PDF 已加密（无打开密码，仅限制复制、打印等），已照常读取")
    if doc.empty:
        which = "全部" if len(doc.empty) == doc.pages else "第 " + "、".join(map(str, doc.empty))
        report.notes.append(f"{which} 页没有文字层（可能是扫描图片），这些页未读取（不做 OCR）")
    return report


def _open_failure(cause: object) -> str:
    if isinstance(cause, PDFPasswordIncorrect):
        return "PDF 文件设有打开密码，无法读取"
    if isinstance(cause, PDFEncryptionError):
        return "PDF 文件使用了不支持的加密方式，无法读取"
    return f"PDF 文件已损坏，无法打开（{type(cause).__name__}）"


@dataclass
class _Document:
    blocks: list[_Block]        # every page's blocks, in reading order
    pages: int
    empty: list[int]            # pages without any text
    encrypted: bool             # encrypted without an open password


def _read_pages(data: bytes) -> _Document:
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        _check_page_count(_declared_pages(pdf))
        pages = pdf.pages
        _check_page_count(len(pages))
        if not pages:
            raise UnsupportedDocument("PDF 文件没有页面，可能已损坏")
        doc = _Document([], len(pages), [], pdf.doc.encryption is not None)
        for number, page in enumerate(pages, 1):
            found = _page_blocks(page, number)
            if not found:
                doc.empty.append(number)
            doc.blocks.extend(found)
            page.close()            # drop the page's parsed objects: memory stays per page
    return doc


def _declared_pages(pdf: Any) -> int:
    """The page count the document states (/Pages /Count), read without building the pages."""
    try:
        return int(resolve1(resolve1(pdf.doc.catalog["Pages"])["Count"]))
    except Exception:  # noqa: BLE001 - a missing or odd /Count: the pages are counted instead
        return 0


def _check_page_count(count: int) -> None:
    if count > MAX_PAGES:
        raise UnsupportedDocument(f"PDF 共 {count} 页，超过 {MAX_PAGES} 页的上限，未读取"
                                  "（年度报告通常不超过几十页）")


# ==== one page ==================================================================================
@dataclass(slots=True)
class _TextLine:
    """A line of text outside the ruled tables, with its geometry (PDF points, top-down)."""

    text: str
    page: int
    index: int          # 1-based among the page's text lines
    x0: float
    x1: float
    top: float
    bottom: float
    size: float         # font size of its first character
    tabular: bool       # has wide gaps (cells of an unruled table)


_Block = _TextLine | list[SourceLine]       # a text line, or the rows of one ruled table


def _page_blocks(page: Any, number: int) -> list[_Block]:
    """Tables and text lines of one page, top to bottom; page numbers in the margins left out."""
    visible = page.filter(_visible)
    settings = {"explicit_horizontal_lines": _closing_lines(visible.edges)}
    tables = [t for t in visible.find_tables(settings) if len(t.columns) >= 2]
    boxes = [t.bbox for t in tables]
    placed: list[tuple[float, _Block]] = [
        (t.bbox[1], _table_rows(t, number, k)) for k, t in enumerate(tables, 1)]
    text = page.filter(lambda obj: obj["object_type"] != "char" or not _inside(obj, boxes))
    index = 0
    for raw in text.extract_text_lines(return_chars=True, strip=True):
        line = _text_line(raw, number, index + 1)
        if line is None or _is_page_number(line, page.height):
            continue
        index += 1
        placed.append((line.top, line))
    placed.sort(key=lambda item: item[0])
    return [block for _, block in placed]


def _visible(obj: dict[str, Any]) -> bool:
    """Characters, and graphics drawn in a colour other than white (candidate table borders)."""
    kind = obj["object_type"]
    if kind == "char":
        return True
    if kind not in ("line", "rect", "curve"):
        return False
    stroked = obj.get("stroke", kind == "line") and not _white(obj.get("stroking_color"))
    filled = obj.get("fill") and not _white(obj.get("non_stroking_color"))
    return bool(stroked or filled)


def _closing_lines(edges: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Horizontal borders where the page's vertical borders start and end.

    A table broken over pages often has no bottom border on the first page and no (or a partial)
    top border on the next: without them its last and first rows are not cells.
    """
    vertical = [e for e in edges if e["orientation"] == "v"]
    lines = []
    for y, ends in (("top", min), ("bottom", max)):
        at = ends(e[y] for e in vertical) if vertical else 0.0
        xs = [e["x0"] for e in vertical if abs(e[y] - at) <= 1]
        if len(xs) >= 2:
            lines.append({"object_type": "line", "x0": min(xs), "x1": max(xs), "top": at, "bottom": at,
                          "width": max(xs) - min(xs), "height": 0.0})
    return lines


def _white(color: Any) -> bool:
    if isinstance(color, (int, float)):
        color = (color,)
    if not isinstance(color, (tuple, list)) or not all(isinstance(c, (int, float)) for c in color):
        return False
    if len(color) == 4:                             # CMYK: no ink
        return max(color) <= 0.05
    return len(color) in (1, 3) and min(color) >= 0.95


def _inside(obj: dict[str, Any], boxes: list[tuple[float, float, float, float]]) -> bool:
    x = (obj["x0"] + obj["x1"]) / 2
    y = (obj["top"] + obj["bottom"]) / 2
    return any(x0 <= x <= x1 and top <= y <= bottom for x0, top, x1, bottom in boxes)


def _table_rows(table: Any, page: int, k: int) -> list[SourceLine]:
    grid = [_row_cells(row) for row in table.extract()]
    return grid_lines(grid, lambda r: Location(page=page, element=f"page[{page}]/table[{k}]/row[{r + 1}]"))


def _row_cells(row: list[str | None]) -> list[str]:
    """A row's cells; a merged cell (None) is left empty, except after a value or blank cell.

    Grid columns come from the borders of all rows, so a value cell whose borders do not line up
    with the rows above spans two grid columns: it is still one value, not a value and a blank.
    """
    cells: list[str] = []
    last: str | None = None              # the last cell that is not a merged one
    for cell in row:
        if cell is None and last is not None and not _WIDE_CHAR.search(last):
            continue
        text = _tidy_cell(cell)
        cells.append(text)
        if cell is not None:
            last = text
    return cells


def _tidy_cell(cell: str | None) -> str:
    """A cell's text on one line: broken lines joined, layout spaces between CJK characters dropped."""
    if not cell:
        return ""
    text = ""
    for piece in cell.split("\n"):
        piece = piece.strip()
        if piece:
            text = _join(text, piece) if text else piece
    return _WIDE_GAP.sub("", text)


def _join(left: str, right: str) -> str:
    """Two pieces of one wrapped text: no space after or before a CJK character, nor inside a
    number broken over two lines."""
    a, b = left[-1], right[0]
    glue = "" if _WIDE_CHAR.match(a) or _WIDE_CHAR.match(b) or (a.isdigit() and b.isdigit()) else " "
    return left + glue + right


def _text_line(raw: dict[str, Any], page: int, index: int) -> _TextLine | None:
    chars = [c for c in raw["chars"] if not c["text"].isspace()]
    if not chars:
        return None
    text, tabular = _chars_text(chars)
    return _TextLine(text, page, index, raw["x0"], raw["x1"], raw["top"], raw["bottom"],
                     chars[0]["size"], tabular)


def _chars_text(chars: list[dict[str, Any]]) -> tuple[str, bool]:
    """A line's text from its characters: a tab at a gap of an em or more, a space at a smaller
    gap (not between CJK characters); whether it has a tab."""
    parts = [chars[0]["text"]]
    tabular = False
    for prev, char in zip(chars, chars[1:]):
        gap = char["x0"] - prev["x1"]
        if gap >= max(prev["size"], char["size"]):
            parts.append("\t")
            tabular = True
        elif gap > _SPACE_GAP and not (_WIDE_CHAR.match(prev["text"]) and _WIDE_CHAR.match(char["text"])):
            parts.append(" ")
        parts.append(char["text"])
    return "".join(parts), tabular


def _is_page_number(line: _TextLine, height: float) -> bool:
    in_margin = line.bottom <= height * _MARGIN or line.top >= height * (1 - _MARGIN)
    return in_margin and _PAGE_NUMBER.match(line.text) is not None


# ==== paragraphs ================================================================================
def _flow(blocks: list[_Block]) -> list[SourceLine]:
    """Table rows as they are; consecutive text lines of one paragraph joined into one line."""
    margins = _Margins(blocks)
    out: list[SourceLine] = []
    paragraph: list[_TextLine] = []
    for block in blocks:
        if isinstance(block, _TextLine) and paragraph and margins.continues(paragraph[-1], block):
            paragraph.append(block)
            continue
        out.extend(_paragraph(paragraph))
        paragraph = []
        if isinstance(block, _TextLine):
            paragraph = [block]
        else:
            out.extend(block)
    out.extend(_paragraph(paragraph))
    return out


def _paragraph(lines: list[_TextLine]) -> Iterator[SourceLine]:
    if not lines:
        return
    text = lines[0].text
    for line in lines[1:]:
        text = _join(text, line.text)
    first = lines[0]
    yield SourceLine(text, Location(page=first.page, element=f"page[{first.page}]/line[{first.index}]"))


class _Margins:
    """Where the body text of each page starts and ends: a line that reaches the right margin
    goes on in the next line unless that one is indented, starts a heading or is a table row."""

    _MIN_LINES = 4      # fewer prose lines on a page: the whole document's margins are used

    def __init__(self, blocks: list[_Block]) -> None:
        prose = [b for b in blocks if isinstance(b, _TextLine) and not b.tabular]
        self.document = _edges(prose)
        self.pages: dict[int, tuple[float, float]] = {}
        for page in {line.page for line in prose}:
            on_page = [line for line in prose if line.page == page]
            if len(on_page) >= self._MIN_LINES:
                self.pages[page] = _edges(on_page)

    def continues(self, prev: _TextLine, line: _TextLine) -> bool:
        if prev.tabular or line.tabular or abs(prev.size - line.size) > 1 or _HEADING_START.match(line.text):
            return False
        if line.page == prev.page:
            if not 0 <= line.top - prev.bottom <= prev.size * 1.5:
                return False
        elif line.page != prev.page + 1:
            return False
        _, right = self.pages.get(prev.page, self.document)
        left, _ = self.pages.get(line.page, self.document)
        return prev.x1 >= right - prev.size * 1.5 and line.x0 <= left + line.size * 0.8


def _edges(lines: list[_TextLine]) -> tuple[float, float]:
    """Left and right margins: the 10th percentile of line starts, the 90th of line ends."""
    if not lines:
        return 0.0, 0.0
    starts = sorted(line.x0 for line in lines)
    ends = sorted(line.x1 for line in lines)
    return starts[len(starts) // 10], ends[(len(ends) * 9) // 10]
