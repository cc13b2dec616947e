"""The hostile corpus (tests/hostile.py): every case ends within its budget with a clear outcome.

The cases are small (scale 0.05) and the readers' caps lowered to match, so that a bomb still
passes its cap and a flood its page limit; the budget is small too. Each file is audited as
`check` audits it: in a child process within the budget (engine/evaluation/budget.py). None may
need the budget — the readers bound themselves — and the expected tool finding says why.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from hostile import cases, mutations
from xxgk_audit.engine.evaluation.audit import OVERRUN_RULES, Auditor
from xxgk_audit.engine.evaluation import budget
from xxgk_audit.engine.evaluation.budget import Budget
from xxgk_audit.engine.readers import pdf_bounds

SCALE = 0.05
BUDGET = Budget(seconds=30, memory=512 << 20)
AUDITOR = Auditor()

# case -> the tool finding it must end with (None: audited as a report, without a budget overrun)
EXPECTED = {
    "pdf-pages-cycle": None, "pdf-count-self": "READ-015", "pdf-resources-self": "READ-015",
    "pdf-xobject-self": None, "pdf-xobject-fanout": "READ-016", "pdf-repeated-contents": "READ-017",
    "pdf-million-chars": "READ-017", "pdf-flate-bomb": "READ-014", "pdf-many-bombs": "READ-014",
    "pdf-junk-header": None, "html-rowspan": None, "html-many-spans": None, "html-one-bad-byte": "READ-013",
    "html-deep-divs": None, "html-very-deep": "READ-018", "text-one-line": None, "text-flood-lines": None,
    "text-bom-only": "READ-019", "text-bom-space": "READ-019", "png-as-html": "READ-020", "elf-as-txt": "READ-020",
    "noise-as-html": "READ-013", "text-utf16-bom": None, "text-bad-bytes": "READ-013",
    "text-line-separators": None, "text-nel": None, "text-numerals": None,
    **{f"html-charset-{c}": None for c in ("rot-13", "base64", "hex", "zlib", "undefined", "utf-16", "x-no-such")},
}


@pytest.fixture
def small_caps(monkeypatch):
    monkeypatch.setattr(pdf_bounds, "MAX_STREAM_BYTES", 4 << 20)
    monkeypatch.setattr(pdf_bounds, "MAX_DOCUMENT_BYTES", 16 << 20)
    monkeypatch.setattr(pdf_bounds, "MAX_PAGE_CHARS", 20_000)
    budget.reset()                  # the child that audits must inherit the lowered caps
    yield
    budget.reset()


def _audit(tmp_path: Path, case):
    path = tmp_path / case.filename
    path.write_bytes(case.build())
    started = time.monotonic()
    result = AUDITOR.audit_within(path, None, BUDGET)
    return result, time.monotonic() - started


@pytest.mark.parametrize("case", cases(SCALE), ids=lambda c: c.name)
def test_each_hostile_case_ends_within_budget_with_its_finding(case, tmp_path, small_caps):
    result, seconds = _audit(tmp_path, case)
    assert seconds < BUDGET.seconds
    rules = [f.rule for f in result.findings if f.rule.startswith("READ-")]
    assert not set(rules) & set(OVERRUN_RULES.values()), result.error      # bounded by the reader itself
    expected = EXPECTED[case.name]
    if expected is None:
        assert result.status in ("pass", "fail") and result.report is not None
    else:
        assert expected in rules
        finding = next(f for f in result.findings if f.rule == expected)
        assert finding.message and "\n" not in finding.message and finding.title
    if result.status == "error":
        assert result.error and result.findings[0].rule.startswith("READ-")


def test_every_case_has_an_expectation():
    assert {c.name for c in cases(SCALE)} == set(EXPECTED)


@pytest.mark.parametrize("case", list(mutations(seed=12, count=16)), ids=lambda c: c.name)
def test_mutated_samples_end_within_budget(case, tmp_path):
    result, seconds = _audit(tmp_path, case)
    assert seconds < BUDGET.seconds
    assert not {f.rule for f in result.findings} & set(OVERRUN_RULES.values()), result.error
    assert result.status in ("pass", "fail", "error")
    if result.status == "error":
        assert result.error and "\n" not in result.error and result.findings[0].rule.startswith("READ-")


def test_the_decoded_cases_read_their_text(tmp_path):
    """Declared charsets that name no text encoding fall back to detection; a bad byte stays local;
    every Unicode line end ends a line."""
    by_name = {c.name: c for c in cases(SCALE)}
    for name in ("html-charset-rot-13", "html-one-bad-byte", "text-line-separators", "text-nel", "text-utf16-bom"):
        result, _ = _audit(tmp_path, by_name[name])
        assert result.report.title and "年度报告" in result.report.title, name
        assert len(result.report.sections) >= 5, name
    deep, _ = _audit(tmp_path, by_name["html-deep-divs"])
    assert "深处的正文" in deep.report.text
