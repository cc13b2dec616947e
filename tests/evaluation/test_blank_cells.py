"""The blank-cell policy: blank zeros presumed 0, blank totals as the sum of their parts, findings
that say so; and reports that leave their zeros blank, with planted faults, in every format."""

from __future__ import annotations

from pathlib import Path

import pytest

from blank_zero import FORMATS, PLANTS, score
from xxgk_audit.engine.evaluation.audit import Auditor
from xxgk_audit.engine.evaluation.blank_cells import SUM, ZERO, presume, resting_on
from xxgk_audit.engine.evaluation.facts import Context, build_facts
from xxgk_audit.engine.evaluation.ruletest import clean_report
from xxgk_audit.engine.model.report import Cell


def _blank(report, table: str, *keys: str, kind: str = "blank") -> None:
    for key in keys:
        row, column = key.split(".")
        report.tables[table].cells[(row, column)] = Cell(None, "" if kind == "blank" else "? 0", kind)


def _set(report, table: str, **values: int) -> None:
    for key, value in values.items():
        row, column = key.rsplit("_", 1)        # B3_1_NP: row B3_1, column NP
        report.tables[table].cells[(row, column)] = Cell(value, str(value), "int")


@pytest.fixture(scope="module")
def auditor() -> Auditor:
    return Auditor()


def test_blank_cells_of_a_table_with_numbers_are_zero_and_totals_the_sum_of_their_parts():
    report = clean_report("2021")
    _set(report, "applications", A1_NP=2, A1_BIZ=1)
    _blank(report, "applications", "A1.SCI", "A1.TOT", "B3_1.NP", "B3_1.TOT")
    presumed = presume("applications", report.tables["applications"], "2021", "zero")
    assert presumed["A1.SCI"].basis == ZERO and presumed["A1.SCI"].value == 0
    assert (presumed["A1.TOT"].basis, presumed["A1.TOT"].value) == (SUM, 3)
    # a total whose parts are all zero read or presumed: 0 (presumed when every part was blank)
    assert presumed["B3_1.TOT"].value == 0
    assert resting_on({"A1.TOT"}, presumed) == (["A1.SCI"], ["A1.TOT"])
    assert presume("applications", report.tables["applications"], "2021", "unknown") == {}


def test_an_unreadable_part_leaves_its_blank_total_unknown():
    report = clean_report("2021")
    _blank(report, "applications", "A1.TOT")
    _blank(report, "applications", "A1.NP", kind="unreadable")
    presumed = presume("applications", report.tables["applications"], "2021", "zero")
    assert "A1.TOT" not in presumed and "A1.NP" not in presumed


def test_a_table_without_any_number_presumes_nothing():
    report = clean_report("2021")
    table = report.tables["review_litigation"]
    for key in list(table.cells):
        table.cells[key] = Cell(None, "", "blank")
    assert presume("review_litigation", table, "2021", "zero") == {}
    facts = {f.kind: f for f in build_facts(report)}
    assert "RV.TOT" not in facts["review_litigation"].fields


def test_a_finding_on_presumed_zeros_says_so_in_its_message_and_evidence(auditor):
    report = clean_report("2021")
    _set(report, "review_litigation", RV_MAINT=1, RV_TOT=2)
    _blank(report, "review_litigation", "RV.CORR", "RV.OTHER", "RV.PEND")
    result = auditor.audit_report(report)
    arith = next(f for f in result.findings if f.rule == "ARITH-005")
    assert arith.evidence["assumed_zero"] == ["RV.CORR", "RV.OTHER", "RV.PEND"]
    assert "空白单元格按 0 计：表四「行政复议」「结果纠正」" in arith.message
    assert (arith.expected, arith.actual) == (1, 2)
    cell = [f for f in result.findings if f.rule == "CELL-002"]
    assert len(cell) == 1 and cell[0].evidence["blank_cells"] == ["RV.CORR", "RV.OTHER", "RV.PEND"]
    assert "表四有 3 个单元格为空或为占位符" in cell[0].message and "「行政复议」：结果纠正、其他结果、尚未审结" in cell[0].message
    unknown = auditor.audit_report(report, Context(blank_cells="unknown"))
    assert not [f for f in unknown.findings if f.rule == "ARITH-005"]
    results = auditor.engine.evaluate_facts(build_facts(report, Context(blank_cells="unknown")))
    assert [s for _, inst, s, _ in results if (inst.rule.id, inst.key) == ("ARITH-005", "RV")] == ["not_assessable"]


def test_a_blank_total_column_gives_no_error_and_the_text_compares_with_the_row_sums(auditor):
    report = clean_report("2021")
    _set(report, "applications", A1_NP=3, A1_TOT=3, B1_NP=3, B7_NP=3, B7_TOT=3)
    _blank(report, "applications", "A1.TOT", "B1.TOT")
    result = auditor.audit_report(report)
    assert not [f for f in result.findings if f.severity == "error"]
    report.sections[0].text += "全年共收到政府信息公开申请4件。"
    xref = next(f for f in auditor.audit_report(report).findings if f.rule == "XREF-001")
    assert xref.expected == 3 and xref.evidence["derived_total"] == ["A1.TOT"]
    assert "空白总计按各项之和计：表三「本年新收政府信息公开申请数量」「总计」" in xref.message


def test_durable_and_three_valued_evaluation_agree_on_presumed_values(auditor):
    """Presumed values are plain fact fields: durable (all fields known) and the three-valued
    evaluator (a field missing) decide the same instance alike."""
    report = clean_report("2021")
    _set(report, "applications", B1_NP=2, B7_NP=1)
    _blank(report, "applications", "B2.NP")
    facts = build_facts(report)
    engine = auditor.engine
    statuses = {(inst.rule.id, inst.key): status for _, inst, status, _ in engine.evaluate_facts(facts)}
    assert statuses[("ARITH-003", "NP")] == "fail"
    from xxgk_audit.engine.rulelang import expr
    inst = next(i for r in auditor.rules if r.id == "ARITH-003" for i in r.instances if i.key == "NP")
    fields = next(f.fields for f in facts if f.kind == "applications")
    assert expr.evaluate(inst.when, fields) is True


# ---- reports that leave their zeros blank, in every format --------------------------------------
@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("kind", ["zeros", "totals"])
def test_planted_faults_are_found_in_blank_zero_reports(auditor, tmp_path: Path, fmt, kind):
    filled = score(auditor, fmt, "filled", tmp_path)
    blank = score(auditor, fmt, kind, tmp_path)
    assert filled.found == filled.planted == len(PLANTS) and not filled.false_errors
    assert (blank.found, blank.misses) == (blank.planted, [])
    assert not blank.false_errors
    assert blank.most_blank_findings == 1
