"""Text that runs on one line: a crawled or copied page, headings inline, table cells run together.

A long line that holds the official section headings or the tables' labels is unfolded into the
lines the parser understands, each keeping the source line's Location:

- at each official section heading (「二、主动公开政府信息情况」), in order;
- inside the tables (from their first caption or header to the next heading), at each template
  label and each row numbering (「（一）」「1.」「一、」): a row label becomes one line with its
  values as tab-separated fields; a header label, a line of its own.

Values are split at spaces. Digits that ran together (「规范性文件1077」, 「一、…申请数量7000007」) are
decoded only where exactly one split into the row's cells satisfies the table's identities (a row
of 表三: the six applicant columns add up to 总计; a group of 表四: four results add up to 总计; then
表三's column identities over the rows decoded: 一+二 = （七）总计+四, and （七）总计 = the sum of the
（一）…（六） rows). Otherwise every cell of the row is UNSEEN: unknown, and no value is guessed.
What was unfolded and decoded is recorded as `ReadingLimit`s (readers do not judge).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from itertools import combinations

from xxgk_audit.engine.model import template
from xxgk_audit.engine.model.labels import strip_pinyin
from xxgk_audit.engine.model.report import Location, ReadingLimit
from xxgk_audit.engine.readers.classify import INDEX, LABELS, UNSEEN, entries_of, format_only, simplify

__all__ = ["unfold"]

_LONG = 600              # a shorter line is never a page run together
_MAX_DIGITS = 40         # longer runs of digits are not decoded
_MAX_CELL_DIGITS = 7
_CJK = "\u3400-\u9fff"
# the values at the end of a piece; a numeral after them is a label's repeated first character
# (「…0000000三三、本年度办理结果」: a rowspan cell printed twice)
_VALUES = re.compile(r"(?P<run>(?:\d[\d\s.,]*(?:万?元)?)?\s*)(?P<stray>(?<=\d)[一二三四五六七八九十])?$")
_SPACED = re.compile(rf"(?<=[{_CJK}])\s+(?=[{_CJK}])")      # 「商业 企业」: a header wrapped in its cell
_NUMBERING = re.compile(rf"(?<!第)\([一二三四五六七八九十]\)|\d\.(?=[{_CJK}])|[一二三四五六七八九十]、(?=[{_CJK}])")
_ANCHORS = {"disclosure": ("第二十条第(一)项", "信息内容"), "applications": ("(本列数据的勾稽关系", "申请人情况"),
            "review_litigation": ("行政复议",)}
_APP_VALUE_COLUMNS = len(template.APPLICANT_COLUMNS)
_RL_CELLS = sum(len(row.columns) for row in template.REVIEW_LITIGATION.rows)


def _loose(text: str) -> str:
    """A regex for `text` (simplified, half-width) that allows spaces between its characters."""
    return r"\s*".join(re.escape(c) for c in simplify(text) if not c.isspace())


@lru_cache(maxsize=1)
def _headings() -> list[tuple[int, re.Pattern[str]]]:
    out = []
    for number, title in template.SECTION_TITLES.items():
        titles = (title, *template.SECTION_VARIANTS.get(number, ()))
        body = "|".join(_loose(t[2:]) for t in titles)                 # after 「二、」
        out.append((number, re.compile(rf"{template.CHINESE_NUMERALS[number - 1]}\s*[、.]\s*(?:{body})")))
    return out


@lru_cache(maxsize=1)
def _labels() -> re.Pattern[str]:
    """Every template label; a label of two characters only where values follow it (「规章000」)."""
    labels = sorted({simplify(label) for label in (*LABELS, template.RECONCILIATION_NOTE)}, key=len, reverse=True)
    parts = [_loose(label) + (r"(?=\s*\d)" if len(label) <= 2 else "") for label in labels]
    return re.compile("|".join(parts))


def unfold(source: list[tuple[str, Location]]) -> tuple[list[tuple[str, Location]], list[ReadingLimit]]:
    """The lines to parse, long page lines unfolded, and what the unfolding could not see."""
    out: list[tuple[str, Location]] = []
    limits: list[ReadingLimit] = []
    for text, location in source:
        pieces = _unfold_line(text, location, limits) if len(text) >= _LONG else None
        out.extend((piece, location) for piece in pieces) if pieces else out.append((text, location))
    return out, limits


def _unfold_line(text: str, location: Location, limits: list[ReadingLimit]) -> list[str] | None:
    text = strip_pinyin(text)                   # 「主動(dòng)公開」: glosses a converter left in
    simp = simplify(text)
    heads = _heading_spans(simp)
    regions = _table_regions(simp, heads)
    if len(heads) < 2 and not regions:
        return None
    limits.append(ReadingLimit("one_line", "text", location,
                               {"chars": len(text), "headings": [n for n, _, _ in heads]}))
    cuts = sorted({0, len(text), *(a for _, a, _ in heads), *(z for _, _, z in heads)})
    pieces: list[str] = []
    for a, z in zip(cuts, cuts[1:]):
        inside = [r for r in regions if r[1] < z and r[2] > a]
        if not inside:
            pieces.append(text[a:z].strip())
            continue
        at = a
        for name, ra, rz in inside:
            ra, rz = max(ra, a), min(rz, z)
            pieces.append(text[at:ra].strip())
            pieces.extend(_table_lines(name, text[ra:rz], simp[ra:rz], location, limits))
            at = rz
        pieces.append(text[at:z].strip())
    return [p for p in pieces if p]


def _heading_spans(simp: str) -> list[tuple[int, int, int]]:
    """(number, start, end) of the official headings found in order."""
    found, at = [], 0
    for number, pattern in _headings():
        m = pattern.search(simp, at)
        if m is not None:
            found.append((number, m.start(), m.end()))
            at = m.end()
    return found


def _table_regions(simp: str, heads: list[tuple[int, int, int]]) -> list[tuple[str, int, int]]:
    """(table, start, end): from a table's first anchor in its section to the next heading or the
    next table's anchor."""
    ends = {n: z for n, _, z in heads}
    starts: list[tuple[str, int]] = []
    for name, anchors in _ANCHORS.items():
        lo = ends.get(template.TABLE_SECTION[name], starts[-1][1] + 1 if starts else 0)
        hits = [i for i in (simp.find(anchor, lo) for anchor in anchors) if i >= 0]
        if hits and (not starts or min(hits) > starts[-1][1]):
            starts.append((name, min(hits)))
    bounds = sorted([a for _, a, _ in heads] + [a for _, a in starts] + [len(simp)])
    return [(name, a, next(b for b in bounds if b > a)) for name, a in starts]


