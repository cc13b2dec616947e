"""Render a known report as published documents: an HTML page with real rowspan/colspan (UTF-8 or
GB18030, with site chrome around the article) and a DOCX with merged cells (gridSpan, vMerge).

The source is a report read by the text reader (a sample .txt, or a Report already read and
perhaps changed): its prose lines become paragraphs (the title and section headings as
headings), and each of its tables is drawn in the official layout of its format, with the cells'
raw text and the row labels as written. Rows the report lacks are left out; subtotal rows are
not drawn. `truth(report)` is what every table cell of the rendered document must read as.

    from docgen import render_html, render_docx
    page = render_html("samples/clean-2021.txt", encoding="gb18030")
"""

from __future__ import annotations

import html
import io
import random
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from xml.sax.saxutils import escape

from xxgk_audit.engine.model import template
from xxgk_audit.engine.model.report import Location, Report, Table
from xxgk_audit.engine.readers import read_text

__all__ = ["Cell", "Grid", "Para", "load", "blocks", "truth", "render_html", "render_docx"]


@dataclass
class Cell:
    text: str
    rowspan: int = 1
    colspan: int = 1


Grid = list[list[Cell]]      # rows of the cells that start in them (as HTML writes a table)


@dataclass
class Para:
    text: str
    level: int = 0           # 0 body text, 1 title, 2 section heading


def load(source: str | Path | Report) -> Report:
    return source if isinstance(source, Report) else read_text(source)


def truth(report: Report) -> dict[tuple[str, str, str], str]:
    """(table, row, column) -> the raw text the rendered document shows in that cell."""
    return {(name, row, col): cell.raw for name, table in report.tables.items()
            for (row, col), cell in table.cells.items()}


# ---- the report as paragraphs and tables ---------------------------------------------------
_MARKUP = re.compile(r"^[#\s]+")


def blocks(report: Report) -> list[Para | Grid]:
    """The report in reading order: prose lines as paragraphs, each table where it starts."""
    lines = report.text.split("\n")
    starts: dict[int, str] = {}
    inside: set[int] = set()
    for name, table in report.tables.items():
        seen = [loc.line for loc in _locations(table) if loc.line is not None]
        starts[min(seen)] = name
        inside.update(range(min(seen), max(seen) + 1))
    headings = {s.start_line for s in report.sections if s.heading_found}
    out: list[Para | Grid] = []
    for no, line in enumerate(lines, 1):
        if no in starts:
            out.append(_DRAW[starts[no]](report.tables[starts[no]]))
        text = _MARKUP.sub("", line).strip()
        if no in inside or not text:
            continue
        level = 1 if no == report.title_line else 2 if no in headings and len(text) <= 40 else 0
        out.append(Para(text, level))
    return out


def _locations(table: Table) -> Iterator[Location]:
    yield table.location
    yield from (lm.location for lm in table.labels)
    yield from (cell.location for cell in table.cells.values())


def _raw(table: Table, row: str, col: str) -> str:
    cell = table.cells.get((row, col))
    return cell.raw if cell else ""


def _label(table: Table, row: template.Row) -> str:
    return next((lm.written for lm in table.labels if lm.role == "row" and lm.key == row.key), row.label)


def _rows(table: Table) -> list[template.Row]:
    """The template rows the report has, in the report's order."""
    by_key: dict[str, template.Row] = {}
    for fmt in (table.format, *template.FORMATS):
        for row in template.layout(table.name, fmt).rows:
            by_key.setdefault(row.key, row)
    return [by_key[key] for key in table.rows_found if key in by_key]


def _disclosure(table: Table) -> Grid:
    width = 4
    grid: Grid = []
    rows = _rows(table)
    for item in dict.fromkeys(row.group for row in rows):
        members = [row for row in rows if row.group == item]
        columns = members[0].columns
        grid.append([Cell(template.ITEM_CAPTIONS[item], colspan=width)])
        grid.append([Cell("信息内容")] + _spread([c.header for c in columns], width - 1))
        for row in members:
            grid.append([Cell(_label(table, row))] + _spread([_raw(table, row.key, c.key) for c in columns], width - 1))
    return grid


