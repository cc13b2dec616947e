"""The result store of batch audits: an embedded SQLite database (`DIR/audit.db` by default).

Schema (see also docs/BATCH.md):

    runs(id, started, finished, input, rules_version, jobs, files, audited, skipped, errors)
    reports(id, path, content_hash, rules_version, run_id, status, error, agency, year, format,
            kind, tables_json, audited_at,          -- one row per (path, content, rule packs)
            text, section5, signature,              -- for copy detection (engine/batch/similarity.py)
            parent,                                 -- the aggregate's agency (manifest `parent`)
            checks_json,                            -- [[rule, status, [reasons]], ...] of the audit
            cross_checked,                          -- 1 once the cross-report rules have run on it
            cells_json)                             -- {table: {"ROW.COL": [raw, kind]}} of every cell read
    expected(run_id, agency, year, parent, path)    -- who should have published (manifest rows,
                                                    -- with a path or not, `batch --expect`); coverage
    findings(report_id, seq, rule, severity, title, message, section, table_name, row_key,
             column_key, line, page, element, expected_json, actual_json, source, evidence_json)
    review_fingerprints(report_id, seq, fingerprint)   -- a finding's review identity (batch/review.py)
    decisions(id, fingerprint, decision, reviewer, comment, decided_at)   -- every decision, kept

`path` is the file's name as outputs show it (engine/model/names.py: a name that is not UTF-8 has
its bad bytes escaped). `tables_json` is {table: {"ROW.COL": value}} of the known cells; `text` is the report's narrative
normalised for comparison, `signature` its MinHash signature.

A file is audited again only when its content or the rule packs changed (`content_hash`,
`rules_version`); each report is committed as soon as it is audited, so a run that is killed
keeps everything it finished and the next run resumes.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator

from xxgk_audit.engine.evaluation.audit import ReportResult
from xxgk_audit.engine.evaluation.blank_cells import DEFAULT_POLICY
from xxgk_audit.engine.evaluation.facts import jsonable
from xxgk_audit.engine.evaluation.findings import Check, Finding, FindingLocation
from xxgk_audit.engine.model.names import shown
from xxgk_audit.engine.model.report import Report
from xxgk_audit.engine.rulelang.rulepack import Rule

__all__ = ["Store", "StoredReport", "content_hash", "file_hash", "rules_version", "unchecked_reports", "report_fields",
           "year_signatures", "component_reports", "add_cross_findings", "FIGURE_COLUMNS", "figure_reports",
           "reports_with_rule", "save_expected", "load_expected", "year_cells", "agency_years", "unreadable_paths"]


@dataclass(frozen=True)
class StoredReport:
    """What the store keeps of a report besides its result (prepared in the worker)."""

    tables_json: str | None = None
    text: str | None = None
    section5: str | None = None
    signature: bytes | None = None
    parent: str | None = None
    cells_json: str | None = None

_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY, started REAL NOT NULL, finished REAL, input TEXT NOT NULL,
    rules_version TEXT NOT NULL, jobs INTEGER NOT NULL,
    files INTEGER DEFAULT 0, audited INTEGER DEFAULT 0, skipped INTEGER DEFAULT 0, errors INTEGER DEFAULT 0);
CREATE TABLE IF NOT EXISTS reports (
    id INTEGER PRIMARY KEY, path TEXT NOT NULL, content_hash TEXT NOT NULL, rules_version TEXT NOT NULL,
    run_id INTEGER NOT NULL REFERENCES runs(id), status TEXT NOT NULL, error TEXT,
    agency TEXT, year INTEGER, format TEXT, kind TEXT, tables_json TEXT, audited_at REAL NOT NULL,
    text TEXT, section5 TEXT, signature BLOB, parent TEXT, checks_json TEXT,
    cross_checked INTEGER NOT NULL DEFAULT 0, UNIQUE (path, content_hash, rules_version));
CREATE INDEX IF NOT EXISTS reports_year ON reports (year);
CREATE INDEX IF NOT EXISTS reports_agency_year ON reports (agency, year);
CREATE TABLE IF NOT EXISTS findings (
    report_id INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE, seq INTEGER NOT NULL,
    rule TEXT NOT NULL, severity TEXT NOT NULL, title TEXT, message TEXT NOT NULL,
    section INTEGER, table_name TEXT, row_key TEXT, column_key TEXT, line INTEGER, page INTEGER,
    expected_json TEXT, actual_json TEXT, source TEXT, element TEXT, evidence_json TEXT, PRIMARY KEY (report_id, seq));
CREATE INDEX IF NOT EXISTS findings_rule ON findings (rule);
CREATE TABLE IF NOT EXISTS expected (
    run_id INTEGER NOT NULL REFERENCES runs(id), agency TEXT NOT NULL, year INTEGER NOT NULL, parent TEXT, path TEXT);
CREATE INDEX IF NOT EXISTS expected_run ON expected (run_id);
CREATE TABLE IF NOT EXISTS review_fingerprints (
    report_id INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE, seq INTEGER NOT NULL,
    fingerprint TEXT NOT NULL, PRIMARY KEY (report_id, seq));
CREATE INDEX IF NOT EXISTS review_fingerprints_fp ON review_fingerprints (fingerprint);
CREATE TABLE IF NOT EXISTS decisions (
    id INTEGER PRIMARY KEY, fingerprint TEXT NOT NULL, decision TEXT NOT NULL, reviewer TEXT, comment TEXT,
    decided_at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS decisions_fingerprint ON decisions (fingerprint, id);
"""
# Columns added after the first release: a store written before gets them on opening.
_ADDED_COLUMNS = {"reports": ("parent TEXT", "checks_json TEXT", "cross_checked INTEGER NOT NULL DEFAULT 0",
                              "cells_json TEXT"),
                  "findings": ("source TEXT", "element TEXT", "evidence_json TEXT")}



