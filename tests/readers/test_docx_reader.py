"""The DOCX reader: the official blank template, merged cells, Word numbering, run text, the
samples rendered as Word documents (same findings as the text), ZIP bombs and other bad input,
and a mixed batch through the auditor and the command line."""

from __future__ import annotations

import io
import json
import random
import time
import zipfile
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from docgen import render_docx, render_html, truth
from xxgk_audit.engine.app import cli
from xxgk_audit.engine.evaluation.audit import Auditor, ReadError, read_report
from xxgk_audit.engine.readers import UnsupportedDocument, docx
from xxgk_audit.engine.readers.docx import read_docx

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
CLEAN = SAMPLES / "clean-2021.txt"
TEMPLATE = Path(__file__).resolve().parents[1] / "data" / "docx" / "template-2021-blank.docx"
AUDITOR = Auditor()
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def finding_keys(result) -> Counter:
    return Counter((f.rule, f.location.section, f.location.table, f.location.row, f.location.column)
                   for f in result.findings)


def package(document: str | bytes, parts: dict[str, str | bytes] | None = None) -> bytes:
    """A minimal DOCX: document.xml (a <w:body> inside or the whole part) and other parts."""
    if isinstance(document, str) and not document.startswith("<?xml"):
        document = f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{W}"><w:body>{document}</w:body></w:document>'
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", document)
        for name, data in (parts or {}).items():
            zf.writestr(name, data)
    return out.getvalue()


def lines_of(data: bytes) -> list[str]:
    return read_docx(Path("d.docx"), data).text.split("\n")


def para(text: str, props: str = "") -> str:
    return f'<w:p><w:pPr>{props}</w:pPr><w:r><w:t xml:space="preserve">{text}</w:t></w:r></w:p>'


# ---- the official blank template ---------------------------------------------------------------
def test_the_blank_template_is_unknown_cells_not_zeros() -> None:
    """Every value cell of the official 2021 template is empty: 200 blank cells (10 + 175 + 15),
    named by one CELL-002 warning per table; a table without a number presumes nothing, so the
    arithmetic cannot be assessed, and says so, instead of passing on zeros or failing on missing
    rows."""
    result = AUDITOR.audit_path(TEMPLATE)
    report = result.report
    assert report.kind == "docx" and report.format == "2021"
    assert {name: len(t.cells) for name, t in report.tables.items()} == {
        "disclosure": 10, "applications": 175, "review_litigation": 15}
    assert all(c.value is None and c.kind == "blank" for t in report.tables.values() for c in t.cells.values())
    assert [s.number for s in report.sections] == [1, 2, 3, 4, 5, 6]
    rules = Counter(f.rule for f in result.findings)
    assert rules["CELL-002"] == 3
    assert sum(len(f.evidence["blank_cells"]) for f in result.findings if f.rule == "CELL-002") == 200
    assert not any(rule.startswith(("ARITH", "STRUCT")) for rule in rules)
    arith = {c.rule: c.status for c in result.checks if c.rule.startswith("ARITH")}
    assert arith and set(arith.values()) <= {"not_assessable", "not_applicable"}
    assert "not_assessable" in arith.values()
    cell = report.tables["applications"].cells[("B3_2", "NP")]
    assert cell.location.element == "table[2]/tr[9]/td[4]" and cell.location.line is None


# ---- the samples as Word documents -------------------------------------------------------------
@pytest.mark.parametrize("options", [{}, {"numbered_headings": True}, {"rng": "seeded"}], ids=["plain", "numbered", "varied"])
@pytest.mark.parametrize("sample", sorted(SAMPLES.glob("*.txt")), ids=lambda p: p.stem)
def test_samples_as_docx_give_the_same_findings_and_cells_as_the_text(sample: Path, options: dict,
                                                                      tmp_path: Path) -> None:
    if options.get("rng"):
        options = {"rng": random.Random(sample.name)}
    text = AUDITOR.audit_path(sample)
    path = tmp_path / f"{sample.stem}.docx"
    path.write_bytes(render_docx(sample, **options))
    result = AUDITOR.audit_path(path)
    assert result.report.kind == "docx" and result.status == text.status
    assert finding_keys(result) == finding_keys(text)
    assert {c.rule: c.status for c in result.checks} == {c.rule: c.status for c in text.checks}
    for (name, row, col), raw in truth(text.report).items():
        assert result.report.tables[name].cells[(row, col)].raw == raw


