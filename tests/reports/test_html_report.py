"""HTML output: the report page, the batch folder (index, pages, findings.csv/.xlsx), safety.

End to end on the bundled samples with the real reader; a folder of 60 varied reports made by
benchmarks/make_corpus.py stands for a real batch.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import importlib.util
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
from openpyxl import load_workbook

from xxgk_audit.engine.app import cli
from xxgk_audit.engine.evaluation.audit import Auditor, ReportResult
from xxgk_audit.engine.evaluation.findings import Finding, FindingLocation
from xxgk_audit.reports.findings_export import COLUMNS, FindingsExport
from xxgk_audit.reports.html import render_page
from xxgk_audit.reports.html_index import page_name
from xxgk_audit.reports.html_view import build_page

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "samples"


class Page(HTMLParser):
    """The ids, in-page links, other links, scripts, styles and CSP of an HTML page."""

    def __init__(self, html: str):
        super().__init__()
        self.ids: list[str] = []
        self.anchors: list[str] = []
        self.links: list[str] = []
        self.sources: list[str] = []
        self.csp = ""
        self.blocks: dict[str, list[str]] = {"script": [], "style": []}
        self._in: str | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if a.get("id"):
            self.ids.append(a["id"] or "")
        href = a.get("href")
        if href:
            (self.anchors if href.startswith("#") else self.links).append(href)
        if a.get("src"):
            self.sources.append(a["src"] or "")
        if tag == "meta" and a.get("http-equiv") == "Content-Security-Policy":
            self.csp = a.get("content") or ""
        if tag in self.blocks:
            self._in = tag
            self.blocks[tag].append("")

    def handle_endtag(self, tag: str) -> None:
        self._in = None if tag == self._in else self._in

    def handle_data(self, data: str) -> None:
        if self._in:
            self.blocks[self._in][-1] += data


def check(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = cli.main(["check", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def page_of(sample: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[str, Page]:
    out = tmp_path / f"{sample}.html"
    code, _, err = check([str(SAMPLES / f"{sample}.txt"), "--format", "html", "--output", str(out)], capsys)
    assert code in (0, 1) and not err
    html = out.read_text(encoding="utf-8")
    return html, Page(html)


def findings_of(sample: str) -> int:
    return len(Auditor().audit_path(SAMPLES / f"{sample}.txt").findings)


def sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def assert_self_contained(page: Page) -> None:
    """In-page links resolve; nothing is loaded; only the page's own style and script may apply."""
    assert len(page.ids) == len(set(page.ids)), "duplicate ids"
    assert {a[1:] for a in page.anchors} <= set(page.ids), "in-page link without target"
    assert page.sources == []
    assert not [link for link in page.links if re.match(r"^([a-z]+:)?//", link)]
    assert "default-src 'none'" in page.csp
    for kind in ("style", "script"):
        for block in page.blocks[kind]:
            assert sha256(block) in page.csp
    assert "unsafe-inline" not in page.csp


