"""Plain-text reader, and the one parser every reader hands its lines to.

A report as text (copied from HTML, PDF or Word) or the `SourceLine`s of a structured document is
parsed in stages over classified lines (classify.py): the head (head.py), the tables
(tables.py), the sections (sections.py), the agency and year, the format. Every line keeps its
source `Location`, so tables, cells, labels, sections and their text point at the source. The
reader never judges and never raises: problems become `report.notes`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from xxgk_audit.engine.model import template
from xxgk_audit.engine.model.normalize import decode_document, normalize_newlines
from xxgk_audit.engine.model.reading import note_replaced
from xxgk_audit.engine.model.report import Location, ReadingLimit, Report, Section
from xxgk_audit.engine.readers.classify import Line, make_line, make_lines, simplify
from xxgk_audit.engine.readers.head import (FIRST_YEAR, NARRATIVE_YEAR, PRE2019_MARKERS, PREAMBLE_LIKE, YEAR_END,
                                            agency_in_name, agency_named, cited_format, clean_title, find_period,
                                            find_title, looks_like_preamble, metadata_block, parse_date, parts_of,
                                            period_parts, preamble_agency, preamble_pieces, published_date,
                                            title_parts, year_of)
from xxgk_audit.engine.readers.inline import unfold
from xxgk_audit.engine.readers.sections import (MARKUP, heading_candidates, section_chunks, section_end,
                                                select_headings, title_score)
from xxgk_audit.engine.readers.tables import read_applications, read_disclosure, read_review_litigation

__all__ = ["read_text", "parse_lines"]


def read_text(source: str | Path, *, text: str | bytes | None = None) -> Report:
    """Read a report given as text: the file at `source`, or `text` (then `source` only names it).

    Never raises: a failure in one stage is recorded in `report.notes` and the rest is returned.
    """
    report = Report(path=str(source), kind="txt")
    try:
        if text is None:
            text = Path(source).read_bytes()
        if isinstance(text, bytes):
            text, encoding, replaced = decode_document(text)
            report.metadata["encoding"] = encoding
            if replaced:
                note_replaced(report.metadata, encoding, replaced)
        report.text = normalize_newlines(text)
    except MemoryError:
        raise                     # the file's READ error (engine/evaluation/budget.py), not a note
    except Exception as exc:  # noqa: BLE001 - the reader must not raise on any input
        report.notes.append(f"could not read {source}: {exc!r}")
        return report
    _parse(report, ((raw, Location(line=no)) for no, raw in enumerate(report.text.split("\n"), 1)))
    return report


def parse_lines(report: Report, lines: Iterable[tuple[str, Location]]) -> Report:
    """Parse the located lines of a structured document (HTML, DOCX, PDF) into `report`."""
    lines = [(text.replace("\n", " "), location) for text, location in lines]
    report.text = "\n".join(text for text, _ in lines)
    _parse(report, lines)
    return report


@dataclass
class _State:
    """What the stages of one parse hand on to each other."""

    lines: list[Line]
    title_no: int | None = None                                   # the title's line in the parse
    table_lines: set[int] = field(default_factory=set)           # line numbers inside tables
    table_first: dict[str, int] = field(default_factory=dict)    # table name -> its first line
    preamble: list[tuple[str, str]] = field(default_factory=list)  # (text, simp) pieces
    section1: list[tuple[str, str]] = field(default_factory=list)

    def source_line(self, no: int | None) -> int | None:
        return self.lines[no - 1].location.line if no is not None and 0 < no <= len(self.lines) else None


def _parse(report: Report, source: Iterable[tuple[str, Location]]) -> None:
    try:
        unfolded, report.reading = unfold(list(source))
        state = _State(make_lines(unfolded))
    except MemoryError:
        raise
    except Exception as exc:  # noqa: BLE001 - keep what was read, say what failed
        report.notes.append(f"lines: internal error {exc!r}")
        return
    for stage in (_stage_head, _stage_tables, _stage_sections, _stage_agency_year, _stage_format, _stage_unseen):
        try:
            stage(report, state)
        except MemoryError:
            raise
        except Exception as exc:  # noqa: BLE001
            report.notes.append(f"{stage.__name__[7:]}: internal error {exc!r}")


_HEAD_LINES = 15        # the title and a keyword-less period are looked for in the first lines


def _stage_head(report: Report, state: _State) -> None:
    """A metadata header (read as metadata, then left out of the text), title, statistics period,
    and the year they state."""
    header, taken = metadata_block(state.lines)
    for li in taken:
        line = state.lines[li]
        state.lines[li] = make_line(line.no, "", line.location)
    report.title, state.title_no, count = find_title(state.lines, _HEAD_LINES)
    title, title_no = header.get("title", ("", None))
    if clean_title(title):
        report.title, state.title_no, count = clean_title(title), title_no, max(count, 1)
    report.title_line = state.source_line(state.title_no)
    report.metadata["title_count"] = count
    report.period_text, period_no = find_period(state.lines, _HEAD_LINES)
    report.period_line = state.source_line(period_no)
    report.period_year, report.period_end_year, report.period_malformed = period_parts(report.period_text)
    if report.title:
        report.year = year_of(report.title)
        report.agency = agency_in_name(report.title, simplify(report.title))
        report.title_year, report.title_agency = title_parts(report.title)
    report.agency = report.agency or agency_named(header.get("publisher", ("",))[0])
    if report.year is None:
        report.year = year_of(report.period_text, FIRST_YEAR)
    published = parse_date(header.get("published", ("",))[0]) or published_date(state.lines, _HEAD_LINES)
    if published:
        report.metadata["published"] = published
    if header:
        report.metadata["header"] = {name: value for name, (value, _) in header.items()}
    if header.get("url", ("",))[0]:
        report.metadata["url"] = header["url"][0]


def _stage_tables(report: Report, state: _State) -> None:
    year_format = template.expected_format(report.year)
    year_format = year_format if year_format in template.FORMATS else None
    builders = (read_disclosure(state.lines, year_format, report.notes),
                read_applications(state.lines, report.notes),
                read_review_litigation(state.lines, report.notes))
    for b in builders:
        table = b.result()
        if table is None:
            continue
        report.tables[b.name] = table
        state.table_lines.update(range(min(b.lines), max(b.lines) + 1))
        state.table_first[b.name] = min(b.lines)
        for fmt, labels in b.evidence.items():
            seen = report.format_evidence.setdefault(fmt, [])
            seen.extend(label for label in labels if label not in seen)


def _stage_sections(report: Report, state: _State) -> None:
    """Sections from their headings, the preamble before them (or opening section 一), and a
    heading-less section for each table whose heading is missing."""
    lines = state.lines
    heads, duplicates = select_headings(heading_candidates(lines, state.table_lines), report.notes)
    exclude = state.table_lines | {lines[li].no for li in duplicates}
    first = (heads[0].line, heads[0].start) if heads else None
    preamble = preamble_pieces(lines, first, exclude | {state.title_no})
    bodies = [section_chunks(lines, heads, k, exclude) for k in range(len(heads))]
    opens_one = bool(heads) and heads[0].number == 1
    if opens_one and bodies[0] and not any(PREAMBLE_LIKE.search(s) for _, _, s in preamble) \
            and looks_like_preamble(bodies[0][0][2]):
        preamble = [bodies[0].pop(0)]
        report.notes.append(f"preamble found inside section 一 (line {lines[preamble[0][0]].no})")
    report.preamble = "\n".join(text for _, text, _ in preamble)
    report.parts_stated, report.parts_listed = parts_of(report.preamble)
    state.preamble = [(text, simp) for _, text, simp in preamble]
    state.section1 = [(text, simp) for _, text, simp in bodies[0]] if opens_one else []
    found: list[tuple[int, Section]] = []          # (line in the parse, section)
    for k, h in enumerate(heads):
        nxt = heads[k + 1] if k + 1 < len(heads) else None
        start = lines[h.line].location
        text, spans = _joined(lines, bodies[k])
        found.append((lines[h.line].no, Section(h.number, MARKUP.sub("", h.title).strip(), text, start.line,
                                                state.source_line(section_end(lines, h, nxt)),
                                                page=start.page, location=start, spans=spans)))
    present = {h.number for h in heads}
    for name, table in report.tables.items():
        number = template.TABLE_SECTION[name]
        if number not in present:
            present.add(number)
            found.append((state.table_first[name], Section(number, "", "", table.location.line, table.location.line,
                                                           heading_found=False, page=table.location.page,
                                                           location=table.location)))
    found.sort(key=lambda item: item[0])
    report.sections.extend(section for _, section in found)


def _joined(lines: list[Line], chunks: list[tuple[int, str, str]]) -> tuple[str, list[tuple[int, Location]]]:
    """A section's body: its pieces joined by line breaks, and where each piece starts."""
    spans, offset = [], 0
    for li, text, _ in chunks:
        spans.append((offset, lines[li].location))
        offset += len(text) + 1
    return "\n".join(text for _, text, _ in chunks), spans