def test_merged_cells_and_their_locations() -> None:
    report = read_docx(Path("c.docx"), render_docx(CLEAN))
    apps = report.tables["applications"]
    # A1's label spans three grid columns (gridSpan): its values are the next cells
    assert apps.cells[("A1", "NP")].location.element == "table[2]/tr[4]/td[2]"
    # under （三）不予公开 the first two cells are vMerge continuations: the label is the third
    assert apps.cells[("B3_2", "NP")].location.element == "table[2]/tr[9]/td[4]"
    assert apps.value("B3_6", "NP") == 1 and apps.value("B7", "TOT") == 11
    assert report.tables["review_litigation"].cells[("LR", "TOT")].location.element == "table[3]/tr[4]/td[15]"
    assert report.section(3).start_line is None           # a DOCX has elements, not lines


def test_extract_reads_a_docx(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "r.docx"
    path.write_bytes(render_docx(CLEAN, numbered_headings=True))
    assert cli.main(["extract", str(path)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["kind"], data["year"], data["agency"]) == ("docx", 2023, "某市生态环境局")
    assert [s["title"] for s in data["sections"]][:2] == ["一、总体情况", "二、主动公开政府信息情况"]
    assert data["tables"]["disclosure"]["NORM"] == {"MADE": 2, "REPEALED": 1, "VALID": 15}


# ---- numbering and run text --------------------------------------------------------------------
NUMBERING = f"""<w:numbering xmlns:w="{W}">
<w:abstractNum w:abstractNumId="0">
  <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/><w:suff w:val="nothing"/></w:lvl>
  <w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="（%2）"/></w:lvl>
  <w:lvl w:ilvl="2"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1.%3."/></w:lvl>
</w:abstractNum>
<w:abstractNum w:abstractNumId="1"><w:lvl w:ilvl="0"><w:numFmt w:val="bullet"/><w:lvlText w:val="•"/></w:lvl></w:abstractNum>
<w:abstractNum w:abstractNumId="2"><w:lvl w:ilvl="0"><w:start w:val="9"/><w:numFmt w:val="upperRoman"/><w:lvlText w:val="%1 "/></w:lvl></w:abstractNum>
<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>
<w:num w:numId="2"><w:abstractNumId w:val="1"/></w:num>
<w:num w:numId="3"><w:abstractNumId w:val="0"/><w:lvlOverride w:ilvl="0"><w:startOverride w:val="5"/></w:lvlOverride></w:num>
<w:num w:numId="4"><w:abstractNumId w:val="2"/></w:num>
</w:numbering>"""
STYLES = f"""<w:styles xmlns:w="{W}">
<w:style w:type="paragraph" w:styleId="H1"><w:pPr><w:numPr><w:numId w:val="1"/></w:numPr></w:pPr></w:style>
<w:style w:type="paragraph" w:styleId="MyHeading"><w:basedOn w:val="H1"/></w:style>
</w:styles>"""


def num(num_id: int, level: int = 0) -> str:
    return f'<w:numPr><w:ilvl w:val="{level}"/><w:numId w:val="{num_id}"/></w:numPr>'


def test_word_numbering_is_drawn_in_front_of_the_text() -> None:
    body = "".join([
        para("总体情况", '<w:pStyle w:val="MyHeading"/>'),          # numbered through its style chain
        para("主动公开", num(1, 1)),
        para("依申请公开", num(1, 1)),
        para("细项", num(1, 2)),
        para("主动公开政府信息情况", num(1)),
        para("重新计数", num(1, 1)),
        para("项目符号", num(2)),
        para("从五开始", num(3)),
        para("罗马", num(4)),
        para("未编号", num(99)),
    ])
    assert lines_of(package(body, {"word/numbering.xml": NUMBERING, "word/styles.xml": STYLES})) == [
        "一、总体情况", "（一）主动公开", "（二）依申请公开", "一.1.细项", "二、主动公开政府信息情况",
        "（一）重新计数", "项目符号", "五、从五开始", "IX 罗马", "未编号"]


def test_numbering_formats() -> None:
    chinese = docx._FORMATS["chineseCounting"]
    assert [chinese(n) for n in (1, 10, 11, 20, 21, 99, 100)] == ["一", "十", "十一", "二十", "二十一", "九十九", "100"]
    assert docx._FORMATS["upperLetter"](28) == "BB" and docx._FORMATS["lowerRoman"](14) == "xiv"
    assert docx._FORMATS["decimalEnclosedCircle"](3) == "③" and docx._FORMATS["decimalFullWidth"](12) == "１２"


def test_run_text_tabs_breaks_hidden_runs_fallbacks_and_wrappers() -> None:
    mc = "http://schemas.openxmlformats.org/markup-compatibility/2006"
    body = (
        '<w:p><w:pPr><w:tabs><w:tab w:val="left" w:pos="420"/></w:tabs></w:pPr>'
        '<w:r><w:t>一、总体</w:t></w:r><w:r><w:rPr><w:vanish/></w:rPr><w:t>隐藏</w:t></w:r>'
        '<w:r><w:t>情况</w:t><w:br/><w:t>第二行</w:t></w:r></w:p>'
        '<w:sdt><w:sdtContent>' + para("内容控件中的段落") + '</w:sdtContent></w:sdt>'
        f'<w:p xmlns:mc="{mc}"><w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:t>文本框</w:t></mc:Choice>'
        '<mc:Fallback><w:t>文本框</w:t></mc:Fallback></mc:AlternateContent></w:r></w:p>'
        '<w:p><w:del><w:r><w:delText>删除的</w:delText></w:r></w:del><w:ins><w:r><w:t>插入的</w:t></w:r></w:ins>'
        '<w:r><w:t>规章</w:t><w:tab/><w:t>0</w:t></w:r></w:p>'
        '<w:p><w:r><w:t>前文</w:t></w:r><w:r><w:txbxContent><w:p><w:pPr><w:tabs><w:tab w:pos="1"/></w:tabs></w:pPr>'
        '<w:r><w:t>框内</w:t></w:r></w:p></w:txbxContent></w:r><w:r><w:t>后文</w:t></w:r></w:p>'
    )
    assert lines_of(package(body)) == ["一、总体情况", "第二行", "内容控件中的段落", "文本框", "插入的规章\t0",
                                       "前文", "框内", "后文"]


def test_strict_ooxml_namespace() -> None:
    strict = "http://purl.oclc.org/ooxml/wordprocessingml/main"
    document = (f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{strict}"><w:body>'
                '<w:p><w:r><w:t>一、总体情况</w:t></w:r></w:p>'
                '<w:tbl><w:tr><w:tc><w:tcPr><w:gridSpan w:val="2"/></w:tcPr><w:p><w:r><w:t>行政复议</w:t></w:r></w:p></w:tc>'
                '<w:tc><w:p><w:r><w:t>行政诉讼</w:t></w:r></w:p></w:tc></w:tr></w:tbl></w:body></w:document>')
    assert lines_of(package(document)) == ["一、总体情况", "行政复议\t行政诉讼"]


def test_a_one_cell_frame_table_is_read_as_paragraphs() -> None:
    frame = "<w:tbl><w:tr><w:tc>" + para("一、总体情况") + para("本年度工作情况良好。") + "</w:tc></w:tr></w:tbl>"
    assert lines_of(package(frame)) == ["一、总体情况", "本年度工作情况良好。"]


# ---- bad input ---------------------------------------------------------------------------------
def bomb_ratio() -> bytes:
    return package(para("x") + " " * (2 * 1024 * 1024))


def bomb_total() -> bytes:
    return package(para("一、总体情况"), {f"word/media/pad{i}.bin": bytes(1024 * 1024) for i in range(60)})


BILLION_LAUGHS = (f'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
                  f'<w:document xmlns:w="{W}"><w:body><w:p><w:r><w:t>&lol2;</w:t></w:r></w:p></w:body></w:document>')


def encrypted_entry() -> bytes:
    """A package whose document.xml is marked encrypted (bit 0 of the flags, in the local header
    and in the central directory: zipfile does not write it)."""
    data = bytearray(package(para("加密的内容")))
    local = zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo("word/document.xml").header_offset
    central = data.rindex(b"PK\x01\x02", 0, data.rindex(b"word/document.xml"))
    for at in (local + 6, central + 8):
        data[at] |= 0x1
    return bytes(data)


@pytest.mark.parametrize("make, reason", [
    (bomb_ratio, "压缩比异常"),
    (bomb_total, "解压后过大"),
    (lambda: render_docx(CLEAN)[:2000], "损坏或不完整"),
    (lambda: b"PK\x03\x04" + b"word/document.xml" + bytes(range(256)) * 8, "损坏或不完整"),
    (lambda: package(BILLION_LAUGHS), "DOCTYPE"),
    (lambda: package(BILLION_LAUGHS.encode("utf-16")), "DOCTYPE"),
    (encrypted_entry, "已加密"),
    (lambda: package("<w:p><w:r><w:t>未闭合</w:r></w:p>"), "无法解析"),
    (lambda: package(para("x"), {"word/numbering.xml": "<w:numbering"}), "无法解析"),
])
def test_bad_documents_are_refused_with_a_reason(make, reason: str) -> None:
    started = time.perf_counter()
    with pytest.raises(UnsupportedDocument, match=reason):
        read_docx(Path("bad.docx"), make())
    assert time.perf_counter() - started < 5


def test_a_package_without_a_main_part_and_too_many_entries(monkeypatch: pytest.MonkeyPatch) -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("word/styles.xml", "<x/>")
    with pytest.raises(UnsupportedDocument, match="没有正文"):
        read_docx(Path("d.docx"), out.getvalue())
    monkeypatch.setattr(docx, "MAX_ENTRIES", 2)
    with pytest.raises(UnsupportedDocument, match="文件过多"):
        read_docx(Path("d.docx"), render_docx(CLEAN))


def test_the_main_part_is_found_through_the_package_relationships() -> None:
    rels = ('<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="r1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'officeDocument" Target="/word/main2.xml"/></Relationships>')
    document = f'<w:document xmlns:w="{W}"><w:body>{para("一、总体情况")}</w:body></w:document>'
    data = package(para("不是这个"), {"_rels/.rels": rels, "word/main2.xml": document})
    assert lines_of(data) == ["一、总体情况"]


def test_a_mixed_batch_gives_one_error_line_per_bad_file_and_goes_on(tmp_path: Path,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    files = {
        "good.docx": render_docx(CLEAN),
        "good.html": render_html(CLEAN, encoding="gb18030"),
        "bomb.docx": bomb_ratio(),
        "truncated.docx": render_docx(CLEAN)[:3000],
        "encrypted.docx": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4096),    # an OLE (CFB) file
        "binary.html": bytes(range(256)) * 16,
        "empty.html": b"",
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    statuses = {name: AUDITOR.audit_path(tmp_path / name).status for name in files}
    assert statuses == {"good.docx": "pass", "good.html": "pass", "bomb.docx": "error", "truncated.docx": "error",
                        "encrypted.docx": "error", "binary.html": "error", "empty.html": "error"}
    with pytest.raises(ReadError, match="ZIP 炸弹"):
        read_report(tmp_path / "bomb.docx")

    started = time.perf_counter()
    code = cli.main(["check", "--format", "json", str(tmp_path)])
    data = json.loads(capsys.readouterr().out)
    assert code == 1 and time.perf_counter() - started < 30
    by_name = {Path(r["path"]).name: r for r in data["reports"]}
    assert {name: r["status"] for name, r in by_name.items()} == statuses
    for name, r in by_name.items():
        if r["status"] == "error":
            assert len(r["findings"]) == 1 and r["findings"][0]["rule"].startswith("READ-")
            assert "\n" not in r["error"] and r["error"]
    assert data["summary"]["error"] == 5 and data["summary"]["pass"] == 2


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_damaged_documents_are_read_or_refused(data: st.DataObject) -> None:
    """A valid document with bytes of its main part changed, or the whole file cut anywhere."""
    good = render_docx(CLEAN)
    document = bytearray(zipfile.ZipFile(io.BytesIO(good)).read("word/document.xml"))
    for _ in range(data.draw(st.integers(1, 8))):
        at = data.draw(st.integers(0, len(document) - 1))
        document[at:at + data.draw(st.integers(0, 40))] = data.draw(st.binary(max_size=40))
    for candidate in (package(bytes(document)), good[:data.draw(st.integers(0, len(good)))]):
        try:
            report = read_docx(Path("fuzz.docx"), candidate)
        except UnsupportedDocument as exc:
            assert str(exc)
            continue
        AUDITOR.audit_report(report)