def _spread(texts: list[str], width: int) -> list[Cell]:
    """Cells for `texts`, the last one spanning what is left of `width` columns."""
    cells = [Cell(t) for t in texts]
    cells[-1].colspan = width - len(texts) + 1
    return cells


def _applications(table: Table) -> Grid:
    note = template.RECONCILIATION_NOTE if table.note_present else ""
    grid: Grid = [
        [Cell(note, rowspan=3, colspan=3), Cell("申请人情况", colspan=7)],
        [Cell("自然人", rowspan=2), Cell("法人或其他组织", colspan=5), Cell("总计", rowspan=2)],
        [Cell(c.header) for c in template.APPLICANT_COLUMNS[1:-1]],
    ]
    rows = _rows(table)
    results = [row for row in rows if row.key.startswith("B")]
    for row in rows:
        cells = []
        if row in results and row is results[0]:
            cells.append(Cell("三、本年度办理结果", rowspan=len(results)))
        if row.group in (None, "三、本年度办理结果"):
            cells.append(Cell(_label(table, row), colspan=3 if row.group is None else 2))
        else:
            members = [r for r in rows if r.group == row.group]
            if row is members[0]:
                cells.append(Cell(row.group, rowspan=len(members)))
            cells.append(Cell(_label(table, row)))
        grid.append(cells + [Cell(_raw(table, row.key, c.key)) for c in template.APPLICANT_COLUMNS])
    return grid


def _review_litigation(table: Table) -> Grid:
    columns = template.RL_COLUMNS
    return [
        [Cell("行政复议", colspan=5), Cell("行政诉讼", colspan=10)],
        [Cell(c.header, rowspan=2) for c in columns]
        + [Cell(template.RL_GROUP_HEADERS["LD"], colspan=5), Cell(template.RL_GROUP_HEADERS["LR"], colspan=5)],
        [Cell(c.header) for _ in range(2) for c in columns],
        [Cell(_raw(table, group, c.key)) for group in ("RV", "LD", "LR") for c in columns],
    ]


_DRAW = {"disclosure": _disclosure, "applications": _applications, "review_litigation": _review_litigation}


# ---- HTML --------------------------------------------------------------------------------------
_CJK = re.compile(r"[\u3400-\u9fff]")


def _wrapped(text: str, width: int = 30) -> str:
    """Source-wrapped as editors do: a newline between two CJK characters every `width` characters."""
    out, run = [], 0
    for i, ch in enumerate(text):
        out.append(ch)
        run += 1
        if run >= width and _CJK.match(ch) and i + 1 < len(text) and _CJK.match(text[i + 1]):
            out.append("\n")
            run = 0
    return "".join(out)


def _html_cell(text: str, rng: random.Random | None) -> str:
    """A cell's content as editors write it: with `rng`, wrapped in <p>/<span>, padded with &nbsp;,
    long labels broken by <br>."""
    if not text:
        return "&nbsp;" if rng is None or rng.random() < 0.7 else ""
    if rng is None:
        return html.escape(text)
    if len(text) > 8 and rng.random() < 0.3:
        cut = rng.randrange(2, len(text) - 2)
        body = f"{html.escape(text[:cut])}<br>{html.escape(text[cut:])}"
    else:
        body = html.escape(text)
    return rng.choice(["{}", "<p>{}</p>", '<span style="font-size:14px">{}</span>', "&nbsp;{}&nbsp;",
                       '<p align="center"><span>{}</span></p>']).format(body)