def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_hash(path: str | Path) -> str:
    """The content hash of a file, read in pieces (a file of gigabytes costs no memory)."""
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def rules_version(rules: list[Rule], blank_cells: str = DEFAULT_POLICY) -> str:
    """Changes whenever a rule pack file changes (or rules are selected differently, or blank
    cells are read by another policy)."""
    digest = hashlib.sha256()
    for path in sorted({r.path for r in rules}):
        digest.update(Path(path).read_bytes())
    digest.update(",".join(r.id for r in rules).encode())
    digest.update(f"blank-cells={blank_cells}".encode())
    return digest.hexdigest()[:16]


class Store:
    def __init__(self, path: str | Path, readonly: bool = False):
        """Open (or create) the store; `readonly` opens an existing one for reading only (worker
        processes of the cross-report step read it while the parent writes)."""
        self.path = Path(path)
        if readonly:
            self.db = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True)
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(self.path)
        self.db.execute("PRAGMA foreign_keys = ON")
        self.db.execute("PRAGMA journal_mode = WAL")
        # NORMAL: a commit survives the process being killed (the WAL is in the OS already); only a
        # power cut may lose the last commits. FULL would fsync after every report.
        self.db.execute("PRAGMA synchronous = NORMAL")
        self.db.executescript(_SCHEMA)
        self._upgrade()

    def _upgrade(self) -> None:
        for table, columns in _ADDED_COLUMNS.items():
            have = {row[1] for row in self.db.execute(f"PRAGMA table_info({table})")}
            for column in columns:
                if column.split()[0] not in have:
                    self.db.execute(f"ALTER TABLE {table} ADD COLUMN {column}")
        self.db.execute("CREATE INDEX IF NOT EXISTS reports_parent_year ON reports (parent, year)")
        self.db.commit()

    def close(self) -> None:
        self.db.close()

    # ---- runs --------------------------------------------------------------------------------
    def start_run(self, source: str, version: str, jobs: int) -> int:
        with self.db:
            cur = self.db.execute("INSERT INTO runs (started, input, rules_version, jobs) VALUES (?, ?, ?, ?)",
                                  (time.time(), source, version, jobs))
        return int(cur.lastrowid)

    def finish_run(self, run_id: int, **counts: int) -> None:
        with self.db:
            self.db.execute("UPDATE runs SET finished = ?, files = ?, audited = ?, skipped = ?, errors = ? "
                            "WHERE id = ?", (time.time(), counts["files"], counts["audited"],
                                             counts["skipped"], counts["errors"], run_id))

    # ---- reports -----------------------------------------------------------------------------
    def lookup(self, path: str, digest: str, version: str) -> int | None:
        row = self.db.execute("SELECT id FROM reports WHERE path = ? AND content_hash = ? AND rules_version = ?",
                              (shown(path), digest, version)).fetchone()
        return None if row is None else int(row[0])

    def save(self, run_id: int, digest: str, version: str, result: ReportResult, record: "StoredReport") -> int:
        """Store one audited report and its findings, committed at once (a killed run keeps it)."""
        rep = result.report
        with self.db:
            self.db.execute("DELETE FROM reports WHERE path = ? AND content_hash = ? AND rules_version = ?",
                            (shown(result.path), digest, version))
            cur = self.db.execute(
                "INSERT INTO reports (path, content_hash, rules_version, run_id, status, error, agency, year, "
                "format, kind, tables_json, audited_at, text, section5, signature, parent, checks_json, cells_json) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (shown(result.path), digest, version, run_id, result.status, result.error,
                 rep.agency if rep else None, rep.year if rep else None, rep.format if rep else None,
                 rep.kind if rep else None, record.tables_json, time.time(), record.text, record.section5,
                 record.signature, record.parent,
                 json.dumps([_check_row(c) for c in result.checks], ensure_ascii=False), record.cells_json))
            report_id = int(cur.lastrowid)
            self.db.executemany(_INSERT_FINDING, _finding_rows(report_id, 0, result.findings))
        return report_id

    def findings(self, report_id: int) -> list[Finding]:
        rows = self.db.execute("SELECT rule, severity, title, message, section, table_name, row_key, column_key, "
                               "line, page, expected_json, actual_json, source, element, evidence_json FROM findings WHERE report_id = ? "
                               "ORDER BY seq", (report_id,)).fetchall()
        return [Finding(rule=r[0], severity=r[1], title=r[2] or "", message=r[3], source=r[12] or "",
                        location=FindingLocation(r[4], r[5], r[6], r[7], r[8], r[9], r[13]),
                        expected=json.loads(r[10]) if r[10] else None,
                        actual=json.loads(r[11]) if r[11] else None,
                        evidence=json.loads(r[14]) if r[14] else {}) for r in rows]

    def result(self, report_id: int) -> ReportResult:
        """A stored report's result as audited: identity, status, findings and checks."""
        path, status, error, agency, year, fmt, kind, checks = self.db.execute(
            "SELECT path, status, error, agency, year, format, kind, checks_json FROM reports WHERE id = ?",
            (report_id,)).fetchone()
        report = Report(path=path, kind=kind or "", agency=agency, year=year, format=fmt)
        return ReportResult(path, status, report, self.findings(report_id),
                            [Check(*c) for c in json.loads(checks or "[]")], error)

    def latest(self, agency: str, year: int) -> dict[str, Any] | None:
        """The most recently audited report of an agency and year (for cross-year rules)."""
        cols = ("id", "path", "status", "agency", "year", "format", "tables_json", "text", "section5")
        row = self.db.execute(f"SELECT {', '.join(cols)} FROM reports WHERE agency = ? AND year = ? "
                              "ORDER BY audited_at DESC LIMIT 1", (agency, year)).fetchone()
        return None if row is None else dict(zip(cols, row))

    def history(self, agency: str) -> Iterator[tuple[int | None, str, str, list[tuple[str, str, str]]]]:
        """(year, path, status, [(rule, severity, message)]) of an agency's latest report per year."""
        rows = self.db.execute(
            "SELECT r.id, r.year, r.path, r.status FROM reports r WHERE r.agency = ? AND r.audited_at = "
            "(SELECT MAX(audited_at) FROM reports x WHERE x.agency = r.agency AND x.year IS r.year "
            "AND x.path = r.path) ORDER BY r.year, r.path", (agency,)).fetchall()
        for report_id, year, path, status in rows:
            found = self.db.execute("SELECT rule, severity, message FROM findings WHERE report_id = ? "
                                    "ORDER BY seq", (report_id,)).fetchall()
            yield year, path, status, [tuple(f) for f in found]


