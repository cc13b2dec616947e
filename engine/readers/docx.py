"""DOCX reader: a Word report read with zipfile and the standard XML parser (no python-docx).
(About 480 lines: the zip-bomb guards, paragraphs, numbering and merged table cells of WordprocessingML
are one reader; split, each part would need the others' state.)

Before anything is decompressed the zip directory is checked: at most MAX_ENTRIES entries and
MAX_UNCOMPRESSED bytes in all, and no entry over 1 MiB that expands more than MAX_RATIO times
(a ZIP bomb). XML parts with a DOCTYPE or entity declaration are refused, so no entity is ever
expanded or fetched. A corrupt, truncated or encrypted file is refused with a one-line reason.

The main part (found through _rels/.rels) is streamed through expat (no tree is built) in
document order: paragraphs, with the number Word draws for an auto-numbered paragraph
(numbering.xml, also through the paragraph's style) put in front of its text, and tables, with
horizontal (gridSpan) and vertical (vMerge) merges expanded (see grid.py). Paragraphs inside tables are a cell's text. Locations name
elements: "p[12]" is the 12th paragraph of the body, "table[2]/tr[5]/td[3]" the 3rd cell of the
5th row of the 2nd table; a DOCX has no lines, so `line` stays None.
"""

from __future__ import annotations

import io
import re
import zipfile
from xml.parsers import expat
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree as ET

from xxgk_audit.engine.model.report import Location, Report
from xxgk_audit.engine.readers import UnsupportedDocument
from xxgk_audit.engine.readers.grid import Block, CellBudget, Grid, GridCell, GridRow, flatten, pin_cells, span
from xxgk_audit.engine.readers.lines import SourceLine, read_lines

__all__ = ["read_docx", "MAX_UNCOMPRESSED", "MAX_ENTRIES", "MAX_RATIO"]

MAX_UNCOMPRESSED = 50 * 1024 * 1024    # all entries of the zip, uncompressed
MAX_ENTRIES = 5000
MAX_RATIO = 200                        # for entries over _RATIO_FLOOR bytes (Word XML: 5-50 times)
_RATIO_FLOOR = 1024 * 1024

_DEFAULT_MAIN = "word/document.xml"
_FORBIDDEN = tuple(marker.encode(enc) for marker in ("<!DOCTYPE", "<!ENTITY")
                   for enc in ("utf-8", "utf-16-le", "utf-16-be"))


