"""A text (claim) finding names the place of its sentence in the source, in every format, and
carries the sentence (evidence.sentence) for the page to show. The PDF case is in
tests/readers/test_pdf_reader.py (it renders PDFs)."""

from __future__ import annotations

import io
import re
import sys
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

from xxgk_audit.engine.evaluation.audit import Auditor
from xxgk_audit.engine.readers import read_document, read_text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from docgen import render_docx, render_html  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
AUDITOR = Auditor()
# the sample says 12 applications where 表三 has 11: XREF-001 on the sentence of line 8
TEXT = (ROOT / "samples" / "clean-2021.txt").read_text(encoding="utf-8").replace(
    "共收到政府信息公开申请11件", "共收到政府信息公开申请12件")
SENTENCE = "2023年共收到政府信息公开申请12件"


def _claim(report):
    found = [f for f in AUDITOR.audit_report(report).findings if f.rule == "XREF-001"]
    assert len(found) == 1
    assert found[0].evidence["sentence"].startswith(SENTENCE)
    return found[0]


def test_text_claim_names_its_source_line():
    finding = _claim(read_text("claim.txt", text=TEXT))
    expected = next(n for n, line in enumerate(TEXT.split("\n"), 1) if SENTENCE in line)
    assert finding.location.line == expected == 8 and finding.location.section == 1


def test_html_claim_names_the_line_of_the_page():
    page = render_html(read_text("claim.txt", text=TEXT))
    data = page.encode("utf-8") if isinstance(page, str) else page
    finding = _claim(read_document(Path("claim.html"), data))
    expected = next(n for n, line in enumerate(data.decode("utf-8").split("\n"), 1) if SENTENCE in line)
    assert finding.location.line == expected
    assert expected > 20       # not the line of the text the parser joined internally


def test_docx_claim_names_its_paragraph():
    data = render_docx(read_text("claim.txt", text=TEXT))
    finding = _claim(read_document(Path("claim.docx"), data))
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    body = ET.fromstring(zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml")).find(f"{w}body")
    paragraphs = ["".join(t.text or "" for t in p.iter(f"{w}t")) for p in body.iter(f"{w}p")
                  if not any(p in cell.iter(f"{w}p") for cell in body.iter(f"{w}tc"))]
    expected = next(k for k, text in enumerate(paragraphs, 1) if SENTENCE in text)
    assert finding.location.element == f"p[{expected}]" and finding.location.line is None
    assert re.fullmatch(r"p\[\d+\]", finding.location.element)


def test_a_docx_section_finding_names_the_heading_paragraph():
    """A finding about a section names the paragraph of its heading, as a text finding names its line."""
    sample = (ROOT / "samples" / "error-structure-2022.txt").read_text(encoding="utf-8")
    report = read_document(Path("sections.docx"), render_docx(read_text("s.txt", text=sample)))
    one = report.section(1)
    assert re.fullmatch(r"p\[\d+\]", one.location.element or "")
    found = [f for f in AUDITOR.audit_report(report).findings if f.rule == "TEXT-002"]
    assert len(found) == 1 and found[0].location.section == 1
    assert found[0].location.element == one.location.element
