"""Rule packs and their evaluation on durable-rules, including the engine's known hazards."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from xxgk_audit.engine.rulelang import rulepack
from xxgk_audit.engine.evaluation.audit import Auditor
from xxgk_audit.engine.evaluation.evaluate import EngineError, RuleEngine
from xxgk_audit.engine.evaluation.facts import Context, build_facts
from xxgk_audit.engine.model.vocabulary import FAIL, NOT_ASSESSABLE, PASS
from xxgk_audit.engine.evaluation.ruletest import clean_report, run_examples

REPO = Path(__file__).resolve().parents[2]
LOCAL_PACK = REPO / "docs" / "examples" / "local-rules"
RULES = rulepack.load_packs()
SPEC_IDS = (
    [f"META-{i:03d}" for i in range(1, 14)] + [f"STRUCT-{i:03d}" for i in range(1, 12)]
    + [f"CELL-{i:03d}" for i in range(1, 6)] + [f"ARITH-{i:03d}" for i in range(1, 10)]
    + ["TEXT-001", "TEXT-002", "TEXT-003", "TEXT-004", "TEXT-007", "TEXT-008", "TEXT-009", "TEXT-010"]
    + ["XREF-001", "XREF-002", "XREF-003", "XREF-004", "XREF-005", "XREF-006", "XREF-007", "XREF-008", "XREF-009"]
    + ["TEXT-005", "TEXT-006", "XREF-010", "XREF-011", "XREF-012"]
    + ["XREF-013", "XREF-014"])            # not in the shared catalogue: issue 14 (rules/cross.yaml)


@pytest.fixture(scope="module")
def engine() -> RuleEngine:
    return RuleEngine(RULES)


def test_every_catalogue_rule_of_this_scope_is_implemented():
    assert sorted(r.id for r in RULES) == sorted(SPEC_IDS)


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_rule_examples(rule):
    results = run_examples([rule])
    assert results, f"{rule.id} has no examples"
    assert {r.kind for r in results} >= {"pass", "fail"}
    bad = [r for r in results if not r.ok]
    assert not bad, bad


def test_clean_reports_have_no_error_or_warning_findings(engine):
    for fmt in ("2019", "2021"):
        findings, checks = engine.evaluate(clean_report(fmt))
        assert [f.rule for f in findings if f.severity != "info"] == []
        assert {c.rule for c in checks} == set(SPEC_IDS)


def test_findings_are_deterministic(engine):
    report = clean_report("2021")
    report.tables["applications"].cells[("A1", "NP")].value = 4
    runs = [[f.to_dict() for f in engine.evaluate(report)[0]] for _ in range(3)]
    assert runs[0] == runs[1] == runs[2]
    assert [f["rule"] for f in runs[0]].count("ARITH-001") == 1


@pytest.mark.parametrize("kind, policy", [("unreadable", "zero"), ("blank", "unknown")])
def test_unknown_cell_makes_rules_not_assessable_not_failing(engine, kind, policy):
    report = clean_report("2021")
    report.tables["applications"].cells[("A1", "NP")].value = None
    report.tables["applications"].cells[("A1", "NP")].kind = kind
    ctx = Context(blank_cells=policy)
    findings, checks = engine.evaluate(report, ctx)
    status = {c.rule: c for c in checks}
    assert not [f for f in findings if f.rule.startswith("ARITH")]
    # the other rows and columns are still checked
    assert status["ARITH-001"].status == PASS and status["ARITH-004"].status == PASS
    results = engine.evaluate_facts(build_facts(report, ctx))
    a1 = [s for _, inst, s, _ in results if inst.rule.id == "ARITH-001" and inst.key == "A1"]
    assert a1 == [NOT_ASSESSABLE]
    assert [f.rule for f in findings if f.rule in ("CELL-001", "CELL-002")] == \
        (["CELL-001"] if kind == "unreadable" else ["CELL-002"])


def test_a_table_that_is_wrong_everywhere_does_not_break_the_engine(engine):
    """More than 64 instances firing on one fact used to crash durable (error 303 / double free)."""
    report = clean_report("2021")
    for key, cell in report.tables["applications"].cells.items():
        cell.value = 1 if key[1] != "TOT" else 99
    findings, _ = engine.evaluate(report)
    assert sum(f.rule == "ARITH-001" for f in findings) == 25


def test_an_action_that_raises_is_reported_not_swallowed():
    class Exploding(RuleEngine):
        def _action(self, number):
            def boom(c):
                raise RuntimeError("boom")
            return boom

    rules = [r for r in RULES if r.id == "ARITH-004"]
    bad = Exploding(rules)
    report = clean_report("2021")
    report.tables["applications"].cells[("A1", "NP")].value = 5
    with pytest.raises(EngineError, match="boom"):
        bad.evaluate(report)
    auditor = Auditor(rules=rules)
    auditor.engine = bad
    result = auditor.audit_report(report)
    assert result.status == "error" and result.findings[0].rule == "ENGINE-001"
    # the failed report's state was deleted: the same engine goes on with the next report
    assert bad.evaluate(clean_report("2021"))[0] == []
    assert [f.rule for f in RuleEngine(rules).evaluate(report)[0]] == ["ARITH-004"]


def test_facts_of_kinds_without_rules_raise_nothing():
    """No MessageNotHandledException: every ruleset has a catch-all, kinds without rules are skipped."""
    only_text = RuleEngine([r for r in RULES if r.id == "TEXT-007"])
    findings, checks = only_text.evaluate(clean_report("2021"))
    assert findings == [] and [c.status for c in checks] == [PASS]
    assert RuleEngine([]).evaluate(clean_report("2019")) == ([], [])


def _rss_kib() -> int:
    with open(f"/proc/{os.getpid()}/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024


@pytest.mark.skipif(not Path("/proc/self/statm").exists(), reason="needs /proc")
def test_memory_stays_flat_over_thousands_of_reports(engine):
    report = clean_report("2021")
    report.tables["applications"].cells[("A1", "NP")].value = 4   # findings too, not only passes
    for _ in range(300):
        engine.evaluate(report)
    before = _rss_kib()
    for _ in range(3000):
        engine.evaluate(report)
    grown = _rss_kib() - before
    assert grown < 4 * 1024, f"RSS grew by {grown} KiB over 3000 reports"


def test_local_rule_pack_from_a_folder_without_python():
    rules = rulepack.load_packs([LOCAL_PACK])
    local = [r for r in rules if r.id.startswith("LOCAL-")]
    assert [r.id for r in local] == ["LOCAL-001", "LOCAL-002"]
    assert all(r.ok for r in run_examples(local))
    report = clean_report("2021")
    report.sections[0].text = "本机关" * 400
    findings, checks = RuleEngine(local).evaluate(report)
    assert [f.rule for f in findings] == ["LOCAL-001", "LOCAL-002"]
    assert "1200" in findings[0].message


@pytest.mark.parametrize("body, reason", [
    ("pack: x\nrules: [{id: BAD-1}]", "required property"),
    ("pack: x\nrules:\n  - {id: LOCAL-9, title: 标题, severity: fatal, formats: ['2021'], source: 来源,"
     " fact: section, when: 'chars > 1', message: 消息, examples: {pass: [{}], fail: [{}]}}", "severity"),
    ("pack: x\nrules:\n  - {id: LOCAL-9, title: 标题, severity: error, formats: ['2021'], source: 来源,"
     " fact: section, when: 'chars >', message: 消息, examples: {pass: [{}], fail: [{}]}}", "LOCAL-9"),
    ("pack: x\nrules:\n  - {id: ARITH-004, title: 标题, severity: error, formats: ['2021'], source: 来源,"
     " fact: section, when: 'chars > 1', message: 消息, examples: {pass: [{}], fail: [{}]}}", "already defined"),
    ("pack: [unclosed", "cannot read"),
])
def test_invalid_rule_packs_are_refused_with_a_reason(tmp_path, body, reason):
    (tmp_path / "bad.yaml").write_text(body, encoding="utf-8")
    with pytest.raises(rulepack.RuleError, match=reason) as info:
        rulepack.load_packs([tmp_path])
    assert "bad.yaml" in str(info.value) and "\n" not in str(info.value)


def test_every_instance_fires_on_its_own_fact_kind_only(engine):
    """A failing fact triggers only rules of its own kind (one ruleset per kind and format)."""
    report = clean_report("2019")
    report.sections[5].text = "XX局"
    findings, _ = engine.evaluate(report)
    assert [f.rule for f in findings if f.severity != "info"] == ["TEXT-009"]
    assert findings[-1].location.section == 6
    statuses = {c.rule: c.status for c in engine.evaluate(report)[1]}
    assert statuses["TEXT-009"] == FAIL


def test_a_field_tested_by_a_regex_and_a_comparison_reaches_durable(tmp_path):
    (tmp_path / "p.yaml").write_text("""pack: t
rules:
  - id: LOCAL-100
    title: 标题测试
    severity: warning
    formats: ["2021"]
    source: 测试
    fact: report
    when: 'title ~ "年度报告$" and title != "某市某局2023年政府信息公开工作年度报告"'
    message: 标题 {title}
    examples:
      pass: [{fact: {}}]
      fail: [{fact: {title: 某县某局2023年政府信息公开工作年度报告}}]
""", encoding="utf-8")
    rules = [r for r in rulepack.load_packs([tmp_path]) if r.id == "LOCAL-100"]
    assert all(r.ok for r in run_examples(rules))
