"""From a parsed `Report` to facts: small flat dicts that rules test.

Facts describe; they do not judge. A field is absent when its value is unknown (an unreadable
cell, a missing publication date), which makes every rule instance that needs it "not
assessable". A blank cell of a table with numbers has the value the blank-cell policy presumes
(blank_cells.py), recorded in `Fact.presumed` so that findings can say so. The fields of each
kind are documented in docs/RULES-AUTHORING.md.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from xxgk_audit.engine.evaluation.blank_cells import BLANK_KINDS, DEFAULT_POLICY, Presumed, presume
from xxgk_audit.engine.model import template
from xxgk_audit.engine.model.labels import normalize_label, to_simplified
from xxgk_audit.engine.model.report import Report, Section, Table
from xxgk_audit.engine.model.numbers import read_number
from xxgk_audit.engine.evaluation.unseen import Unseen, unseen

__all__ = ["Context", "Fact", "build_facts", "claim_facts", "effective_format", "agency_kind", "AGENCY_KINDS"]

AGENCY_KINDS = ("government", "township", "subdistrict", "department")


@dataclass
class Context:
    """What the document does not carry: given on the command line, a manifest or a store."""

    published: date | None = None
    agency: str | None = None
    year: int | None = None
    agency_kind: str | None = None
    parent: str | None = None       # the agency whose aggregate report sums this one (XREF-012)
    blank_cells: str = DEFAULT_POLICY   # what a blank cell of a table with numbers stands for (blank_cells.py)


@dataclass
class Fact:
    kind: str
    fields: dict[str, Any]
    ref: Any = None        # the model object the fact describes (Section, Cell, LabelMatch, Table)
    # the values of blank cells among the fields that the blank-cell policy presumed, by field name
    presumed: dict[str, Presumed] = field(default_factory=dict)


_YEAR_TOKEN = re.compile(r"(20\d{2})\s*年")
_TABLE_FIELD = re.compile(r"^[A-Z][A-Z0-9_]*\.[A-Z]+$")     # a cell: "A1.TOT", "B6_2.NP", "REG.MADE"


@lru_cache(maxsize=64)
def _simplified(text: str) -> str:
    """Simplified characters; each section's text is asked for by several facts of one report."""
    return to_simplified(text)


def agency_kind(agency: str | None) -> str | None:
    """government / township / subdistrict / department, from the agency's name (override on CLI)."""
    if not agency:
        return None
    if agency.endswith("街道办事处") or agency.endswith("街道"):
        return "subdistrict"
    if re.search(r"[乡镇]人民政府$|[乡镇]$", agency):
        return "township"
    if agency.endswith("人民政府") or re.fullmatch(r".{1,12}[省市县区旗]", agency):
        return "government"
    return "department"


_AGENCY_SUFFIXES = re.compile(r"(?:办公室|办事处|街办|街道|人民政府|政府)$")


def _core_agency(name: str) -> str:
    previous = None
    while previous != name:
        previous, name = name, _AGENCY_SUFFIXES.sub("", name)
    return name


def _named_agency(named: str | None, agency: str | None) -> str | None:
    """The agency a preamble or the command line names, as the report's agency when it is the same.

    「由某县人民政府办公室编制」 names the office that compiled the report, 「东风路街办」 abbreviates
    「东风路街道办事处」 and 「区统计局」 shortens 「杨陵区统计局」: none of these is another agency.
    """
    if not named or not agency:
        return named
    a, b = _core_agency(named), _core_agency(agency)
    if a and b and (a.endswith(b) or b.endswith(a)):
        return agency
    return named


def _layout_mismatch(report: Report, expected: str | None) -> dict[str, Any]:
    """The first table printed in another format than the year requires, and a row that shows it."""
    if expected not in template.FORMATS:
        return {}
    for name in template.TABLE_NAMES:
        table = report.tables.get(name)
        if table is None or table.format not in template.FORMATS or table.format == expected:
            continue
        wanted = set(template.layout(name, expected).row_keys())
        row = next((r for r in table.rows_found if r not in wanted), None)
        label = template.layout(name, table.format).row(row).label if row else None
        return {"mismatch_table": name, "mismatch_table_title": template.TABLE_TITLES[name],
                "mismatch_layout": table.format, "mismatch_row": row, "mismatch_row_label": label}
    return {}


