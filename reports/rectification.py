"""The rectification list (整改清单) of an agency: a workbook, or a 整改通知 document from a template.

Both list the findings the office confirmed that are still in the latest version of the report,
each with its rule, legal source, location in words, expected and actual values and the sentence
or cell it is about, and both say how many findings were dismissed (驳回) and so left out.

The notice is a Word document rendered with docxtpl from a template the office can edit in Word:
`reports/templates/rectification_notice.docx` by default, or its own (`--template`). The template
sees `agency`, `year`, `date`, `items` (each with `number, rule, title, severity, message, source,
where, expected, actual, about, comment, reviewer, state`), `total` and `dismissed`; every value
is escaped (docxtpl's autoescape), so text from a report cannot add markup to the document.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Iterable, Protocol

from xxgk_audit.engine.evaluation.findings import Finding
from xxgk_audit.engine.model.vocabulary import SEVERITY_LABELS
from xxgk_audit.engine.model.report import Report
from .html_view import location_words, value_text
from .xlsx import XlsxWriter

__all__ = ["Reviewed", "Entry", "entries", "write_workbook", "write_notice", "NOTICE_TEMPLATE", "COLUMNS"]

NOTICE_TEMPLATE = Path(__file__).parent / "templates" / "rectification_notice.docx"

# (Entry attribute, Chinese header, width)
COLUMNS = (
    ("number", "序号", 6), ("agency", "机关", 22), ("year", "年度", 7), ("rule", "规则", 11),
    ("severity", "严重程度", 9), ("title", "问题", 28), ("message", "问题说明", 50), ("source", "依据", 36),
    ("where", "位置", 40), ("expected", "期望", 12), ("actual", "实际", 14), ("about", "原文或单元格", 50),
    ("comment", "审核意见", 30), ("reviewer", "审核人", 10), ("state", "状态", 8), ("fingerprint", "指纹", 34),
)


class _Decision(Protocol):
    comment: str | None
    reviewer: str | None


class Reviewed(Protocol):
    """What the list needs of a reviewed finding (engine/batch/review.py's ReviewItem)."""

    fingerprint: str
    agency: str | None
    year: int | None
    format: str | None
    finding: Finding
    state_label: str
    decision: _Decision


@dataclass
class Entry:
    number: int
    agency: str
    year: int | str
    rule: str
    severity: str
    title: str
    message: str
    source: str
    where: str
    expected: str
    actual: str
    about: str
    comment: str
    reviewer: str
    state: str
    fingerprint: str


def entries(items: Iterable[Reviewed]) -> list[Entry]:
    """The rows of the list, numbered, every value as text ("" when unknown)."""
    out = []
    for number, item in enumerate(items, 1):
        f = item.finding
        report = Report(path="", kind="", agency=item.agency, year=item.year, format=item.format)
        out.append(Entry(number, item.agency or "", item.year if item.year is not None else "", f.rule,
                         SEVERITY_LABELS.get(f.severity, f.severity), f.title, f.message, f.source,
                         " › ".join(location_words(f, report)) or "整份报告", value_text(f.expected) or "",
                         value_text(f.actual) or "", _about(f), item.decision.comment or "",
                         item.decision.reviewer or "", item.state_label, item.fingerprint))
    return out


def _about(finding: Finding) -> str:
    """The sentence a finding is about, or the cell's text; the actual words when nothing else."""
    evidence = finding.evidence
    if evidence.get("sentence"):
        return str(evidence["sentence"])
    loc = finding.location
    if loc.table and loc.row and loc.column:
        raw = evidence.get("raw")
        return f"单元格 {loc.row}.{loc.column}" + (f"：{raw}" if raw not in (None, "") else "")
    return finding.actual if isinstance(finding.actual, str) else ""


def write_workbook(path: Path, rows: list[Entry], dismissed: int) -> None:
    """整改清单.xlsx: one row per finding, and a last line saying how many were dismissed."""
    sheet = XlsxWriter(path, "整改清单", [header for _, header, _ in COLUMNS], [width for _, _, width in COLUMNS])
    for entry in rows:
        sheet.append([getattr(entry, key) for key, _, _ in COLUMNS])
    sheet.append(["", _closing(len(rows), dismissed)])
    sheet.close()


def write_notice(path: Path, rows: list[Entry], dismissed: int, agency: str, year: int | None,
                 template: Path | None = None) -> None:
    """整改通知.docx rendered from `template` (the default one when None)."""
    from docxtpl import DocxTemplate             # imported on use: python-docx and lxml are slow to load

    document = DocxTemplate(str(template or NOTICE_TEMPLATE))
    context: dict[str, Any] = {"agency": agency, "year": year if year is not None else "", "total": len(rows),
                               "dismissed": dismissed, "date": date.today().strftime("%Y年%m月%d日"),
                               "items": [vars(entry) for entry in rows], "closing": _closing(len(rows), dismissed)}
    document.render(context, autoescape=True)
    document.save(str(path))


def _closing(total: int, dismissed: int) -> str:
    return f"共 {total} 项须整改；另有 {dismissed} 项经审核驳回，未列入。"