# ---- the package -------------------------------------------------------------------------------
def _parts(data: bytes) -> tuple[bytes, bytes | None, bytes | None]:
    """The main document part, numbering.xml and styles.xml (None when absent)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            entries = _checked(zf.infolist())
            main = _main_part(zf, entries)
            if main not in entries:
                raise UnsupportedDocument("DOCX 中没有正文部分（word/document.xml），不是 Word 文档")
            folder = main.rpartition("/")[0]
            extra = [entries.get(f"{folder}/{name}") for name in ("numbering.xml", "styles.xml")]
            return (_read(zf, entries[main]), *(_read(zf, e) if e else None for e in extra))
    except UnsupportedDocument:
        raise
    except Exception as exc:  # noqa: BLE001 - any failure of the zip layer: a damaged file
        raise UnsupportedDocument(f"DOCX 文件已损坏或不完整，无法解压（{type(exc).__name__}）") from None


def _checked(infos: list[zipfile.ZipInfo]) -> dict[str, zipfile.ZipInfo]:
    """The zip directory by name, once its sizes are known to be safe to decompress."""
    if len(infos) > MAX_ENTRIES:
        raise UnsupportedDocument(f"DOCX 中的文件过多（{len(infos)} 个，上限 {MAX_ENTRIES}），未读取")
    total = sum(i.file_size for i in infos)
    if total > MAX_UNCOMPRESSED:
        raise UnsupportedDocument(f"DOCX 解压后过大（{total} 字节，上限 {MAX_UNCOMPRESSED}），疑似 ZIP 炸弹，未读取")
    for i in infos:
        if i.file_size > _RATIO_FLOOR and i.file_size > MAX_RATIO * max(i.compress_size, 1):
            raise UnsupportedDocument(f"DOCX 中 {i.filename} 的压缩比异常（{i.file_size // max(i.compress_size, 1)} 倍），"
                                      "疑似 ZIP 炸弹，未读取")
    return {i.filename: i for i in infos}


def _read(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    if info.flag_bits & 0x1:
        raise UnsupportedDocument("DOCX 已加密（受密码保护），无法读取")
    with zf.open(info) as f:
        return f.read(info.file_size)


def _main_part(zf: zipfile.ZipFile, entries: dict[str, zipfile.ZipInfo]) -> str:
    """The officeDocument target of _rels/.rels (word/document.xml when there is none)."""
    rels = entries.get("_rels/.rels")
    if rels is None:
        return _DEFAULT_MAIN
    for el in _xml(_read(zf, rels)).iter():
        if el.tag.endswith("Relationship") and el.get("Type", "").endswith("/officeDocument"):
            return el.get("Target", _DEFAULT_MAIN).lstrip("/")
    return _DEFAULT_MAIN


def _safe(xml: bytes) -> bytes:
    if any(marker in xml for marker in _FORBIDDEN):
        raise UnsupportedDocument("DOCX 含有 DOCTYPE 或实体声明，出于安全考虑未读取")
    return xml


def _xml(xml: bytes) -> ET.Element:
    try:
        return ET.fromstring(_safe(xml))
    except (ET.ParseError, LookupError) as exc:      # LookupError: an unknown declared encoding
        raise UnsupportedDocument(f"DOCX 的 XML 无法解析（{exc}）") from None


# ---- WordprocessingML names --------------------------------------------------------------------
class _Names:
    """Tags and attribute names in the document's namespace (transitional or strict OOXML):
    `w.tbl` is "{namespace}tbl", computed once per name."""

    def __init__(self, ns: str):
        self.ns = ns

    def __getattr__(self, local: str) -> str:
        if local.startswith("_"):
            raise AttributeError(local)
        name = f"{{{self.ns}}}{local}"
        setattr(self, local, name)
        return name

    @staticmethod
    def of(tag: str) -> _Names:
        return _Names(tag[1:tag.index("}")] if tag.startswith("{") else "")


def _val(el: ET.Element | None, w: _Names) -> str | None:
    return None if el is None else el.get(w.val)


# ---- numbering ---------------------------------------------------------------------------------
_CHINESE = "〇一二三四五六七八九"
_LEGAL = "零壹贰叁肆伍陆柒捌玖"
_STEMS = "甲乙丙丁戊己庚辛壬癸"
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
_ROMAN = ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"), (40, "XL"),
          (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))
_PLACEHOLDER = re.compile(r"%([1-9])")


def _counting(n: int, digits: str, ten: str) -> str:
    if not 0 <= n < 100:
        return str(n)
    tens, ones = divmod(n, 10)
    if not tens:
        return digits[ones]
    return (digits[tens] if tens > 1 else "") + ten + (digits[ones] if ones else "")


def _roman(n: int) -> str:
    out = []
    for value, letters in _ROMAN:
        count, n = divmod(n, value)
        out.append(letters * count)
    return "".join(out)


def _letter(n: int) -> str:
    return chr(ord("A") + (n - 1) % 26) * ((n - 1) // 26 + 1) if n > 0 else str(n)


_FORMATS = {
    "chineseCounting": lambda n: _counting(n, _CHINESE, "十"),
    "chineseCountingThousand": lambda n: _counting(n, _CHINESE, "十"),
    "japaneseCounting": lambda n: _counting(n, _CHINESE, "十"),
    "taiwaneseCounting": lambda n: _counting(n, _CHINESE, "十"),
    "chineseLegalSimplified": lambda n: _counting(n, _LEGAL, "拾"),
    "ideographTraditional": lambda n: _STEMS[n - 1] if 1 <= n <= 10 else str(n),
    "decimalEnclosedCircle": lambda n: _CIRCLED[n - 1] if 1 <= n <= 20 else str(n),
    "decimalEnclosedCircleChinese": lambda n: _CIRCLED[n - 1] if 1 <= n <= 20 else str(n),
    "decimalFullWidth": lambda n: str(n).translate({ord(d): chr(0xFF10 + int(d)) for d in "0123456789"}),
    "decimalZero": lambda n: f"{n:02d}",
    "upperLetter": _letter,
    "lowerLetter": lambda n: _letter(n).lower(),
    "upperRoman": _roman,
    "lowerRoman": lambda n: _roman(n).lower(),
}


@dataclass
class _Level:
    fmt: str
    text: str
    start: int
    suffix: str


@dataclass
class _Numbering:
    """Word's automatic numbers: what numbering.xml (and styles.xml) make Word draw in front of
    a numbered paragraph. Counters run per abstract list, as Word counts them."""

    levels: dict[str, dict[int, _Level]] = field(default_factory=dict)       # abstractNumId -> ilvl -> level
    nums: dict[str, tuple[str, dict[int, int]]] = field(default_factory=dict)  # numId -> (abstract, start overrides)
    styles: dict[str, tuple[str | None, str | None, str | None]] = field(default_factory=dict)  # numId, ilvl, basedOn
    counters: dict[str, list[int | None]] = field(default_factory=dict)
    started: set[str] = field(default_factory=set)

    @classmethod
    def load(cls, numbering: bytes | None, styles: bytes | None) -> _Numbering:
        self = cls()
        if numbering:
            root = _xml(numbering)
            w = _Names.of(root.tag)
            for abstract in root.iter(w.abstractNum):
                self.levels[abstract.get(w.abstractNumId, "")] = {
                    _level_index(lvl.get(w.ilvl)): _level(lvl, w) for lvl in abstract.iter(w.lvl)}
            for num in root.iter(w.num):
                overrides = {_level_index(o.get(w.ilvl)): _int(_val(o.find(w.startOverride), w), 1)
                             for o in num.iter(w.lvlOverride) if o.find(w.startOverride) is not None}
                self.nums[num.get(w.numId, "")] = (_val(num.find(w.abstractNumId), w) or "", overrides)
        if styles and self.nums:
            root = _xml(styles)
            w = _Names.of(root.tag)
            for style in root.iter(w.style):
                props = style.find(w.pPr)
                num_pr = props.find(w.numPr) if props is not None else None
                self.styles[style.get(w.styleId, "")] = (
                    _val(num_pr.find(w.numId), w) if num_pr is not None else None,
                    _val(num_pr.find(w.ilvl), w) if num_pr is not None else None,
                    _val(style.find(w.basedOn), w))
        return self

    def prefix(self, num_id: str | None, ilvl: str | None, style: str | None) -> str:
        """The number Word draws in front of a paragraph with these properties, or ""."""
        if not self.nums:
            return ""
        for _ in range(10):                 # numbering through the style chain (basedOn), bounded
            if num_id is not None or style not in self.styles:
                break
            style_num, style_ilvl, style = self.styles[style]
            num_id, ilvl = style_num, ilvl or style_ilvl
        if num_id not in self.nums:
            return ""
        abstract, overrides = self.nums[num_id]
        levels = self.levels.get(abstract, {})
        level = _level_index(ilvl)
        if level not in levels or levels[level].fmt in ("bullet", "none"):
            return ""
        counts = self.counters.setdefault(abstract, [None] * 9)
        if num_id not in self.started:
            self.started.add(num_id)
            for lvl in overrides:
                counts[lvl] = None
        start = {k: overrides.get(k, lv.start) for k, lv in levels.items()}
        counts[level] = start[level] if counts[level] is None else counts[level] + 1
        counts[level + 1:] = [None] * (8 - level)

        def number(m: re.Match[str]) -> str:
            k = int(m[1]) - 1
            value = counts[k] if counts[k] is not None else start.get(k, 1)
            return _FORMATS.get(levels[k].fmt if k in levels else "decimal", str)(value)

        return _PLACEHOLDER.sub(number, levels[level].text) + levels[level].suffix


def _int(text: str | None, default: int) -> int:
    return int(text) if text and text.isascii() and text.isdigit() and len(text) < 7 else default


def _level_index(text: str | None) -> int:
    return min(_int(text, 0), 8)


def _level(lvl: ET.Element, w: _Names) -> _Level:
    suffix = {"space": " ", "nothing": ""}.get(_val(lvl.find(w.suff), w) or "tab", "")
    return _Level(_val(lvl.find(w.numFmt), w) or "decimal", _val(lvl.find(w.lvlText), w) or "",
                  _int(_val(lvl.find(w.start), w), 1), suffix)


# ---- the body ----------------------------------------------------------------------------------
_W_NAMESPACES = ("http://schemas.openxmlformats.org/wordprocessingml/2006/main",
                 "http://purl.oclc.org/ooxml/wordprocessingml/main")
_VAL, _STRICT_VAL = (f"{ns}}}val" for ns in _W_NAMESPACES)
_MC_FALLBACK = "http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_RUN_MARKS = {"tab": "\t", "br": "\n", "cr": "\n", "noBreakHyphen": "-"}


@dataclass
class _Paragraph:
    where: Location
    parts: list[str] = field(default_factory=list)
    num_id: str | None = None
    ilvl: str | None = None
    style: str | None = None


@dataclass
class _OpenTable:
    grid: Grid
    name: str
    sink: list[Block]
    row: GridRow | None = None
    cell: GridCell | None = None
    cells: int = 0                  # <w:tc> elements in the current row


class _Body:
    """The main part read as a stream of XML events (expat: no tree is built), into blocks
    (paragraphs and tables) in reading order. Only the elements that carry text or table
    structure are looked at; formatting is skipped as it streams by."""

    def __init__(self, numbering: _Numbering):
        self.numbering = numbering
        self.blocks: list[Block] = []
        self.budget = CellBudget()
        self.paragraphs = self.tables = 0
        self.tables_open: list[_OpenTable] = []
        self.para: _Paragraph | None = None
        self.nested = 0                 # paragraphs (text boxes) open inside the current one
        self.skip = 0                   # depth inside an element whose content is not read
        self.in_text = self.in_ppr = self.in_rpr = self.hidden = False
        self.local = {f"{ns}}}{local}": local for ns in _W_NAMESPACES for local in (   # expat name -> local
            "p", "pPr", "numId", "ilvl", "pStyle", "r", "rPr", "vanish", "t", "tbl", "tr", "gridBefore",
            "tc", "gridSpan", "vMerge", *_RUN_MARKS)}

    def parse(self, xml: bytes) -> list[Block]:
        parser = expat.ParserCreate(namespace_separator="}")
        parser.buffer_text = True
        parser.StartDoctypeDeclHandler = parser.EntityDeclHandler = _refuse_declarations
        parser.StartElementHandler = self.start
        parser.EndElementHandler = self.end
        parser.CharacterDataHandler = self.data
        try:
            parser.Parse(xml, True)
        except (expat.ExpatError, LookupError) as exc:   # LookupError: an unknown declared encoding
            raise UnsupportedDocument(f"DOCX 的正文 XML 无法解析（{exc}）") from None
        while self.tables_open:
            self._close_table()
        return self.blocks

    # ---- events
    def start(self, name: str, attrs: dict[str, str]) -> None:
        if self.skip or name == _MC_FALLBACK:
            self.skip += 1
            return
        local = self.local.get(name)
        if local is None:
            return
        if self.para is not None:
            self._in_paragraph(local, attrs)
        elif local == "p":
            self._open_paragraph()
        elif local == "tbl":
            self._open_table()
        elif self.tables_open:
            self._in_table(local, attrs)

    def end(self, name: str) -> None:
        if self.skip:
            self.skip -= 1
            return
        local = self.local.get(name)
        if local == "t":
            self.in_text = False
        elif local == "pPr":
            self.in_ppr = False
        elif local == "rPr":
            self.in_rpr = False
        elif local == "p" and self.para is not None:
            if self.nested:
                self.nested -= 1
                self.para.parts.append("\n")
            else:
                self._close_paragraph()
        elif self.para is not None:
            return
        elif local == "tc" and self.tables_open:
            self.tables_open[-1].cell = None
        elif local == "tr" and self.tables_open:
            self.tables_open[-1].row = None
        elif local == "tbl" and self.tables_open:
            self._close_table()

    def data(self, text: str) -> None:
        if self.in_text and not self.hidden and self.para is not None:
            self.para.parts.append(text)

    # ---- paragraphs
    def _in_paragraph(self, local: str, attrs: dict[str, str]) -> None:
        para = self.para
        if local == "p":
            self.nested += 1            # a text box's paragraph: a line of its own within this one
            para.parts.append("\n")
        elif local == "pPr":
            self.in_ppr = True
        elif self.in_ppr:               # paragraph properties: tab stops, the mark's run properties…
            if self.nested:
                return
            if local == "numId":
                para.num_id = _val_of(attrs)
            elif local == "ilvl":
                para.ilvl = _val_of(attrs)
            elif local == "pStyle":
                para.style = _val_of(attrs)
        elif local == "r":
            self.hidden = False
        elif local == "rPr":
            self.in_rpr = True
        elif local == "vanish" and self.in_rpr:
            self.hidden = _val_of(attrs) not in ("0", "false")
        elif local == "t":
            self.in_text = True
        elif local in _RUN_MARKS and not self.hidden:
            para.parts.append(_RUN_MARKS[local])

    def _open_paragraph(self) -> None:
        table = self.tables_open[-1] if self.tables_open else None
        if table is not None and table.cell is not None:
            where = table.cell.location
        else:
            self.paragraphs += 1
            where = Location(element=f"p[{self.paragraphs}]")
        self.para = _Paragraph(where)

    def _close_paragraph(self) -> None:
        para, self.para = self.para, None
        self.in_text = self.in_ppr = self.in_rpr = self.hidden = False
        text = self.numbering.prefix(para.num_id, para.ilvl, para.style) + "".join(para.parts)
        sink = self._sink()
        if sink is not None:
            sink.extend(SourceLine(part.strip(), para.where) for part in text.split("\n") if part.strip())

    def _sink(self) -> list[Block] | None:
        """Where a paragraph goes: the open cell, the body, or nowhere (a covered cell, or text
        between a table's cells)."""
        if not self.tables_open:
            return self.blocks
        cell = self.tables_open[-1].cell
        return cell.blocks if cell is not None and not cell.covered else None

    # ---- tables
    def _open_table(self) -> None:
        sink = self._sink()
        self.budget.nest(len(self.tables_open) + 1)
        self.tables += 1
        self.tables_open.append(_OpenTable(Grid(), f"table[{self.tables}]", sink if sink is not None else []))

    def _close_table(self) -> None:
        table = self.tables_open.pop()
        table.sink.append(table.grid)

    def _in_table(self, local: str, attrs: dict[str, str]) -> None:
        table = self.tables_open[-1]
        if local == "tr":
            table.row = GridRow([], Location(element=f"{table.name}/tr[{len(table.grid.rows) + 1}]"))
            table.grid.rows.append(table.row)
            table.cells = 0
        elif table.row is None:
            return
        elif local == "gridBefore" and table.cell is None and _val_of(attrs) not in (None, "", "0"):
            # the row starts further right: one empty position
            table.row.cells.append(GridCell([], table.row.location, colspan=span(_val_of(attrs)), covered=True))
        elif local == "tc":
            self.budget.take()
            table.cells += 1
            table.cell = GridCell([], Location(element=f"{table.row.location.element}/td[{table.cells}]"))
            table.row.cells.append(table.cell)
        elif local == "gridSpan" and table.cell is not None:
            table.cell.colspan = span(_val_of(attrs))
        elif local == "vMerge" and table.cell is not None:
            table.cell.covered = _val_of(attrs) != "restart"


def _val_of(attrs: dict[str, str]) -> str | None:
    """The w:val attribute (in either namespace)."""
    value = attrs.get(_VAL, None)
    return value if value is not None else attrs.get(_STRICT_VAL)


def _refuse_declarations(*_: object) -> None:
    raise UnsupportedDocument("DOCX 含有 DOCTYPE 或实体声明，出于安全考虑未读取")


def read_docx(path: Path, data: bytes) -> Report:
    """Read a DOCX into a Report; UnsupportedDocument (a one-line reason in Chinese) when the file
    is damaged, encrypted, oversized or unsafe."""
    main, numbering, styles = _parts(data)
    blocks = _Body(_Numbering.load(numbering, styles)).parse(_safe(main))
    lines, pins = flatten(blocks)
    report = read_lines(str(path), "docx", lines)
    pin_cells(report, pins)
    return report