def effective_format(report: Report, year: int | None = None) -> str | None:
    """The format a report is judged by: from its year when known, else from its table labels,
    else from the format notice it cites."""
    year = report.year if year is None else year
    if year is not None:
        return template.expected_format(year)
    return report.format if report.format in template.FORMATS else report.cited_format


def _report_fact(report: Report, ctx: Context, fmt: str | None) -> dict[str, Any]:
    # the document's own year and agency; the command line's only where the document has none
    year = report.year if report.year is not None else ctx.year
    agency = report.agency or ctx.agency
    f: dict[str, Any] = {
        "format": fmt,
        "layout": report.format or "none",
        "has_year": year is not None,
        "has_agency": bool(agency),
        "has_title": bool(report.title),
        "has_period": bool(report.period_text),
        "text": report.text,
        "full_text": _simplified(report.text) if report.section(6) is not None else None,
        "preamble": report.preamble,
        "chars": len(report.text.strip()),
        "title_count": int(report.metadata.get("title_count", 1 if report.title else 0)),
        "year": year,
        "expected_format": template.expected_format(year),
        "agency": agency,
        "title": report.title,
        "preamble_agency": _named_agency(report.preamble_agency, report.agency),
        "given_agency": _named_agency(ctx.agency, report.agency),
        "given_year": ctx.year,
        "agency_kind": ctx.agency_kind or agency_kind(agency),
        "period_text": report.period_text,
        "period_line": report.period_line,
        "title_line": report.title_line,
    }
    for name in template.TABLE_NAMES:
        table = report.tables.get(name)
        values = [c.value for c in table.cells.values()] if table else []
        f[f"cells.{name}"] = sum(v is not None for v in values)
        f[f"unknown.{name}"] = sum(v is None for v in values)
        f[f"nonzero.{name}"] = sum(v is not None and v != 0 for v in values)
        blanks = [f"{r}.{c}" for (r, c), cell in table.cells.items()
                  if cell.kind in BLANK_KINDS] if table else []
        f[f"blank.{name}"] = len(blanks)
        f[f"blank_cells.{name}"] = blanks or None
    # the head as the reader parsed it (engine/readers/head.py): never parsed again here
    f.update(title_year=report.title_year, title_agency=report.title_agency, period_year=report.period_year,
             period_end_year=report.period_end_year, period_malformed=report.period_malformed,
             parts_stated=report.parts_stated, parts_listed=report.parts_listed)
    published = report.metadata.get("published") or ctx.published
    if isinstance(published, date):
        f["published"] = published.year * 10000 + published.month * 100 + published.day
    for sec in report.sections:
        if sec.number <= 6:
            f[f"section_text.{sec.number}"] = _simplified(sec.text).strip()
    f.update(_layout_mismatch(report, template.expected_format(year)))
    s1 = report.section(1)
    if s1 is not None:
        years = Counter(int(y) for y in _YEAR_TOKEN.findall(s1.text))
        if years:
            f["narrative_year"] = years.most_common(1)[0][0]
    return f


def _title_key(title: str) -> str:
    """Section titles compare without punctuation inside (「行政复议提起行政诉讼」 = 「行政复议、提起…」)."""
    return re.sub(r"[、，,；;]", "", normalize_label(title))