# ==== one table's text ==========================================================================
@dataclass
class _Row:
    words: str                      # the label as written
    key: str | None                 # row key (None: a header or caption)
    run: str                        # the values as written ("" when none follow)
    cells: int = 0                  # how many cells the row has
    candidates: list[list[str]] | None = None   # the splits of the run still possible


def _table_lines(name: str, text: str, simp: str, location: Location, limits: list[ReadingLimit]) -> list[str]:
    cuts = sorted({0, *(m.start() for m in _labels().finditer(simp)), *(m.start() for m in _NUMBERING.finditer(simp))})
    fmt = _format_of(simp)
    rows: list[_Row] = []
    for a, z in zip(cuts, [*cuts[1:], len(text)]):
        piece = text[a:z].strip()
        if piece:
            rows.append(_row(name, piece, fmt))
    _resolve(name, rows)
    if name == "review_litigation":
        return _review_litigation(rows, location, limits)
    lines: list[str] = []
    for row in rows:
        if row.key is None or not row.run:
            lines.extend(p for p in (*_header_labels(row.words), row.run.strip()) if p)
            continue
        fields = _decided(name, row, location, limits)
        lines.append("\t".join([row.words, *fields]))
    return lines


@lru_cache(maxsize=1)
def _exact_labels() -> frozenset[str]:
    return frozenset(simplify(label) for label in LABELS)


def _header_labels(words: str) -> list[str]:
    """Header words as labels: 「法人或其他组织总计」 is two headers, when it is all template labels
    (two-character labels such as 总计 and 其他 are not cut apart elsewhere); else the words."""
    simp = simplify(words)
    labels = _exact_labels()
    best: dict[int, list[int]] = {0: []}          # end offset -> cut offsets that reach it
    for a in range(len(simp)):
        if a not in best:
            continue
        for z in range(a + 2, len(simp) + 1):
            if simp[a:z] in labels and z not in best:
                best[z] = [*best[a], z]
    if len(simp) not in best or len(best[len(simp)]) < 2:
        return [words]
    cuts = [0, *best[len(simp)]]
    return [words[a:z] for a, z in zip(cuts, cuts[1:])]


def _format_of(simp: str) -> str | None:
    found = {fmt for m in _labels().finditer(simp) for fmt, _ in format_only(m.group())}
    return found.pop() if len(found) == 1 else None


def _row(name: str, piece: str, fmt: str | None) -> _Row:
    values = _VALUES.search(piece)
    words, run = _SPACED.sub("", piece[:values.start()].strip()), values["run"]
    found = INDEX.match(words) if words else None
    entries = [e for e in entries_of(found, name, ("row",))] if found else []
    if not entries or name == "review_litigation":
        return _Row(words, None, run)
    entry = next((e for e in entries if e.fmt == fmt), entries[0])
    lay = template.layout(name, fmt or entry.fmt or "2021")
    key = entry.key if entry.key in lay.row_keys() else None
    cells = len(lay.row(key).columns) if key else 0
    row = _Row(words, key, run, cells)
    if key and run.strip():
        row.candidates = _splits(run, cells)
        if name == "applications" and len(run.split()) != cells:     # decoded, not written apart
            row.candidates = [c for c in row.candidates if _row_total(c)]
    return row


