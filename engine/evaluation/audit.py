"""The pipeline in one place: read → Report → facts → rules → findings, one file at a time.

A file that cannot be read, or on which the rules engine fails, becomes a result with status
"error" and one finding that says why; it never stops a batch.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from xxgk_audit.engine.evaluation.evaluate import EngineError, RuleEngine
from xxgk_audit.engine.evaluation.facts import Context
from xxgk_audit.engine.evaluation.findings import Check, Finding, tool_finding, verdict
from xxgk_audit.engine.model.report import Report
from xxgk_audit.engine.readers import UnsupportedDocument, read_document
from xxgk_audit.engine.rulelang.rulepack import Rule, load_packs
from xxgk_audit.engine.rulelang.selection import Selection, code_matches

__all__ = ["ReportResult", "Auditor", "ReadError", "read_report", "collect_paths", "contract_format", "error_result",
           "MAX_FILE_BYTES", "SUPPORTED_SUFFIXES"]

MAX_FILE_BYTES = 20 * 1024 * 1024          # larger files are refused (error), not read
SUPPORTED_SUFFIXES = (".txt", ".text", ".html", ".htm", ".shtml", ".docx", ".pdf")

# The tool's own findings about the input or the engine (rules/tool/findings.yaml).
READ_ERROR = "READ-001"
ENGINE_ERROR = "ENGINE-001"


@dataclass
class ReportResult:
    path: str
    status: str                                   # "pass" | "fail" | "error"
    report: Report | None
    findings: list[Finding] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    error: str | None = None
    dismissed: int = 0                            # findings dismissed in review, left out (batch/review.py)

    def to_dict(self) -> dict[str, Any]:
        rep = self.report
        return {
            "path": self.path,
            "status": self.status,
            "error": self.error,
            "report": {
                "agency": rep.agency if rep else None,
                "year": rep.year if rep else None,
                "format": contract_format(rep),
                "layout": rep.format if rep else None,
                "kind": rep.kind if rep else None,
                "title": rep.title if rep else None,
            },
            "findings": [f.to_dict() for f in self.findings],
            "checks": [c.to_dict() for c in self.checks],
            "dismissed": self.dismissed,
        }

    def without(self, codes: list[str], fail_on: str) -> "ReportResult":
        """The result with the rules named by `codes` switched off (per-path configuration), judged again."""
        findings = [f for f in self.findings if not code_matches(f.rule, codes)]
        checks = [c for c in self.checks if not code_matches(c.rule, codes)]
        return ReportResult(self.path, verdict(findings, fail_on, self.error), self.report, findings, checks,
                            self.error, self.dismissed)

    def keeping(self, findings: list[Finding], fail_on: str) -> "ReportResult":
        """The result with only these findings (e.g. those no waiver covers), judged again."""
        return ReportResult(self.path, verdict(findings, fail_on, self.error), self.report, findings, self.checks,
                            self.error, self.dismissed)

    def rejudged(self, fail_on: str) -> "ReportResult":
        """The verdict over all its findings now, e.g. with the cross-report findings added in the store."""
        self.status = verdict(self.findings, fail_on, self.error)
        return self

    def counts(self) -> dict[str, int]:
        out = {"error": 0, "warning": 0, "info": 0}
        for f in self.findings:
            out[f.severity] += 1
        return out


def contract_format(rep: Report | None) -> str | None:
    """The `format` of the output contract: "2019", "2021", "pre2019" or null (unknown or mixed)."""
    if rep is None:
        return None
    if rep.metadata.get("outline") == "pre2019" or (rep.year is not None and rep.year <= 2018):
        return "pre2019"
    return rep.format if rep.format in ("2019", "2021") else None


def collect_paths(paths: Iterable[str | os.PathLike]) -> tuple[list[Path], list[str]]:
    """Files to audit (folders searched recursively, sorted) and the paths that do not exist."""
    files: list[Path] = []
    missing: list[str] = []
    for p in map(Path, paths):
        if p.is_dir():
            files.extend(sorted(f for f in p.rglob("*")
                                if f.is_file() and f.suffix.lower() in SUPPORTED_SUFFIXES))
        elif p.is_file():
            files.append(p)
        else:
            missing.append(str(p))
    return files, missing


class Auditor:
    """Loads and compiles the rule packs once; audits files one by one."""

    def __init__(self, rule_dirs: Iterable[str | os.PathLike] = (), select: list[str] | None = None,
                 ignore: list[str] | None = None, fail_on: str = "error",
                 rules: list[Rule] | None = None, selection: Selection | None = None):
        """`selection` (the layers of configuration and command line), or one source's `select`/`ignore`."""
        all_rules = rules if rules is not None else load_packs(list(rule_dirs))
        self.rules = (selection or Selection.of(select, ignore)).apply(all_rules)
        self.fail_on = fail_on
        self.engine = RuleEngine(self.rules)

    def audit_report(self, report: Report, ctx: Context | None = None) -> ReportResult:
        try:
            findings, checks = self.engine.evaluate(report, ctx)
        except EngineError as exc:
            return error_result(report.path, ENGINE_ERROR, str(exc), report)
        if ctx is not None:     # the given agency and year are the report's identity (baselines, store, review)
            report.agency = ctx.agency or report.agency
            report.year = ctx.year if ctx.year is not None else report.year
        return ReportResult(report.path, verdict(findings, self.fail_on), report, findings, checks)

    def audit_path(self, path: str | os.PathLike, ctx: Context | None = None) -> ReportResult:
        try:
            report = read_report(path)
        except ReadError as exc:
            return error_result(str(path), READ_ERROR, str(exc))
        return self.audit_report(report, ctx)


class ReadError(Exception):
    """A file that cannot be read at all (missing, unreadable, over the size limit)."""


def read_report(path: str | os.PathLike) -> Report:
    """Read one file into a Report, within the size limit; ReadError says why not in Chinese."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ReadError(f"文件过大（{size} 字节，上限 {MAX_FILE_BYTES} 字节），未读取")
        data = path.read_bytes()
    except OSError as exc:
        raise ReadError(f"无法读取文件：{exc.strerror or exc}") from None
    if not data.strip():
        raise ReadError("文件为空")
    try:
        return read_document(path, data)
    except UnsupportedDocument as exc:
        raise ReadError(str(exc)) from None


def error_result(path: str, rule_id: str, message: str, report: Report | None = None) -> ReportResult:
    """A report that could not be audited: its one tool finding (`rule_id`) says why."""
    return ReportResult(path, "error", report, [tool_finding(rule_id, message)], [], error=message)
