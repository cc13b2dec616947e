"""What the batch index shows: one row per report, the filter choices, and two bar charts.

The rows keep only what the index prints (a few strings and counts per report), so a batch of any
size costs little memory while its pages are written one by one.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Callable

from xxgk_audit.engine.evaluation.audit import ReportResult, contract_format
from xxgk_audit.engine.model.vocabulary import NOT_ASSESSABLE
from . import Summary
from xxgk_audit.engine.model.vocabulary import VERDICT_LABELS
from .html_view import FORMAT_LABELS, format_label

__all__ = ["IndexRow", "Bar", "Chart", "BatchIndex", "page_name", "chart"]

UNKNOWN = "unknown"                 # filter value of an unknown year or format
_SLUG = re.compile(r"[^A-Za-z0-9_-]+")

# bar chart geometry (SVG user units)
_BAR_HEIGHT, _BAR_GAP, _LABEL_WIDTH, _BAR_WIDTH, _VALUE_WIDTH = 18, 6, 300, 360, 60
_LABEL_CHARS = 22


@dataclass
class IndexRow:
    href: str | None                # the report's page (None: no pages written)
    path: str
    agency: str | None
    year: int | None
    format_key: str
    format: str
    status: str
    verdict: str
    errors: int
    warnings: int
    infos: int
    not_assessable: int


@dataclass
class Bar:
    label: str
    title: str                      # full text, shown on hover
    value: int
    y: int
    width: float
    css: str


@dataclass
class Chart:
    title: str
    bars: list[Bar]
    height: int
    bar_height: int = _BAR_HEIGHT
    label_width: int = _LABEL_WIDTH
    width: int = _LABEL_WIDTH + _BAR_WIDTH + _VALUE_WIDTH


def page_name(number: int, path: str) -> str:
    """The file name of a report's page in the batch folder: numbered, ASCII, unique."""
    stem = path.replace("\\", "/").rsplit("/", 1)[-1].rsplit(".", 1)[0]
    slug = _SLUG.sub("-", stem).strip("-")[:60] or "report"
    return f"{number:04d}-{slug}.html"


class BatchIndex:
    """Collects the index rows and the findings per rule while a batch is rendered."""

    def __init__(self) -> None:
        self.rows: list[IndexRow] = []
        self.per_rule: Counter[str] = Counter()
        self.titles: dict[str, str] = {}

    def add(self, result: ReportResult, href: str | None) -> None:
        rep = result.report
        counts = result.counts()
        fmt = contract_format(rep)
        self.rows.append(IndexRow(
            href=href, path=result.path, agency=rep.agency if rep else None, year=rep.year if rep else None,
            format_key=fmt or UNKNOWN, format=format_label(fmt), status=result.status,
            verdict=VERDICT_LABELS[result.status], errors=counts["error"], warnings=counts["warning"],
            infos=counts["info"], not_assessable=sum(c.status == NOT_ASSESSABLE for c in result.checks)))
        for finding in result.findings:
            self.per_rule[finding.rule] += 1
            self.titles.setdefault(finding.rule, finding.title)

    def filters(self) -> dict[str, list[tuple[str, str]]]:
        """(value, label) choices of each filter, over the values present in the batch."""
        years = sorted({r.year for r in self.rows if r.year is not None}, reverse=True)
        formats = [f for f in FORMAT_LABELS if any(r.format_key == f for r in self.rows)]
        return {
            "status": list(VERDICT_LABELS.items()),
            "format": [(f, FORMAT_LABELS[f]) for f in formats] + self._unknown(lambda r: r.format_key == UNKNOWN,
                                                                               "格式未知"),
            "year": [(str(y), f"{y} 年度") for y in years] + self._unknown(lambda r: r.year is None, "年度未知"),
        }

    def _unknown(self, test: Callable[[IndexRow], bool], label: str) -> list[tuple[str, str]]:
        return [(UNKNOWN, label)] if any(test(r) for r in self.rows) else []

    def rule_chart(self) -> Chart:
        """Findings per rule, most frequent first."""
        items = [(f"{rule} {self.titles[rule]}", n, "rule") for rule, n in
                 sorted(self.per_rule.items(), key=lambda item: (-item[1], item[0]))]
        return chart("各规则发现的问题数", items)

    def verdict_chart(self, summary: Summary) -> Chart:
        items = [(label, summary.statuses[status], status) for status, label in VERDICT_LABELS.items()]
        return chart("各审核结论的报告数", items)


def chart(title: str, items: list[tuple[str, int, str]]) -> Chart:
    """A horizontal bar chart: (label, value, css class) per bar; long labels are cut, in full on hover."""
    top = max((value for _, value, _ in items), default=0) or 1
    bars = [Bar(label=_short(label), title=label, value=value, y=i * (_BAR_HEIGHT + _BAR_GAP),
                width=round(value / top * _BAR_WIDTH, 1), css=css)
            for i, (label, value, css) in enumerate(items)]
    return Chart(title, bars, height=max(len(bars) * (_BAR_HEIGHT + _BAR_GAP), _BAR_HEIGHT))


def _short(text: str) -> str:
    return text if len(text) <= _LABEL_CHARS else text[:_LABEL_CHARS - 1] + "…"