def _splits(run: str, n: int) -> list[list[str]]:
    """Every split of the run into n numbers that keeps its spaces as boundaries (no number
    written with a leading zero, none longer than _MAX_CELL_DIGITS digits)."""
    tokens = run.split()
    if len(tokens) == n:
        return [tokens]
    digits = "".join(tokens)
    if not digits.isdigit() or len(digits) > _MAX_DIGITS or len(digits) < n:
        return []
    fixed, at = set(), 0
    for token in tokens[:-1]:
        at += len(token)
        fixed.add(at)
    free = [i for i in range(1, len(digits)) if i not in fixed]
    out = []
    for chosen in combinations(free, n - 1 - len(fixed)):
        bounds = sorted({0, len(digits), *fixed, *chosen})
        parts = [digits[a:z] for a, z in zip(bounds, bounds[1:])]
        if all(len(p) <= _MAX_CELL_DIGITS and (p == "0" or not p.startswith("0")) for p in parts):
            out.append(parts)
            if len(out) > 5000:
                return []
    return out


def _row_total(cells: list[str]) -> bool:
    return sum(map(int, cells[:-1])) == int(cells[-1])


def _resolve(name: str, rows: list[_Row]) -> None:
    """表三's column identities narrow the rows still ambiguous, using the rows already decided."""
    if name != "applications":
        return
    by_key = {r.key: r for r in rows if r.key and r.candidates is not None}
    lay = template.layout(name, "2021" if any(k.startswith("B6_") for k in by_key) else "2019")
    b_rows = [k for k in lay.row_keys() if k.startswith("B") and k != "B7"]
    identities = [(["A1", "A2"], ["B7", "C"]), (b_rows, ["B7"])]
    changed = True
    while changed:
        changed = False
        for row in by_key.values():
            if len(row.candidates) < 2:
                continue
            kept = [c for c in row.candidates if _consistent(row.key, c, by_key, identities)]
            if len(kept) < len(row.candidates):
                row.candidates, changed = kept, True


def _consistent(key: str, cells: list[str], rows: dict[str, _Row], identities) -> bool:
    for left, right in identities:
        keys = left + right
        if key not in keys or any(k not in rows or len(rows[k].candidates) != 1 for k in keys if k != key):
            continue
        for col in range(_APP_VALUE_COLUMNS):
            def value(k: str) -> int:
                return int(cells[col] if k == key else rows[k].candidates[0][col])
            if sum(map(value, left)) != sum(map(value, right)):
                return False
    return True


def _decided(name: str, row: _Row, location: Location, limits: list[ReadingLimit]) -> list[str]:
    """The row's fields: its values, or UNSEEN cells when the run cannot be split in one way."""
    part = f"{name}.{row.key}"
    tokens = row.run.split()
    if row.candidates and len(row.candidates) == 1:
        values = row.candidates[0]
        if values != tokens:
            limits.append(ReadingLimit("cells_decoded", part, location,
                                       {"label": row.words, "raw": row.run.strip(), "values": values}))
        return values
    if len(tokens) == row.cells:        # cells as written, not all digits (「2832995元」 is a value with a unit)
        return tokens
    limits.append(ReadingLimit("cells_unseen", part, location,
                               {"label": row.words, "raw": row.run.strip(), "cells": row.cells,
                                "splits": len(row.candidates or [])}))
    return [UNSEEN + row.run.strip()] * max(row.cells, 1)


def _review_litigation(rows: list[_Row], location: Location, limits: list[ReadingLimit]) -> list[str]:
    """表四: its header labels, then its 15 values: the first run after the header (what follows is
    text after the table)."""
    first = next((k for k, r in enumerate(rows) if r.run.strip()), None)
    if first is None:
        return [w for r in rows for w in _header_labels(r.words) if w]
    header = [w for r in rows[:first + 1] for w in _header_labels(r.words) if w]
    rest = " ".join(r.words + r.run for r in rows[first + 1:]).strip()
    run = rows[first].run.strip()
    candidates = [c for c in _splits(run, _RL_CELLS)
                  if len(run.split()) == _RL_CELLS or all(_row_total(c[k:k + 5]) for k in range(0, _RL_CELLS, 5))]
    detail = {"label": "行政复议、行政诉讼", "raw": run}
    if len(candidates) == 1:
        if candidates[0] != run.split():
            limits.append(ReadingLimit("cells_decoded", "review_litigation", location,
                                       {**detail, "values": candidates[0]}))
        values = candidates[0]
    else:
        limits.append(ReadingLimit("cells_unseen", "review_litigation", location,
                                   {**detail, "cells": _RL_CELLS, "splits": len(candidates)}))
        values = [UNSEEN + run] * _RL_CELLS
    return [p for p in (*header, "\t".join(values), rest) if p]
