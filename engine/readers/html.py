"""HTML reader: a report page as saved from a government portal.

The page is decoded (byte-order mark; then UTF-8 unless more than a few bytes are invalid, since
pages re-saved by a browser keep their old GBK <meta>; then the declared charset; then GB18030;
bad bytes replaced where they are and counted: engine/model/normalize.py decode_document) and
parsed by libxml2's HTML parser (lxml) in recovery mode: nothing is executed or fetched (no
network), and entities are only the HTML character references. Scripts, styles, hidden elements and the site's chrome
(<nav>, <footer>, <aside>, a <header> outside the article, elements whose class or id names a
menu, breadcrumb or footer) are left out; if that would drop more text than it keeps, the page is
walked again with only scripts, styles and hidden elements left out.

What remains is handed over as paragraphs and tables (rowspan/colspan expanded, see grid.py) to
the one text parser. Locations carry the line in the file and, for table cells, the element:
"table[2]/tr[5]/td[3]" is the 3rd cell of the 5th row of the page's 2nd <table>. The publication
date comes from page metadata (<meta name="PubDate">, "firstpublishedtime", …), else from the
text (发布日期/发布时间, also in the chrome), into report.metadata["published"].
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from lxml import etree

from xxgk_audit.engine.model.normalize import Decoded, decode_document
from xxgk_audit.engine.model.reading import note_replaced
from xxgk_audit.engine.model.report import Location, Report
from xxgk_audit.engine.readers import UnsupportedDocument
from xxgk_audit.engine.readers.grid import Block, CellBudget, Grid, GridCell, GridRow, flatten, pin_cells, span
from xxgk_audit.engine.readers.lines import SourceLine, read_lines

__all__ = ["read_html", "decode_html"]

# ---- decoding ----------------------------------------------------------------------------------
_DECLARED = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([a-z0-9_.:-]+)"""
                       rb"""|<\?xml[^>]*?encoding\s*=\s*["']([a-z0-9_.:-]+)""", re.IGNORECASE)
_DECLARATION_BYTES = 16384
_GARBLED = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\ufffd]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
_GARBLE_SAMPLE = 200_000
_MAX_DEPTH = 2048           # libxml2's element nesting limit with huge_tree
_GARBLE_SHARE = 0.02


def decode_html(data: bytes) -> Decoded:
    """The page as text (engine/model/normalize.py: decode_document, with the charset the page
    declares: one that names no text encoding, such as rot-13, counts as none)."""
    return decode_document(data, _declared(data))


def _declared(data: bytes) -> str | None:
    """The charset a <meta> or XML declaration names, as written."""
    m = _DECLARED.search(data, 0, _DECLARATION_BYTES)
    return None if m is None else (m[1] or m[2]).decode("ascii")


def _garbled(text: str) -> bool:
    """Control characters or undecodable bytes in more than a few percent: not a text page."""
    sample = text[:_GARBLE_SAMPLE]
    bad = len(_GARBLED.findall(sample))
    return bad > 20 and bad > _GARBLE_SHARE * len(sample)


# ---- publication date --------------------------------------------------------------------------
_PUBDATE_META = frozenset({"pubdate", "publishdate", "publish_date", "publishtime", "firstpublishedtime",
                           "article:published_time", "dc.date", "dc.date.issued", "dcterms.issued",
                           "releasedate"})
_DATE = r"((?:19|20)\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})"
_ANY_DATE = re.compile(_DATE)
_LABELLED_DATE = re.compile(r"(?:发布日期|发布时间|发表日期|发表时间|发布于|公开日期)\s*[:：]?\s*" + _DATE)
_CHROME_TEXT = 20_000     # characters of chrome text kept for the date search


def _date(m: re.Match[str] | None) -> date | None:
    if m is None:
        return None
    try:
        return date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None


# ---- the page ----------------------------------------------------------------------------------
_BLOCK_TAGS = frozenset(
    "address article aside blockquote br caption center dd details dialog div dl dt fieldset figcaption "
    "figure footer form h1 h2 h3 h4 h5 h6 header hr legend li main nav ol p pre section summary title "
    "ul".split())               # table elements end paragraphs through their own handlers
_VOID_TAGS = frozenset("area base br col embed hr img input link meta param source track wbr".split())
_SKIP_TAGS = frozenset("script style noscript template iframe object embed svg math canvas select "
                       "textarea button title".split())