_REPORT_COLUMNS = ("id", "path", "agency", "year", "tables_json", "text", "section5", "signature", "run_id",
                   "parent")
_LATEST = "audited_at = (SELECT MAX(audited_at) FROM reports x WHERE x.path = r.path)"


def unchecked_reports(store: Store, report_ids: Iterable[int]) -> list[tuple[int, int | None]]:
    """(id, year) of the readable reports among `report_ids` the cross-report rules have not run
    on, in path order (those of this run, and those of a run killed before it got that far)."""
    wanted = set(report_ids)
    rows = store.db.execute("SELECT id, year FROM reports WHERE cross_checked = 0 AND status != 'error' "
                            "ORDER BY path")
    return [(row[0], row[1]) for row in rows if row[0] in wanted]


def report_fields(store: Store, report_id: int) -> dict[str, Any]:
    """A stored report's identity, tables and texts (the columns cross-report rules read)."""
    row = store.db.execute(f"SELECT {', '.join(_REPORT_COLUMNS)} FROM reports WHERE id = ?", (report_id,)).fetchone()
    return dict(zip(_REPORT_COLUMNS, row))


def year_signatures(store: Store, year: int) -> list[tuple[int, str | None, str, bytes]]:
    """(id, agency, path, MinHash signature) of the latest audit of every report of a year."""
    return store.db.execute("SELECT id, agency, path, signature FROM reports r WHERE year = ? AND status != 'error' "
                            f"AND signature IS NOT NULL AND {_LATEST}", (year,)).fetchall()


