"""Rule examples given as report text run through the whole pipeline (read → facts → claims →
rule → message), as semgrep tests rules on annotated files."""

from __future__ import annotations

from pathlib import Path

import yaml

from xxgk_audit.engine.evaluation.ruletest import example_report, run_examples
from xxgk_audit.engine.rulelang.rulepack import load_packs

CLAIM = {"id": "LOCAL-010", "title": "正文所述受理件数与表三不符", "severity": "warning", "formats": ["2021"],
         "source": "本市政务公开办通知（示例）", "fact": "claim",
         "claim": {"pattern": "受理(?:群众)?申请{N}件"}, "when": "not approx and value != A1.TOT",
         "expected": "A1.TOT", "actual": "value", "message": "第{section}部分称受理 {actual} 件，表三为 {expected} 件",
         "examples": {"pass": [{"text": "本年受理群众申请2件。", "cells": {"A1.TOT": 2}}],
                      "fail": [{"text": "本年受理群众申请5件。", "cells": {"A1.TOT": 2}, "message": "受理 5 件"}]}}


def _results(tmp_path: Path, **change):
    (tmp_path / "p.yaml").write_text(yaml.safe_dump({"pack": "office", "rules": [{**CLAIM, **change}]},
                                                    allow_unicode=True), encoding="utf-8")
    return run_examples(load_packs([tmp_path], builtin=False))


def test_a_text_example_runs_through_reading_and_the_rendered_message(tmp_path):
    results = _results(tmp_path)
    assert [(r.kind, r.ok) for r in results] == [("pass", True), ("fail", True)]
    assert "第1部分称受理 5 件，表三为 2 件" in results[1].detail


def test_a_pattern_that_never_matches_its_text_fails_rules_test(tmp_path):
    results = _results(tmp_path, claim={"pattern": "受理政府信息公开申请{N}件"})
    assert [r.ok for r in results] == [False, False] and "句式未匹配" in results[1].detail


def test_a_wrong_message_fails_rules_test(tmp_path):
    examples = {**CLAIM["examples"], "fail": [{"text": "本年受理群众申请5件。", "cells": {"A1.TOT": 2},
                                               "message": "受理 6 件"}]}
    assert [r.ok for r in _results(tmp_path, examples=examples)] == [True, False]


def test_a_claim_rule_needs_a_text_example(tmp_path):
    examples = {"pass": [{"fact": {"value": 0}}], "fail": [{"fact": {"value": 3}}]}
    results = _results(tmp_path, examples=examples)
    assert [r.ok for r in results] == [True, True, False] and "正文示例" in results[-1].detail


def test_the_example_is_a_document_the_text_reader_reads():
    rule = next(r for r in load_packs() if r.id == "XREF-001")
    report = example_report(rule, {"text": "全年共收到政府信息公开申请5件。", "cells": {"A1.TOT": 3}})
    assert report.agency == "某市某局" and report.year == 2023 and len(report.sections) == 6
    assert report.sections[0].text.endswith("全年共收到政府信息公开申请5件。")
    assert report.tables["applications"].value("A1", "TOT") == 3


def test_every_built_in_claim_rule_has_a_text_example_that_behaves():
    rules = [r for r in load_packs() if r.fact == "claim"]
    results = [r for r in run_examples(rules)]
    assert rules and all(r.ok for r in results)
    assert {r.id for r in rules} <= {res.rule for res in results}
