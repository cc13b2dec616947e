"""Readable Chinese text output, one block per report, findings one per line like ruff.

    samples/a.txt — 某市某局 · 2023 年度 · 2021 格式 · 不通过
    samples/a.txt:57: ARITH-004 [错误] 表三「自然人」列：…（期望 3，实际 2）〔§3 applications C.NP〕
      无法评估（1 项）：META-004（缺少或无法读取：发布日期）

    共 1 份报告：通过 0，不通过 1，无法审核 0；错误 1，警告 0，提示 0；无法评估的检查 1 项
"""

from __future__ import annotations

from typing import IO, TYPE_CHECKING, Any

from xxgk_audit.engine.evaluation.audit import ReportResult
from xxgk_audit.engine.model.vocabulary import FAIL, NOT_ASSESSABLE, PASS, SEVERITY_LABELS, STATUS_LABELS, VERDICT_LABELS
from xxgk_audit.engine.rulelang.rulepack import Rule
from . import Summary

if TYPE_CHECKING:
    from xxgk_audit.engine.evaluation.ruletest import ExampleResult

__all__ = ["TextRenderer", "FORMAT_LABELS", "rule_table", "rule_page", "example_results_text"]

FORMAT_LABELS = {"pre2019": "2019 年以前格式", "2019": "2019 格式", "2021": "2021 格式"}

_REASON_CHARS = 40
_RESET = "\033[0m"
_STYLES = {"bold": "1", "dim": "2", "error": "31", "warning": "33", "info": "36",
           "pass": "32", "fail": "31", "path": "1"}


class TextRenderer:
    def __init__(self, out: IO[str], color: bool = False):
        self.out = out
        self.color = color

    def _paint(self, text: str, style: str) -> str:
        return f"\033[{_STYLES[style]}m{text}{_RESET}" if self.color else text

    def start(self) -> None:
        return None

    def add(self, result: ReportResult) -> None:
        data = result.to_dict()
        lines = [self._header(data)]
        lines.extend(self._finding_line(data["path"], f) for f in data["findings"])
        not_assessable = [c for c in data["checks"] if c["status"] == NOT_ASSESSABLE]
        if not_assessable:
            items = "；".join(_check_text(c) for c in not_assessable)
            lines.append(self._paint(f"  无法评估（{len(not_assessable)} 项）：{items}", "dim"))
        self.out.write("\n".join(lines) + "\n\n")

    def finish(self, summary: Summary) -> None:
        s, f = summary.statuses, summary.findings
        self.out.write(
            f"共 {summary.reports} 份报告：通过 {s['pass']}，不通过 {s['fail']}，无法审核 {s['error']}；"
            f"错误 {f['error']}，警告 {f['warning']}，提示 {f['info']}；"
            f"无法评估的检查 {summary.not_assessable} 项\n")

    def _header(self, data: dict[str, Any]) -> str:
        rep = data["report"]
        parts = [rep["agency"] or "机关未知",
                 f"{rep['year']} 年度" if rep["year"] is not None else "年度未知",
                 FORMAT_LABELS.get(rep["format"] or "", "格式未知"),
                 self._paint(VERDICT_LABELS[data["status"]], "pass" if data["status"] == "pass" else "fail")]
        return f"{self._paint(data['path'], 'path')} — {' · '.join(parts)}"

    def _finding_line(self, path: str, finding: dict[str, Any]) -> str:
        loc = finding["location"]
        where = f"{path}:{loc['line']}:" if loc["line"] is not None else f"{path}:"
        severity = finding["severity"]
        label = self._paint(f"[{SEVERITY_LABELS[severity]}]", severity)
        return f"{where} {self._paint(finding['rule'], 'bold')} {label} {finding['message']}" \
               f"{_values_text(finding)}{_location_text(loc)}"


def _values_text(finding: dict[str, Any]) -> str:
    parts = [f"{label} {finding[key]}" for key, label in (("expected", "期望"), ("actual", "实际"))
             if finding[key] is not None]
    return f"（{'，'.join(parts)}）" if parts else ""


