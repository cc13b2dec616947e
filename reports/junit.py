"""JUnit XML output (`check --format junit`), for CI systems that show test reports.

One <testsuite> per report, one <testcase> per rule that ran on it: a failing rule has a
<failure> per finding, a rule that could not be assessed or does not apply is <skipped> with the
reason, and a file that could not be read is one testcase with an <error>.
"""

from __future__ import annotations

from typing import IO
from xml.sax.saxutils import escape, quoteattr

from xxgk_audit.engine.evaluation.audit import ReportResult
from xxgk_audit.engine.evaluation.findings import Finding
from xxgk_audit.engine.model.vocabulary import FAIL, NOT_APPLICABLE, NOT_ASSESSABLE, STATUS_LABELS
from xxgk_audit.engine.rulelang.rulepack import Rule
from xxgk_audit.engine.rulelang.tool_rules import tool_rules
from . import Summary

__all__ = ["JunitRenderer"]


def _where(finding: Finding) -> str:
    loc = finding.location
    keys = ".".join(k for k in (loc.row, loc.column) if k)
    parts = [f"第{loc.section}部分" if loc.section else "", loc.table or "", keys,
             f"第{loc.line}行" if loc.line else "", f"第{loc.page}页" if loc.page else ""]
    return " ".join(p for p in parts if p)


class JunitRenderer:
    def __init__(self, out: IO[str], rules: list[Rule]):
        self.out = out
        self._titles = {r.id: r.title for r in rules}

    def start(self) -> None:
        self.out.write('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="xxgk-audit">\n')

    def add(self, result: ReportResult) -> None:
        path = result.path
        if result.status == "error":
            rule = tool_rules()[result.findings[0].rule] if result.findings else tool_rules()["READ-001"]
            self._suite(path, [f'<testcase classname={quoteattr(path)} name={quoteattr(f"{rule.id} {rule.title}")}>'
                               f'<error message={quoteattr(result.error or "")}/></testcase>'], errors=1)
            return
        by_rule: dict[str, list[Finding]] = {}
        for finding in result.findings:
            by_rule.setdefault(finding.rule, []).append(finding)
        cases, failures, skipped = [], 0, 0
        for check in result.checks:
            name = quoteattr(f"{check.rule} {self._titles.get(check.rule, '')}".strip())
            body = ""
            if check.status == FAIL:
                failures += 1
                body = "".join(f'<failure type={quoteattr(f.severity)} message={quoteattr(f.message)}>'
                               f'{escape(_where(f))}</failure>' for f in by_rule.get(check.rule, []))
            elif check.status in (NOT_ASSESSABLE, NOT_APPLICABLE):
                skipped += 1
                label = STATUS_LABELS[check.status]
                message = f"{label}：{'；'.join(check.reasons)}" if check.reasons else label
                body = f"<skipped message={quoteattr(message)}/>"
            cases.append(f"<testcase classname={quoteattr(path)} name={name}>{body}</testcase>")
        self._suite(path, cases, failures=failures, skipped=skipped)

    def _suite(self, path: str, cases: list[str], failures: int = 0, errors: int = 0, skipped: int = 0) -> None:
        self.out.write(f'  <testsuite name={quoteattr(path)} tests="{len(cases)}" failures="{failures}" '
                       f'errors="{errors}" skipped="{skipped}">\n')
        for case in cases:
            self.out.write(f"    {case}\n")
        self.out.write("  </testsuite>\n")

    def finish(self, summary: Summary) -> None:
        self.out.write("</testsuites>\n")
