"""The parts of a report its reading limits hide: facts leave out what they would have told."""

from __future__ import annotations

from dataclasses import dataclass, field

from xxgk_audit.engine.model.report import Report

__all__ = ["Unseen", "unseen"]


@dataclass
class Unseen:
    """What the reader could not see: section numbers, tables, and rows per table."""

    sections: set[int] = field(default_factory=set)
    tables: set[str] = field(default_factory=set)
    rows: dict[str, set[str]] = field(default_factory=dict)


def unseen(report: Report) -> Unseen:
    out = Unseen()
    for limit in report.reading:
        if limit.kind == "sections_unseen":
            out.sections.update(limit.detail.get("numbers", ()))
        elif limit.kind == "table_unseen":
            out.tables.add(limit.part)
        elif limit.kind == "rows_unseen":
            out.rows.setdefault(limit.part, set()).update(limit.detail.get("rows", ()))
    return out
