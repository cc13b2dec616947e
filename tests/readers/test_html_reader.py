"""The HTML reader: encodings, site chrome, rowspan/colspan grids, locations, publication dates,
the samples rendered as portal pages (same findings as the text), bad and arbitrary input."""

from __future__ import annotations

import json
import random
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from docgen import blocks, render_html, truth
from xxgk_audit.engine.app import cli
from xxgk_audit.engine.evaluation.audit import Auditor, ReadError, read_report
from xxgk_audit.engine.model.report import Location
from xxgk_audit.engine.readers import UnsupportedDocument, grid
from xxgk_audit.engine.readers.grid import GridCell, GridRow, flatten
from xxgk_audit.engine.readers.html import decode_html, read_html
from xxgk_audit.engine.readers.lines import SourceLine
from xxgk_audit.engine.readers.text import read_text

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
CLEAN = SAMPLES / "clean-2021.txt"
AUDITOR = Auditor()


def finding_keys(result) -> Counter:
    """What must not change with the format a report comes in: rule and place, lines aside."""
    return Counter((f.rule, f.location.section, f.location.table, f.location.row, f.location.column)
                   for f in result.findings)


def page(body: str, head: str = "", charset: str = "utf-8") -> bytes:
    return (f'<html><head><meta charset="{charset}">{head}</head><body>{body}</body></html>'
            ).encode("gb18030" if charset.startswith("gb") else charset)


# ---- decoding ---------------------------------------------------------------------------------
@pytest.mark.parametrize("data, encoding", [
    ("\ufeff<p>一、总体情况</p>".encode("utf-8"), "utf-8-sig"),
    ("<p>一、总体情况</p>".encode("utf-16"), "utf-16"),
    ('<meta charset="gbk"><p>一、总体情况</p>'.encode("utf-8"), "utf-8"),     # re-saved page, old meta
    ('<meta http-equiv="Content-Type" content="text/html; charset=gb2312"><p>一、总体情况 囧</p>'.encode("gb18030"),
     "gb18030"),
    ('<?xml version="1.0" encoding="GBK"?><p>一、总体情况</p>'.encode("gbk"), "gb18030"),
    ("<p>一、总体情况</p>".encode("gb18030"), "gb18030"),                      # no declaration at all
    ('<meta charset="big5"><p>一、總體情況</p>'.encode("big5"), "big5"),
])
def test_encoding_by_bom_declaration_and_detection(data: bytes, encoding: str) -> None:
    text, used, _ = decode_html(data)
    assert used == encoding
    assert "一、總體情況" in text or "一、总体情况" in text


def test_a_gb2312_page_reads_like_its_utf8_twin() -> None:
    gb = read_html(Path("gb.html"), render_html(CLEAN, encoding="gb18030"))
    utf8 = read_html(Path("utf8.html"), render_html(CLEAN))
    assert gb.metadata["encoding"] == "gb18030" and utf8.metadata["encoding"] == "utf-8"
    assert gb.text == utf8.text and gb.title == "某市生态环境局2023年政府信息公开工作年度报告"


# ---- chrome and article -----------------------------------------------------------------------
def test_scripts_styles_hidden_and_chrome_are_left_out() -> None:
    report = read_html(Path("p.html"), render_html(CLEAN))
    assert "当前位置" not in report.text and "网站标识码" not in report.text and "首页" not in report.text
    assert "隐藏的重复内容" not in report.text and "document.write" not in report.text
    assert "var nav" not in report.text and "border" not in report.text
    assert report.title == "某市生态环境局2023年政府信息公开工作年度报告"
    assert [s.number for s in report.sections] == [1, 2, 3, 4, 5, 6]


def test_an_article_inside_a_misnamed_chrome_element_is_kept() -> None:
    """A page whose whole article sits in <div id="footer"> loses more than it keeps: read again."""
    report = read_html(Path("p.html"), page(f'<div id="footer">{_article()}</div>'))
    assert report.title == "某市生态环境局2023年政府信息公开工作年度报告"
    assert report.tables["applications"].value("A1", "TOT") == 11


def _article() -> str:
    """The article part of the rendered clean sample."""
    html = render_html(CLEAN).decode("utf-8")
    return html[html.index('<div class="article">'):html.index('<div id="footer">')]


def test_tables_inside_a_layout_table_are_read() -> None:
    """Portals frame the article in a layout table; the report's tables sit in its cells."""
    framed = page(f'<table width="100%"><tr><td class="left">栏目导航</td><td>{_article()}</td></tr></table>')
    report = read_html(Path("p.html"), framed)
    expected = read_text(CLEAN)
    for name, table in expected.tables.items():
        assert {k: c.value for k, c in report.tables[name].cells.items()} == {k: c.value for k, c in table.cells.items()}