def _section_facts(report: Report, fmt: str | None) -> list[Fact]:
    facts = []
    hidden = unseen(report)
    order = [s.number for s in report.sections if s.number <= 6]
    for number in range(1, 7):
        sec = report.section(number)
        official = template.SECTION_TITLES[number]
        table = next((t for t, n in template.TABLE_SECTION.items() if n == number), "")
        f: dict[str, Any] = {"format": fmt, "number": number, "numeral": template.CHINESE_NUMERALS[number - 1],
                             "present": sec is not None,
                             "official_title": official, "table": table,
                             "table_title": template.TABLE_TITLES.get(table, ""),
                             "has_table": bool(table) and table in report.tables}
        if sec is None and number in hidden.sections:     # a reading limit: maybe there, unseen
            f["present"] = None
        if table in hidden.tables:
            f["has_table"] = None
        if sec is not None:
            title_norm = _title_key(sec.title)
            variants = template.SECTION_VARIANTS.get(number, ())
            if not sec.heading_found:
                match = "missing"
            elif title_norm == _title_key(official):
                match = "exact"
            elif title_norm in {_title_key(v) for v in variants}:
                match = "variant"
            else:
                match = "deviant"
            body = sec.text.strip()
            f.update(title=sec.title, title_match=match, heading_found=sec.heading_found, text=body,
                     chars=len(body), line=sec.start_line,
                     in_order=order.index(number) == sorted(order).index(number))
            # a section's text is known to be whole only when a later section follows it (or it
            # is the last one): copies cut short must not be judged for what they do not say
            if number == 6 or any(s.number > number for s in report.sections):
                f["full_text"] = _simplified(sec.text).strip()
        else:   # point at where the section should have been: the next section present
            later = [s.start_line for s in report.sections if s.number > number and s.start_line]
            if later:
                f["line"] = min(later)
        facts.append(Fact("section", f, sec))
    for sec in report.sections:
        if sec.number > 6:
            body = sec.text.strip()
            facts.append(Fact("section", {"format": fmt, "number": sec.number, "present": True,
                                          "title": sec.title, "title_match": "extra", "text": body,
                                          "chars": len(body), "line": sec.start_line, "in_order": True,
                                          "heading_found": True, "table": "", "has_table": False}, sec))
    return facts


def _table_fact(name: str, table: Table | None, fmt: str | None, presumed: dict[str, Presumed],
                hidden: Unseen) -> dict[str, Any]:
    f: dict[str, Any] = {"format": fmt, "present": None if name in hidden.tables else table is not None}
    rows = {r.key for lay_fmt in template.FORMATS for r in template.layout(name, lay_fmt).rows}
    cols = {c.key for lay_fmt in template.FORMATS for c in template.layout(name, lay_fmt).columns}
    found_rows = set(table.rows_found) if table else set()
    found_cols = set(table.columns_found) if table else set()
    for r in rows:
        f[f"has.{r}"] = None if r in hidden.rows.get(name, ()) else r in found_rows
    for c in cols:
        f[f"col.{c}"] = c in found_cols
    known = unknown = nonzero = 0
    if table is not None:
        for (r, c), cell in table.cells.items():
            if cell.value is None:
                unknown += 1
                continue
            f[f"{r}.{c}"] = cell.value
            known += 1
            nonzero += cell.value != 0
        f.update((key, p.value) for key, p in presumed.items())
        f.update(note_present=table.note_present, extra_rows=len(table.extra_rows),
                 extra_columns=len(table.extra_columns))
        if name == "disclosure":
            captions = {lm.key for lm in table.labels if lm.role == "caption"}
            for item in template.ITEM_CAPTIONS:
                f[f"caption.{item}"] = item in captions
    f.update(known_cells=known, unknown_cells=unknown, nonzero_cells=nonzero)
    return f


def build_facts(report: Report, ctx: Context | None = None) -> list[Fact]:
    """All facts of one report, in a fixed order (the order findings come out in)."""
    ctx = ctx or Context()
    fmt = effective_format(report, report.year if report.year is not None else ctx.year)
    facts = [Fact("report", _report_fact(report, ctx, fmt), report)]
    hidden = unseen(report)
    cells = facts[0].fields      # the report fact also carries every known cell (ROW.COL)
    facts.extend(_section_facts(report, fmt))
    for name in template.TABLE_NAMES:
        table = report.tables.get(name)
        table_fmt = "pre2019" if fmt == "pre2019" else (table.format if table and table.format else fmt)
        presumed = presume(name, table, table_fmt, ctx.blank_cells)
        facts.append(Fact(name, _table_fact(name, table, table_fmt, presumed, hidden), table, presumed))
        if table is None:
            continue
        cells.update((f"{r}.{c}", cell.value) for (r, c), cell in table.cells.items() if cell.value is not None)
        cells.update((key, p.value) for key, p in presumed.items())
        facts[0].presumed.update(presumed)
        for (r, c), cell in table.cells.items():
            if cell.kind == "int":
                continue
            lay = template.layout(name, table_fmt)
            row = next((row for row in lay.rows if row.key == r), None)
            column = next((col for col in row.columns if col.key == c), None) if row else None
            facts.append(Fact("cell", {
                "format": table_fmt, "table": name, "table_title": template.TABLE_TITLES[name],
                "row": r, "column": c, "kind": cell.kind,
                "raw": cell.raw, "value": cell.value, "line": cell.location.line,
                "row_label": row.label if row else r, "column_header": column.header if column else c,
                "value_type": column.value_type if column else template.COUNT}, cell))
        for lm in table.labels:
            if lm.score < 1:
                facts.append(Fact("label", {
                    "format": table_fmt, "table": name, "table_title": template.TABLE_TITLES[name],
                    "role": lm.role, "key": lm.key,
                    "written": lm.written, "template": lm.template, "score": round(lm.score, 3),
                    "line": lm.location.line}, lm))
    for fact in facts:
        fact.fields = {k: v for k, v in fact.fields.items() if v is not None}
    return facts


