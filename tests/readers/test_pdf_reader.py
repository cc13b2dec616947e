"""The PDF reader: real published PDFs checked cell by cell, the samples rendered as PDF, bad input.

What the three real PDFs in tests/data/pdf/ contain (copied from shared/corpus, checked by hand
against the rendered pages; WPS exports with a text layer, tables drawn with ruled grids):

- hongze-2023.pdf — 洪泽区人民政府 2023 年政府信息公开工作年度报告, 5 pages. 表二 (2021 layout) on
  pages 2–3, broken after 「第二十条第（六）项」: the next page's first row has a partial top border.
  表三 on pages 3–4, broken after 「2.没有现成信息需要另行制作」 (no bottom border on page 3); the
  2019 single row （六）其他处理; typo 「2.其他法律行政止公开」; the group label 「三、本年度办理结果」 one
  character per line. 表四 on page 4 as printed: 行政复议 10 1 0 0 with 总计 0, 复议后起诉 5 0 0 0 with
  总计 0 (the report's own arithmetic errors).
- hongze-2024.pdf — 淮安市洪泽区人民政府 2024, 5 pages. Same template: 表二 pages 2–3, 表三 pages
  3–4 (broken after B4_1), the single-row （六）其他处理 (2019 layout in a 2024 report: the outdated
  format finding), the same label typo. Every line of text sits on a white filled rectangle, which
  must not be read as table borders.
- huaian-2024.pdf — 淮安市人民政府 2024, 6 pages, 2021 layout throughout. 表二 pages 3–4, 表三
  pages 4–5 broken inside the group 「（四）无法提供」 (「（四）无」 | 「法提供」), three （六） sub-rows
  with labels wrapped over three lines, header cells wrapped (「商业企\\n业」).

The samples are rendered as PDF by `render_pdf` (reportlab's built-in CID font STSong-Light, grid
tables that split across pages, wrapped cells, page numbers in the footer) and must give the same
findings as the text: rule, section, table, row and column.
"""

from __future__ import annotations

import io
import time
from decimal import Decimal
from pathlib import Path
from xml.sax.saxutils import escape

import pdfplumber
import pytest
from PIL import Image
from reportlab.lib import colors, pdfencrypt
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

from xxgk_audit.engine.app import cli
from xxgk_audit.engine.model import template
from xxgk_audit.engine.evaluation.audit import Auditor, ReadError, ReportResult, read_report
from xxgk_audit.engine.readers import UnsupportedDocument
from xxgk_audit.engine.readers.pdf import MAX_PAGES, read_pdf

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data" / "pdf"
SAMPLES = sorted((ROOT / "samples").glob("*.txt"))
CLEAN = (ROOT / "samples" / "clean-2021.txt").read_text(encoding="utf-8")

# ==== rendering reports as PDF ==================================================================
FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))
BODY = ParagraphStyle("body", fontName=FONT, fontSize=10.5, leading=16, firstLineIndent=21, wordWrap="CJK")
TITLE = ParagraphStyle("title", parent=BODY, fontSize=16, leading=24, alignment=TA_CENTER, firstLineIndent=0)
CELL = ParagraphStyle("cell", fontName=FONT, fontSize=9, leading=11, wordWrap="CJK")


def report_blocks(text: str) -> list[tuple[str, str | list[list[str]]]]:
    """The blocks of a text report: ("p", paragraph), and ("tabs", rows) or ("pipes", rows) for a
    run of lines with tabs or pipes (blank lines inside it included)."""
    blocks: list[tuple[str, str | list[list[str]]]] = []
    for line in text.splitlines():
        kind = "tabs" if "\t" in line else "pipes" if "|" in line else "p"
        if kind == "p":
            if line.strip():
                blocks.append(("p", line.strip()))
        elif blocks and blocks[-1][0] == kind:
            blocks[-1][1].append(_cells(line))
        else:
            blocks.append((kind, [_cells(line)]))
    return blocks


def _cells(line: str) -> list[str]:
    if "\t" in line:
        return [c.strip() for c in line.split("\t")]
    line = line.strip()
    pieces = line.split("|")
    if line.startswith("|"):
        pieces = pieces[1:]
    if line.endswith("|"):
        pieces = pieces[:-1]
    return [p.strip() for p in pieces]


