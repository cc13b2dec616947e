"""Identities that outlive a run: a report's (agency and year, not its file) and a finding's.

Waivers (`app.baseline`), SARIF's partialFingerprints and review decisions attach to these, so
they must not depend on the file name, the line number or the order of findings.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from xxgk_audit.engine.evaluation.audit import ReportResult
from xxgk_audit.engine.evaluation.findings import Finding

__all__ = ["report_key", "fingerprint"]


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
