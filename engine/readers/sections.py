"""Sections: the report's "一、…" headings, found also glued to the end of a line or several on
one line, chosen against the official titles, and the body text between them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from xxgk_audit.engine.model import template
from xxgk_audit.engine.model.labels import similarity
from xxgk_audit.engine.readers.classify import INDEX, Line, entries_of

__all__ = ["Heading", "MARKUP", "MARKUP_CHARS", "heading_candidates", "section_chunks", "select_headings",
           "title_score"]


# ==== sections ==================================================================================
_HEADING = re.compile(r"(?:^|(?<=[\s。;!?)」\"#|*]))(?P<num>[一二三四五六七八九十]{1,3})\s*[、.]")
_TITLE_END = re.compile(r"[\s。;:,]")
_SECTION_TITLES = {n: (title, *template.SECTION_VARIANTS.get(n, ()))
                   for n, title in template.SECTION_TITLES.items()}
_CN_DIGITS = {c: i + 1 for i, c in enumerate(template.CHINESE_NUMERALS)}
_APP_ROW_SCORE = 0.85
MARKUP_CHARS = " \t#*|>"
MARKUP = re.compile(r"^[#*|>\s]+")


@dataclass
class Heading:
    number: int
    title: str
    line: int               # index into lines
    start: int              # offset of the numeral in the line
    end: int                # offset just after the title
    score: float
    whole_line: bool


def _cn_int(numeral: str) -> int | None:
    if len(numeral) == 1:
        return _CN_DIGITS.get(numeral)
    tens, _, ones = numeral.partition("十")
    if "十" not in numeral or len(numeral) > 3:
        return None
    return (_CN_DIGITS.get(tens, 1) if tens else 1) * 10 + (_CN_DIGITS.get(ones, 0) if ones else 0)


@lru_cache(maxsize=2048)
def title_score(number: int, title: str) -> float:
    """How close a heading is to the official title (or an accepted variant) of section `number`."""
    return max((similarity(title, official) for official in _SECTION_TITLES.get(number, ())), default=0.0)


def _is_table_row_label(title: str) -> bool:
    found = INDEX.match(title)
    return found is not None and found.score >= _APP_ROW_SCORE and bool(
        entries_of(found, "applications", ("row", "group")))


def heading_candidates(lines: list[Line], skip: set[int]) -> list[Heading]:
    found = []
    for li, line in enumerate(lines):
        if line.no in skip or "、" not in line.simp and "." not in line.simp:
            continue
        for m in _HEADING.finditer(line.simp):
            number = _cn_int(m["num"])
            if number is None:
                continue
            at_start = not line.simp[:m.start()].strip(" \t#|*")
            rest = line.simp[m.end():].strip()
            whole = at_start and len(rest) <= 40 and "。" not in rest.rstrip("。")
            if whole:
                end = len(line.text.rstrip())
            else:
                stop = _TITLE_END.search(line.simp, m.end() + 1, m.end() + 41)
                end = stop.start() if stop else min(len(line.simp), m.end() + 40)
            title = line.text[m.start():end].strip()
            if _is_table_row_label(title):
                continue
            score = title_score(number, title)
            if score >= (0.6 if at_start else 0.8) or whole:
                found.append(Heading(number, title, li, m.start(), end, score, whole))
    return found


def select_headings(candidates: list[Heading], notes: list[str]) -> tuple[list[Heading], set[int]]:
    """Strong headings (titles like the template's) first, then short numbered lines in sequence.

    Returns the headings in document order and the line indexes of duplicated headings.
    """
    chosen: dict[int, Heading] = {}
    strong = [h for h in candidates if h.score >= (0.6 if h.whole_line else 0.8)]
    for h in strong:                # per number the best title, the first of equals
        if h.number not in chosen or h.score > chosen[h.number].score:
            chosen[h.number] = h
    duplicates: set[int] = set()
    for h in strong:
        if chosen[h.number] is not h:
            if h.whole_line:
                duplicates.add(h.line)
            notes.append(f"duplicate heading {h.title!r} at line {h.line + 1} ignored")
    for h in candidates:
        if h.number in chosen or not h.whole_line:
            continue
        pos = (h.line, h.start)
        before = [n for n, c in chosen.items() if (c.line, c.start) < pos]
        after = [n for n, c in chosen.items() if (c.line, c.start) > pos]
        in_order = all(n < h.number for n in before) and all(n > h.number for n in after)
        if in_order and (h.number == 1 and not before or h.number - 1 in before):
            chosen[h.number] = h
    return sorted(chosen.values(), key=lambda c: (c.line, c.start)), duplicates


def section_chunks(lines: list[Line], heads: list[Heading], k: int,
                    exclude: set[int]) -> list[tuple[int, str, str]]:
    """(line index, text, simp) pieces of section k's body, table and excluded lines left out."""
    h = heads[k]
    nxt = heads[k + 1] if k + 1 < len(heads) else None
    stop_line = nxt.line if nxt else len(lines) - 1
    chunks = []
    for li in range(h.line, stop_line + 1):
        line = lines[li]
        a = h.end if li == h.line else 0
        z = nxt.start if nxt and li == nxt.line else len(line.text)
        if li != h.line and line.no in exclude:
            continue
        piece = line.text[a:z].strip(MARKUP_CHARS)
        if piece:
            chunks.append((li, piece, line.simp[a:z].strip(MARKUP_CHARS)))
    return chunks


def section_end(lines: list[Line], h: Heading, nxt: Heading | None) -> int:
    if nxt is None:
        return next((line.no for line in reversed(lines) if line.text.strip()), lines[h.line].no)
    at_start = not lines[nxt.line].simp[:nxt.start].strip(" \t#|*")
    return lines[nxt.line].no - 1 if at_start and nxt.line > h.line else lines[nxt.line].no