def component_reports(store: Store, parent: str, year: int) -> list[dict[str, Any]]:
    """The latest audit of every report of a year whose parent (aggregate) is `parent`."""
    return [dict(zip(_REPORT_COLUMNS, row)) for row in store.db.execute(
        f"SELECT {', '.join(_REPORT_COLUMNS)} FROM reports r WHERE parent = ? AND year = ? "
        f"AND status != 'error' AND {_LATEST} ORDER BY path", (parent, year))]


def add_cross_findings(store: Store, report_id: int, findings: list[Finding], checks: list[Check]) -> None:
    """What the cross-report rules found (possibly nothing) and their checks, which replace the
    "not assessable" the report's own audit gave them; recorded once they have run."""
    with store.db:
        start = store.db.execute("SELECT COALESCE(MAX(seq) + 1, 0) FROM findings WHERE report_id = ?",
                                 (report_id,)).fetchone()[0]
        store.db.executemany(_INSERT_FINDING, _finding_rows(report_id, start, findings))
        (stored,) = store.db.execute("SELECT checks_json FROM reports WHERE id = ?", (report_id,)).fetchone()
        new = {c.rule: c for c in checks}
        merged = [_check_row(new.pop(rule)) if rule in new else [rule, status, reasons]
                  for rule, status, reasons in json.loads(stored or "[]")]
        merged += [_check_row(c) for c in new.values()]
        store.db.execute("UPDATE reports SET cross_checked = 1, checks_json = ? WHERE id = ?",
                         (json.dumps(merged, ensure_ascii=False), report_id))


def _check_row(check: Check) -> list[Any]:
    return [check.rule, check.status, check.reasons]


_INSERT_FINDING = ("INSERT INTO findings (report_id, seq, rule, severity, title, message, section, table_name, "
                   "row_key, column_key, line, page, expected_json, actual_json, source, element, evidence_json) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")


def _finding_rows(report_id: int, start: int, findings: list[Finding]) -> list[tuple]:
    return [(report_id, start + i, f.rule, f.severity, f.title, f.message, f.location.section, f.location.table,
             f.location.row, f.location.column, f.location.line, f.location.page,
             json.dumps(jsonable(f.expected), ensure_ascii=False), json.dumps(jsonable(f.actual), ensure_ascii=False),
             f.source, f.location.element, json.dumps(f.evidence, ensure_ascii=False) if f.evidence else None)
            for i, f in enumerate(findings)]


