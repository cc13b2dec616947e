"""What the HTML pages show, prepared from a ReportResult: plain data for the templates.
(About 470 lines: findings, checks and the three re-drawn tables of one page are one view model;
the index, statistics and review views are in modules of their own.)

Nothing here judges a report: findings, checks and the verdict are the engine's. This module only
arranges them for reading: findings numbered and grouped by section, each with its location in
words and the sentence it is about; the three tables re-drawn from the parsed model on the
template's rows and columns, with the cells that findings point at marked; the checks with each
rule's explanation.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from xxgk_audit.engine.evaluation.audit import ReportResult, contract_format
from xxgk_audit.engine.evaluation.findings import is_cross_report
from xxgk_audit.engine.evaluation.findings import Check, Finding
from xxgk_audit.engine.model.vocabulary import FAIL, NOT_ASSESSABLE, SEVERITY_LABELS, STATUS_LABELS
from xxgk_audit.engine.model.report import Cell, Report, Table
from xxgk_audit.engine.rulelang.rulepack import Rule
from xxgk_audit.engine.model.template import (CHINESE_NUMERALS, ITEM_CAPTIONS, SECTION_TITLES, TABLE_NAMES, TABLE_SECTION,
                               TABLE_TITLES, Row, TableLayout, layout, table_of_row)
from .findings_export import plain_value
from .text import FORMAT_LABELS
from xxgk_audit.engine.model.vocabulary import VERDICT_LABELS

__all__ = ["FORMAT_LABELS", "VERDICT_LABELS", "PageView", "FindingView", "TableView", "build_page",
           "format_label", "value_text", "location_words"]

_QUOTE_CHARS = 160          # longest quoted sentence; longer ones are cut around the quoted words
_EXCERPT_CHARS = 200        # section excerpt shown when a finding quotes nothing in particular
_SENTENCE_END = re.compile(r"[。！？；\n]")

Key = tuple[str | None, str | None, str | None]      # (table, row, column); None: the whole of it


# ---- findings ---------------------------------------------------------------------------------
@dataclass
class Quote:
    """A passage of the report: `before` + `mark` + `after`, `mark` being the words a finding is about."""

    label: str
    before: str
    mark: str = ""
    after: str = ""


@dataclass
class FindingView:
    number: int                     # 1-based, shown as "#n" in the list and beside the marked cell
    finding: Finding
    severity_label: str
    rule: Rule | None               # None for the tool's own findings (READ-001, ENGINE-001)
    where: list[str]                # the location in words, most general first
    expected: str | None
    actual: str | None
    quote: Quote | None
    key: Key | None                 # what the finding points at in the re-drawn tables
    target: str | None = None       # the anchor of the marked cell, row, column or table

    @property
    def anchor(self) -> str:
        return f"f-{self.number}"


@dataclass
class SectionGroup:
    title: str
    findings: list[FindingView]


# ---- tables -----------------------------------------------------------------------------------
@dataclass
class Mark:
    """Findings pointing at a cell, a row label, a column header or a whole table."""

    anchor: str
    numbers: list[int] = field(default_factory=list)
    severity: str | None = None     # the highest severity among them

    @property
    def first(self) -> str:
        return f"f-{self.numbers[0]}"


@dataclass
class CellView:
    text: str
    state: str                      # "ok" | "unknown" (blank or unreadable) | "absent" (not read)
    title: str
    mark: Mark
    presumed: str = ""              # how findings took a blank cell: 按 0 计 / 按各项之和计


@dataclass
class RowView:
    label: str
    group: str | None
    group_span: int                 # rows the group label spans; 0 when a row above spans this one
    cells: list[CellView]
    mark: Mark
    missing: bool


@dataclass
class BlockView:
    caption: str | None
    headers: list[tuple[str, Mark]]
    rows: list[RowView]
    grouped: bool                   # rows carry a group label column


@dataclass
class TableView:
    name: str
    title: str
    found: bool
    blocks: list[BlockView]
    mark: Mark
    notes: list[str]


@dataclass
class CheckView:
    check: Check
    status_label: str
    rule: Rule | None
    findings: list[int]


@dataclass
class PageView:
    path: str
    title: str | None               # None when the reader found no title
    file_name: str
    agency: str | None
    year: int | None
    format: str
    kind: str | None
    status: str
    verdict: str
    error: str | None
    counts: dict[str, int]
    groups: list[SectionGroup]
    not_assessable: list[CheckView]
    cross_report: list[str]                     # rules left for batch (they need other reports)
    tables: list[TableView]
    checks: list[CheckView]
    check_counts: list[tuple[str, str, int]]     # (status, label, number)
    notes: list[str]
    index_href: str | None = None
    dismissed: int = 0              # findings dismissed in review, not listed


# ---- the page ---------------------------------------------------------------------------------
def build_page(result: ReportResult, rules: dict[str, Rule], index_href: str | None = None) -> PageView:
    """Everything one report's page shows; `rules` explains the rule ids."""
    rep = result.report
    ordered = sorted(result.findings, key=_section_order)     # numbered as listed: by section
    findings = [_finding_view(n, f, rules.get(f.rule), rep) for n, f in enumerate(ordered, 1)]
    tables = _tables(rep, findings) if rep is not None else []
    checks = [_check_view(c, rules.get(c.rule), findings) for c in result.checks]
    return PageView(
        path=result.path,
        title=rep.title if rep and rep.title else None,
        file_name=PurePath(result.path).name,
        agency=rep.agency if rep else None,
        year=rep.year if rep else None,
        format=format_label(contract_format(rep)),
        kind=rep.kind if rep else None,
        status=result.status,
        verdict=VERDICT_LABELS[result.status],
        error=result.error,
        counts=result.counts(),
        groups=_groups(findings, rep),
        not_assessable=[c for c in checks if c.check.status == NOT_ASSESSABLE and not is_cross_report(c.check)],
        cross_report=[c.check.rule for c in checks if is_cross_report(c.check)],
        tables=tables,
        checks=checks,
        check_counts=_check_counts(result.checks),
        notes=list(rep.notes) if rep else [],
        index_href=index_href,
        dismissed=result.dismissed,
    )


