"""Choosing a reader by content, and structured documents read through the one parser."""


import pytest

from xxgk_audit.engine.evaluation.audit import ReadError, read_report
from xxgk_audit.engine.model.report import Location
from xxgk_audit.engine.readers import sniff
from xxgk_audit.engine.readers.lines import SourceLine, grid_lines, read_lines


@pytest.mark.parametrize("data, kind", [
    (b"%PDF-1.7\n...", "pdf"),
    (b"PK\x03\x04....word/document.xml", "docx"),
    (b"PK\x03\x04....other.bin", "binary"),
    (b"<!DOCTYPE html><html><body>x</body></html>", "html"),
    (b"\xef\xbb\xbf<html><head><meta charset='gbk'>", "html"),
    ("一、总体情况\n2023年".encode("utf-8"), "txt"),
    ("一、总体情况".encode("gb18030"), "txt"),
    (b"\x00\x01\x02\x03binary", "binary"),
])
def test_sniff_by_content(data, kind):
    assert sniff(data, "report.html") == kind


def test_binary_file_named_html_and_empty_file_are_read_errors(tmp_path):
    fake = tmp_path / "report.html"
    fake.write_bytes(b"\x00\x01\x02" * 100)
    with pytest.raises(ReadError, match="二进制"):
        read_report(fake)
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"  \n")
    with pytest.raises(ReadError, match="为空"):
        read_report(empty)


def test_read_lines_moves_locations_to_the_source_document():
    grid = [["行政复议", "", "", "", "", "行政诉讼"],
            ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"],
            ["1", "0", "0", "0", "1"] + ["0"] * 10]
    lines = [SourceLine("某县某局2023年政府信息公开工作年度报告", Location(line=3, page=1)),
             SourceLine("四、政府信息公开行政复议、行政诉讼情况", Location(line=9, page=2))]
    lines += grid_lines(grid, lambda r: Location(line=20 + r, page=2, element=f"table[1]/tr[{r + 1}]"))
    report = read_lines("x.pdf", "pdf", lines)
    assert report.kind == "pdf" and report.title_line == 3
    cell = report.tables["review_litigation"].cells[("RV", "MAINT")]
    assert cell.value == 1 and cell.location == Location(line=22, page=2, element="table[1]/tr[3]")
    section = report.section(4)
    assert section.start_line == 9 and section.page == 2


def test_encrypted_word_file_gets_a_specific_reason(tmp_path):
    locked = tmp_path / "report.docx"
    locked.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    with pytest.raises(ReadError, match="加密的 Office 文档"):
        read_report(locked)