# ---- figures (engine/figures) ------------------------------------------------------------------
FIGURE_COLUMNS = ("id", "path", "agency", "year", "parent", "format", "status", "tables_json", "cells_json")


def figure_reports(store: Store, report_ids: Iterable[int] | None = None, year: int | None = None,
                   parent: str | None = None) -> Iterator[dict[str, Any]]:
    """Identity, values and cells of reports: those of `report_ids` in that order, or else the
    latest audit of every path in the store (filtered by `year` and `parent`), in path order."""
    select = f"SELECT {', '.join(FIGURE_COLUMNS)} FROM reports r"
    if report_ids is not None:
        for report_id in report_ids:
            row = store.db.execute(f"{select} WHERE id = ?", (report_id,)).fetchone()
            if row is not None:
                yield dict(zip(FIGURE_COLUMNS, row))
        return
    where, args = [_LATEST], []
    if year is not None:
        where.append("year = ?")
        args.append(year)
    if parent is not None:
        where.append("parent = ?")
        args.append(parent)
    for row in store.db.execute(f"{select} WHERE {' AND '.join(where)} ORDER BY path", args):
        yield dict(zip(FIGURE_COLUMNS, row))


def reports_with_rule(store: Store, rule: str) -> set[int]:
    """Ids of the reports with a finding of `rule` (e.g. META-004, published late)."""
    return {row[0] for row in store.db.execute("SELECT DISTINCT report_id FROM findings WHERE rule = ?", (rule,))}


def save_expected(store: Store, run_id: int, rows: Iterable[tuple[str, int, str | None, str | None]]) -> None:
    """Who should have published, as the run was told: (agency, year, parent, manifest path or None)."""
    with store.db:
        store.db.executemany("INSERT INTO expected (run_id, agency, year, parent, path) VALUES (?, ?, ?, ?, ?)",
                             ((run_id, *row) for row in rows))


def load_expected(store: Store) -> list[tuple[str, int, str | None, str | None]]:
    """The expectations of the last run that was given any: (agency, year, parent, path)."""
    row = store.db.execute("SELECT MAX(run_id) FROM expected").fetchone()
    if row is None or row[0] is None:
        return []
    return [tuple(r) for r in store.db.execute(
        "SELECT agency, year, parent, path FROM expected WHERE run_id = ? ORDER BY year, agency, path", (row[0],))]


def year_cells(store: Store, cells: Iterable[tuple[str, str]]
               ) -> Iterator[tuple[int, int | None, str | None, str | None, list[Any]]]:
    """(id, year, agency, parent, [value of each (table, "ROW.COL")]) of the latest audit of every
    readable report, read by SQLite from the stored tables (no JSON decoding here)."""
    picks = ", ".join(f"json_extract(tables_json, '$.{table}.\"{key}\"')" for table, key in cells)
    for row in store.db.execute(f"SELECT id, year, agency, parent, {picks} FROM reports r "
                                f"WHERE status != 'error' AND {_LATEST}"):
        yield row[0], row[1], row[2], row[3], list(row[4:])


def agency_years(store: Store, path: str) -> tuple[str | None, list[tuple[int, str, str | None]]]:
    """The agency of the report at `path` (its latest audit) and (year, path, tables_json) of that
    agency's latest readable report of every year, oldest first."""
    row = store.db.execute("SELECT agency FROM reports WHERE path = ? ORDER BY audited_at DESC LIMIT 1",
                           (path,)).fetchone()
    if row is None or row[0] is None:
        return None, []
    rows = store.db.execute(
        "SELECT year, path, tables_json FROM reports r WHERE agency = ? AND status != 'error' AND year IS NOT NULL "
        "AND audited_at = (SELECT MAX(audited_at) FROM reports x WHERE x.agency = r.agency AND x.year = r.year) "
        "ORDER BY year, path", (row[0],)).fetchall()
    return row[0], [tuple(r) for r in rows]


def unreadable_paths(store: Store) -> list[str]:
    """Paths whose latest audit could not read the file (the store knows no identity for them)."""
    return [row[0] for row in store.db.execute(f"SELECT path FROM reports r WHERE status = 'error' AND {_LATEST} "
                                               "ORDER BY path")]
