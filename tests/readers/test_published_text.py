"""Reports as they are published: crawled one-line page text with a metadata header, titles in 《》
or markdown headings, excerpts without tables that cite the format notice, blank rows.

tests/data/crawled/ holds four real crawled pages (see its README.md and manifest.csv: the 总计
cells as printed, read by hand).
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest

from xxgk_audit.engine.evaluation.audit import Auditor, collect_paths, contract_format
from xxgk_audit.engine.model.template import APPLICANT_COLUMNS
from xxgk_audit.engine.readers import read_text

DATA = Path(__file__).resolve().parents[1] / "data"
CRAWLED = DATA / "crawled"
MANIFEST = {row["file"]: row for row in csv.DictReader((CRAWLED / "manifest.csv").open(encoding="utf-8"))}
SAMPLE = (Path(__file__).resolve().parents[2] / "samples" / "clean-2021.txt").read_text(encoding="utf-8")
AUDITOR = Auditor()
TOTALS = {"A1_TOT": ("applications", "A1", "TOT"), "A2_TOT": ("applications", "A2", "TOT"),
          "B7_TOT": ("applications", "B7", "TOT"), "C_TOT": ("applications", "C", "TOT"),
          "RV_TOT": ("review_litigation", "RV", "TOT"), "LD_TOT": ("review_litigation", "LD", "TOT"),
          "LR_TOT": ("review_litigation", "LR", "TOT")}


def _header_date(path: Path) -> date:
    line = next(x for x in path.read_text(encoding="utf-8").splitlines() if x.startswith("发布时间"))
    return date.fromisoformat(line.split(":", 1)[1].strip()[:10])


@pytest.mark.parametrize("name", sorted(MANIFEST))
def test_crawled_one_line_text_is_read_without_false_errors(name):
    path = CRAWLED / name
    truth = MANIFEST[name]
    result = AUDITOR.audit_path(path)
    report = result.report
    assert report.agency == truth["agency"] and report.year == int(truth["year"])
    assert contract_format(report) == truth["format"]
    assert report.metadata["published"] == _header_date(path)
    assert report.metadata["url"].startswith("https://www.pingtan.gov.cn/")
    assert not report.title.startswith("标题") and "标题" not in (report.preamble or "")
    assert [f.rule for f in result.findings if f.severity == "error"] == []
    assert "READ-002" in {f.rule for f in result.findings}          # said once: the text has no line breaks
    for column, (table, row, col) in TOTALS.items():                 # every 总计 read is the printed one
        cell = report.tables[table].cells.get((row, col))
        if cell is not None and cell.value is not None:
            assert cell.value == int(truth[column]), column


def test_cells_run_together_are_decoded_only_when_one_split_fits():
    report = read_text(CRAWLED / "pingtan-hzs-2023.txt")
    apps, rl = report.tables["applications"], report.tables["review_litigation"]
    assert [apps.value("A1", c) for c in ("NP", "BIZ", "TOT")] == [7, 0, 7]                  # 「7000007」
    assert [rl.value(r, c) for r, c in (("RV", "MAINT"), ("RV", "TOT"), ("LR", "OTHER"), ("LR", "TOT"))] == [1, 1, 1, 1]
    norm = report.tables["disclosure"]       # 「行政规范性文件5416」: 5/4/16, 54/1/6, 5/41/6 — no identity tells
    assert {norm.cells[("NORM", c)].kind for c in ("MADE", "REPEALED", "VALID")} == {"unseen"}
    assert all(norm.value("NORM", c) is None for c in ("MADE", "REPEALED", "VALID"))
    kinds = {limit.kind: limit for limit in report.reading}
    assert kinds["cells_unseen"].part == "disclosure.NORM" and kinds["cells_unseen"].detail["raw"] == "5416"
    result = AUDITOR.audit_report(report)
    unseen = [f for f in result.findings if f.rule == "READ-004"]
    assert len(unseen) == 1 and "5416" in unseen[0].message and unseen[0].location.row == "NORM"
    assert not any(f.rule.startswith(("CELL-001", "CELL-002")) and f.location.row == "NORM" for f in result.findings)
    decoded = [f for f in result.findings if f.rule == "READ-003"]
    assert [f.location.table for f in decoded] == ["disclosure", "applications", "review_litigation"]


def test_a_split_is_chosen_by_the_row_total_and_an_ambiguous_one_is_not_guessed():
    text = ("某县某局2023年政府信息公开工作年度报告 一、总体情况本年度工作平稳有序。" * 20
            + "三、收到和处理政府信息公开申请情况（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
              "申请人情况自然人法人或其他组织总计商业企业科研机构社会公益组织法律服务机构其他"
              "一、本年新收政府信息公开申请数量120000012二、上年结转政府信息公开申请数量110000011"
              "四、政府信息公开行政复议、行政诉讼情况五、存在的主要问题及改进情况无。六、其他需要报告的事项无。")
    report = read_text("one-line.txt", text=text)
    apps = report.tables["applications"]
    assert [apps.value("A1", c) for c in ("NP", "BIZ", "TOT")] == [12, 0, 12]       # 1|20|…|12 fails 总计
    # 11|0|…|11 and 1|10|…|11 both add up, and no other row tells: unseen, not guessed
    assert {apps.cells[("A2", c)].kind for c in ("NP", "BIZ", "TOT")} == {"unseen"}
    assert [s.number for s in report.sections] == [1, 3, 4, 5, 6]
    result = AUDITOR.audit_report(report)
    # section 二 is not seen (no heading found): its structure is not judged; section 四 is seen and
    # holds no digits: its table is absent, not unseen
    assert [(f.rule, f.location.section) for f in result.findings
            if f.rule.startswith("STRUCT-00") and f.severity == "error"] == [("STRUCT-004", 4)]
    assert {"READ-002", "READ-003", "READ-004", "READ-005"} <= {f.rule for f in result.findings}
    assert not [f for f in result.findings if f.rule.startswith(("ARITH", "CELL")) and f.severity == "error"]


def test_metadata_header_is_metadata_not_text():
    text = ("标题：某市某局2023年政府信息公开工作年度报告\n发布时间：2024-01-20\n发布机构：某市某局\n"
            "原文链接：https://example.gov.cn/a.html\n栏目：年报\n\n" + SAMPLE.split("\n", 1)[1])
    report = read_text("header.txt", text=text)
    assert report.title == "某市某局2023年政府信息公开工作年度报告" and report.title_line == 1
    assert report.agency == "某市某局" and report.year == 2023
    assert report.metadata["published"] == date(2024, 1, 20)
    assert report.metadata["url"] == "https://example.gov.cn/a.html"
    assert "原文链接" not in report.preamble and "发布时间" not in report.preamble


def test_a_title_in_book_title_marks_is_the_title():
    title = SAMPLE.split("\n", 1)[0]
    report = read_text("quoted.txt", text=f"《{title}》\n" + SAMPLE.split("\n", 1)[1])
    assert report.title == title and report.title_agency == "某市生态环境局"
    assert "META-008" not in {f.rule for f in AUDITOR.audit_report(report).findings}


@pytest.mark.parametrize("mark", ["# ", "## ", "**"])
def test_an_agency_in_a_markdown_heading(mark):
    title = SAMPLE.split("\n", 1)[0]
    closing = "**" if mark == "**" else ""
    report = read_text("heading.md", text=f"{mark}{title}{closing}\n" + SAMPLE.split("\n", 1)[1])
    assert report.title == title and report.agency == "某市生态环境局"


@pytest.mark.parametrize("notice, fmt", [("国办公开办函〔2021〕30号", "2021"), ("国办公开办函〔2019〕60号", "2019")])
def test_an_excerpt_without_tables_gets_the_format_it_cites(notice, fmt):
    text = f"根据《中华人民共和国政府信息公开条例》和《政府信息公开工作年度报告格式》（{notice}）要求，编制本报告。\n一、总体情况\n本年度工作平稳。\n"
    report = read_text("excerpt.txt", text=text)
    assert report.tables == {} and report.format is None and contract_format(report) == fmt
    assert "META-002" not in {f.rule for f in AUDITOR.audit_report(report).findings}


def test_the_agency_in_the_preamble_when_the_title_lacks_it():
    text = ("2022年政府信息公开工作年度报告\n根据《中华人民共和国政府信息公开条例》要求，结合2022年某市交通运输局"
            "政府信息公开工作实际，编制本报告。\n一、总体情况\n本年度工作平稳。\n")
    assert read_text("preamble.txt", text=text).agency == "某市交通运输局"
    assert read_text("we.txt", text=text.replace("2022年某市交通运输局", "我局")).agency is None


def test_markdown_files_in_folders_are_read_but_not_the_folders_readme(tmp_path):
    for name in ("a.md", "b.markdown", "README.md", "c.txt"):
        (tmp_path / name).write_text(SAMPLE, encoding="utf-8")
    files, _ = collect_paths([tmp_path])
    assert [f.name for f in files] == ["a.md", "b.markdown", "c.txt"]


_B3_2 = "2.其他法律行政法规禁止公开 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |"


@pytest.mark.parametrize("row", [
    "2.其他法律行政法规禁止公开 |  |  |  |  |  |  |  |",       # pipe text
    "| 2.其他法律行政法规禁止公开 | | | | | | | |",             # a markdown table row
    "2.其他法律行政法规禁止公开\t\t\t\t\t\t\t",                  # tab-separated (copied from Word)
])
def test_a_row_of_blank_cells_is_that_row(row):
    report = read_text("blank.txt", text=SAMPLE.replace(_B3_2, row))
    apps = report.tables["applications"]
    assert "B3_2" in apps.rows_found
    assert {apps.cells[("B3_2", c.key)].kind for c in APPLICANT_COLUMNS} == {"blank"}
    assert apps.value("B3_3", "NP") == 0                                     # the next row keeps its values
    assert "STRUCT-008" not in {f.rule for f in AUDITOR.audit_report(report).findings}


def test_blank_cells_never_shift_other_values():
    report = read_text("blank.txt", text=SAMPLE.replace(_B3_2, "2.其他法律行政法规禁止公开 |  | 1 |  |  |  |  | 1 |"))
    apps = report.tables["applications"]
    assert [apps.cells[("B3_2", c.key)].raw for c in APPLICANT_COLUMNS] == ["", "1", "", "", "", "", "1"]


def test_a_review_litigation_row_of_blank_pipe_cells_is_blank_cells():
    lines = SAMPLE.split("\n")
    at = next(i for i, line in enumerate(lines) if line.startswith("行政复议") or "结果维持" in line)
    values = next(i for i in range(at, len(lines)) if lines[i].replace("|", "").split()
                  and all(x.isdigit() for x in lines[i].replace("|", "").split()))
    lines[values] = "|" + " |" * 15
    report = read_text("blank-rl.txt", text="\n".join(lines))
    rl = report.tables["review_litigation"]
    assert len(rl.cells) == 15 and {c.kind for c in rl.cells.values()} == {"blank"}


def test_an_ambiguous_row_is_decided_by_the_column_identities():
    """一 「110000011」 is 11|0|…|11 or 1|10|…|11; 一+二 = （七）总计+四 in every column decides it."""
    text = ("某县某局2023年政府信息公开工作年度报告 一、总体情况本年度工作平稳有序。" * 20
            + "三、收到和处理政府信息公开申请情况（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
              "申请人情况自然人法人或其他组织总计商业企业科研机构社会公益组织法律服务机构其他"
              "一、本年新收政府信息公开申请数量110000011二、上年结转政府信息公开申请数量0000000"
              "三、本年度办理结果（七）总计 11 0 0 0 0 0 11 四、结转下年度继续办理0000000"
              "四、政府信息公开行政复议、行政诉讼情况五、存在的主要问题及改进情况无。六、其他需要报告的事项无。")
    apps = read_text("one-line.txt", text=text).tables["applications"]
    assert [apps.value("A1", c.key) for c in APPLICANT_COLUMNS] == [11, 0, 0, 0, 0, 0, 11]
    assert apps.value("B7", "TOT") == 11