def _stage_agency_year(report: Report, state: _State) -> None:
    """The agency named in the preamble; the year from the prose when title and period have none."""
    report.preamble_agency = preamble_agency(state.preamble)
    report.agency = report.agency or report.preamble_agency
    if report.year is not None:
        return
    prose = [text for text, _ in state.preamble + state.section1]
    if not report.sections:
        prose += [line.text for line in state.lines[:10]]
    for pattern in (NARRATIVE_YEAR, YEAR_END):
        report.year = next((year for text in prose if (year := year_of(text, pattern))), None)
        if report.year is not None:
            return


def _stage_format(report: Report, state: _State) -> None:
    seen = [f for f in template.FORMATS if report.format_evidence.get(f)]
    report.format = seen[0] if len(seen) == 1 else ("mixed" if seen else None)
    report.cited_format = cited_format(report.text)
    report.format_evidence = {f: report.format_evidence.get(f, []) for f in template.FORMATS}
    if _pre2019_outline(report, state.lines):
        report.metadata["outline"] = "pre2019"
        report.notes.append("pre-2019 outline (概述 / 工作机构和人员 / 公开目录…): neither national "
                            "format applies")
    elif any(title_score(s.number, s.title) >= 0.8 for s in report.sections if s.number <= 6):
        report.metadata["outline"] = "standard"


