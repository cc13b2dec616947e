"""PDF reader (text layer only; no OCR): pages into `SourceLine`s for the one text parser.
(About 440 lines: page text, ruled and unruled tables across pages and the header stitching
share the page geometry; the bounds on hostile PDFs are apart, in pdf_bounds.py.)

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
PDF that needs a password to open, one of more than `MAX_PAGES` pages (checked before any
page is parsed, so reading stays bounded), and one past the caps of pdf_bounds.py (decompression,
reference cycles, XObject nesting and fan-out, characters per page). A PDF encrypted without an open password (copy or print
restrictions only) is read. A PDF without a text layer (a scan) is read as a report without text:
the rules report that (META-013); pages without text are named in `report.notes`, and so are pages
with characters that have no Unicode value (pdfminer's "(cid:12)"), which are left out, not guessed.
"""

from __future__ import annotations

import io
import re
from bisect import bisect_left
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pdfplumber
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
from pdfminer.pdftypes import resolve1
from pdfplumber.utils.exceptions import PdfminerException

from xxgk_audit.engine.model.report import Location, Report
from xxgk_audit.engine.readers import UnsupportedDocument
from xxgk_audit.engine.readers.lines import SourceLine, grid_lines, read_lines
from xxgk_audit.engine.readers.pdf_bounds import bounded_inflate, guard_references, page_layout

__all__ = ["read_pdf", "MAX_PAGES"]

MAX_PAGES = 200         # an annual report has a few dozen pages at most; longer PDFs are refused

_WIDE = "\u2e80-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef\u201c\u201d\u2018\u2019"
_WIDE_CHAR = re.compile(rf"[{_WIDE}]")
_PAGE_NUMBER = re.compile(r"^[-—–－\s]*(?:第\s*)?\d{1,4}\s*(?:页)?(?:\s*[/共]\s*\d{1,4}\s*页?)?[-—–－\s]*$")
_HEADING_START = re.compile(r"^\s*(?:[一二三四五六七八九十]{1,3}\s*[、.．]|[（(][一二三四五六七八九十]{1,3}[）)])")
_MARGIN = 0.12          # share of the page height at the top and bottom where page numbers sit
_SPACE_GAP = 3.0        # points between characters that make a space (pdfplumber's x_tolerance)
_LINE_TOLERANCE = 3.0   # points between the middles of characters on one line


# ==== entry point ===============================================================================
def read_pdf(path: Path, data: bytes) -> Report:
    """Read a PDF's text layer into a Report (through the text parser), or raise
    UnsupportedDocument when it cannot be read."""
    if b"%%EOF" not in data[-4096:]:
        raise UnsupportedDocument("PDF 文件不完整（缺少文件结束标记），可能在下载或复制时被截断")
    try:
        doc = _read_pages(data)
    except (UnsupportedDocument, MemoryError):
        raise
    except PdfminerException as exc:
        if isinstance(exc.args[0] if exc.args else None, (UnsupportedDocument, MemoryError)):
            raise exc.args[0] from None
        raise UnsupportedDocument(_open_failure(exc.args[0] if exc.args else exc)) from None
    except Exception as exc:  # noqa: BLE001 - pdfminer raises many kinds on a damaged file
        raise UnsupportedDocument(f"PDF 文件已损坏，无法解析（{type(exc).__name__}）") from None
    report = read_lines(str(path), "pdf", _flow(doc.blocks), {"pages": doc.pages})
    report.notes.extend(_notes(doc))
    return report


def _notes(doc: _Document) -> list[str]:
    def which(pages: list[int]) -> str:
        return "全部" if len(pages) == doc.pages else "第 " + "、".join(map(str, pages))

    notes = ["PDF 已加密（无打开密码，仅限制复制、打印等），已照常读取"] if doc.encrypted else []
    if doc.empty:
        notes.append(f"{which(doc.empty)} 页没有文字层（可能是扫描图片），这些页未读取（不做 OCR）")
    if doc.undecoded:
        notes.append(f"{which(doc.undecoded)} 页有无法解码的文字（字体缺少 Unicode 映射），这些文字未读取")
    return notes


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
    undecoded: list[int]        # pages with characters that have no Unicode value ("(cid:12)")
    encrypted: bool             # encrypted without an open password