def _html_table(grid: Grid, rng: random.Random | None = None) -> str:
    rows = []
    for r, cells in enumerate(grid):
        tds = []
        for c in cells:
            spans = (f' rowspan="{c.rowspan}"' if c.rowspan > 1 else "") + (f' colspan="{c.colspan}"' if c.colspan > 1 else "")
            tag = "th" if rng is not None and r == 0 and rng.random() < 0.5 else "td"
            tds.append(f'<{tag}{spans} valign="middle">{_html_cell(c.text, rng)}</{tag}>')
        rows.append("  <tr>\n    " + "\n    ".join(tds) + "\n  </tr>")
    return '<table border="1" cellspacing="0" cellpadding="2">\n<tbody>\n' + "\n".join(rows) + "\n</tbody>\n</table>"


def render_html(source: str | Path | Report, *, encoding: str = "utf-8", published: date | None = None,
                rng: random.Random | None = None) -> bytes:
    """The report as a portal page: <head> with script and style, navigation, breadcrumb and
    footer around the article; GB18030 pages declare charset=gb2312 as portals do. With
    `published`, the page carries <meta name="PubDate">; with `rng`, cells are marked up in
    varied ways (see _html_cell)."""
    report = load(source)
    body = []
    for block in blocks(report):
        if isinstance(block, Para):
            tag = {0: "p", 1: "h1", 2: "h2"}[block.level]
            body.append(f'<{tag} style="text-indent:2em"><span>{html.escape(_wrapped(block.text))}</span></{tag}>')
        else:
            body.append(_html_table(block, rng))
    declared = "gb2312" if encoding.lower().startswith("gb") else encoding
    meta = f'<meta name="PubDate" content="{published.isoformat()} 09:30">\n' if published else ""
    page = f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset={declared}">
{meta}<title>{html.escape(report.title or "年度报告")}_政务公开</title>
<style>td {{ border: 1px solid #000; }} .hide {{ display: none; }}</style>
<script type="text/javascript">var nav = "<table><tr><td>一、总体情况</td></tr></table>"; if (a < b && c > d) {{}}</script>
</head>
<body>
<nav><ul><li><a href="/">首页</a></li><li><a href="/zwgk/">政务公开</a></li><li>政府信息公开年报</li></ul></nav>
<div class="breadcrumb">当前位置：<a href="/">首页</a> &gt; 政务公开 &gt; 政府信息公开年报</div>
<div class="article">
{chr(10).join(body)}
<div style="display:none">一、总体情况 隐藏的重复内容</div>
</div>
<div id="footer">主办单位：某市人民政府办公室 网站标识码：1234567890 ICP备案号：12345678号</div>
<script>document.write("<p>二、主动公开政府信息情况</p>");</script>
</body>
</html>
"""
    return page.encode(encoding)


# ---- DOCX --------------------------------------------------------------------------------------
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_NUMBERED = re.compile(r"^([一二三四五六七八九十]+)、")
_CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>
<Override PartName="/word/numbering.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.numbering+xml"/>
</Types>"""
_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>
</Relationships>"""
_DOC_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/numbering" Target="numbering.xml"/>
</Relationships>"""


def _run(text: str, rng: random.Random | None = None) -> str:
    """A paragraph's text as two runs (Word splits runs at every change of formatting), cut after
    two characters or, with `rng`, anywhere."""
    cut = rng.randrange(len(text) + 1) if rng is not None and text else min(2, len(text))
    return "".join(f'<w:r>{"<w:rPr><w:b/></w:rPr>" if i == 0 else ""}<w:t xml:space="preserve">{escape(part)}</w:t></w:r>'
                   for i, part in enumerate((text[:cut], text[cut:])) if part)


def _paragraph(para: Para, numbered: dict[str, int] | None) -> str:
    props, text = "", para.text
    m = _NUMBERED.match(text) if para.level == 2 and numbered is not None else None
    if m:
        num_id = numbered.setdefault(m[1], len(numbered) + 1)
        props = f'<w:numPr><w:ilvl w:val="0"/><w:numId w:val="{num_id}"/></w:numPr>'
        text = text[m.end():]
    style = '<w:pStyle w:val="Heading1"/>' if para.level else ""
    return f"<w:p><w:pPr>{style}{props}</w:pPr>{_run(text)}</w:p>"


def _docx_cell(text: str, rng: random.Random | None) -> str:
    """A cell's paragraphs: one, or with `rng` a long label split over two paragraphs."""
    if rng is not None and len(text) > 8 and rng.random() < 0.3:
        cut = rng.randrange(2, len(text) - 2)
        return f"<w:p>{_run(text[:cut], rng)}</w:p><w:p>{_run(text[cut:], rng)}</w:p>"
    return f"<w:p>{_run(text, rng)}</w:p>"


def _docx_table(grid: Grid, rng: random.Random | None = None) -> str:
    """Word's form of the grid: every row has a cell at every position; a cell covered from above
    is a vMerge continuation (with `rng`, sometimes with an explicit w:val="continue"), a
    horizontal merge is one cell with gridSpan."""
    width = sum(c.colspan for c in grid[0])
    above: dict[int, Cell] = {}          # column -> cell still covering rows below
    left: dict[int, int] = {}
    rows = []
    for cells in grid:
        queue, col, tcs = list(cells), 0, []
        while col < width:
            if left.get(col, 0) > 0:
                explicit = rng is not None and rng.random() < 0.5
                cell, merge = above[col], '<w:vMerge w:val="continue"/>' if explicit else "<w:vMerge/>"
                left[col] -= 1
                text = ""
            else:
                cell = queue.pop(0)
                merge = '<w:vMerge w:val="restart"/>' if cell.rowspan > 1 else ""
                above[col], left[col] = cell, cell.rowspan - 1
                text = cell.text
            span = f'<w:gridSpan w:val="{cell.colspan}"/>' if cell.colspan > 1 else ""
            tcs.append(f"<w:tc><w:tcPr>{span}{merge}</w:tcPr>{_docx_cell(text, rng)}</w:tc>")
            col += cell.colspan
        rows.append("<w:tr>" + "".join(tcs) + "</w:tr>")
    grid_cols = "".join('<w:gridCol w:w="600"/>' for _ in range(width))
    return f"<w:tbl><w:tblPr><w:tblW w:w=\"0\" w:type=\"auto\"/></w:tblPr><w:tblGrid>{grid_cols}</w:tblGrid>{''.join(rows)}</w:tbl>"


def _numbering(numbered: dict[str, int]) -> str:
    """One abstract list drawing 「一、」, and a list instance per heading starting at its number."""
    digits = "一二三四五六七八九十"
    nums = "".join(f'<w:num w:numId="{num_id}"><w:abstractNumId w:val="1"/><w:lvlOverride w:ilvl="0">'
                   f'<w:startOverride w:val="{digits.index(numeral) + 1}"/></w:lvlOverride></w:num>'
                   for numeral, num_id in numbered.items() if len(numeral) == 1)
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:numbering xmlns:w="{_W}">'
            '<w:abstractNum w:abstractNumId="1"><w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/>'
            '<w:suff w:val="nothing"/><w:lvlText w:val="%1、"/></w:lvl></w:abstractNum>' + nums + "</w:numbering>")


def render_docx(source: str | Path | Report, *, numbered_headings: bool = False,
                rng: random.Random | None = None) -> bytes:
    """The report as a Word document. With `numbered_headings`, the 「一、」 of section headings is
    Word's automatic numbering (numbering.xml), not text; with `rng`, runs, cell paragraphs and
    merge marks vary (see _docx_cell)."""
    report = load(source)
    numbered: dict[str, int] | None = {} if numbered_headings else None
    body = "".join(_paragraph(b, numbered) if isinstance(b, Para) else _docx_table(b, rng) + "<w:p/>"
                   for b in blocks(report))
    document = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="{_W}">'
                f"<w:body>{body}<w:sectPr/></w:body></w:document>")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", _CONTENT_TYPES)
        zf.writestr("_rels/.rels", _RELS)
        zf.writestr("word/_rels/document.xml.rels", _DOC_RELS)
        zf.writestr("word/document.xml", document)
        zf.writestr("word/numbering.xml", _numbering(numbered or {}))
    return out.getvalue()
