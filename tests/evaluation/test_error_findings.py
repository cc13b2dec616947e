"""Every error finding on the real documents, judged by reading the source (regression fixture).

tests/data/error_findings.json lists, per document (the excerpts and the seed report in
tests/data/corpus, the PDFs in tests/data/pdf, copied from shared/corpus), each error the default
rules give, with the reviewer's verdict (real: a defect of the report; false: the excerpt is cut,
or a reading limit) and why. A change that adds an error or loses one fails here; to change the
fixture, read the source and record the verdict. Most errors on the excerpts are false: they are
partial copies, and the tool cannot know what lies beyond the cut.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from xxgk_audit.engine.evaluation.audit import Auditor

DATA = Path(__file__).resolve().parents[1] / "data"
DOCUMENTS = (sorted((DATA / "corpus" / "excerpts").glob("*.txt")) + [DATA / "corpus" / "seed-luolong-2020.txt"]
             + sorted((DATA / "pdf").glob("*.pdf")))
EXPECTED = json.loads((DATA / "error_findings.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def auditor() -> Auditor:
    return Auditor()


def test_every_error_has_a_verdict_and_a_reason():
    items = [item for findings in EXPECTED.values() for item in findings]
    assert items and all(item["verdict"] in ("real", "false") and item["why"] for item in items)
    assert set(EXPECTED) <= {path.name for path in DOCUMENTS}


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: p.name)
def test_error_findings_on_real_documents(auditor, path):
    result = auditor.audit_path(path)
    got = [[f.rule, f.message] for f in result.findings if f.severity == "error"]
    assert got == [[item["rule"], item["message"]] for item in EXPECTED.get(path.name, [])]


def test_no_arithmetic_or_text_table_error_is_false():
    """The errors of the arithmetic and text-vs-table rules on these documents are all real."""
    judged = [item for findings in EXPECTED.values() for item in findings
              if item["rule"].startswith(("ARITH", "XREF"))]
    assert judged and all(item["verdict"] == "real" for item in judged)
