"""The pipeline in one place: read → Report → facts → rules → findings, one file at a time.

A file that cannot be read, or on which the rules engine fails, becomes a result with status
"error" and one finding that says why; it never stops a batch.
"""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

from xxgk_audit.engine.evaluation.budget import DEFAULT_BUDGET, Budget, describe_overrun, run_within
from xxgk_audit.engine.evaluation.evaluate import EngineError, RuleEngine
from xxgk_audit.engine.evaluation.facts import Context
from xxgk_audit.engine.evaluation.findings import Check, Finding, tool_finding, verdict
from xxgk_audit.engine.model import progress
from xxgk_audit.engine.evaluation.reading import reading_findings
from xxgk_audit.engine.model.report import Report
from xxgk_audit.engine.readers import UnsupportedDocument, read_document
from xxgk_audit.engine.rulelang.rulepack import Rule, load_packs
from xxgk_audit.engine.rulelang.selection import Selection, code_matches

__all__ = ["ReportResult", "Auditor", "ReadError", "read_report", "collect_paths", "contract_format", "error_result",
           "MAX_FILE_BYTES", "SUPPORTED_SUFFIXES", "overrun_result", "special_file_kind", "path_problem", "OVERRUN_RULES"]

MAX_FILE_BYTES = 20 * 1024 * 1024          # larger files are refused (error), not read
SUPPORTED_SUFFIXES = (".txt", ".text", ".md", ".markdown", ".html", ".htm", ".shtml", ".docx", ".pdf")

# a folder's own documentation (README.md beside the reports) is not a report
_FOLDER_DOCS = frozenset({"readme", "changelog", "license", "contributing"})

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
    if rep.format in ("2019", "2021"):
        return rep.format
    # no table tells: the format notice the report cites (〔2021〕30号, 〔2019〕60号)
    return rep.cited_format if rep.format is None else None


def collect_paths(paths: Iterable[str | os.PathLike]) -> tuple[list[Path], list[str]]:
    """Files to audit (folders searched recursively, sorted) and the paths that cannot be: each
    as "PATH（why）" — it does not exist, is a FIFO or a device, or is a symbolic link loop."""
    files: list[Path] = []
    refused: list[str] = []
    for p in map(Path, paths):
        problem = path_problem(p)
        if problem is not None:
            refused.append(f"{p}（{problem}）")
        elif p.is_dir():
            files.extend(sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in SUPPORTED_SUFFIXES
                                and f.stem.lower() not in _FOLDER_DOCS))
        else:
            files.append(p)
    return files, refused


def path_problem(path: Path) -> str | None:
    """Why a path named on the command line cannot be audited, or None (a file or a folder)."""
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "符号链接成环"
        if exc.errno == errno.ENOENT:
            return "符号链接指向不存在的文件" if path.is_symlink() else "路径不存在"
        return f"无法访问：{exc.strerror or exc}"
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return None
    return f"是{special_file_kind(mode)}，不是普通文件"