def format_label(fmt: str | None) -> str:
    return FORMAT_LABELS.get(fmt or "", "格式未知")


def value_text(value: Any) -> str | None:
    """An expected or actual value as shown; None stays None (nothing to show)."""
    value = plain_value(value)
    return None if value is None else str(value)


def _check_counts(checks: list[Check]) -> list[tuple[str, str, int]]:
    return [(status, label, n) for status, label in STATUS_LABELS.items()
            if (n := sum(c.status == status for c in checks))]


def _check_view(check: Check, rule: Rule | None, findings: list[FindingView]) -> CheckView:
    numbers = [f.number for f in findings if f.finding.rule == check.rule] if check.status == FAIL else []
    return CheckView(check, STATUS_LABELS.get(check.status, check.status), rule, numbers)


# ---- findings: location, quote, grouping ------------------------------------------------------
def _finding_view(number: int, finding: Finding, rule: Rule | None, rep: Report | None) -> FindingView:
    loc = finding.location
    key = (loc.table, loc.row, loc.column) if loc.table else None
    return FindingView(number=number, finding=finding, severity_label=SEVERITY_LABELS[finding.severity],
                       rule=rule, where=location_words(finding, rep), expected=value_text(finding.expected),
                       actual=value_text(finding.actual), quote=_quote(finding, rep), key=key)


def _section_of(finding: Finding) -> int | None:
    loc = finding.location
    if loc.section is not None:
        return loc.section
    return TABLE_SECTION.get(loc.table) if loc.table else None


def _section_title(number: int, rep: Report | None) -> str:
    section = rep.section(number) if rep else None
    if section is not None and section.title:
        return section.title
    return SECTION_TITLES.get(number, f"第 {number} 部分")


def _section_name(number: int, rep: Report | None) -> str:
    """「三、收到和处理…」 as titled; a title without its numeral gets 「第三部分」 before it."""
    title = _section_title(number, rep)
    return title if title.startswith(_numeral(number)) else f"第{_numeral(number)}部分 {title}"


def _table_title(name: str) -> str:
    return f"表{_numeral(TABLE_SECTION[name])} {TABLE_TITLES[name]}"


def location_words(finding: Finding, rep: Report | None) -> list[str]:
    """Where a finding is, in words, most general first: section, table, row, column, line, page."""
    loc = finding.location
    parts = []
    section = _section_of(finding)
    if section is not None:
        parts.append(f"「{_section_name(section, rep)}」")
    if loc.table in TABLE_SECTION:
        lay = layout(loc.table, rep.format if rep else None)
        parts.append(_table_title(loc.table))
        if loc.row:
            parts.append(f"「{_row_label(lay, loc.row)}」行")
        if loc.column:
            parts.append(f"「{_column_header(lay, loc.column)}」列")
    if loc.line is not None:
        parts.append(f"源文件第 {loc.line} 行")
    if loc.page is not None:
        parts.append(f"第 {loc.page} 页")
    if loc.element:
        parts.append(f"元素 {loc.element}")
    return parts