def test_line_breaks_between_chinese_characters_vanish() -> None:
    report = read_html(Path("p.html"), page("<p>本报告由某县\n  司法局编制。</p><p>2023\n年</p>"))
    assert "本报告由某县司法局编制。" in report.text and "2023 年" in report.text


# ---- grids ------------------------------------------------------------------------------------
def _cells(*texts_spans: tuple[str, int, int]) -> list[GridCell]:
    return [GridCell([SourceLine(t, Location())] if t else [], Location(element=t), colspan=c, rowspan=r)
            for t, r, c in texts_spans]


def test_rowspan_and_colspan_become_one_field_per_cell_and_empty_covered_positions() -> None:
    rows = [
        _cells(("note", 3, 3), ("申请人情况", 1, 7)),
        _cells(("自然人", 2, 1), ("法人或其他组织", 1, 5), ("总计", 2, 1)),
        _cells(("商业企业", 1, 1), ("科研机构", 1, 1), ("社会公益组织", 1, 1), ("法律服务机构", 1, 1), ("其他", 1, 1)),
        _cells(("一、本年新收政府信息公开申请数量", 1, 3), ("5", 1, 1), ("", 1, 1), ("7", 1, 1)),
    ]
    table = grid.Grid([GridRow(cells, Location(element=f"table[1]/tr[{r + 1}]")) for r, cells in enumerate(rows)])
    lines, pins = flatten([table])
    assert [line.text for line in lines] == [
        "note\t申请人情况", "\t自然人\t法人或其他组织\t总计", "\t\t商业企业\t科研机构\t社会公益组织\t法律服务机构\t其他\t",
        "一、本年新收政府信息公开申请数量\t5\t\t7"]
    assert [c.location.element if c else None for c in pins["table[1]/tr[3]"]] == [
        None, None, "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", None]


def test_nbsp_cells_are_blank_and_cells_point_at_their_td() -> None:
    rendered = render_html(CLEAN, rng=random.Random(3))
    report = read_html(Path("p.html"), rendered)
    for cell in report.tables["applications"].cells.values():
        assert cell.location.element.startswith("table[2]/tr[") and "/td[" in cell.location.element
        assert cell.location.line is not None
    rendered = rendered.decode("utf-8")
    a1 = report.tables["applications"].cells[("A1", "NP")]
    assert a1.location.element == "table[2]/tr[4]/td[2]"
    assert rendered.splitlines()[a1.location.line - 1].strip().startswith("<td")
    blank = render_html(CLEAN).replace('valign="middle">9</td>'.encode(), 'valign="middle">&nbsp;</td>'.encode(), 1)
    cell = read_html(Path("p.html"), blank).tables["applications"].cells[("A1", "NP")]
    assert (cell.value, cell.kind) == (None, "blank")


@pytest.fixture
def page_file(tmp_path: Path):
    """write(sample, **render_html options) -> the path of the rendered page."""
    count = iter(range(10_000))

    def write(sample: Path, **options) -> Path:
        target = tmp_path / f"{sample.stem}-{next(count)}.html"
        target.write_bytes(render_html(sample, **options))
        return target
    return write


def test_finding_locations_name_the_cell_element(page_file) -> None:
    result = AUDITOR.audit_path(page_file(SAMPLES / "error-arithmetic-2023.txt"))
    arith = next(f for f in result.findings if f.rule == "ARITH-005")
    assert arith.location.element == "table[3]/tr[4]/td[5]" and arith.location.line is not None


# ---- publication date -------------------------------------------------------------------------
@pytest.mark.parametrize("head, body", [
    ('<meta name="PubDate" content="2024-03-15 09:30">', ""),
    ('<meta name="firstpublishedtime" content="2024/3/15 10:00:00">', ""),
    ("", '<div class="breadcrumb">当前位置：首页 发布时间：2024年03月15日</div>'),
    ("", '<div class="info">发布日期：2024-03-15　来源：本局</div>'),
])
def test_publication_date_from_metadata_or_page_chrome(head: str, body: str) -> None:
    report = read_html(Path("p.html"), page(body + _article(), head))
    assert report.metadata["published"] == date(2024, 3, 15)


def test_a_late_page_is_found_late(page_file) -> None:
    """A department's 2023 report published on 2024-03-15 is late (due 2024-01-31): META-004."""
    late = AUDITOR.audit_path(page_file(CLEAN, published=date(2024, 3, 15)))
    assert "META-004" in {f.rule for f in late.findings}
    on_time = AUDITOR.audit_path(page_file(CLEAN, published=date(2024, 1, 20)))
    assert "META-004" not in {f.rule for f in on_time.findings}