# ---- one report's page --------------------------------------------------------------------------
def test_clean_sample_page(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    html, page = page_of("clean-2021", tmp_path, capsys)
    assert "审核结论：<strong>通过</strong>" in html
    assert "某市生态环境局" in html and "2023 年度" in html and "2021 格式" in html
    assert "未发现问题" in html
    for title in ("表二 主动公开政府信息情况表", "表三 收到和处理政府信息公开申请情况表",
                  "表四 政府信息公开行政复议、行政诉讼情况表"):
        assert title in html
    assert not re.search(r"<(td|th|h3)[^>]*flagged", html)
    rules = Auditor().rules
    assert len([i for i in page.ids if i.startswith("rule-")]) == len(rules)
    assert page.blocks["script"] == []
    assert_self_contained(page)


def test_failing_sample_marks_cells_and_links_both_ways(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    html, page = page_of("error-arithmetic-2023", tmp_path, capsys)
    assert "审核结论：<strong>不通过</strong>" in html
    assert f"问题清单（{findings_of('error-arithmetic-2023')} 项）" in html
    cells = {"c-applications-A1-TOT": "ARITH-001", "c-applications-C-NP": "ARITH-004",
             "c-review_litigation-RV-TOT": "ARITH-005"}
    for cell, rule in cells.items():
        td = re.search(rf'<td id="{cell}" class="[^"]*flagged sev-error"[^>]*><a class="flag" href="#(f-\d+)"', html)
        assert td, cell
        finding = re.search(rf'<li id="{td.group(1)}" class="finding sev-error">(.*?)</li>', html, re.S)
        assert finding and f'href="#rule-{rule}"' in finding.group(1)
        assert f'href="#{cell}"' in finding.group(1)
    assert "<dt>期望</dt><dd>12</dd>" in html and "<dt>实际</dt><dd>11</dd>" in html
    assert "「一、本年新收政府信息公开申请数量」行 › 「总计」列 › 源文件第 33 行" in html
    assert_self_contained(page)


def test_structure_sample_shows_missing_row_and_quotes_text(tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    html, page = page_of("error-structure-2022", tmp_path, capsys)
    assert re.search(r'<th scope="row" id="r-applications-B3_7" class="label flagged sev-error">'
                     r'7\.属于行政执法案卷<span class="miss">（报告中缺少此行）</span>', html)
    assert "主动公开政府信息<mark>XX</mark>条" in html             # TEXT-009 quotes its sentence
    assert 'class="v unknown flagged sev-warning"' in html          # the 「/」 placeholder (CELL-002)
    assert f"问题清单（{findings_of('error-structure-2022')} 项）" in html
    assert_self_contained(page)


def test_findings_are_numbered_in_the_order_listed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    html, _ = page_of("error-outdated-format-2023", tmp_path, capsys)
    numbers = [int(n) for n in re.findall(r'<li id="f-(\d+)"', html)]
    assert numbers == list(range(1, findings_of("error-outdated-format-2023") + 1))
    assert "全文与基本信息" in html and "<mark>国办公开办函〔2019〕60号</mark>" in html


def test_every_sample_page_is_self_contained(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for sample in sorted(SAMPLES.glob("*.txt")):
        _, page = page_of(sample.stem, tmp_path, capsys)
        assert_self_contained(page)


def test_report_text_is_escaped(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = (SAMPLES / "error-structure-2022.txt").read_text(encoding="utf-8")
    hostile = "<script>alert(1)</script>"
    text = text.replace("某镇人民政府", f"某镇{hostile}人民政府").replace("XX条", f"XX条{hostile}<img src=x onerror=alert(2)>")
    source = tmp_path / "hostile.txt"
    source.write_text(text, encoding="utf-8")
    out = tmp_path / "hostile.html"
    cli.main(["check", str(source), "--format", "html", "--output", str(out)])
    html = out.read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script" not in html and "<img" not in html
    assert_self_contained(Page(html))


def test_single_report_to_standard_output(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = check([str(SAMPLES / "clean-2021.txt"), "--format", "html"], capsys)
    assert code == 0 and out.startswith("<!DOCTYPE html>") and "返回审核汇总" not in out


def test_unreadable_file_page_says_it_could_not_be_audited() -> None:
    finding = Finding("READ-001", "error", "文件无法读取", "文件为空", "xxgk-audit：输入文件须可读取", FindingLocation())
    result = ReportResult("empty.txt", "error", None, [finding], [], error="文件为空")
    html = render_page(result, {})
    assert "审核结论：<strong>无法审核</strong>" in html
    assert "<strong>无法审核此文件</strong>：文件为空" in html and "不是报告内容的问题" in html
    assert_self_contained(Page(html))


def test_view_does_not_quote_codes_as_words(tmp_path: Path) -> None:
    result = Auditor().audit_path(SAMPLES / "error-outdated-format-2023.txt")
    page = build_page(result, {})
    by_rule = {f.finding.rule: f for group in page.groups for f in group.findings}
    assert by_rule["META-002"].quote is None                       # actual "2019" is a format, not words
    assert by_rule["META-006"].quote is not None and by_rule["META-006"].quote.mark.startswith("统计期限为2022")
    assert by_rule["CELL-003"].target == "c-disclosure-PROC-AMOUNT"


def test_a_claim_finding_shows_its_own_sentence(tmp_path: Path) -> None:
    """The page quotes the sentence the finding carries (evidence.sentence), not one searched for."""
    text = (SAMPLES / "clean-2021.txt").read_text(encoding="utf-8").replace(
        "共收到政府信息公开申请11件", "共收到政府信息公开申请12件")
    path = tmp_path / "claim.txt"
    path.write_text(text, encoding="utf-8")
    result = Auditor().audit_path(path)
    finding = next(f for f in result.findings if f.rule == "XREF-001")
    finding.evidence["sentence"] = "（仅此一句）共收到政府信息公开申请12件"      # not in the report's text
    view = next(f for group in build_page(result, {}).groups for f in group.findings if f.finding is finding)
    assert view.quote is not None and view.quote.before == "（仅此一句）共收到政府信息公开申请12件"


# ---- a batch: index, pages, findings.csv, findings.xlsx -----------------------------------------
def make_corpus(folder: Path, n: int) -> None:
    spec = importlib.util.spec_from_file_location("make_corpus", REPO / "benchmarks" / "make_corpus.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.make_corpus(folder, n)


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """60 varied reports, the 5 samples and an empty file, audited into an HTML folder."""
    root = tmp_path_factory.mktemp("batch")
    reports = root / "reports"
    make_corpus(reports / "varied", 60)
    shutil.copytree(SAMPLES, reports / "samples", ignore=shutil.ignore_patterns("*.md"))
    (reports / "empty.txt").write_bytes(b"")
    out = root / "html"
    assert cli.main(["check", str(reports), "--format", "html", "--output", str(out)]) == 1
    return reports, out


def test_batch_writes_index_pages_and_tables(batch: tuple[Path, Path]) -> None:
    reports, out = batch
    files = sorted(p for p in reports.rglob("*.txt"))
    assert len(files) == 66
    index = (out / "index.html").read_text(encoding="utf-8")
    page = Page(index)
    assert_self_contained(page)
    assert len(page.blocks["script"]) == 1
    pages = [link for link in page.links if link.endswith(".html")]
    assert len(pages) == 66 and all((out / p).is_file() for p in pages)
    assert len(list(out.glob("*.html"))) == 67
    assert "审核汇总：共 66 份报告" in index and index.count('<tr role="row" data-status=') == 66
    assert '<option value="pass">通过</option>' in index and '<option value="2020">2020 年度</option>' in index
    assert index.count('<g class="bar b-') >= 4 and "各规则发现的问题数" in index
    for name in pages[:10]:
        sub = Page((out / name).read_text(encoding="utf-8"))
        assert_self_contained(sub)
        assert "index.html" in sub.links


def test_batch_findings_csv_and_xlsx_match_the_findings(batch: tuple[Path, Path],
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    reports, out = batch
    import json
    cli.main(["check", str(reports), "--format", "json"])
    data = json.loads(capsys.readouterr().out)
    expected = [(r["path"], f["rule"], f["message"]) for r in data["reports"] for f in r["findings"]]
    assert len(expected) == sum(data["summary"]["findings"].values()) > 60

    with open(out / "findings.csv", encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == [key for key, _, _ in COLUMNS]
    assert [(r["path"], r["rule"], r["message"]) for r in rows] == expected
    assert {r["severity"] for r in rows} <= {"error", "warning", "info"}
    assert any(r["rule"] == "READ-001" and r["path"].endswith("empty.txt") for r in rows)

    sheet = load_workbook(out / "findings.xlsx", read_only=True).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0] == tuple(header for _, header, _ in COLUMNS)
    assert [(v[0], v[3], v[6]) for v in values[1:]] == expected
    assert {v[4] for v in values[1:]} <= {"错误", "警告", "提示"}


def test_spreadsheet_text_never_becomes_a_formula(tmp_path: Path) -> None:
    finding = Finding("TEXT-009", "error", "残留模板占位符", "=HYPERLINK(\"http://x\")", "src",
                      FindingLocation(section=1), expected=-1, actual="+cmd")
    export = FindingsExport(tmp_path / "f.csv", tmp_path / "f.xlsx")
    export.add(ReportResult("a.txt", "fail", None, [finding]))
    export.close()
    with open(tmp_path / "f.csv", encoding="utf-8-sig", newline="") as handle:
        row = next(csv.DictReader(handle))
    assert row["message"].startswith("'=") and row["actual"] == "'+cmd" and row["expected"] == "-1"
    cells = list(load_workbook(tmp_path / "f.xlsx").active.iter_rows(min_row=2))[0]
    assert cells[6].data_type == "s" and cells[6].value.startswith("=HYPERLINK")
    assert cells[13].value == -1


def test_batch_needs_an_output_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = check([str(SAMPLES), "--format", "html"], capsys)
    assert code == 2 and "--output" in err
    taken = tmp_path / "file.html"
    taken.write_text("x", encoding="utf-8")
    code, _, err = check([str(SAMPLES), "--format", "html", "--output", str(taken)], capsys)
    assert code == 2 and "应为目录" in err


def test_page_names_are_numbered_ascii_and_safe() -> None:
    assert page_name(1, "samples/clean-2021.txt") == "0001-clean-2021.html"
    assert page_name(12, "报告/某市 2023 年报.txt") == "0012-2023.html"
    assert page_name(3, "../年报.txt") == "0003-report.html"