_SENTENCE = re.compile(r"[^。；;！!？?\n]+[。；;！!？?]?")


def claim_facts(report: Report, facts: list[Fact], claims: list[tuple[str, Any, frozenset[str]]]) -> list[Fact]:
    """What the report's sentences state, one fact per (claim rule instance, sentence).

    `claims` holds (instance name, ClaimSpec, fields the instance reads). A claim fact carries the
    sentence, the number read from it (`value`, `approx` for 约/余) and copies of the table cells
    the rule compares it with, so that the rule's condition stays on a single fact. A sentence in
    which the pattern finds different numbers is ambiguous and yields nothing.
    """
    report_fact = next(f for f in facts if f.kind == "report")
    report_fields = report_fact.fields
    fmt = report_fields.get("format")
    anything = _any_claim(tuple(spec.pattern.pattern for _, spec, _ in claims))
    sentences = [(sec, m) for sec in report.sections for m in _SENTENCE.finditer(_simplified(sec.text))
                 if anything.search(m.group())]
    out = []
    for name, spec, needed in claims:
        for sec, m in sentences:
            sentence = m.group().strip()
            if sec.number in spec.sections and spec.pattern.search(sentence):
                fact = _claim(name, spec, sentence, sec, report, m.start() + len(m.group()) - len(m.group().lstrip()))
                if fact is not None:
                    fact.fields["format"] = fmt
                    fact.fields.update({k: report_fields[k] for k in needed
                                        if k in report_fields and _TABLE_FIELD.match(k)})
                    fact.presumed = report_fact.presumed
                    out.append(fact)
    return out


@lru_cache(maxsize=8)
def _any_claim(patterns: tuple[str, ...]) -> re.Pattern:
    """One regex that finds the sentences any claim pattern could match (named groups dropped)."""
    return re.compile("|".join(f"(?:{re.sub(r'[(][?]P<[a-z]+>', '(?:', p)})" for p in patterns))


def _claim(name: str, spec: Any, sentence: str, sec: Section, report: Report, at: int) -> Fact | None:
    if not sentence or (spec.exclude is not None and spec.exclude.search(sentence)):
        return None
    matches = list(spec.pattern.finditer(sentence))
    if not matches:
        return None
    fields: dict[str, Any] = {"claim": name, "sentence": sentence, "sentence_as_written": sec.text[at:at + len(sentence)],
                              "section": sec.number, **_where(report, sentence, sec, at)}
    if "n" in spec.pattern.groupindex:
        read = {read_number(m) for m in matches if m.group("n")}
        if len({value for value, _ in read}) != 1:
            return None
        (value, approx), = read if len(read) == 1 else [max(read, key=lambda r: r[1])]
        if value is None:
            return None
        fields.update(value=value, approx=approx)
    if "pct" in spec.pattern.groupindex:
        percents = {m.group("pct") for m in matches if m.group("pct")}
        if len(percents) != 1:
            return None
        fields["percent"] = Decimal(percents.pop())
    return Fact("claim", fields, sec)


def _where(report: Report, sentence: str, sec: Section, at: int) -> dict[str, Any]:
    """The source line, page and element of the sentence at offset `at` of the section's text."""
    found = sec.location_at(at)
    if found is not None:
        return {"line": found.line, "page": found.page, "element": found.element}
    position = report.text.find(sentence[:16])      # a section built without spans
    return {"line": report.text.count("\n", 0, position) + 1 if position >= 0 else sec.start_line}


def jsonable(value: Any) -> Any:
    """Decimals as JSON numbers (ints when integral), for durable and for output."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value
