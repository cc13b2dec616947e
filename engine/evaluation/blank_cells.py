"""The blank-cell policy: what a blank or placeholder cell of a table that has numbers stands for.

Agencies often leave the zeros of 表三 and 表四 empty (Word tables filled by hand). Under the
"zero" policy, the default, such a cell counts as 0 — as XBRL calculation checks treat a missing
contributing item — except a blank total (a row's 总计, （七）总计, 表四's 总计), which is the sum
of its parts. Garbled cells ("? 0") stay unknown under every policy, and so does every cell of a
table without a single number (nothing says it was filled in). Under "unknown" every blank is
unknown.

Facts carry the presumed values with their basis, so that a finding whose figures rest on them
says so (`resting_on`). Readers never presume; renderers only show what the finding says.
"""

from __future__ import annotations

from dataclasses import dataclass

from xxgk_audit.engine.evaluation.field_labels import field_list
from xxgk_audit.engine.model import template
from xxgk_audit.engine.model.report import Number, Table

__all__ = ["POLICIES", "DEFAULT_POLICY", "BLANK_KINDS", "ZERO", "SUM", "Presumed", "presume", "resting_on", "presumption"]

POLICIES = ("zero", "unknown")
DEFAULT_POLICY = "zero"
ZERO, SUM = "zero", "sum"           # a blank presumed 0; a blank total taken as the sum of its parts
BLANK_KINDS = ("blank", "placeholder")    # the cell kinds the policy applies to


@dataclass(frozen=True, slots=True)
class Presumed:
    value: Number
    basis: str                      # ZERO or SUM
    parts: tuple[str, ...] = ()     # the cells a SUM adds up ("ROW.COL")


def presume(name: str, table: Table | None, fmt: str | None, policy: str) -> dict[str, Presumed]:
    """The value each blank cell of `table` stands for under `policy`, by cell key ("ROW.COL").

    A blank total is the sum of its parts when every part is known (read, presumed or itself a
    sum); it is presumed 0 only when all its parts are blanks presumed 0. A part that is unknown
    (unreadable, or a row the table lacks) leaves the total unknown.
    """
    if policy != "zero" or table is None or not any(c.value is not None for c in table.cells.values()):
        return {}
    blank = {f"{r}.{c}" for (r, c), cell in table.cells.items()
             if cell.value is None and cell.kind in BLANK_KINDS}
    totals = template.totals(name, fmt)
    total_keys = {total for total, _ in totals}
    out = {key: Presumed(0, ZERO) for key in blank - total_keys}

    def known(key: str) -> Number | None:
        if key in out:
            return out[key].value
        row, _, col = key.partition(".")
        cell = table.cells.get((row, col))
        return cell.value if cell is not None else None

    for total, parts in totals:
        if total not in blank:
            continue
        values = [known(p) for p in parts]
        if any(v is None for v in values):
            continue
        if all(p in out and out[p].basis == ZERO for p in parts):
            out[total] = Presumed(0, ZERO)
        else:
            out[total] = Presumed(sum(values), SUM, parts)
    order = [f"{r}.{c}" for r, c in table.cells]
    return {key: out[key] for key in order if key in out}


def resting_on(fields: set[str], presumed: dict[str, Presumed]) -> tuple[list[str], list[str]]:
    """(cells presumed 0, blank totals taken as sums) that figures made of `fields` rest on, in the
    order of `presumed`: a sum rests on its parts, and on theirs."""
    wanted, todo = set(), [f for f in fields if f in presumed]
    while todo:
        key = todo.pop()
        if key not in wanted:
            wanted.add(key)
            todo.extend(p for p in presumed[key].parts if p in presumed)
    zeros = [k for k, p in presumed.items() if k in wanted and p.basis == ZERO]
    sums = [k for k, p in presumed.items() if k in wanted and p.basis == SUM]
    return zeros, sums


def presumption_note(zeros: list[str], sums: list[str], fmt: str | None = None) -> str:
    """What a finding's message adds when its figures rest on presumed values."""
    parts = []
    if zeros:
        parts.append(f"空白单元格按 0 计：{field_list(zeros, 'report', fmt, most=3)}")
    if sums:
        parts.append(f"空白总计按各项之和计：{field_list(sums, 'report', fmt, most=3)}")
    return f"（{'；'.join(parts)}）" if parts else ""


def presumption(fields: set[str], presumed: dict[str, Presumed], fmt: str | None = None) -> tuple[dict[str, list[str]], str]:
    """What a finding whose figures are made of `fields` adds: its evidence (`assumed_zero`,
    `derived_total`) and the words of its message that say so ("" when nothing was presumed)."""
    zeros, sums = resting_on(fields, presumed)
    evidence = {name: cells for name, cells in (("assumed_zero", zeros), ("derived_total", sums)) if cells}
    return evidence, presumption_note(zeros, sums, fmt)
