"""HTML reader: a report page as saved from a government portal.

The page is decoded (byte-order mark; then UTF-8 when the bytes are valid UTF-8, since pages
re-saved by a browser keep their old GBK <meta>; then the declared charset; then GB18030) and
tokenised with the standard library's parser: nothing is executed or fetched, and entities are
only the HTML character references. Scripts, styles, hidden elements and the site's chrome
(<nav>, <footer>, <aside>, a <header> outside the article, elements whose class or id names a
menu, breadcrumb or footer) are left out; if that would drop more text than it keeps, the page is
read again with only scripts, styles and hidden elements left out.

What remains is handed over as paragraphs and tables (rowspan/colspan expanded, see grid.py) to
the one text parser. Locations carry the line in the file and, for table cells, the element:
"table[2]/tr[5]/td[3]" is the 3rd cell of the 5th row of the page's 2nd <table>. The publication
date comes from page metadata (<meta name="PubDate">, "firstpublishedtime", …), else from the
text (发布日期/发布时间, also in the chrome), into report.metadata["published"].
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

from ..model import Location, Report
from . import UnsupportedDocument
from .grid import Block, CellBudget, Grid, GridCell, GridRow, flatten, pin_cells, span
from .lines import SourceLine, read_lines

__all__ = ["read_html", "decode_html"]

# ---- decoding ----------------------------------------------------------------------------------
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_DECLARED = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([a-z0-9_.:-]+)"""
                       rb"""|<\?xml[^>]*?encoding\s*=\s*["']([a-z0-9_.:-]+)""", re.IGNORECASE)
_DECLARATION_BYTES = 16384
_GB_FAMILY = frozenset({"gb2312", "gbk", "cp936", "gb18030", "hz", "euc_cn"})
_GARBLED = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\ufffd]")
_GARBLE_SAMPLE = 200_000
_GARBLE_SHARE = 0.02


