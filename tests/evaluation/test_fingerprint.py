"""Review fingerprints: the same finding keeps its identity across renames, line shifts and
re-audits; different findings get different ones."""

from __future__ import annotations

from pathlib import Path

import pytest

from xxgk_audit.engine.evaluation.audit import Auditor
from xxgk_audit.engine.evaluation.findings import Finding, FindingLocation
from xxgk_audit.engine.evaluation.fingerprint import review_fingerprint

SAMPLES = Path(__file__).resolve().parents[2] / "samples"


@pytest.fixture(scope="module")
def auditor() -> Auditor:
    return Auditor()


def _prints(auditor: Auditor, path: Path) -> list[tuple[str, int | None, str]]:
    result = auditor.audit_path(path)
    rep = result.report
    return [(f.rule, f.location.line, review_fingerprint(rep.agency, rep.year, f)) for f in result.findings]


@pytest.mark.parametrize("sample", ["error-arithmetic-2023.txt", "error-structure-2022.txt"])
def test_stable_across_rename_and_line_shift(auditor: Auditor, tmp_path: Path, sample: str) -> None:
    text = (SAMPLES / sample).read_text(encoding="utf-8")
    first = tmp_path / sample
    first.write_text(text, encoding="utf-8")
    lines = text.split("\n")                   # three blank lines after the title: every line below moves
    moved = tmp_path / "renamed" / "另一个文件名.txt"
    moved.parent.mkdir()
    moved.write_text("\n".join([lines[0], "", "", "", *lines[1:]]), encoding="utf-8")
    before, after = _prints(auditor, first), _prints(auditor, moved)
    assert before, "the sample has findings"
    assert sorted(fp for *_, fp in before) == sorted(fp for *_, fp in after)
    assert any(b[1] is not None and b[1] != a[1] for b, a in zip(sorted(before), sorted(after))), \
        "the lines did move"
    assert len({fp for *_, fp in before}) == len(before), "one fingerprint per finding"


def test_order_and_positional_evidence_do_not_count() -> None:
    here = Finding("TEXT-009", "warning", "t", "m", "s", FindingLocation(section=1, line=3, page=2, element="p[3]"),
                   evidence={"sentence": "本机关  XX 年度\n公开", "line": 3})
    there = Finding("TEXT-009", "warning", "t", "other words", "s", FindingLocation(section=1, line=90),
                    evidence={"sentence": "本机关XX年度公开", "line": 90})
    assert review_fingerprint("某局", 2023, here) == review_fingerprint("某局", 2023, there)


def test_what_tells_findings_apart() -> None:
    base = Finding("TEXT-009", "warning", "t", "m", "s", FindingLocation(section=1), evidence={"sentence": "甲XX"})
    fp = review_fingerprint("某局", 2023, base)
    other_sentence = Finding("TEXT-009", "warning", "t", "m", "s", FindingLocation(section=1),
                             evidence={"sentence": "乙XX"})
    other_section = Finding("TEXT-009", "warning", "t", "m", "s", FindingLocation(section=2),
                            evidence={"sentence": "甲XX"})
    assert len({fp, review_fingerprint("某局", 2022, base), review_fingerprint("他局", 2023, base),
                review_fingerprint("某局", 2023, other_sentence),
                review_fingerprint("某局", 2023, other_section)}) == 5


def test_without_evidence_values_stand_in_except_for_a_cell() -> None:
    text = Finding("META-002", "error", "t", "m", "s", FindingLocation(section=1), expected="2023", actual="2022")
    text2 = Finding("META-002", "error", "t", "m", "s", FindingLocation(section=1), expected="2023", actual="2021")
    assert review_fingerprint("某局", 2023, text) != review_fingerprint("某局", 2023, text2)
    cell = Finding("ARITH-001", "error", "t", "m", "s", FindingLocation(3, "applications", "A1", "TOT"), 11, 12)
    cell2 = Finding("ARITH-001", "error", "t", "m", "s", FindingLocation(3, "applications", "A1", "TOT"), 11, 13)
    assert review_fingerprint("某局", 2023, cell) == review_fingerprint("某局", 2023, cell2)