def _pre2019_outline(report: Report, lines: list[Line]) -> bool:
    """No table of either format, and headings or "(一)…" sub-headings of the pre-2019 outline."""
    if report.format is not None:
        return False
    headings = [simplify(s.title) for s in report.sections]
    headings += [line.simp for line in lines if line.kind != "blank" and len(line.text.strip()) <= 40
                 and line.simp.lstrip(" #").startswith("(")]
    return any(marker in h for h in headings for marker in PRE2019_MARKERS)


_TABLE_DIGITS = 3       # fewer digits in a section's text: it has no table to be unseen


def _stage_unseen(report: Report, state: _State) -> None:
    """In a page read on one line, what was not found may be there unseen: the sections, tables
    and rows of the format not found are reading limits, not absences."""
    unfolded = next((limit for limit in report.reading if limit.kind == "one_line"), None)
    if unfolded is None:
        return
    where = unfolded.location
    present = {s.number for s in report.sections if s.heading_found}
    missing = [n for n in template.SECTION_TITLES if n not in present]
    if missing:
        report.reading.append(ReadingLimit("sections_unseen", "sections", where, {"numbers": missing}))
    fmt = report.format if report.format in template.FORMATS else template.expected_format(report.year)
    for name in template.TABLE_NAMES:
        table = report.tables.get(name)
        if table is None:
            section = report.section(template.TABLE_SECTION[name])
            # a section without a digit holds no table: the table is absent, not unseen
            if section is None or sum(c.isdigit() for c in section.text) >= _TABLE_DIGITS:
                report.reading.append(ReadingLimit("table_unseen", name, where, {}))
            continue
        lay = template.layout(name, fmt if fmt in template.FORMATS else table.format or "2021")
        rows = [r for r in lay.row_keys() if r not in table.rows_found]
        if rows:
            report.reading.append(ReadingLimit("rows_unseen", name, where, {"rows": rows}))