def decode_html(data: bytes) -> tuple[str, str]:
    """The page as text, and the encoding it was decoded with."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data[len(bom):].decode(encoding, "replace"), encoding
    for encoding in dict.fromkeys(e for e in ("utf-8", _declared(data), "gb18030") if e):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    return data.decode("gb18030", "replace"), "gb18030/replace"


def _declared(data: bytes) -> str | None:
    """The charset a <meta> or XML declaration names, as a Python codec (the GB family as GB18030)."""
    m = _DECLARED.search(data, 0, _DECLARATION_BYTES)
    if m is None:
        return None
    try:
        name = codecs.lookup((m[1] or m[2]).decode("ascii")).name
    except LookupError:
        return None
    if name in _GB_FAMILY:
        return "gb18030"
    return None if name.startswith("utf-16") or name.startswith("utf-32") else name


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
    "figure footer form h1 h2 h3 h4 h5 h6 header hr legend li main nav ol p pre section summary table "
    "tbody td tfoot th thead title tr ul".split())
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
    return " ".join(_CJK_BREAK.sub("", text).split())


@dataclass
class _OpenTable:
    grid: Grid
    index: int                  # the table's number in the page (1-based, document order)
    sink: list[Block]           # where the table goes when it closes
    row: GridRow | None = None
    cell: GridCell | None = None


class _Page(HTMLParser):
    """The page as blocks (paragraphs and tables) in reading order."""

    def __init__(self, strip_chrome: bool):
        super().__init__(convert_charrefs=True)
        self.strip_chrome = strip_chrome
        self.blocks: list[Block] = []
        self.published: date | None = None      # from <meta>
        self.kept = self.dropped = 0            # characters of text kept, and dropped as chrome
        self.chrome: list[str] = []             # dropped chrome text, searched for a 发布日期
        self.failure: str | None = None
        self._tables: list[_OpenTable] = []
        self._table_count = 0
        self._budget = CellBudget()
        self._buffer: list[str] = []
        self._buffer_line: int | None = None
        self._skip: list = []                   # [tag, depth, is_chrome] while inside a skipped element
        self._articles = 0                      # open <article>/<main> elements

    # ---- tokenizer callbacks
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._skip:
            self._skip[1] += tag == self._skip[0]
            return
        attributes = {k: v or "" for k, v in attrs}
        if tag == "meta":
            self._meta(attributes)
            return
        skipped = self._skipped(tag, attributes)
        if skipped is not None:
            self._flush()
            self._skip = [tag, 1, skipped]
            return
        self._articles += tag in ("article", "main")
        if tag in _BLOCK_TAGS:
            self._flush()
        if tag == "table":
            self._open_table()
        elif tag == "tr":
            self._open_row()
        elif tag in ("td", "th"):
            self._open_cell(attributes)

    def handle_endtag(self, tag: str) -> None:
        if self._skip:
            if tag == self._skip[0]:
                self._skip[1] -= 1
                if self._skip[1] == 0:
                    self._skip = []
            return
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

    def handle_data(self, data: str) -> None:
        if self._skip:
            if self._skip[2]:
                self.dropped += len(data)
                if sum(map(len, self.chrome)) < _CHROME_TEXT:
                    self.chrome.append(data)
            return
        if self._buffer_line is None:
            stripped = data.lstrip()
            if stripped:
                self._buffer_line = self.getpos()[0] + data.count("\n", 0, len(data) - len(stripped))
        self._buffer.append(data)

    def finish(self) -> None:
        """Close what the page left open."""
        self._flush()
        while self._tables:
            self._close_table()

    # ---- helpers
    def _skipped(self, tag: str, attrs: dict[str, str]) -> bool | None:
        """None when the element is read; else whether it is chrome (True) or code/hidden (False)."""
        if tag in _SKIP_TAGS:
            return False
        if tag in _VOID_TAGS:
            return None
        if "hidden" in attrs or _HIDDEN_STYLE.search(attrs.get("style", "")):
            return False
        if not self.strip_chrome:
            return None
        if tag in _CHROME_TAGS or (tag == "header" and not self._articles):
            return True
        names = f"{attrs.get('class', '')} {attrs.get('id', '')}".lower().split()
        return True if any(name in _CHROME_NAMES for name in names) else None

    def _meta(self, attrs: dict[str, str]) -> None:
        name = (attrs.get("name") or attrs.get("property") or "").strip().lower()
        if name in _PUBDATE_META and self.published is None:
            self.published = _date(_ANY_DATE.search(attrs.get("content", "")))

    def _sink(self) -> list[Block]:
        if self._tables:
            table = self._tables[-1]
            return table.cell.blocks if table.cell is not None else table.sink
        return self.blocks

    def _flush(self) -> None:
        text = _clean("".join(self._buffer)) if self._buffer else ""
        if text:
            self.kept += len(text)
            self._sink().append(SourceLine(text, Location(line=self._buffer_line)))
        self._buffer.clear()
        self._buffer_line = None

    def _open_table(self) -> None:
        self._table_count += 1
        self._tables.append(_OpenTable(Grid(), self._table_count, self._sink()))

    def _close_table(self) -> None:
        if self._tables:
            table = self._tables.pop()
            table.sink.append(table.grid)

    def _open_row(self) -> None:
        if not self._tables:
            return
        self._close_row()
        table = self._tables[-1]
        element = f"table[{table.index}]/tr[{len(table.grid.rows) + 1}]"
        table.row = GridRow([], Location(line=self.getpos()[0], element=element))
        table.grid.rows.append(table.row)

    def _close_row(self) -> None:
        if self._tables:
            self._close_cell()
            self._tables[-1].row = None

    def _open_cell(self, attrs: dict[str, str]) -> None:
        if not self._tables:
            return
        self._close_cell()
        if self._tables[-1].row is None:
            self._open_row()
        table = self._tables[-1]
        self._budget.take()
        element = f"{table.row.location.element}/td[{len(table.row.cells) + 1}]"
        table.cell = GridCell([], Location(line=self.getpos()[0], element=element),
                              colspan=span(attrs.get("colspan")), rowspan=span(attrs.get("rowspan")))
        table.row.cells.append(table.cell)

    def _close_cell(self) -> None:
        if self._tables:
            self._flush()
            self._tables[-1].cell = None


def _parse(text: str, strip_chrome: bool) -> _Page:
    page = _Page(strip_chrome)
    try:
        page.feed(text)
        page.close()
    except UnsupportedDocument:
        raise
    except Exception as exc:  # noqa: BLE001 - the tokenizer on broken markup: keep what was read
        page.failure = f"html: parsing stopped early: {exc!r}"
    page.finish()
    return page


def read_html(path: Path, data: bytes) -> Report:
    """Read an HTML page into a Report; UnsupportedDocument when the bytes are not a text page."""
    text, encoding = decode_html(data)
    if _garbled(text):
        raise UnsupportedDocument("不是可读的 HTML 页面（含大量控制字符或无法解码的字节，可能是二进制文件）")
    page = _parse(text, strip_chrome=True)
    if page.dropped > page.kept:
        page = _parse(text, strip_chrome=False)
    lines, pins = flatten(page.blocks)
    metadata = {"encoding": encoding, **({"published": page.published} if page.published else {})}
    report = read_lines(str(path), "html", lines, metadata)
    if "published" not in report.metadata:
        found = _date(_LABELLED_DATE.search("".join(page.chrome)))
        if found:
            report.metadata["published"] = found
    if page.failure:
        report.notes.append(page.failure)
    pin_cells(report, pins)
    return report
