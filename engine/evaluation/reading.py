"""Reading limits (`Report.reading`) as the tool's own READ- findings, and the parts they hide.

A reading limit is never a report defect: it becomes a READ-002…007 finding that names the part,
and the facts leave out what the part would have told (unseen.py), so that the rules needing it
are not assessable instead of failing.
"""

from __future__ import annotations

from xxgk_audit.engine.evaluation.findings import Finding, FindingLocation, tool_finding
from xxgk_audit.engine.model import template
from xxgk_audit.engine.model.reading import reading_limits
from xxgk_audit.engine.model.report import ReadingLimit, Report

__all__ = ["reading_findings"]

_IDS = {"one_line": "READ-002", "cells_decoded": "READ-003", "cells_unseen": "READ-004",
        "sections_unseen": "READ-005", "table_unseen": "READ-006", "rows_unseen": "READ-007"}


def reading_findings(report: Report) -> list[Finding]:
    """READ- findings in the order the reader met the limits: one per limit, except the rows decoded,
    one finding per table (a page of 30 rows run together is one thing to say)."""
    # what a reader noted of its bounds and decoding (READ-013…), then the parts it could not see
    out = [tool_finding(limit["rule"], limit["message"], evidence=limit["evidence"])
           for limit in reading_limits(report.metadata)]
    decoded: dict[str, Finding] = {}
    for limit in report.reading:
        if limit.kind not in _IDS:
            continue
        if limit.kind != "cells_decoded":
            out.append(tool_finding(_IDS[limit.kind], _message(limit, report), _location(limit), dict(limit.detail)))
            continue
        table = limit.part.partition(".")[0]
        row = {"row": limit.part.partition(".")[2] or None, **limit.detail}
        if table in decoded:
            decoded[table].evidence["rows"].append(row)
            continue
        location = _location(limit)
        location.row = None
        decoded[table] = tool_finding("READ-003", "", location, {"rows": [row]})
        out.append(decoded[table])
    for table, finding in decoded.items():
        finding.message = _decoded_message(table, finding.evidence["rows"], report)
    return out


def _decoded_message(table: str, rows: list[dict], report: Report) -> str:
    first = rows[0]
    where = _where(f"{table}.{first['row']}", report) if first["row"] else _where(table, report)
    example = f"{where}「{first.get('raw', '')}」读作 {'、'.join(first.get('values', []))}"
    count = f"有 {len(rows)} 行" if first["row"] else "的"
    return (f"{_TABLE_NAMES.get(table, table)}{count}数字连在一起，每行只有一种拆分满足表内关系（行总计、勾稽关系、"
            f"分组总计），已按该拆分读取；如{example}")


def _location(limit: ReadingLimit) -> FindingLocation:
    table, _, row = limit.part.partition(".")
    table = table if table in template.TABLE_NAMES else None
    return FindingLocation(section=template.TABLE_SECTION.get(table or ""), table=table, row=row or None,
                           line=limit.location.line, page=limit.location.page, element=limit.location.element)


_TABLE_NAMES = {"disclosure": "表二", "applications": "表三", "review_litigation": "表四"}


def _row_label(table: str, row: str, report: Report) -> str:
    fmt = report.format if report.format in template.FORMATS else "2021"
    lay = template.layout(table, fmt)
    return lay.row(row).label if row in lay.row_keys() else row


def _where(part: str, report: Report) -> str:
    """「表三「（一）予以公开」行」: a table, or a row of it, in the template's words."""
    table, _, row = part.partition(".")
    title = _TABLE_NAMES.get(table, table)
    return f"{title}「{_row_label(table, row, report)}」行" if row else title


def _message(limit: ReadingLimit, report: Report) -> str:
    d = limit.detail
    if limit.kind == "one_line":
        return (f"全文没有换行（{d.get('chars', 0)} 字在一行内，常见于网页抓取或复制的文本）："
                "标题和表格按行内文字识别，识别不到的部分不作为报告的问题")
    if limit.kind == "cells_unseen":
        return (f"{_where(limit.part, report)}的数字连在一起（「{d.get('raw', '')}」），无法唯一拆分为 "
                f"{d.get('cells', 0)} 个单元格：这些单元格未读取，需要它们的检查无法评估")
    if limit.kind == "sections_unseen":
        names = "、".join(template.SECTION_TITLES[n] for n in d.get("numbers", []) if n in template.SECTION_TITLES)
        return f"连续文本中未能识别这些部分的标题：{names}；它们的结构检查无法评估"
    if limit.kind == "table_unseen":
        return (f"连续文本中未能识别「{template.TABLE_TITLES.get(limit.part, limit.part)}」："
                "缺表检查和该表的检查无法评估")
    rows = "、".join(f"「{_row_label(limit.part, r, report)}」" for r in d.get("rows", []))
    return f"连续文本中未能识别{_where(limit.part, report)}的这些行：{rows}；缺行检查和需要这些行的检查无法评估"
