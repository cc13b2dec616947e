"""Narrative rules on real excerpts: every finding judged by reading the report (regression fixture).

tests/data/narrative_findings.json lists, per excerpt, the TEXT findings the rules give and the
reviewer's verdict. A change that adds a finding (noise) or loses one fails here; to change the
fixture, read the excerpt and record the verdict.
"""

import json
from pathlib import Path

import pytest

from xxgk_audit.engine.audit import Auditor

DATA = Path(__file__).resolve().parent / "data"
EXCERPTS = sorted((DATA / "corpus" / "excerpts").glob("*.txt"))
EXPECTED = json.loads((DATA / "narrative_findings.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def auditor() -> Auditor:
    return Auditor(select=["TEXT-001", "TEXT-002", "TEXT-003", "TEXT-004", "TEXT-010"])


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