def _location_text(loc: dict[str, Any]) -> str:
    """Section, table, row and column keys (and page or element when there is no line)."""
    parts = []
    if loc["section"] is not None:
        parts.append(f"§{loc['section']}")
    if loc["table"]:
        parts.append(loc["table"])
    cell = ".".join(k for k in (loc["row"], loc["column"]) if k)
    if cell:
        parts.append(cell)
    if loc["page"] is not None:
        parts.append(f"第 {loc['page']} 页")
    if loc["element"] and loc["line"] is None:
        parts.append(loc["element"])
    return f"〔{' '.join(parts)}〕" if parts else ""


def _check_text(check: dict[str, Any]) -> str:
    """A not-assessable check in brief: its id and the start of its reasons."""
    reasons = "，".join(check["reasons"])
    if len(reasons) > _REASON_CHARS:
        reasons = reasons[:_REASON_CHARS] + "…"
    return f"{check['rule']}（{reasons}）" if reasons else check["rule"]


# ---- rules: the catalogue, one rule's page, example test results -------------------------------
_EXAMPLE_LABELS = {k: STATUS_LABELS[k] for k in (PASS, FAIL, NOT_ASSESSABLE)}
_FOR_EACH_LABELS = {"row": "每行", "column": "每列", "cell": "每个单元格"}


def rule_table(rules: list[Rule]) -> str:
    """One line per rule: id, severity, formats, title; then the count."""
    width = max((len(r.id) for r in rules), default=0)
    fmt_width = max((len(",".join(r.formats)) for r in rules), default=0)
    lines = [f"{r.id:<{width}}  {SEVERITY_LABELS[r.severity]}  {','.join(r.formats):<{fmt_width}}  {r.title}"
             for r in rules]
    lines.append(f"共 {len(rules)} 条规则")
    return "\n".join(lines)


def rule_page(rule: Rule) -> str:
    """Everything about one rule, as `rules show ID` prints it."""
    lines = [f"{rule.id}  {rule.title}",
             f"严重程度：{SEVERITY_LABELS[rule.severity]}（{rule.severity}）",
             f"适用格式：{'、'.join(rule.formats)}",
             f"依据：{rule.source}",
             f"规则包：{rule.pack}（{rule.path}）",
             f"事实类型：{rule.fact}"]
    if rule.for_each is not None:
        lines.append(f"展开：{_for_each_text(rule.for_each)}")
    if rule.description:
        lines.append(f"说明：{rule.description.strip()}")
    lines.append(f"条件（成立即报告）：{rule.when}")
    lines.extend(f"{label}：{text}" for label, text in (("期望值", rule.expected), ("实际值", rule.actual)) if text)
    lines.append(f"消息模板：{rule.message}")
    lines.append("示例：")
    for kind, label in _EXAMPLE_LABELS.items():
        for index, example in enumerate(rule.examples.get(kind, []), 1):
            lines.append(f"  {label} #{index}{_example_text(example)}")
    return "\n".join(lines)


def _for_each_text(spec: str | dict[str, list[Any]]) -> str:
    if isinstance(spec, dict):
        (var, values), = spec.items()
        keys = [str(v["key"]) if isinstance(v, dict) else str(v) for v in values]
        return f"{var} ∈ {{{'，'.join(keys)}}}"
    return _FOR_EACH_LABELS.get(spec, spec)


def _example_text(example: dict[str, Any]) -> str:
    fields = "，".join(f"{k} = {'未知' if v is None else v}" for k, v in (example.get("fact") or {}).items())
    fmt = f"［{example['format']} 格式］" if example.get("format") else ""
    note = f" —— {example['note']}" if example.get("note") else ""
    return f"{fmt}：{fields or '（无改动）'}{note}"


def example_results_text(results: list[ExampleResult]) -> str:
    """Failed examples one per line, then the count (`rules test`)."""
    failed = [r for r in results if not r.ok]
    lines = [f"{r.rule} {_EXAMPLE_LABELS[r.kind]}示例 #{r.index + 1}：未按预期，实际结果为 {r.detail}"
             for r in failed]
    lines.append(f"规则示例共 {len(results)} 个：符合预期 {len(results) - len(failed)} 个，不符合 {len(failed)} 个")
    return "\n".join(lines)