class Auditor:
    """Loads and compiles the rule packs once; audits files one by one."""

    def __init__(self, rule_dirs: Iterable[str | os.PathLike] = (), select: list[str] | None = None,
                 ignore: list[str] | None = None, fail_on: str = "error",
                 rules: list[Rule] | None = None, selection: Selection | None = None):
        """`selection` (the layers of configuration and command line), or one source's `select`/`ignore`."""
        all_rules = rules if rules is not None else load_packs(list(rule_dirs))
        self.selection = selection or Selection.of(select, ignore)
        self.rules = self.selection.apply(all_rules)
        self.fail_on = fail_on
        self.engine = RuleEngine(self.rules)

    def audit_report(self, report: Report, ctx: Context | None = None) -> ReportResult:
        progress.mark("规则评估")
        try:
            findings, checks = self.engine.evaluate(report, ctx)
        except EngineError as exc:
            return error_result(report.path, ENGINE_ERROR, str(exc), report)
        # the reading findings are the auditor's own: its selection applies to them as to the rules
        findings = [f for f in reading_findings(report) if self.selection.enabled(f.rule)] + findings
        if ctx is not None:     # the given agency and year are the report's identity (baselines, store, review)
            report.agency = ctx.agency or report.agency
            report.year = ctx.year if ctx.year is not None else report.year
        return ReportResult(report.path, verdict(findings, self.fail_on), report, findings, checks)

    def audit_path(self, path: str | os.PathLike, ctx: Context | None = None) -> ReportResult:
        try:
            report = read_report(path)
        except ReadError as exc:
            return error_result(str(path), exc.rule, str(exc), evidence=exc.evidence)
        return self.audit_report(report, ctx)

    def audit_within(self, path: str | os.PathLike, ctx: Context | None = None,
                     budget: Budget | None = DEFAULT_BUDGET) -> ReportResult:
        """`audit_path` in a child process within the time and memory `budget`
        (engine/evaluation/budget.py); an overrun is the file's error result."""
        return run_within(self.audit_path, (path, ctx), budget, overrun_result(str(path)))


# the tool finding of each way a file can overrun its budget
OVERRUN_RULES = {"time": "READ-010", "memory": "READ-011", "crash": "READ-012"}


def overrun_result(path: str) -> Callable[[str, dict[str, Any]], ReportResult]:
    """What `run_within` answers for a file over its budget: its error result, saying which limit
    and how far the work got."""
    def answer(limit: str, evidence: dict[str, Any]) -> ReportResult:
        return error_result(path, OVERRUN_RULES[limit], describe_overrun(limit, evidence),
                            evidence={"limit": limit, **evidence})
    return answer


class ReadError(Exception):
    """A file that cannot be read at all (missing, unreadable, over the size limit, refused by its
    reader): the message in Chinese, the tool finding's id and its evidence."""

    def __init__(self, message: str, rule: str = READ_ERROR, evidence: dict[str, Any] | None = None):
        super().__init__(message)
        self.rule = rule
        self.evidence = evidence or {}


def read_report(path: str | os.PathLike) -> Report:
    """Read one file into a Report, within the size limit; ReadError says why not in Chinese."""
    path = Path(path)
    progress.mark("读取文件")
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            raise ReadError(f"不是普通文件（{special_file_kind(info.st_mode)}），未读取")
        if info.st_size > MAX_FILE_BYTES:
            raise ReadError(f"文件过大（{info.st_size} 字节，上限 {MAX_FILE_BYTES} 字节），未读取",
                            evidence={"limit": "file_bytes", "value": info.st_size, "max": MAX_FILE_BYTES})
        with open(path, "rb") as handle:        # never more than the limit, should the file grow
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise ReadError(f"无法读取文件：{exc.strerror or exc}") from None
    if not data:
        raise ReadError("文件为空")
    if len(data) > MAX_FILE_BYTES:
        raise ReadError(f"文件过大（超过上限 {MAX_FILE_BYTES} 字节），未读取")
    try:
        return read_document(path, data)
    except UnsupportedDocument as exc:
        raise ReadError(str(exc), exc.rule, exc.evidence) from None


def special_file_kind(mode: int) -> str:
    """What a path that is no regular file is, in Chinese."""
    if stat.S_ISFIFO(mode):
        return "命名管道（FIFO）"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "设备文件"
    if stat.S_ISSOCK(mode):
        return "套接字"
    if stat.S_ISDIR(mode):
        return "目录"
    return "特殊文件"


def error_result(path: str, rule_id: str, message: str, report: Report | None = None,
                 evidence: dict[str, Any] | None = None) -> ReportResult:
    """A report that could not be audited: its one tool finding (`rule_id`) says why."""
    return ReportResult(path, "error", report, [tool_finding(rule_id, message, evidence=evidence)], [], error=message)
