"""Line classification and the template's labels: what each line of a report holds.

Every label of both national formats (row labels, column headers, captions, group labels) is in
one `LabelIndex`; a line is split into fields (tabs, pipes, or PDF text split by spaces) and
classified as blank, filler, values, label or text, with the labels its fields match. Lines carry
their own source `Location`, so whatever is read from a line points at its place in the source.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from xxgk_audit.engine.model import template
from xxgk_audit.engine.model.labels import T2S, LabelIndex, Match, normalize_label, strip_pinyin
from xxgk_audit.engine.model.normalize import TRANSLATION, parse_cell
from xxgk_audit.engine.model.report import Location

__all__ = ["Entry", "INDEX", "LABELS", "UNSEEN", "Line", "CJK", "DIGIT", "entries_of", "format_only", "is_note", "make_line",
           "make_lines", "simplify", "split_fields", "value_like"]


# ==== template labels =============================================================================
@dataclass(frozen=True, slots=True, eq=False)    # compared and hashed by identity: cheap cache keys
class Entry:
    table: str
    role: str               # "row" | "column" | "caption" | "group" | "header"
    key: str
    fmt: str | None         # the format that prints this label with this role; None = both


def _group_key(rows: Sequence[template.Row], group: str) -> str:
    keys = [r.key for r in rows if r.group == group]
    return os.path.commonprefix(keys).rstrip("_") if keys else group


def _entries() -> Iterable[tuple[str, Entry]]:
    for fmt in template.FORMATS:
        disclosure = template.layout("disclosure", fmt)
        for row in disclosure.rows:
            yield row.label, Entry("disclosure", "row", row.key, fmt)
        for col in disclosure.columns:
            yield col.header, Entry("disclosure", "column", col.key, fmt)
        apps = template.layout("applications", fmt)
        for row in apps.rows:
            yield row.label, Entry("applications", "row", row.key, fmt)
        for group in apps.group_labels:
            yield group, Entry("applications", "group", _group_key(apps.rows, group), fmt)
    for item, caption in template.ITEM_CAPTIONS.items():
        yield caption, Entry("disclosure", "caption", item, "2019" if item == "9" else None)
    yield "信息内容", Entry("disclosure", "header", "信息内容", None)
    for col in template.APPLICANT_COLUMNS:
        yield col.header, Entry("applications", "column", col.key, None)
    for header in template.APPLICANT_HEADERS:
        yield header, Entry("applications", "header", header, None)
    for key, header in template.RL_GROUP_HEADERS.items():
        yield header, Entry("review_litigation", "row", key, None)
    yield "行政诉讼", Entry("review_litigation", "header", "行政诉讼", None)
    for col in template.RL_COLUMNS:
        yield col.header, Entry("review_litigation", "column", col.key, None)


def _build_index() -> LabelIndex[tuple[Entry, ...]]:
    grouped: dict[str, tuple[str, list[Entry]]] = {}
    for label, entry in _entries():
        grouped.setdefault(normalize_label(label), (label, []))[1].append(entry)
    return LabelIndex((label, tuple(entries)) for label, entries in grouped.values())


INDEX = _build_index()
LABELS = tuple(dict.fromkeys(label for label, _ in _entries()))     # every template label, as printed
_FORMAT_ONLY = [(fmt, label, normalize_label(label))
                for fmt, labels in template.FORMAT_ONLY_LABELS.items() for label in labels]


@lru_cache(maxsize=256)
def format_only(template_label: str) -> tuple[tuple[str, str], ...]:
    """(format, label) pairs of template.FORMAT_ONLY_LABELS that `template_label` is evidence for."""
    key = normalize_label(template_label)
    return tuple((fmt, label) for fmt, label, only in _FORMAT_ONLY if key == only or key.startswith(only))


# ==== lines =====================================================================================
_SIMPLIFY = {**TRANSLATION, **T2S}


def simplify(text: str) -> str:
    """normalize_text + to_simplified in one pass: same length as `text`, offsets shared."""
    return text.translate(_SIMPLIFY)


# A field the reader could not separate from its neighbours (cells run together, see inline.py):
# UNSEEN followed by the run as written. Its cell is unknown, a reading limit, not a bad value.
UNSEEN = "\u2047"
_NBSP = re.compile(r"&nbsp;?|&#160;", re.IGNORECASE)
CJK = re.compile(r"[\u3400-\u9fff]")
DIGIT = re.compile(r"\d")
_VALUE_KINDS = frozenset({"int", "signed", "decimal", "unit", "placeholder"})
_MAX_LABEL = 60          # longer fields are prose, not labels
_MAX_PROSE_ROW = 150     # a line without tabs/pipes longer than this is prose


@dataclass(slots=True)
class Line:
    no: int                 # 1-based index of the line in the parse (not the source's line)
    text: str               # as written, minus pinyin glosses and &nbsp;
    simp: str               # normalize_text + to_simplified(text): same length, offsets shared
    fields: list[str]       # cells as written; [] for prose
    kind: str               # "blank" | "filler" | "values" | "label" | "text"
    labels: list[tuple[int, Match[tuple[Entry, ...]]]] = field(default_factory=list)
    location: Location = field(default_factory=Location)    # where the line is in the source


def split_fields(text: str) -> list[str]:
    """Cells of a table-like line: tab-separated, pipe-separated, or PDF text split by spaces."""
    if "\t" in text:
        return [f.strip() for f in text.rstrip("\r\n").split("\t")]
    stripped = text.strip().replace("｜", "|")
    if "|" in stripped:
        if not stripped.replace("|", "").strip():
            return [""] * stripped.count("|")          # "|", "||": empty cells of merged columns
        pieces = stripped.split("|")
        if stripped.startswith("|"):
            pieces = pieces[1:]
        if stripped.endswith("|"):
            pieces = pieces[:-1]
        return [p.strip() for p in pieces]
    return stripped.split()


def value_like(raw: str) -> bool:
    kind = parse_cell(raw)[1]
    return kind in _VALUE_KINDS or (kind == "unreadable" and DIGIT.search(raw) is not None)


def is_note(raw: str) -> bool:
    """A fragment of words after a row label (a note in its own cell, a label split by PDF)."""
    return len(CJK.findall(raw)) >= 4 and not DIGIT.search(raw)


def make_line(no: int, raw: str, location: Location) -> Line:
    text, simp, fields, kind, labels = _analyse(raw)
    return Line(no, text, simp, fields, kind, labels, location)


@lru_cache(maxsize=4096)
def _analyse(raw: str) -> tuple[str, str, list[str], str, list[tuple[int, Match[tuple[Entry, ...]]]]]:
    """What a line holds, cached by its text: table rows repeat from one report to the next.

    The lists returned are shared between lines with the same text; readers never mutate them.
    """
    if not raw or raw.isspace():
        return raw, raw, [], "blank", []
    text = strip_pinyin(raw)
    if "&" in text:
        text = _NBSP.sub(" ", text)
    simp = simplify(text)
    stripped = text.strip()
    if not stripped:
        return text, simp, [], "blank", []
    tabular = "\t" in text or "|" in text or "｜" in text
    if not tabular and (len(stripped) > _MAX_PROSE_ROW or "。" in stripped):
        return text, simp, [], "text", []
    fields = split_fields(text)
    labels: list[tuple[int, Match[tuple[Entry, ...]]]] = []
    values = other = 0
    for i, cell in enumerate(fields):
        if not cell:
            continue
        if len(cell) <= _MAX_LABEL and CJK.search(cell):
            found = INDEX.match(cell)
            if found is not None:
                labels.append((i, found))
                continue
        if value_like(cell):
            values += 1
        else:
            other += 1
    if labels:
        kind = "label"
    elif values and not other:
        kind = "values"
    elif not values and not other:
        kind = "filler"
    else:
        kind = "text"
    return text, simp, fields, kind, labels


def make_lines(source: Iterable[tuple[str, Location]]) -> list[Line]:
    """The lines to parse, numbered 1… in order, each keeping its place in the source."""
    return [make_line(no, raw, location) for no, (raw, location) in enumerate(source, 1)]


def entries_of(found: Match[tuple[Entry, ...]], table: str, roles: tuple[str, ...] = ()) -> list[Entry]:
    """The template entries of a matched label that belong to `table` (and have one of `roles`)."""
    return _select(found.payload, table, roles)


@lru_cache(maxsize=1024)
def _select(payload: tuple[Entry, ...], table: str, roles: tuple[str, ...]) -> list[Entry]:
    return [e for e in payload if e.table == table and (not roles or e.role in roles)]