def _read_pages(data: bytes) -> _Document:
    with bounded_inflate(), pdfplumber.open(io.BytesIO(data)) as pdf:
        guard_references(pdf.doc)
        _check_page_count(_declared_pages(pdf))
        pages = pdf.pages
        _check_page_count(len(pages))
        if not pages:
            raise UnsupportedDocument("PDF 文件没有页面，可能已损坏")
        doc = _Document([], len(pages), [], [], pdf.doc.encryption is not None)
        for number, page in enumerate(pages, 1):
            page_layout(pdf, page)
            chars = [c for c in page.chars if not c["text"].startswith("(cid:")]
            if not page.chars:
                doc.empty.append(number)
            elif len(chars) < len(page.chars):
                doc.undecoded.append(number)
            doc.blocks.extend(_page_blocks(page, chars, number))
            page.close()            # drop the page's parsed objects: memory stays per page
    return doc


def _declared_pages(pdf: Any) -> int:
    """The page count the document states (/Pages /Count), read without building the pages."""
    try:
        return int(resolve1(resolve1(pdf.doc.catalog["Pages"])["Count"]))
    except (UnsupportedDocument, MemoryError):
        raise
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
    starts: tuple[float, ...] = ()      # x0 of each tab-separated field (tabular lines)


_Block = _TextLine | list[SourceLine]       # a text line, or the rows of one ruled table


def _page_blocks(page: Any, chars: list[dict[str, Any]], number: int) -> list[_Block]:
    """Tables and text lines of one page, top to bottom; page numbers in the margins left out."""
    chars = sorted(chars, key=_middle_y)
    borders = page.filter(_visible)
    settings = {"explicit_horizontal_lines": _closing_lines(borders.edges)}
    tables = [t for t in borders.find_tables(settings) if len(t.columns) >= 2]
    middles = [_middle_y(c) for c in chars]
    placed: list[tuple[float, _Block]] = [
        (t.bbox[1], _table_rows(t, chars, middles, number, k)) for k, t in enumerate(tables, 1)]
    boxes = [t.bbox for t in tables]
    outside = [c for c in chars if not any(_within(c, box) for box in boxes)]
    index = 0
    for line_chars in _lines(outside):
        line = _text_line(line_chars, number, index + 1)
        if line is None or _is_page_number(line, page.height):
            continue
        index += 1
        placed.append((line.top, line))
    placed.sort(key=lambda item: item[0])
    return [block for _, block in placed]


def _visible(obj: dict[str, Any]) -> bool:
    """Lines and shapes drawn in a colour other than white: the candidate table borders."""
    kind = obj["object_type"]
    if kind not in ("line", "rect", "curve"):
        return False
    stroked = obj.get("stroke", kind == "line") and not _white(obj.get("stroking_color"))
    filled = obj.get("fill") and not _white(obj.get("non_stroking_color"))
    return bool(stroked or filled)


def _white(color: Any) -> bool:
    if isinstance(color, (int, float)):
        color = (color,)
    if not isinstance(color, (tuple, list)) or not all(isinstance(c, (int, float)) for c in color):
        return False
    if len(color) == 4:                             # CMYK: no ink
        return max(color) <= 0.05
    return len(color) in (1, 3) and min(color) >= 0.95


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


def _middle_y(char: dict[str, Any]) -> float:
    return (char["top"] + char["bottom"]) / 2


def _within(char: dict[str, Any], box: tuple[float, float, float, float]) -> bool:
    """A character whose centre is in the box (pdfplumber's rule for a cell's characters)."""
    x0, top, x1, bottom = box
    return x0 <= (char["x0"] + char["x1"]) / 2 < x1 and top <= _middle_y(char) < bottom