def _spans(rows: list[list[str]]) -> list[tuple[int, int, int, int]]:
    """(col0, row0, col1, row1) merges of a tab layout (rows of equal length): a label cell takes
    the empty cells to its right, then the rows below whose cells under it are all empty."""
    taken: set[tuple[int, int]] = set()
    spans = []
    for r, row in enumerate(rows):
        for c, cell in enumerate(row):
            if not any("\u4e00" <= ch <= "\u9fff" for ch in cell) or (r, c) in taken:
                continue
            c1 = c
            while c1 + 1 < len(row) and not row[c1 + 1] and (r, c1 + 1) not in taken:
                c1 += 1
            r1 = r
            while r1 + 1 < len(rows) and not any(rows[r1 + 1][c:c1 + 1]):
                r1 += 1
            if (c1, r1) != (c, r):
                spans.append((c, r, c1, r1))
                taken.update((i, j) for i in range(r, r1 + 1) for j in range(c, c1 + 1))
    return spans


def _table(rows: list[list[str]], tabbed: bool, width: float, vertical: bool) -> Table:
    """A grid table; a short pipe row's last cell spans the rest of the row."""
    n = max(len(r) for r in rows)
    weights = [2 + min(12, max(len(r[k]) if k < len(r) else 0 for r in rows)) for k in range(n)]
    widths = [width * w / sum(weights) for w in weights]
    style = [("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]
    if tabbed:
        rows = [r + [""] * (n - len(r)) for r in rows]
        style += [("SPAN", (c0, r0), (c1, r1)) for c0, r0, c1, r1 in _spans(rows)]
    else:
        style += [("SPAN", (len(r) - 1, i), (n - 1, i)) for i, r in enumerate(rows) if len(r) < n]
    data = [[_cell(c, vertical and not any(ch.isdigit() for ch in "".join(r))) for c in r]
            + [""] * (n - len(r)) for r in rows]
    table = Table(data, colWidths=widths)
    table.setStyle(TableStyle(style))
    return table


def _cell(text: str, vertical: bool) -> Paragraph:
    """A cell that wraps; a short header cell one character per line when `vertical`."""
    shown = "<br/>".join(map(escape, text)) if vertical and len(text) <= 8 else escape(text)
    return Paragraph(shown, CELL)


def _page_number(c: canvas.Canvas, doc: SimpleDocTemplate) -> None:
    c.setFont(FONT, 9)
    c.drawCentredString(A4[0] / 2, 30, f"- {doc.page} -")


def render_pdf(text: str, *, vertical: bool = False, encrypt: pdfencrypt.StandardEncryption | None = None) -> bytes:
    """A text report as a PDF: centred title, indented paragraphs, grid tables (merged cells of
    tab layouts spanned; with `vertical`, header cells one character per line)."""
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, leftMargin=60, rightMargin=60, topMargin=60,
                            bottomMargin=60, encrypt=encrypt)
    story = []
    for i, (kind, block) in enumerate(report_blocks(text)):
        if kind == "p":
            story.append(Paragraph(escape(block), TITLE if i == 0 else BODY))
        else:
            story.append(_table(block, kind == "tabs", doc.width, vertical))
    doc.build(story, onFirstPage=_page_number, onLaterPages=_page_number)
    return out.getvalue()


def canvas_pdf(pages: int = 1, *, image_pages: frozenset[int] = frozenset(),
               encrypt: pdfencrypt.StandardEncryption | None = None) -> bytes:
    """A small PDF drawn directly: a line of text on each page, or only a picture on `image_pages`."""
    out = io.BytesIO()
    c = canvas.Canvas(out, pagesize=A4, encrypt=encrypt)
    for number in range(1, pages + 1):
        if number in image_pages:
            c.drawImage(ImageReader(Image.new("L", (20, 30), 128)), 100, 400, 300, 400)
        else:
            c.setFont("Helvetica", 12)
            c.drawString(72, 760, f"xxgk page {number}")
        c.showPage()
    c.save()
    return out.getvalue()


# ==== helpers ===================================================================================
@pytest.fixture(scope="module")
def auditor() -> Auditor:
    return Auditor()


def finding_keys(result) -> list[tuple]:
    return sorted((f.rule, f.location.section, f.location.table, f.location.row, f.location.column)
                  for f in result.findings)


def values(report) -> dict[str, dict[tuple[str, str], object]]:
    return {name: {k: c.value for k, c in t.cells.items()} for name, t in report.tables.items()}


def expected_cells(rows: dict[str, str], columns: list[str]) -> dict[tuple[str, str], object]:
    out: dict[tuple[str, str], object] = {}
    for row, printed in rows.items():
        for col, raw in zip(columns, printed.split(), strict=True):
            out[(row, col)] = Decimal(raw) if "." in raw else int(raw)
    return out


APP = ["NP", "BIZ", "SCI", "NGO", "LAW", "OTH", "TOT"]
RL = [f"{g}.{c}" for g in ("RV", "LD", "LR") for c in ("MAINT", "CORR", "OTHER", "PEND", "TOT")]
ZERO = "0 0 0 0 0 0 0"


def review(printed: str) -> dict[tuple[str, str], object]:
    return {tuple(key.split(".")): int(v) for key, v in zip(RL, printed.split(), strict=True)}


def disclosure(reg: str, norm: str, lic: str, pen: str, coe: str, fee: str) -> dict[tuple[str, str], object]:
    cells = {**expected_cells({"REG": reg, "NORM": norm}, ["MADE", "REPEALED", "VALID"]),
             **expected_cells({"LIC": lic, "PEN": pen, "COE": coe}, ["DEC"])}
    cells[("FEE", "AMOUNT")] = Decimal(fee) if "." in fee else int(fee)
    return cells


# Every table cell as printed on the rendered pages (read by eye, not by the reader).
TRUTH = {
    "hongze-2023.pdf": {
        "disclosure": disclosure("0 0 0", "0 5 5", "550", "4119", "195", "7730.28"),
        "applications": expected_cells({
            "A1": "21 0 0 0 0 0 21", "A2": ZERO, "B1": ZERO, "B2": "4 0 0 0 0 0 4",
            "B3_1": "1 0 0 0 0 0 1", "B3_2": ZERO, "B3_3": ZERO, "B3_4": ZERO, "B3_5": ZERO,
            "B3_6": "1 0 0 0 0 0 1", "B3_7": "1 0 0 0 0 0 1", "B3_8": ZERO,
            "B4_1": "10 0 0 0 0 0 10", "B4_2": "3 0 0 0 0 0 3", "B4_3": ZERO,
            "B5_1": "1 0 0 0 0 0 1", "B5_2": ZERO, "B5_3": ZERO, "B5_4": ZERO, "B5_5": ZERO,
            "B6": ZERO, "B7": "21 0 0 0 0 0 21", "C": ZERO}, APP),
        "review_litigation": review("10 1 0 0 0  0 0 0 0 0  5 0 0 0 0"),
    },
    "hongze-2024.pdf": {
        "disclosure": disclosure("0 0 0", "3 0 8", "9487", "2776", "84", "7545"),
        "applications": expected_cells({
            "A1": "95 0 0 0 0 0 95", "A2": ZERO, "B1": "50 0 0 0 0 0 50", "B2": "9 0 0 0 0 0 9",
            "B3_1": ZERO, "B3_2": ZERO, "B3_3": "1 0 0 0 0 0 1", "B3_4": ZERO, "B3_5": ZERO,
            "B3_6": "1 0 0 0 0 0 1", "B3_7": "1 0 0 0 0 0 1", "B3_8": ZERO,
            "B4_1": "31 0 0 0 0 0 31", "B4_2": "1 0 0 0 0 0 1", "B4_3": ZERO,
            "B5_1": "1 0 0 0 0 0 1", "B5_2": ZERO, "B5_3": ZERO, "B5_4": ZERO, "B5_5": ZERO,
            "B6": ZERO, "B7": "95 0 0 0 0 0 95", "C": ZERO}, APP),
        "review_litigation": review("1 1 0 0 2  1 0 0 0 1  2 0 1 0 3"),
    },
    "huaian-2024.pdf": {
        "disclosure": disclosure("1 0 11", "8 26 66", "447228", "3985758", "88283", "96171.6"),
        "applications": expected_cells({
            "A1": "3001 53 0 0 61 4 3119", "A2": "34 0 0 0 0 0 34", "B1": "1288 21 0 0 50 3 1362",
            "B2": "447 7 0 0 0 0 454", "B3_1": "2 0 0 0 0 0 2", "B3_2": "30 1 0 0 0 0 31",
            "B3_3": "5 0 0 0 0 0 5", "B3_4": "6 0 0 0 0 0 6", "B3_5": "7 1 0 0 0 0 8",
            "B3_6": "12 0 0 0 0 0 12", "B3_7": "9 0 0 0 0 0 9", "B3_8": "105 0 0 0 0 0 105",
            "B4_1": "746 12 0 0 10 1 769", "B4_2": "11 0 0 0 0 0 11", "B4_3": "1 0 0 0 0 0 1",
            "B5_1": "56 6 0 0 0 0 62", "B5_2": "25 0 0 0 0 0 25", "B5_3": ZERO, "B5_4": ZERO,
            "B5_5": "1 0 0 0 0 0 1", "B6_1": "67 3 0 0 1 0 71", "B6_2": "6 0 0 0 0 0 6",
            "B6_3": "108 2 0 0 0 0 110", "B7": "2932 53 0 0 61 4 3050", "C": "103 0 0 0 0 0 103"}, APP),
        "review_litigation": review("72 64 178 37 351  13 4 8 1 26  12 1 1 6 20"),
    },
}

# Pages on which each table's rows are printed.
PAGES = {"hongze-2023.pdf": {"disclosure": {2, 3}, "applications": {3, 4}, "review_litigation": {4}},
         "hongze-2024.pdf": {"disclosure": {2, 3}, "applications": {3, 4}, "review_litigation": {4}},
         "huaian-2024.pdf": {"disclosure": {3, 4}, "applications": {4, 5}, "review_litigation": {5}}}


@pytest.fixture(scope="module")
def real(auditor: Auditor) -> dict[str, object]:
    return {name: auditor.audit_path(DATA / name) for name in TRUTH}


# ==== the real PDFs =============================================================================
@pytest.mark.parametrize("name", sorted(TRUTH))
def test_real_pdf_every_cell_as_printed(real, name):
    report = real[name].report
    assert report.kind == "pdf"
    assert values(report) == TRUTH[name]
    for table_name, table in report.tables.items():
        assert {c.location.page for c in table.cells.values()} == PAGES[name][table_name]
        assert all(c.location.element.startswith(f"page[{c.location.page}]/table[") for c in table.cells.values())
        assert all(c.location.line is None for c in table.cells.values())


@pytest.mark.parametrize("name, title, year, layout, period", [
    ("hongze-2023.pdf", "洪泽区人民政府2023 年政府信息公开工作年度报告", 2023, "mixed",
     "统计期限自 2023 年 1 月 1 日起至 2023 年 12 月 31 日止"),
    ("hongze-2024.pdf", "淮安市洪泽区人民政府2024 年政府信息公开工作年度报告", 2024, "mixed",
     "统计期限自 2024 年 1 月 1 日起至 2024 年 12 月 31 日止"),
    ("huaian-2024.pdf", "淮安市人民政府2024 年政府信息公开工作年度报告", 2024, "2021",
     "统计期限自 2024 年 1 月 1 日至 2024 年 12 月 31 日"),
])
def test_real_pdf_identity_sections_and_period(real, name, title, year, layout, period):
    report = real[name].report
    assert (report.title, report.year, report.format) == (title, year, layout)
    assert [s.number for s in report.sections] == [1, 2, 3, 4, 5, 6]
    assert all(s.page is not None and s.heading_found for s in report.sections)
    # in the hongze PDFs the period sentence is wrapped over two lines: paragraphs are joined again
    assert report.period_text == period
    assert report.metadata["pages"] == (6 if name.startswith("huaian") else 5)


def test_hongze_2024_outdated_single_row_other_handling(real):
    result = real["hongze-2024.pdf"]
    table = result.report.tables["applications"]
    assert "B6" in table.rows_found and not any(r.startswith("B6_") for r in table.rows_found)
    assert table.format == "2019" and result.report.tables["disclosure"].format == "2021"
    assert "（六）其他处理" in result.report.format_evidence["2019"]
    b6 = table.cells[("B6", "NP")].location
    assert (b6.page, b6.element) == (4, "page[4]/table[1]/row[8]")
    meta = [f for f in result.findings if f.rule == "META-002"]
    assert len(meta) == 1 and "mixed" in meta[0].message and "（六）其他处理" in meta[0].message
    loc = meta[0].location      # it points at 表三's single （六） row, on page 4
    assert (loc.table, loc.row, loc.page) == ("applications", "B6", 4)
    typo = next(f for f in result.findings if f.rule == "STRUCT-011")
    assert (typo.location.row, typo.location.page) == ("B3_2", 3)


def test_check_command_on_hongze_2024(capsys):
    code = cli.main(["check", str(DATA / "hongze-2024.pdf")])
    out = capsys.readouterr().out
    assert code == 1
    line = next(x for x in out.splitlines() if "META-002" in x)
    assert "应使用2021年版格式" in line and "收到和处理政府信息公开申请情况表按2019年版格式" in line
    assert "第 4 页" in line


# ==== the samples rendered as PDF ===============================================================
@pytest.fixture(scope="module")
def rendered(auditor, tmp_path_factory) -> dict[str, tuple[ReportResult, ReportResult]]:
    """Each sample's audit as text and as PDF."""
    folder = tmp_path_factory.mktemp("rendered")
    out = {}
    for sample in SAMPLES:
        pdf = folder / f"{sample.stem}.pdf"
        pdf.write_bytes(render_pdf(sample.read_text(encoding="utf-8")))
        out[sample.stem] = (auditor.audit_path(sample), auditor.audit_path(pdf))
    return out


@pytest.mark.parametrize("sample", [s.stem for s in SAMPLES])
def test_sample_as_pdf_gives_the_same_findings_and_cells(rendered, sample):
    text, pdf = rendered[sample]
    assert pdf.report.kind == "pdf" and pdf.status == text.status
    assert finding_keys(pdf) == finding_keys(text)
    assert values(pdf.report) == values(text.report)
    assert (pdf.report.title, pdf.report.year, pdf.report.agency) == (text.report.title, text.report.year,
                                                                      text.report.agency)
    assert [s.number for s in pdf.report.sections] == [s.number for s in text.report.sections]


def test_a_rendered_table_continues_on_the_next_page_without_its_header(rendered):
    report = rendered["clean-2021"][1].report
    pages = {c.location.page for c in report.tables["applications"].cells.values()}
    assert len(pages) == 2
    assert not any("（本列数据" in x or "自然人" in x for x in report.text.split("\n")
                   if x.startswith(("一、本年新收", "（七）总计")))


def test_headers_one_character_per_line(auditor, rendered, tmp_path):
    path = tmp_path / "vertical.pdf"
    path.write_bytes(render_pdf(CLEAN, vertical=True))
    text_result, result = rendered["clean-2021"][0], auditor.audit_path(path)
    assert "结果维持" in result.report.text and "商业企业" in result.report.text
    assert values(result.report) == values(text_result.report)
    assert finding_keys(result) == finding_keys(text_result)


def test_page_numbers_are_dropped_and_paragraphs_rejoined(rendered):
    report = rendered["clean-2021"][1].report
    lines = report.text.split("\n")
    assert not any(x.strip(" -").isdigit() for x in lines)
    sample_lines = [x.strip() for x in CLEAN.splitlines()]
    prose = [x for x in lines if "\t" not in x and len(x) > 60]
    assert prose and all(x in sample_lines for x in prose)


# ==== documents without text, bad input =========================================================
def test_image_only_pdf_is_a_report_without_text(auditor, tmp_path):
    path = tmp_path / "scan.pdf"
    path.write_bytes(canvas_pdf(2, image_pages=frozenset({1, 2})))
    result = auditor.audit_path(path)
    assert result.status != "error" and result.report.text == "" and not result.report.tables
    assert result.report.notes[-1].startswith("全部 页没有文字层")
    assert "META-013" in [f.rule for f in result.findings]
    assert not any(f.rule.startswith(("ARITH", "CELL")) for f in result.findings)


def test_pages_without_text_are_named(tmp_path):
    report = read_pdf(tmp_path / "part-scan.pdf", canvas_pdf(3, image_pages=frozenset({2, 3})))
    assert report.notes[-1].startswith("第 2、3 页没有文字层")
    assert report.text == "xxgk page 1"


GOOD = render_pdf(CLEAN)
BAD = {
    "truncated.pdf": (GOOD[:len(GOOD) // 2], "截断"),
    "truncated-with-eof.pdf": (GOOD[:len(GOOD) // 2] + b"\n%%EOF\n", "已损坏"),
    "corrupt.pdf": (b"%PDF-1.4\n" + bytes(range(256)) * 40 + b"\n%%EOF\n", "已损坏"),
    "password.pdf": (canvas_pdf(encrypt=pdfencrypt.StandardEncryption("user", ownerPassword="owner")), "打开密码"),
    "long.pdf": (canvas_pdf(MAX_PAGES + 300), f"超过 {MAX_PAGES} 页"),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_pdf_is_refused_with_one_chinese_line(tmp_path, name):
    data, reason = BAD[name]
    started = time.perf_counter()
    with pytest.raises(UnsupportedDocument, match=reason) as exc:
        read_pdf(tmp_path / name, data)
    assert time.perf_counter() - started < 2
    assert "\n" not in str(exc.value)
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(ReadError, match=reason):
        read_report(path)


def test_encrypted_without_open_password_is_read(tmp_path):
    owner_only = pdfencrypt.StandardEncryption("", ownerPassword="owner", canCopy=0, canPrint=0)
    report = read_pdf(tmp_path / "locked.pdf", canvas_pdf(2, encrypt=owner_only))
    assert report.text == "xxgk page 1\nxxgk page 2"
    assert report.notes == ["PDF 已加密（无打开密码，仅限制复制、打印等），已照常读取"]


def test_undecodable_characters_are_left_out_not_guessed(auditor, tmp_path):
    # pdfminer cannot map this encrypted CID font to Unicode: every character is "(cid:N)"
    owner_only = pdfencrypt.StandardEncryption("", ownerPassword="owner")
    path = tmp_path / "cid.pdf"
    path.write_bytes(render_pdf(CLEAN, encrypt=owner_only))
    result = auditor.audit_path(path)
    assert result.report.text.strip() == "" and not result.report.tables
    assert result.report.notes[-1].startswith("全部 页有无法解码的文字")
    assert "META-013" in [f.rule for f in result.findings]


def test_a_pdf_named_txt_is_read_as_pdf(tmp_path):
    path = tmp_path / "report.txt"
    path.write_bytes(GOOD)
    assert read_report(path).kind == "pdf"


def test_batch_goes_on_after_bad_pdfs(auditor, tmp_path, capsys):
    for name, (data, _) in BAD.items():
        (tmp_path / name).write_bytes(data)
    (tmp_path / "good.pdf").write_bytes(GOOD)
    results = {Path(r.path).name: r for r in map(auditor.audit_path, sorted(tmp_path.iterdir()))}
    assert {n for n, r in results.items() if r.status == "error"} == set(BAD)
    assert all(len(r.findings) == 1 and r.findings[0].rule == "READ-001" for n, r in results.items() if n in BAD)
    assert results["good.pdf"].status == "pass"

    code = cli.main(["check", str(tmp_path)])
    out = capsys.readouterr().out
    assert code == 1
    for name in BAD:
        assert sum(name in line and "READ-001" in line for line in out.splitlines()) == 1
    assert "good.pdf — " in out


def test_a_claim_finding_names_the_page_of_its_sentence(auditor, tmp_path):
    """Text findings point at the PDF page and text line of their sentence, and carry the sentence."""
    sentence = "2023年共收到政府信息公开申请12件"
    path = tmp_path / "claim.pdf"
    path.write_bytes(render_pdf(CLEAN.replace("共收到政府信息公开申请11件", "共收到政府信息公开申请12件")))
    found = [f for f in auditor.audit_path(path).findings if f.rule == "XREF-001"]
    assert len(found) == 1 and found[0].evidence["sentence"].startswith(sentence)
    location = found[0].location
    with pdfplumber.open(path) as pdf:
        page = next(n for n, p in enumerate(pdf.pages, 1) if sentence in (p.extract_text() or "").replace("\n", ""))
    assert location.page == page and location.element.startswith(f"page[{page}]/line[")


def test_unruled_table_rows_with_blank_cells_keep_their_columns():
    """A table drawn without borders: a row with blank cells has fewer text fields; each value
    stays in the column it is printed under, and a row printed with no values is blank cells."""
    out = io.BytesIO()
    c = canvas.Canvas(out, pagesize=A4)
    c.setFont(FONT, 10)
    rows = [["（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"],
            ["一、本年新收政府信息公开申请数量", "3", "1", "0", "0", "0", "0", "4"],
            ["二、上年结转政府信息公开申请数量", "", "", "", "", "", "", ""],
            ["（一）予以公开", "2", "", "", "1", "", "", "3"],
            ["（二）部分公开（区分处理的，只计这一情形，不计其他情形）", "1", "1", "0", "0", "0", "0", "2"]]
    for r, row in enumerate(rows):
        c.drawString(40, 780 - 20 * r, row[0])
        for k, value in enumerate(row[1:]):
            if value:
                c.drawString(330 + 35 * k, 780 - 20 * r, value)
    c.showPage()
    c.save()
    table = read_pdf(Path("unruled.pdf"), out.getvalue()).tables["applications"]
    columns = [col.key for col in template.APPLICANT_COLUMNS]
    assert [table.cells[("B1", k)].raw for k in columns] == ["2", "", "", "1", "", "", "3"]
    assert [table.cells[("A2", k)].kind for k in columns] == ["blank"] * 7
    assert [table.value("B2", k) for k in columns] == [1, 1, 0, 0, 0, 0, 2]
