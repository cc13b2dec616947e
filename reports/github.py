"""GitHub Actions output (`check --format github`): workflow-command annotations and a step summary.

GitHub shows at most 10 annotations of each severity per step, so at most 10 of each are
written, then one notice says how many more there are and how to see them all. When
$GITHUB_STEP_SUMMARY names a file, a Markdown table of the reports is appended to it.
"""

from __future__ import annotations

import os
from typing import IO

from xxgk_audit.engine.evaluation.audit import ReportResult
from xxgk_audit.engine.model.vocabulary import SEVERITY_LABELS
from . import Summary

__all__ = ["GithubRenderer", "MAX_PER_SEVERITY"]

MAX_PER_SEVERITY = 10
_COMMAND = {"error": "error", "warning": "warning", "info": "notice"}
_VERDICT = {"pass": "✅ 通过", "fail": "❌ 不通过", "error": "⚠️ 无法审核"}


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


class GithubRenderer:
    def __init__(self, out: IO[str], summary_path: str | None = None):
        self.out = out
        self.summary_path = summary_path if summary_path is not None else os.environ.get("GITHUB_STEP_SUMMARY")
        self._shown = {"error": 0, "warning": 0, "info": 0}
        self._hidden = {"error": 0, "warning": 0, "info": 0}
        self._rows: list[str] = []

    def start(self) -> None:
        return None

    def add(self, result: ReportResult) -> None:
        for finding in result.findings:
            severity = finding.severity
            if self._shown[severity] >= MAX_PER_SEVERITY:
                self._hidden[severity] += 1
                continue
            self._shown[severity] += 1
            props = [f"file={_property(result.path)}"]
            if finding.location.line:
                props.append(f"line={finding.location.line}")
            props.append(f"title={_property(f'{finding.rule} {finding.title}')}")
            self.out.write(f"::{_COMMAND[severity]} {','.join(props)}::{_data(finding.message)}\n")
        rep = result.report
        counts = result.counts()
        self._rows.append(f"| {_cell(result.path)} | {_cell((rep.agency if rep else None) or '—')} | "
                          f"{(rep.year if rep else None) or '—'} | {counts['error']} | {counts['warning']} | "
                          f"{_VERDICT[result.status]} |")

    def finish(self, summary: Summary) -> None:
        hidden = sum(self._hidden.values())
        if hidden:
            more = "，".join(f"{SEVERITY_LABELS[s]} {n} 条" for s, n in self._hidden.items() if n)
            self.out.write(f"::notice title=xxgk-audit::另有 {more} 未逐条标注（每类最多显示 "
                           f"{MAX_PER_SEVERITY} 条）；完整结果请用 --format json、sarif 或 html 输出查看\n")
        s, f = summary.statuses, summary.findings
        self.out.write(f"xxgk-audit：共 {summary.reports} 份报告，通过 {s['pass']}，不通过 {s['fail']}，"
                       f"无法审核 {s['error']}；错误 {f['error']}，警告 {f['warning']}，提示 {f['info']}\n")
        if self.summary_path:
            with open(self.summary_path, "a", encoding="utf-8") as md:
                md.write("## xxgk-audit 年报审核结果\n\n"
                         f"共 {summary.reports} 份报告：通过 {s['pass']}，不通过 {s['fail']}，无法审核 {s['error']}；"
                         f"错误 {f['error']}，警告 {f['warning']}，提示 {f['info']}。\n\n"
                         "| 文件 | 机关 | 年度 | 错误 | 警告 | 结论 |\n|---|---|---|---|---|---|\n"
                         + "\n".join(self._rows) + "\n\n")