def _table_rows(table: Any, chars: list[dict[str, Any]], middles: list[float], page: int,
                k: int) -> list[SourceLine]:
    """One tab-separated line per row (a row of blank cells too: its cells are unknown, not
    absent); `chars` are the page's characters sorted by `middles`."""
    grid = []
    for row in table.rows:
        _, top, _, bottom = row.bbox
        band = chars[bisect_left(middles, top):bisect_left(middles, bottom)]
        grid.append(_row_cells([None if box is None else _cell_text([c for c in band if _within(c, box)])
                                for box in row.cells]))
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
        cells.append(cell or "")
        if cell is not None:
            last = cell
    return cells


def _cell_text(chars: list[dict[str, Any]]) -> str:
    """A cell's text on one line: its lines joined (「结/果/维/持」 one per line → 「结果维持」)."""
    text = ""
    for line in _lines(chars):
        piece = _chars_text(line, tabs=False)
        if piece:
            text = _join(text, piece) if text else piece
    return text


def _lines(chars: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Characters (sorted top to bottom) grouped into lines, each sorted left to right."""
    lines: list[list[dict[str, Any]]] = []
    for char in chars:
        if lines and abs(_middle_y(char) - _middle_y(lines[-1][0])) <= _LINE_TOLERANCE:
            lines[-1].append(char)
        else:
            lines.append([char])
    return [sorted(line, key=lambda c: c["x0"]) for line in lines]


def _join(left: str, right: str) -> str:
    """Two pieces of one wrapped text: no space after or before a CJK character, nor inside a
    number broken over two lines."""
    a, b = left[-1], right[0]
    glue = "" if _WIDE_CHAR.match(a) or _WIDE_CHAR.match(b) or (a.isdigit() and b.isdigit()) else " "
    return left + glue + right


def _text_line(chars: list[dict[str, Any]], page: int, index: int) -> _TextLine | None:
    shown = [c for c in chars if not c["text"].isspace()]
    if not shown:
        return None
    starts: list[float] = []
    text = _chars_text(chars, tabs=True, starts=starts)
    return _TextLine(text, page, index, shown[0]["x0"], max(c["x1"] for c in shown),
                     min(c["top"] for c in shown), max(c["bottom"] for c in shown), shown[0]["size"],
                     "\t" in text, tuple(starts))


def _chars_text(chars: list[dict[str, Any]], tabs: bool, starts: list[float] | None = None) -> str:
    """A line's text from its characters: a space at a space character or a gap (none between
    CJK characters), or a tab at a gap of an em or more when `tabs` (cells of an unruled table);
    the x0 of each tab-separated field goes to `starts`."""
    parts: list[str] = []
    prev: dict[str, Any] | None = None
    spaced = False
    for char in chars:
        if char["text"].isspace():
            spaced = True
            continue
        if prev is not None:
            gap = char["x0"] - prev["x1"]
            if tabs and gap >= max(prev["size"], char["size"]):
                parts.append("\t")
                if starts is not None:
                    starts.append(char["x0"])
            elif (spaced or gap > _SPACE_GAP) and not (_WIDE_CHAR.match(prev["text"])
                                                       and _WIDE_CHAR.match(char["text"])):
                parts.append(" ")
        elif starts is not None:
            starts.append(char["x0"])
        parts.append(char["text"])
        prev, spaced = char, False
    return "".join(parts)


def _is_page_number(line: _TextLine, height: float) -> bool:
    in_margin = line.bottom <= height * _MARGIN or line.top >= height * (1 - _MARGIN)
    return in_margin and _PAGE_NUMBER.match(line.text) is not None


# ==== paragraphs ================================================================================
def _flow(blocks: list[_Block]) -> list[SourceLine]:
    """Table rows as they are; consecutive text lines of one paragraph joined into one line."""
    _align_unruled(blocks)
    margins = _Margins(blocks)
    out: list[SourceLine] = []
    paragraph: list[_TextLine] = []
    for block in [*blocks, None]:               # None: the end, where the last paragraph closes
        if isinstance(block, _TextLine) and (not paragraph or margins.continues(paragraph[-1], block)):
            paragraph.append(block)
            continue
        if paragraph:
            out.append(_paragraph(paragraph))
        paragraph = [block] if isinstance(block, _TextLine) else []
        if isinstance(block, list):
            out.extend(block)
    return out


def _paragraph(lines: list[_TextLine]) -> SourceLine:
    text = lines[0].text
    for line in lines[1:]:
        text = _join(text, line.text)
    first = lines[0]
    return SourceLine(text, Location(page=first.page, element=f"page[{first.page}]/line[{first.index}]"))


def _align_unruled(blocks: list[_Block]) -> None:
    """Rows of an unruled table (tabular lines, and the label-only lines between them) with blank
    cells have fewer fields: each field is put under the column it starts in (the columns of the
    table's fullest rows) and the blank cells become empty fields, so that no value moves into its
    neighbour's column and a row of blank cells is still a row."""
    run: list[_TextLine] = []
    for block in [*blocks, None]:
        if isinstance(block, _TextLine) and block.tabular and len(block.starts) >= 2:
            run.append(block)
            continue
        if isinstance(block, _TextLine) and run and block.page == run[-1].page:
            run.append(block)           # a label alone: inside the table only if a row follows
            continue
        while run and not run[-1].tabular:
            run.pop()
        if len(run) >= 2:
            _align(run)
        run = [block] if isinstance(block, _TextLine) and block.tabular and len(block.starts) >= 2 else []


def _align(rows: list[_TextLine]) -> None:
    width = max(len(r.starts) for r in rows)
    full = [r.starts for r in rows if len(r.starts) == width]
    columns = [sum(x[k] for x in full) / len(full) for k in range(width)]
    for row in rows:
        if len(row.starts) == width:
            continue
        if not row.tabular:             # nothing in the value columns: a row of blank cells
            if row.x1 < columns[1]:
                row.text, row.tabular = row.text + "\t" * (width - 1), True
            continue
        fields = row.text.split("\t")
        at = [min(range(width), key=lambda k: abs(columns[k] - x)) for x in row.starts]
        if at[0] != 0 or len(set(at)) != len(at):        # the label is not first, or two fields share a column
            continue
        cells = [""] * width
        for k, text in zip(at, fields):
            cells[k] = text
        row.text = "\t".join(cells)


class _Margins:
    """Where the body text of each page starts and ends: a line that reaches the right margin
    goes on in the next line unless that one is indented, starts a heading or is a table row.
    Margins come from the page's prose lines, or the whole document's when the page has few; with
    fewer than that in the whole document they are unknown and no lines are joined."""

    _MIN_LINES = 4

    def __init__(self, blocks: list[_Block]) -> None:
        prose = [b for b in blocks if isinstance(b, _TextLine) and not b.tabular]
        self.document = _edges(prose) if len(prose) >= self._MIN_LINES else None
        by_page: dict[int, list[_TextLine]] = {}
        for line in prose:
            by_page.setdefault(line.page, []).append(line)
        self.pages = {page: _edges(lines) for page, lines in by_page.items() if len(lines) >= self._MIN_LINES}

    def continues(self, prev: _TextLine, line: _TextLine) -> bool:
        if prev.tabular or line.tabular or abs(prev.size - line.size) > 1 or _HEADING_START.match(line.text):
            return False
        if line.page == prev.page:
            if not 0 <= line.top - prev.bottom <= prev.size * 1.5:
                return False
        elif line.page != prev.page + 1:
            return False
        ends, starts = self.pages.get(prev.page, self.document), self.pages.get(line.page, self.document)
        if ends is None or starts is None:
            return False
        return prev.x1 >= ends[1] - prev.size * 1.5 and line.x0 <= starts[0] + line.size * 0.8


def _edges(lines: list[_TextLine]) -> tuple[float, float]:
    """Left and right margins: the 10th percentile of line starts, the 90th of line ends."""
    starts = sorted(line.x0 for line in lines)
    ends = sorted(line.x1 for line in lines)
    return starts[len(starts) // 10], ends[(len(ends) * 9) // 10]