_CHROME_TAGS = frozenset({"nav", "footer", "aside"})
_CHROME_NAMES = frozenset({"nav", "navbar", "menu", "footer", "foot", "breadcrumb", "breadcrumbs", "crumb",
                           "crumbs", "position", "location", "sidebar", "share", "toolbar", "copyright",
                           "topbar"})
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_CJK = "\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef"
_CJK_BREAK = re.compile(rf"(?<=[{_CJK}])\s*\n\s*(?=[{_CJK}])")


def _clean(text: str) -> str:
    """Whitespace as a browser shows it: a line break between CJK characters vanishes, other
    runs of white space (&nbsp; and the ideographic space included) become one space."""
    return " ".join((_CJK_BREAK.sub("", text) if "\n" in text else text).split())


@dataclass
class _OpenTable:
    grid: Grid
    index: int                  # the table's number in the page (1-based, document order)
    sink: list[Block]           # where the table goes when it closes
    row: GridRow | None = None
    cell: GridCell | None = None


class _Page:
    """The page as blocks (paragraphs and tables) in reading order, from a walk over its tree."""

    def __init__(self, strip_chrome: bool):
        self.strip_chrome = strip_chrome
        self.blocks: list[Block] = []
        self.published: date | None = None      # from <meta>
        self.kept = self.dropped = 0            # characters of text kept, and dropped as chrome
        self.chrome: list[str] = []             # dropped chrome text, searched for a 发布日期
        self._tables: list[_OpenTable] = []
        self._table_count = 0
        self._budget = CellBudget()
        self._buffer: list[str] = []
        self._buffer_line: int | None = None
        self._articles = 0                      # open <article>/<main> elements

    def walk(self, root: etree._Element) -> _Page:
        walker = etree.iterwalk(root, events=("start", "end"))
        skipped = None                          # the element whose subtree is being skipped
        for event, el in walker:
            tag = el.tag
            if not isinstance(tag, str):        # an entity or a leftover comment
                continue
            if event == "start":
                chrome = self._skipped(tag, el.attrib)
                leaf = chrome is None and tag in ("td", "th") and not len(el) and bool(self._tables)
                if chrome is None and not leaf:
                    self._start(tag, el)
                    self._data(el.text, el.sourceline)
                    continue
                walker.skip_subtree()           # its content is read at once (a text-only cell) or not at all
                skipped = el
                if leaf:
                    self._leaf_cell(el)
                else:
                    self._flush()
                    if chrome:
                        self._chrome(el)
            else:
                if el is skipped:
                    skipped = None
                else:
                    self._end(tag)
                self._data(el.tail, el.sourceline)
        self._flush()
        while self._tables:
            self._close_table()
        return self

    # ---- elements
    def _start(self, tag: str, el: etree._Element) -> None:
        if tag == "meta":
            self._meta(el.attrib)
            return
        self._articles += tag in ("article", "main")
        if tag in _BLOCK_TAGS:
            self._flush()
        if tag == "table":
            self._open_table()
        elif tag == "tr":
            self._open_row(el.sourceline)
        elif tag in ("td", "th"):
            self._open_cell(el)

    def _end(self, tag: str) -> None:
        if tag in ("article", "main") and self._articles:
            self._articles -= 1
        if tag in _BLOCK_TAGS:
            self._flush()
        if tag == "table":
            self._close_table()
        elif tag == "tr":
            self._close_row()
        elif tag in ("td", "th"):
            self._close_cell()

    def _data(self, text: str | None, line: int | None) -> None:
        if not text or not self._buffer and text.isspace():
            return
        if self._buffer_line is None and line is not None:
            self._buffer_line = line + text.count("\n", 0, len(text) - len(text.lstrip()))
        self._buffer.append(text)

    def _skipped(self, tag: str, attrs) -> bool | None:
        """None when the element is read; else whether it is chrome (True) or code/hidden (False)."""
        if tag in _SKIP_TAGS:
            return False
        if tag in _VOID_TAGS or not attrs and tag not in _CHROME_TAGS and tag != "header":
            return None
        if "hidden" in attrs or _HIDDEN_STYLE.search(attrs.get("style", "")):
            return False
        if not self.strip_chrome:
            return None
        if tag in _CHROME_TAGS or (tag == "header" and not self._articles):
            return True
        names = f"{attrs.get('class', '')} {attrs.get('id', '')}".lower().split()
        return True if any(name in _CHROME_NAMES for name in names) else None

    def _chrome(self, el: etree._Element) -> None:
        text = "".join(el.itertext())
        self.dropped += len(text.strip())
        if sum(map(len, self.chrome)) < _CHROME_TEXT:
            self.chrome.append(text[:_CHROME_TEXT])

    def _meta(self, attrs) -> None:
        name = (attrs.get("name") or attrs.get("property") or "").strip().lower()
        if name in _PUBDATE_META and self.published is None:
            self.published = _date(_ANY_DATE.search(attrs.get("content", "")))

    # ---- paragraphs and tables
    def _sink(self) -> list[Block]:
        if self._tables:
            table = self._tables[-1]
            return table.cell.blocks if table.cell is not None else table.sink
        return self.blocks

    def _flush(self) -> None:
        if not self._buffer:
            return
        text = _clean("".join(self._buffer))
        if text:
            self.kept += len(text)
            self._sink().append(SourceLine(text, Location(line=self._buffer_line)))
        self._buffer.clear()
        self._buffer_line = None

    def _open_table(self) -> None:
        self._flush()
        self._budget.nest(len(self._tables) + 1)
        self._table_count += 1
        self._tables.append(_OpenTable(Grid(), self._table_count, self._sink()))

    def _close_table(self) -> None:
        self._flush()
        if self._tables:
            table = self._tables.pop()
            table.sink.append(table.grid)

    def _open_row(self, line: int | None) -> None:
        if not self._tables:
            return
        table = self._tables[-1]
        element = f"table[{table.index}]/tr[{len(table.grid.rows) + 1}]"
        table.row = GridRow([], Location(line=line, element=element))
        table.grid.rows.append(table.row)

    def _close_row(self) -> None:
        if self._tables:
            self._tables[-1].row = None

    def _open_cell(self, el: etree._Element) -> None:
        if not self._tables:
            return
        self._flush()
        if self._tables[-1].row is None:            # a cell outside any row: a row of its own
            self._open_row(el.sourceline)
        table = self._tables[-1]
        self._budget.take()
        element = f"{table.row.location.element}/td[{len(table.row.cells) + 1}]"
        table.cell = GridCell([], Location(line=el.sourceline, element=element),
                              colspan=span(el.get("colspan")), rowspan=span(el.get("rowspan")))
        table.row.cells.append(table.cell)

    def _leaf_cell(self, el: etree._Element) -> None:
        """A cell with text only (most cells): read at once."""
        self._open_cell(el)
        cell = self._tables[-1].cell
        text = _clean(el.text) if el.text else ""
        if text:
            self.kept += len(text)
            cell.blocks.append(SourceLine(text, cell.location))
        self._tables[-1].cell = None

    def _close_cell(self) -> None:
        if self._tables:
            self._flush()
            self._tables[-1].cell = None