# ---- the samples as portal pages --------------------------------------------------------------
@pytest.mark.parametrize("encoding", ["utf-8", "gb18030"])
@pytest.mark.parametrize("sample", sorted(SAMPLES.glob("*.txt")), ids=lambda p: p.stem)
def test_samples_as_pages_give_the_same_findings_and_cells_as_the_text(sample: Path, encoding: str,
                                                                       page_file) -> None:
    text = AUDITOR.audit_path(sample)
    for rng in (None, random.Random(sample.name)):
        result = AUDITOR.audit_path(page_file(sample, encoding=encoding, rng=rng))
        assert result.report.kind == "html" and result.status == text.status
        assert finding_keys(result) == finding_keys(text)
        assert {c.rule: c.status for c in result.checks} == {c.rule: c.status for c in text.checks}
        for (name, row, col), raw in truth(text.report).items():
            assert result.report.tables[name].cells[(row, col)].raw == raw


def test_rendered_tables_have_real_spans() -> None:
    """The test documents are what the issue asks for: rowspan and colspan in the markup."""
    html = render_html(CLEAN).decode("utf-8")
    assert 'rowspan="3" colspan="3"' in html and 'rowspan="22"' in html and 'colspan="10"' in html
    assert sum(1 for b in blocks(read_text(CLEAN)) if isinstance(b, list)) == 3


def test_extract_reads_a_page(page_file, capsys: pytest.CaptureFixture[str]) -> None:
    path = page_file(CLEAN, encoding="gb18030")
    assert cli.main(["extract", str(path)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["kind"], data["year"], data["format"]) == ("html", 2023, "2021")
    assert data["tables"]["applications"]["A1"]["TOT"] == 11
    assert data["cells"]["applications"]["A1"]["NP"]["raw"] == "9"


# ---- bad input --------------------------------------------------------------------------------
def test_binary_named_html_and_empty_page_are_read_errors(tmp_path: Path) -> None:
    noisy = tmp_path / "noisy.html"          # passes the sniffer (markup, no NUL), then is garbage
    noisy.write_bytes(b"<html><body>" + bytes(random.Random(1).randrange(1, 32) for _ in range(4000)))
    with pytest.raises(ReadError, match="二进制"):
        read_report(noisy)
    blank = tmp_path / "blank.html"
    blank.write_bytes(b"\n \n")
    with pytest.raises(ReadError, match="为空"):
        read_report(blank)
    comments = read_html(Path("c.html"), b"<html><!-- nothing --></html>")
    assert comments.tables == {} and comments.kind == "html"


def test_a_truncated_page_reads_what_it_has() -> None:
    data = render_html(CLEAN)
    report = read_html(Path("p.html"), data[:len(data) // 2])
    assert report.title and "disclosure" in report.tables and "review_litigation" not in report.tables


def test_limits_on_cells_spans_and_nesting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(grid, "MAX_CELLS", 50)
    with pytest.raises(UnsupportedDocument, match="单元格过多"):
        read_html(Path("p.html"), render_html(CLEAN))
    monkeypatch.undo()
    nested = page("<table><tr><td>" * 40 + "x" + "</td></tr></table>" * 40)
    with pytest.raises(UnsupportedDocument, match="嵌套过深"):
        read_html(Path("p.html"), nested)
    huge = page('<table><tr><td rowspan="999999999" colspan="88888888">规章</td><td>1</td></tr></table>')
    assert read_html(Path("p.html"), huge).kind == "html"


_TAGS = st.sampled_from(["<table>", "</table>", "<tr>", "</tr>", "<td>", "</td>", '<td rowspan="3">',
                         '<td colspan="0">', '<th colspan="x9">', "<p>", "</p>", "<br>", "<nav>", "</nav>",
                         '<div class="footer">', "</div>", "<script>", "</script>", "&nbsp;", "&#0;", "&#xd800;",
                         "<!--", "-->", "<![CDATA[", '<meta name="PubDate" content="2024-99-99">',
                         '<meta charset="gbk">', "规章", "0", "一、总体情况", "（七）总计", "\t", "\x00", "<?xml ?>"])
_PAGES = st.lists(st.one_of(_TAGS, st.text(max_size=20)), max_size=60).map("".join)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(_PAGES.map(lambda s: s.encode("utf-8", "surrogatepass")), st.binary(max_size=3000)))
def test_any_input_is_read_or_refused(data: bytes) -> None:
    try:
        report = read_html(Path("fuzz.html"), data)
    except UnsupportedDocument as exc:
        assert str(exc)
        return
    assert report.kind == "html" and isinstance(report.text, str)
    AUDITOR.audit_report(report)
