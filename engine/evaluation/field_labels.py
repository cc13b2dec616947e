"""Lists of fact fields in the words of the template (rulelang/factkinds.field_label names each),
for reasons and messages shown to users: 表三「予以公开」「自然人」、「部分公开」「自然人」."""

from __future__ import annotations

from xxgk_audit.engine.model import template
from xxgk_audit.engine.rulelang.factkinds import field_label

__all__ = ["field_list", "cells_text"]

_TABLE_NUMBERS = set(template.TABLE_NUMBERS.values())


def field_list(names: list[str], kind: str, fmt: str | None = None, most: int = 6) -> str:
    """Field names joined with 、, the first `most` of them then 等 N 项; a cell of the same table
    as the one before it without the table's name again (表三「予以公开」「自然人」、「部分公开」「自然人」)."""
    labels = list(dict.fromkeys(field_label(kind, n, fmt) for n in names))
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