def _tree(text: str) -> etree._Element | None:
    """The page's element tree (libxml2's HTML parser, recovering from broken markup; no network,
    comments and processing instructions dropped); None for a page without elements."""
    # huge_tree lifts libxml2's nesting limit from 256 to 2048 elements; past that, content deeper
    # down would be dropped silently: the page is refused instead
    parser = etree.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True, no_network=True,
                              huge_tree=True)
    try:    # bytes with the encoding given: the page's own declarations are not obeyed again
        root = etree.fromstring(_CONTROL.sub("", text).encode("utf-8"), parser)
    except (etree.LxmlError, ValueError) as exc:
        raise UnsupportedDocument(f"HTML 页面无法解析（{type(exc).__name__}）") from None
    deep = next((e for e in parser.error_log if "Excessive depth" in e.message), None)
    if deep is not None:
        raise UnsupportedDocument(f"HTML 页面元素嵌套过深（第 {deep.line} 行超过解析器的 {_MAX_DEPTH} 层上限），"
                                  "更深处的内容无法读取，未审核", "READ-018", limit="html_depth", max=_MAX_DEPTH,
                                  line=deep.line)
    return root


def read_html(path: Path, data: bytes) -> Report:
    """Read an HTML page into a Report; UnsupportedDocument when the bytes are not a text page."""
    text, encoding, replaced = decode_html(data)
    if _garbled(text):
        raise UnsupportedDocument("不是可读的 HTML 页面（含大量控制字符或无法解码的字节，可能是二进制文件）")
    root = _tree(text)
    page = _Page(strip_chrome=True)
    if root is not None:
        page.walk(root)
        if page.dropped > page.kept:
            page = _Page(strip_chrome=False).walk(root)
    lines, pins = flatten(page.blocks)
    metadata = {"encoding": encoding, **({"published": page.published} if page.published else {})}
    if replaced:
        note_replaced(metadata, encoding, replaced)
    report = read_lines(str(path), "html", lines, metadata)
    if "published" not in report.metadata:
        found = _date(_LABELLED_DATE.search("".join(page.chrome)))
        if found:
            report.metadata["published"] = found
    pin_cells(report, pins)
    return report
