"""Narrative rules on real excerpts: every finding judged by reading the report (regression fixture).

tests/data/narrative_findings.json lists, per excerpt, the TEXT and XREF findings the rules give and the
reviewer's verdict. A change that adds a finding (noise) or loses one fails here; to change the
fixture, read the excerpt and record the verdict.
"""

import json
from decimal import Decimal
from pathlib import Path

import pytest

from xxgk_audit.engine.evaluation.audit import Auditor

DATA = Path(__file__).resolve().parents[1] / "data"
EXCERPTS = sorted((DATA / "corpus" / "excerpts").glob("*.txt"))
EXPECTED = json.loads((DATA / "narrative_findings.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def auditor() -> Auditor:
    return Auditor(select=["TEXT-001", "TEXT-002", "TEXT-003", "TEXT-004", "TEXT-010", "XREF"])


def test_fixture_verdicts_are_recorded():
    real = sum(len(v["findings"]) for v in EXPECTED.values() if v["verdict"] == "real")
    total = sum(len(v["findings"]) for v in EXPECTED.values())
    assert total and real / total >= 0.95
    assert all(v["why"] for v in EXPECTED.values())


@pytest.mark.parametrize("path", EXCERPTS, ids=lambda p: p.name)
def test_narrative_findings_on_real_excerpts(auditor, path):
    result = auditor.audit_path(path)
    got = [[f.rule, f.message] for f in result.findings]
    assert got == EXPECTED.get(path.name, {"findings": []})["findings"]


def test_cut_short_copies_are_not_judged_for_what_they_lack(auditor):
    """Excerpt 001 stops inside section 一: nothing it does not say can be held against it."""
    result = auditor.audit_path(DATA / "corpus" / "excerpts" / "001.txt")
    assert result.findings == []
    assert {c.rule: c.status for c in result.checks}["TEXT-002"] == "not_assessable"


CLEAN = (DATA.parent.parent / "samples" / "clean-2021.txt").read_text(encoding="utf-8")
CONTRADICTIONS = [
    ("共收到政府信息公开申请11件", "共收到政府信息公开申请12件", "XREF-001", 11, 12),
    ("结转下年度继续办理1件", "结转下年度继续办理3件", "XREF-002", 1, 3),
    ("均在法定期限内答复，", "均在法定期限内答复，全年未发生行政复议、行政诉讼。", "XREF-005", 3, None),
    ("均在法定期限内答复，", "均在法定期限内答复，行政复议案件均获维持。", "XREF-005", 1, None),
    ("均在法定期限内答复，", "均在法定期限内答复，被申请行政复议3件。", "XREF-005", 2, 3),
    ("均在法定期限内答复，", "均在法定期限内答复，全年制发行政规范性文件3件。", "XREF-006", 2, 3),
    ("均在法定期限内答复，", "均在法定期限内答复，其中部分公开2件。", "XREF-003", 1, 2),
    ("均在法定期限内答复，", "均在法定期限内答复，其中予以公开5件，占50%。", "XREF-003", None, 50),
    ("均在法定期限内答复，", "均在法定期限内答复，其中予以公开及部分公开5件，", "XREF-003", 6, 5),
    ("均在法定期限内答复，", "均在法定期限内答复，行政事业性收费5000元。", "XREF-008", 0, 5000),
]


@pytest.fixture(scope="module")
def xref() -> Auditor:
    return Auditor(select=["XREF"])


@pytest.mark.parametrize("old, new, rule, expected, actual", CONTRADICTIONS, ids=[c[1] for c in CONTRADICTIONS])
def test_text_contradicting_the_tables_is_found_with_the_sentence(xref, tmp_path, old, new, rule, expected, actual):
    assert old in CLEAN
    path = tmp_path / "r.txt"
    path.write_text(CLEAN.replace(old, new, 1), encoding="utf-8")
    findings = xref.audit_path(path).findings
    assert [f.rule for f in findings] == [rule]
    finding = findings[0]
    assert new.rstrip("。，")[-6:] in finding.message and finding.location.section == 1
    assert finding.location.line == 8
    if rule == "XREF-003" and expected is None:      # a percentage: 5 of 11 is 45.45…%
        assert round(finding.expected, 2) == Decimal("45.45") and finding.actual == 50
        assert "应为 45.45%" in finding.message
    else:
        assert finding.expected == expected and finding.actual == actual


@pytest.mark.parametrize("name", ["clean-2021.txt", "seed-luolong-2020.txt"])
def test_text_that_agrees_with_the_tables_gives_no_xref_finding(xref, name):
    result = xref.audit_path(DATA.parent.parent / "samples" / name)
    assert result.findings == []
    cross = {"XREF-009", "XREF-010", "XREF-011", "XREF-012", "XREF-013", "XREF-014"}     # need other reports (batch)
    assert {c.status for c in result.checks if c.rule not in cross} <= {"pass", "not_applicable"}
    assert {c.status for c in result.checks if c.rule in cross} == {"not_assessable"}


@pytest.mark.parametrize("sentence", [
    "2023年共收到政府信息公开申请约10件。",            # an approximation is no contradiction
    "2023年共收到政府信息公开申请11件，同比增加2件。",   # a comparison with last year: skipped
    "2023年共收到政府信息公开申请11件（含上年结转2件）。",  # includes the carry-over: not A1 alone
])
def test_approximate_or_ambiguous_sentences_are_not_reported(xref, tmp_path, sentence):
    text = CLEAN.replace("2023年共收到政府信息公开申请11件，上年结转1件，均在法定期限内答复，结转下年度继续办理1件。",
                         sentence.replace("11件", "13件"))
    path = tmp_path / "r.txt"
    path.write_text(text, encoding="utf-8")
    assert [f.rule for f in xref.audit_path(path).findings if f.rule == "XREF-001"] == []


def test_chinese_numerals_are_read():
    from xxgk_audit.engine.model.numbers import chinese_to_int
    assert [chinese_to_int(t) for t in ("三十二", "十", "一百零五", "两千", "十二万三千")] == [32, 10, 105, 2000, 123000]


def test_fee_dropped_applications_need_a_fee_statement(xref, tmp_path):
    text = CLEAN.replace("2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |",
                         "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请 | 1 | 0 | 0 | 0 | 0 | 0 | 1 |")
    path = tmp_path / "r.txt"
    path.write_text(text.replace("本年度未收取信息处理费。", ""), encoding="utf-8")
    assert [f.rule for f in xref.audit_path(path).findings] == ["XREF-007"]
    path.write_text(text, encoding="utf-8")
    assert xref.audit_path(path).findings == []


def test_agency_kind_can_be_given_on_the_command_line(tmp_path, capsys):
    from xxgk_audit.engine.app import cli
    text = CLEAN.replace("，全年未发生责任追究情况", "")
    path = tmp_path / "r.txt"
    path.write_text(text, encoding="utf-8")
    assert cli.main(["check", str(path), "--select", "TEXT-002", "--no-color"]) == 0   # a 局: department
    assert cli.main(["check", str(path), "--select", "TEXT-002", "--agency-kind", "government", "--no-color"]) == 1
    assert "责任追究" in capsys.readouterr().out


def test_a_percentage_within_a_tenth_of_a_point_is_no_contradiction(xref, tmp_path):
    path = tmp_path / "r.txt"
    path.write_text(CLEAN.replace("均在法定期限内答复，", "均在法定期限内答复，其中予以公开5件，占45.5%，", 1),
                    encoding="utf-8")
    assert xref.audit_path(path).findings == []


def test_a_sum_of_outcomes_is_compared_with_their_sum_not_with_the_last_one(xref, tmp_path):
    """「予以公开及部分公开6件」 is 表三（一）+（二）, not a 部分公开 count of 6."""
    path = tmp_path / "r.txt"
    path.write_text(CLEAN.replace("均在法定期限内答复，", "均在法定期限内答复，其中予以公开及部分公开6件，", 1),
                    encoding="utf-8")
    assert xref.audit_path(path).findings == []
