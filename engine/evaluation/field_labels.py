"""Fact fields in the words of the template and of the report, for reasons shown to users:
"B3_1.NP" → 表三「不予公开」第1项「自然人」, "published" → 发布日期."""

from __future__ import annotations

import re

from xxgk_audit.engine.model import template

__all__ = ["field_label", "field_list", "cells_text"]

_NAMES = {
    "published": "发布日期", "year": "报告年度", "agency": "机关名称", "title": "标题",
    "period_text": "统计期限", "period_year": "统计期限的起始年度", "period_end_year": "统计期限的截止年度",
    "period_malformed": "统计期限的写法", "format": "格式版本", "expected_format": "应采用的格式版本",
    "agency_kind": "机关类别", "given_agency": "命令行或清单给出的机关名称",
    "preamble_agency": "导语中的机关名称", "title_agency": "标题中的机关名称", "title_year": "标题中的年度",
    "narrative_year": "第一部分所写的年度", "parts_stated": "导语所称的部分数", "parts_listed": "导语所列的各部分",
    "full_text": "完整的正文（其后须有下一部分或第六部分）", "text": "正文", "value": "正文所写的数字",
    "percent": "正文所写的比例",
}
_SECTION_TEXT = re.compile(r"^section_text\.(\d)$")
_OTHER_REPORT = {"prev": "上一年度报告", "sum": "下级报告之和"}
_TABLE_NUMBERS = set(template.TABLE_NUMBERS.values())


def field_label(name: str, fmt: str | None = None) -> str:
    """The field's name in Chinese; a field of no known kind comes back as is."""
    if name in _NAMES:
        return _NAMES[name]
    section = _SECTION_TEXT.match(name)
    if section:
        return f"第{template.CHINESE_NUMERALS[int(section.group(1)) - 1]}部分正文"
    side, _, rest = name.partition(".")
    if side in _OTHER_REPORT and "." in rest:
        return f"{_OTHER_REPORT[side]}{template.cell_label(rest, fmt)}"
    return template.cell_label(name, fmt)


def field_list(names: list[str], fmt: str | None = None, most: int = 6) -> str:
    """Field names joined with 、, the first `most` of them then 等 N 项; a cell of the same table
    as the one before it without the table's name again (表三「予以公开」「自然人」、「部分公开」「自然人」)."""
    labels = list(dict.fromkeys(field_label(n, fmt) for n in names))
    shown, table = [], None
    for label in labels[:most]:
        own = label[:2] if label[:2] in _TABLE_NUMBERS and label[2:3] == "「" else None
        shown.append(label[2:] if own is not None and own == table else label)
        table = own
    text = "、".join(shown)
    return text if len(labels) <= most else f"{text}等 {len(labels)} 项"


def cells_text(keys: list[str], fmt: str | None = None, most: int = 6) -> str:
    """Cells of one table by row: 「规章」：本年制发件数、现行有效件数；「行政复议」：整行 — the first
    `most` rows, then 等 N 行."""
    rows: dict[str, list[template.CellName]] = {}
    for key in keys:
        name = template.cell_name(key, fmt)
        if name is not None:
            rows.setdefault(name.row, []).append(name)
    parts = [f"{row}：{'整行' if len(names) == names[0].width else '、'.join(n.column for n in names)}"
             for row, names in rows.items()]
    text = "；".join(parts[:most])
    return text if len(parts) <= most else f"{text}等 {len(parts)} 行"
