"""What an audit produces: findings (violations) and checks (every rule that ran, with its status)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from xxgk_audit.engine.evaluation.facts import jsonable
from xxgk_audit.engine.model.vocabulary import SEVERITY_ORDER
from xxgk_audit.engine.rulelang.tool_rules import tool_rules



@dataclass
class FindingLocation:
    section: int | None = None
    table: str | None = None
    row: str | None = None
    column: str | None = None
    line: int | None = None
    page: int | None = None
    element: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"section": self.section, "table": self.table, "row": self.row, "column": self.column,
                "line": self.line, "page": self.page, "element": self.element}


@dataclass
class Finding:
    rule: str
    severity: str
    title: str
    message: str
    source: str
    location: FindingLocation = field(default_factory=FindingLocation)
    expected: Any = None
    actual: Any = None
    # structured facts behind the finding, for renderers and reviewers: e.g. "sentence" (the text a
    # claim finding is about), "assumed_zero" (cells presumed 0), "raw" (a cell's text)
    evidence: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "severity": self.severity, "title": self.title,
                "message": self.message, "source": self.source, "location": self.location.to_dict(),
                "expected": jsonable(self.expected), "actual": jsonable(self.actual),
                "evidence": dict(self.evidence)}


def tool_finding(rule_id: str, message: str, location: FindingLocation | None = None,
                 evidence: dict[str, Any] | None = None, severity: str | None = None) -> Finding:
    """A finding of the tool itself (READ-…, ENGINE-…), declared in rules/tool/findings.yaml."""
    rule = tool_rules()[rule_id]
    return Finding(rule.id, severity or rule.severity, rule.title, message, rule.source,
                   location or FindingLocation(), evidence=evidence or {})


@dataclass
class Check:
    """The outcome of one rule on one report, over all its instances."""

    rule: str
    status: str
    reasons: list[str] = field(default_factory=list)   # why not assessable / not applicable

    def to_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "status": self.status, "reasons": self.reasons}


def verdict(findings: list[Finding], fail_on: str, error: str | None = None) -> str:
    """The one verdict of a report: "error" when it could not be audited, "fail" when a finding
    reaches `fail_on`, else "pass". Every status a user sees is derived here."""
    if error is not None:
        return "error"
    threshold = SEVERITY_ORDER[fail_on]
    return "fail" if any(SEVERITY_ORDER[f.severity] >= threshold for f in findings) else "pass"
