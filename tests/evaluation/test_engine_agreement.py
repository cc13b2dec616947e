"""durable-rules and the Python evaluator agree on every rule instance over the test corpus.

Where every field an instance needs is known, its status comes from durable-rules (did the
compiled ruleset fire?); the Python three-valued evaluator must reach the same verdict on the same
fact. The corpus is every real and sample document in the tests, plus the facts of every rule
example (which include the failing ones).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from xxgk_audit.engine.evaluation.audit import read_report
from xxgk_audit.engine.evaluation.evaluate import RuleEngine
from xxgk_audit.engine.evaluation.facts import Context
from xxgk_audit.engine.evaluation.ruletest import example_fact
from xxgk_audit.engine.model.vocabulary import FAIL, PASS
from xxgk_audit.engine.rulelang import expr
from xxgk_audit.engine.rulelang.rulepack import load_packs

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"
DOCUMENTS = sorted([*ROOT.glob("samples/*.txt"), *DATA.glob("corpus/**/*.txt"), *DATA.glob("pdf/*.pdf"),
                    *DATA.glob("docx/*.docx"), *DATA.glob("synthetic/*.txt")])
RULES = load_packs()


@pytest.fixture(scope="module")
def engine() -> RuleEngine:
    return RuleEngine(RULES)


def _disagreements(engine: RuleEngine, facts) -> list[str]:
    out = []
    for fact, inst, status, _ in engine.evaluate_facts(facts):
        if status not in (PASS, FAIL) or not inst.required <= fact.fields.keys():
            continue        # decided in Python alone (unknown values) or not applicable
        python = bool(expr.evaluate(inst.when, fact.fields))
        if python != (status == FAIL):
            out.append(f"{inst.name} on {fact.kind}: durable {status}, python {'fail' if python else 'pass'}")
    return out


def test_the_corpus_is_there():
    assert len(DOCUMENTS) >= 50


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: p.name)
def test_durable_and_python_agree_on_every_instance(engine, path):
    report = read_report(path)
    facts = engine.facts(report, Context())
    checked = [r for r in engine.evaluate_facts(facts) if r[2] in (PASS, FAIL)]
    assert checked and _disagreements(engine, facts) == []


def test_durable_and_python_agree_on_every_rule_example(engine):
    facts = [example_fact(rule, example) for rule in RULES for examples in rule.examples.values()
             for example in examples]
    statuses = []
    for fact in facts:
        assert _disagreements(engine, [fact]) == []
        statuses += [s for _, _, s, _ in engine.evaluate_facts([fact])]
    assert FAIL in statuses and PASS in statuses
