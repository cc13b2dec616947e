"""Renderers: ReportResults to text, JSON, SARIF, JUnit or GitHub annotations, one report at a time.

Renderers format what the engine decided; they never judge. They stream: each result is written
as soon as it is audited and then dropped, so memory does not grow with the size of a batch.
Only the counts of `Summary` are kept.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import IO, Any, Protocol

from xxgk_audit.engine.evaluation.audit import ReportResult
from xxgk_audit.engine.model.vocabulary import NOT_ASSESSABLE
from xxgk_audit.engine.rulelang.rulepack import Rule

__all__ = ["Summary", "Renderer", "make_renderer", "resolve_format", "FORMATS"]

FORMATS = ("text", "json", "sarif", "junit", "github")


@dataclass
class Summary:
    """Counts over a batch: reports by status, findings by severity, not-assessable checks."""

    reports: int = 0
    statuses: dict[str, int] = field(default_factory=lambda: {"pass": 0, "fail": 0, "error": 0})
    findings: dict[str, int] = field(default_factory=lambda: {"error": 0, "warning": 0, "info": 0})
    not_assessable: int = 0
    dismissed: int = 0              # findings dismissed in review (outputs that honour decisions)

    def add(self, result: ReportResult) -> None:
        self.reports += 1
        self.dismissed += result.dismissed
        self.statuses[result.status] += 1
        for severity, n in result.counts().items():
            self.findings[severity] += n
        self.not_assessable += sum(c.status == NOT_ASSESSABLE for c in result.checks)

    @property
    def all_pass(self) -> bool:
        return self.statuses["pass"] == self.reports

    def to_dict(self) -> dict[str, Any]:
        return {"reports": self.reports, **self.statuses, "findings": dict(self.findings),
                "not_assessable": self.not_assessable, "dismissed": self.dismissed}


class Renderer(Protocol):
    def start(self) -> None: ...
    def add(self, result: ReportResult) -> None: ...
    def finish(self, summary: Summary) -> None: ...


def resolve_format(fmt: str) -> str:
    """`auto`: GitHub annotations inside GitHub Actions, readable text elsewhere."""
    if fmt != "auto":
        return fmt
    return "github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text"


def make_renderer(fmt: str, out: IO[str], color: bool = False, rules: list[Rule] = ()) -> Renderer:
    """The renderer for `fmt` writing to `out`; SARIF and JUnit list the `rules` that ran."""
    fmt = resolve_format(fmt)
    if fmt == "json":
        from .json_report import JsonRenderer
        return JsonRenderer(out)
    if fmt == "sarif":
        from .sarif import SarifRenderer
        return SarifRenderer(out, list(rules))
    if fmt == "junit":
        from .junit import JunitRenderer
        return JunitRenderer(out, list(rules))
    if fmt == "github":
        from .github import GithubRenderer
        return GithubRenderer(out)
    from .text import TextRenderer
    return TextRenderer(out, color=color)
