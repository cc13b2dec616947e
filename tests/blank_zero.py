"""Reports that leave their zeros blank, with planted faults, in every format (tests and benchmark).

Many agencies leave the zero cells of 表三 and 表四 empty. Starting from samples/clean-2021.txt, a
`Plant` changes one table cell or one sentence; `variant` then leaves the report filled, blanks
its zeros (「zeros」), or also blanks every 总计 cell of 表三 but the grand total (「totals」); and
`render` writes it as text, HTML, DOCX or PDF. The text and PDF come from the text itself; HTML
and DOCX are drawn by docgen from the report read from the filled text, with the same cells
blanked, so that every format carries the same blank cells.

    from blank_zero import PLANTS, document
    data = document(PLANTS[0], "zeros", "docx")
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from xxgk_audit.engine.evaluation.audit import Auditor
from xxgk_audit.engine.evaluation.facts import Context
from xxgk_audit.engine.model.report import Report
from xxgk_audit.engine.readers import read_text

__all__ = ["Plant", "PLANTS", "VARIANTS", "FORMATS", "CLEAN", "Score", "planted_text", "variant", "document", "score"]

ROOT = Path(__file__).resolve().parents[1]
CLEAN = (ROOT / "samples" / "clean-2021.txt").read_text(encoding="utf-8")
VARIANTS = ("filled", "zeros", "totals")
FORMATS = ("txt", "html", "docx", "pdf")
_SUFFIX = {"txt": ".txt", "html": ".html", "docx": ".docx", "pdf": ".pdf"}
_BLANKED = ("三、收到和处理政府信息公开申请情况", "五、存在的主要问题及改进情况")   # 表三 and 表四 lie between


@dataclass(frozen=True)
class Plant:
    """A fault: `old` → `new` in the line starting with `line` (a table row's label; for a sentence,
    the first `old` of the text); it must be found as `finds` (rule, row, column; None: any) in
    every variant, and may give findings of the `allowed` rules."""

    name: str
    line: str
    old: str
    new: str
    finds: tuple[str, str | None, str | None]
    allowed: frozenset[str]
    cell: int | None = None     # the value cell changed (0-based among the row's values), for rows


def _row(name: str, label: str, cell: int, old: str, new: str, finds: tuple, *allowed: str) -> Plant:
    return Plant(name, label, old, new, finds, frozenset({finds[0], *allowed}), cell)


def _text(name: str, old: str, new: str, rule: str) -> Plant:
    return Plant(name, "", old, new, (rule, None, None), frozenset({rule}))


PLANTS = (
    # with 表三's 总计 column blank the row's total follows its parts, and the text no longer agrees
    _row("新收自然人少计", "一、本年新收政府信息公开申请数量", 0, "9", "8", ("ARITH-004", "C", "NP"), "ARITH-001", "XREF-001"),
    _row("办理结果总计多计", "（七）总计", 6, "11", "12", ("ARITH-003", "B7", None), "ARITH-001", "ARITH-004"),
    _row("无法提供法律服务机构多计", "（四）无法提供", 4, "1", "2", ("ARITH-003", "B7", "LAW"), "ARITH-001"),
    _row("空白处填了数字", "2.其他法律行政法规禁止公开", 0, "0", "1", ("ARITH-003", "B7", "NP"), "ARITH-001"),
    _row("结转下年度多计", "四、结转下年度继续办理", 0, "1", "2", ("ARITH-004", "C", "NP"), "ARITH-001", "XREF-002"),
    _row("行政复议总计多计", "", 4, "2", "3", ("ARITH-005", "RV", "TOT")),
    _text("正文收到申请数不符", "共收到政府信息公开申请11件", "共收到政府信息公开申请12件", "XREF-001"),
    _text("正文结转数不符", "结转下年度继续办理1件", "结转下年度继续办理3件", "XREF-002"),
    _text("正文称均获维持", "均在法定期限内答复，", "均在法定期限内答复，行政复议案件均获维持，", "XREF-005"),
    _text("正文行政复议件数不符", "均在法定期限内答复，", "均在法定期限内答复，被申请行政复议3件，", "XREF-005"),
    _text("正文不予公开件数不符", "均在法定期限内答复，", "均在法定期限内答复，其中不予公开2件，", "XREF-003"),
    _text("正文予以公开及部分公开不符", "均在法定期限内答复，", "均在法定期限内答复，其中予以公开及部分公开5件，", "XREF-003"),
)


def planted_text(plant: Plant | None) -> str:
    """The clean sample with the fault in it (None: the clean sample)."""
    if plant is None:
        return CLEAN
    lines = CLEAN.split("\n")
    if plant.cell is None:
        assert CLEAN.count(plant.old) >= 1, plant
        return CLEAN.replace(plant.old, plant.new, 1)
    index = _table_row(lines, plant.line)
    cells = lines[index].split("|")
    values = [i for i, c in enumerate(cells) if re.fullmatch(r"\s*\d+\s*", c)]
    target = values[plant.cell]
    assert cells[target].strip() == plant.old, (plant, cells[target])
    cells[target] = f" {plant.new} "
    lines[index] = "|".join(cells)
    return "\n".join(lines)


def _table_row(lines: list[str], label: str) -> int:
    if not label:       # 表四's one row of values
        return next(i for i, line in enumerate(lines) if re.match(r"^\d+ \|", line))
    return next(i for i, line in enumerate(lines) if "|" in line and line.startswith(label))


def _blanked(lines: list[str], kind: str) -> dict[int, set[int]]:
    """{line index: indexes of the '|' pieces to blank} in 表三 and 表四."""
    start, end = (next(i for i, line in enumerate(lines) if line.strip() == title) for title in _BLANKED)
    out: dict[int, set[int]] = {}
    for index in range(start, end):
        pieces = lines[index].split("|")
        values = [i for i, c in enumerate(pieces) if re.fullmatch(r"\s*\d+\s*", c)]
        if not values:
            continue
        chosen = {i for i in values if pieces[i].strip() == "0"}
        if kind == "totals" and len(values) == 7 and not lines[index].startswith("（七）总计"):
            chosen.add(values[-1])              # 表三's 总计 column, but the grand total
        out[index] = chosen
    return out


def variant(text: str, kind: str) -> str:
    """The text with 表三's and 表四's zeros blank ("zeros"), also 表三's 总计 column but the grand
    total ("totals"), or as it is ("filled")."""
    if kind == "filled":
        return text
    lines = text.split("\n")
    for index, chosen in _blanked(lines, kind).items():
        pieces = lines[index].split("|")
        lines[index] = "|".join(" " if i in chosen else p for i, p in enumerate(pieces))
    return "\n".join(lines)


def _blank_report(text: str, kind: str) -> Report:
    """The filled text read, with the cells `variant` blanks made blank in the model."""
    report = read_text("planted.txt", text=text)
    if kind == "filled":
        return report
    lines = text.split("\n")
    for index, chosen in _blanked(lines, kind).items():
        pieces = lines[index].split("|")
        texts = {p.strip() for i, p in enumerate(pieces) if i in chosen}
        row = [cell for table in report.tables.values() for cell in table.cells.values()
               if cell.location.line == index + 1]
        values = [i for i, c in enumerate(pieces) if re.fullmatch(r"\s*\d+\s*", c)]
        for cell, piece in zip(row, values, strict=True):
            if piece in chosen:
                cell.raw, cell.kind, cell.value = "", "blank", None
        assert texts <= {"0"} or kind == "totals"
    return report


def document(plant: Plant | None, kind: str, fmt: str) -> tuple[bytes, str]:
    """(file content, suffix) of the planted report in variant `kind`, as format `fmt`."""
    text = planted_text(plant)
    if fmt == "txt":
        return variant(text, kind).encode("utf-8"), ".txt"
    if fmt == "pdf":
        sys.path.insert(0, str(ROOT / "tests" / "readers"))
        from test_pdf_reader import render_pdf      # the PDF renderer lives with the PDF reader's tests
        return render_pdf(variant(text, kind)), ".pdf"
    from docgen import render_docx, render_html
    report = _blank_report(text, kind)
    return (render_html(report) if fmt == "html" else render_docx(report)), _SUFFIX[fmt]


@dataclass
class Score:
    """The planted faults found, the errors no plant explains, and the most CELL-002 findings one
    table got, over the clean report and every plant of one format and variant."""

    found: int = 0
    planted: int = 0
    false_errors: Counter = field(default_factory=Counter)      # rule -> errors not explained
    most_blank_findings: int = 0
    misses: list[str] = field(default_factory=list)


def score(auditor: Auditor, fmt: str, kind: str, folder: Path, blank_cells: str = "zero") -> Score:
    """Audit the clean report and each plant as `fmt` in variant `kind` (files written in `folder`)."""
    out = Score()
    for number, plant in enumerate((None, *PLANTS)):
        data, suffix = document(plant, kind, fmt)
        path = folder / f"{fmt}-{kind}-{number}{suffix}"
        path.write_bytes(data)
        result = auditor.audit_path(path, Context(blank_cells=blank_cells))
        if plant is not None:
            out.planted += 1
            rule, row, column = plant.finds
            if any(f.rule == rule and row in (None, f.location.row) and column in (None, f.location.column)
                   for f in result.findings):
                out.found += 1
            else:
                out.misses.append(plant.name)
        allowed = plant.allowed if plant is not None else frozenset()
        out.false_errors.update(f.rule for f in result.findings if f.severity == "error" and f.rule not in allowed)
        per_table = Counter(f.location.table for f in result.findings if f.rule == "CELL-002")
        out.most_blank_findings = max(out.most_blank_findings, *per_table.values(), 0)
    return out