def _numeral(number: int) -> str:
    return CHINESE_NUMERALS[number - 1] if 1 <= number <= len(CHINESE_NUMERALS) else str(number)


def _row_label(lay: TableLayout, key: str) -> str:
    return next((r.label for r in lay.rows if r.key == key), key)


def _column_header(lay: TableLayout, key: str) -> str:
    return next((c.header for c in lay.columns if c.key == key), key)


def _quote(finding: Finding, rep: Report | None) -> Quote | None:
    """The sentence a text finding is about, with the quoted words marked; None for table cells."""
    loc = finding.location
    sentence = finding.evidence.get("sentence")
    if isinstance(sentence, str) and sentence:       # a claim finding names its sentence
        words = _quoted_words(finding.actual)
        if words and words in sentence:
            return _sentence("原文", sentence, words)
        return Quote("原文", _cut(sentence, _QUOTE_CHARS))
    if rep is None or (loc.table and loc.row and loc.column):
        return None
    words = _quoted_words(finding.actual)
    section = rep.section(loc.section) if loc.section is not None else None
    if words and section is not None and words in section.text:
        return _sentence("原文", section.text, words)
    line = _source_line(rep, loc.line)
    if words and line and words in line:
        return _sentence(f"源文件第 {loc.line} 行", line, words)
    if words and words in rep.text:
        return _sentence("原文", rep.text, words)
    if words is None and section is not None and section.text.strip() and not loc.table:
        return Quote("该部分原文（节选）", _cut(section.text.strip(), _EXCERPT_CHARS))
    return None


def _quoted_words(actual: Any) -> str | None:
    """The actual value when it is words from the report; a number or a code ("2019") is not."""
    if not isinstance(actual, str) or len(actual.strip()) < 2 or actual.strip().isdigit():
        return None
    return actual


def _source_line(rep: Report, line: int | None) -> str | None:
    if line is None or line < 1:
        return None
    lines = rep.text.split("\n")
    return lines[line - 1] if line <= len(lines) else None


def _sentence(label: str, text: str, words: str) -> Quote:
    """The sentence of `text` holding `words`, cut to _QUOTE_CHARS around them."""
    at = text.index(words)
    starts = [m.end() for m in _SENTENCE_END.finditer(text, 0, at)]
    start = starts[-1] if starts else 0
    end_match = _SENTENCE_END.search(text, at + len(words))
    end = end_match.end() if end_match else len(text)
    room = max(_QUOTE_CHARS - len(words), 0) // 2
    before = text[start:at].lstrip()
    after = text[at + len(words):end].rstrip("\n")
    if len(before) > room:
        before = "…" + before[-room:]
    if len(after) > room:
        after = after[:room] + "…"
    return Quote(label, before, words, after)


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def _section_order(finding: Finding) -> int:
    """Findings about the whole report first, then by section."""
    section = _section_of(finding)
    return -1 if section is None else section


def _groups(findings: list[FindingView], rep: Report | None) -> list[SectionGroup]:
    """Consecutive findings of one section (`findings` are in _section_order) under its title."""
    groups: list[SectionGroup] = []
    for key, views in itertools.groupby(findings, key=lambda v: _section_of(v.finding)):
        title = "全文与基本信息" if key is None else _section_name(key, rep)
        groups.append(SectionGroup(title, list(views)))
    return groups


# ---- tables: re-drawn on the template, marked where findings point ----------------------------
class _Marks:
    """Finding numbers by what they point at; records the anchors drawn so findings can link back."""

    def __init__(self, findings: list[FindingView]):
        self.by_key: dict[Key, list[FindingView]] = {}
        self.presumed: dict[Key, str] = {}     # blank cells that findings' figures rest on
        for view in findings:
            if view.key is not None:
                self.by_key.setdefault(view.key, []).append(view)
            evidence = view.finding.evidence
            for cell in evidence.get("blank_cells", ()):        # CELL-002 names every blank cell
                self.by_key.setdefault(_cell_key(cell), []).append(view)
            for field_name, how in (("assumed_zero", "按 0 计"), ("derived_total", "按各项之和计")):
                for cell in evidence.get(field_name, ()):
                    self.presumed[_cell_key(cell)] = how

    def fold(self, table: str, drawn: set[Key]) -> None:
        """Findings about `table` at a place that is not drawn are marked on the table itself."""
        for key in [k for k in self.by_key if k[0] == table and k not in drawn]:
            self.by_key.setdefault((table, None, None), []).extend(self.by_key.pop(key))

    def mark(self, key: Key, anchor: str) -> Mark:
        views = self.by_key.get(key, [])
        for view in views:
            view.target = view.target or anchor
        severity = max((v.finding.severity for v in views), key=_SEVERITY_RANK.__getitem__, default=None)
        return Mark(anchor, sorted(v.number for v in views), severity)


