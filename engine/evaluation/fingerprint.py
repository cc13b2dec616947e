"""Identities that outlive a run: a report's (agency and year, not its file) and a finding's.

Waivers (`app.baseline`), SARIF's partialFingerprints and review decisions attach to these, so
they must not depend on the file name, the line number or the order of findings.

Two fingerprints, for two jobs (like SonarQube's issue key and its line hash):

- `fingerprint`: rule, report identity and location keys. Waivers and SARIF use it; a waiver
  covers every finding of one rule at one place.
- `review_fingerprint`: also the finding's normalised evidence (the sentence a text finding is
  about, the cells presumed 0, …), so that two findings of one rule in one section are two
  decisions. A corrected report that still has the same fault at the same place keeps it.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from pathlib import Path
from typing import Any

from xxgk_audit.engine.evaluation.audit import ReportResult
from xxgk_audit.engine.evaluation.facts import jsonable
from xxgk_audit.engine.evaluation.findings import Finding

__all__ = ["report_key", "fingerprint", "review_fingerprint"]

# evidence keys that say where in a file, not what: never part of an identity
_POSITIONAL = frozenset({"line", "lines", "page", "pages", "element", "path", "file", "offset"})
_SPACE = re.compile(r"\s+")


def report_key(result: ReportResult) -> str:
    """Content-independent identity of a report: "agency|year", else its path."""
    rep = result.report
    if rep is not None and rep.agency and rep.year:
        return f"{rep.agency}|{rep.year}"
    return Path(result.path).as_posix()


def fingerprint(result: ReportResult, finding: Finding) -> str:
    """Stable across edits that move lines: rule, report identity and the location's keys."""
    loc = finding.location
    key = "|".join(str(x) for x in (finding.rule, report_key(result), loc.section, loc.table, loc.row, loc.column))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


def review_fingerprint(agency: str | None, year: int | None, finding: Finding) -> str:
    """The identity a review decision attaches to: rule, agency, year, location keys and the
    normalised evidence. Without evidence, the expected and actual values stand in for it unless
    the finding points at one cell (the cell is then what it is about). Nothing positional (file
    name, line, page, element, order) goes in, so renames, line shifts and re-runs keep it.
    """
    loc = finding.location
    evidence = {k: v for k, v in finding.evidence.items() if k not in _POSITIONAL}
    if not evidence and not (loc.table and loc.row and loc.column):
        evidence = {"expected": finding.expected, "actual": finding.actual}
    key = [finding.rule, agency or "", year, loc.section, loc.table, loc.row, loc.column, _normalised(evidence)]
    text = json.dumps(key, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def _normalised(value: Any) -> Any:
    """Evidence as compared: NFKC text without whitespace (re-flowed text is the same text),
    numbers as their plain values, containers element by element."""
    value = jsonable(value)
    if isinstance(value, str):
        return _SPACE.sub("", unicodedata.normalize("NFKC", value))
    if isinstance(value, dict):
        return {str(k): _normalised(v) for k, v in sorted(value.items(), key=lambda item: str(item[0]))}
    if isinstance(value, (list, tuple)):
        return [_normalised(v) for v in value]
    return value