_SEVERITY_RANK = {"info": 0, "warning": 1, "error": 2}


def _cell_key(cell: str) -> Key:
    row, _, column = cell.partition(".")
    return table_of_row(row), row, column


def _tables(rep: Report, findings: list[FindingView]) -> list[TableView]:
    marks = _Marks(findings)
    return [_table_view(name, rep.tables.get(name), rep.format, marks) for name in TABLE_NAMES]


def _table_view(name: str, table: Table | None, fmt: str | None, marks: _Marks) -> TableView:
    if table is None:
        marks.fold(name, set())
        return TableView(name, _table_title(name), False, [], marks.mark((name, None, None), f"t-{name}"),
                         ["报告中未找到此表，或未能识别。"])
    lay = layout(name, fmt)
    rows = list(lay.rows) + [Row(key, _written_label(table, key), lay.columns)
                             for key in table.rows_found if key not in lay.row_keys()]
    marks.fold(name, _drawn_keys(name, rows))
    blocks = [_block(name, table, chunk, marks, n) for n, chunk in enumerate(_chunks(name, rows))]
    notes = []
    if table.extra_rows:
        notes.append(f"另有非标准行（未计入审核）：{'、'.join(table.extra_rows)}")
    if table.extra_columns:
        notes.append(f"另有非标准列（未计入审核）：{'、'.join(table.extra_columns)}")
    return TableView(name, _table_title(name), True, blocks, marks.mark((name, None, None), f"t-{name}"), notes)


def _drawn_keys(name: str, rows: list[Row]) -> set[Key]:
    keys: set[Key] = {(name, None, None)}
    for row in rows:
        keys.add((name, row.key, None))
        for column in row.columns:
            keys.update({(name, row.key, column.key), (name, None, column.key)})
    return keys


def _written_label(table: Table, key: str) -> str:
    return next((m.written for m in table.labels if m.role == "row" and m.key == key), key)


def _chunks(name: str, rows: list[Row]) -> list[list[Row]]:
    """Consecutive rows with the same columns (and, in 表二, the same item of Article 20)."""
    chunks: list[list[Row]] = []
    for row in rows:
        same = chunks and chunks[-1][-1].columns == row.columns and (
            name != "disclosure" or chunks[-1][-1].group == row.group)
        if same:
            chunks[-1].append(row)
        else:
            chunks.append([row])
    return chunks


def _block(name: str, table: Table, rows: list[Row], marks: _Marks, number: int) -> BlockView:
    columns = rows[0].columns
    caption = ITEM_CAPTIONS.get(rows[0].group or "") if name == "disclosure" else None
    grouped = name != "disclosure" and any(r.group for r in rows)
    headers = [(c.header, marks.mark((name, None, c.key), f"h-{name}-{number}-{c.key}")) for c in columns]
    views = []
    for index, row in enumerate(rows):
        span = 0
        if grouped and row.group and (index == 0 or rows[index - 1].group != row.group):
            span = next((n for n, r in enumerate(rows[index:]) if r.group != row.group), len(rows) - index)
        cells = [_cell_view(table.cells.get((row.key, c.key)),
                            marks.mark((name, row.key, c.key), f"c-{name}-{row.key}-{c.key}"),
                            marks.presumed.get((name, row.key, c.key), "")) for c in columns]
        views.append(RowView(row.label, row.group if grouped else None, span, cells,
                             marks.mark((name, row.key, None), f"r-{name}-{row.key}"),
                             missing=row.key not in table.rows_found))
    return BlockView(caption, headers, views, grouped)


def _cell_view(cell: Cell | None, mark: Mark, presumed: str = "") -> CellView:
    if cell is None:
        return CellView("—", "absent", "未读取到此单元格", mark)
    if cell.value is None:
        reason = "空白" if cell.kind == "blank" else f"无法读取为数字（{cell.kind}）"
        if presumed:
            return CellView(cell.raw or "（空）", "unknown presumed", f"{reason}，审核{presumed}", mark, presumed)
        return CellView(cell.raw or "（空）", "unknown", reason, mark)
    line = f"，源文件第 {cell.location.line} 行" if cell.location.line is not None else ""
    return CellView(cell.raw, "ok", f"读取为 {value_text(cell.value)}{line}", mark)
