"""The result store of batch audits: an embedded SQLite database (`DIR/audit.db` by default).

Schema (see also docs/BATCH.md):

    runs(id, started, finished, input, rules_version, jobs, files, audited, skipped, errors)
    reports(id, path, content_hash, rules_version, run_id, status, error, agency, year, format,
            kind, tables_json, audited_at,          -- one row per (path, content, rule packs)
            text, section5, signature)              -- for copy detection (engine/similarity.py)
    findings(report_id, seq, rule, severity, title, message, section, table_name, row_key,
             column_key, line, page, expected_json, actual_json)

A file is audited again only when its content or the rule packs changed (`content_hash`,
`rules_version`); each report is committed as soon as it is audited, so a run that is killed
keeps everything it finished and the next run resumes.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from pathlib import Path
from typing import Any, Iterator

from .audit import ReportResult
from .facts import jsonable
from .findings import Finding, FindingLocation
from .rulepack import Rule

__all__ = ["Store", "content_hash", "rules_version", "run_reports", "year_reports", "add_findings"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY, started REAL NOT NULL, finished REAL, input TEXT NOT NULL,
    rules_version TEXT NOT NULL, jobs INTEGER NOT NULL,
    files INTEGER DEFAULT 0, audited INTEGER DEFAULT 0, skipped INTEGER DEFAULT 0, errors INTEGER DEFAULT 0);
CREATE TABLE IF NOT EXISTS reports (
    id INTEGER PRIMARY KEY, path TEXT NOT NULL, content_hash TEXT NOT NULL, rules_version TEXT NOT NULL,
    run_id INTEGER NOT NULL REFERENCES runs(id), status TEXT NOT NULL, error TEXT,
    agency TEXT, year INTEGER, format TEXT, kind TEXT, tables_json TEXT, audited_at REAL NOT NULL,
    text TEXT, section5 TEXT, signature BLOB,
    UNIQUE (path, content_hash, rules_version));
CREATE INDEX IF NOT EXISTS reports_year ON reports (year);
CREATE INDEX IF NOT EXISTS reports_agency_year ON reports (agency, year);
CREATE TABLE IF NOT EXISTS findings (
    report_id INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE, seq INTEGER NOT NULL,
    rule TEXT NOT NULL, severity TEXT NOT NULL, title TEXT, message TEXT NOT NULL,
    section INTEGER, table_name TEXT, row_key TEXT, column_key TEXT, line INTEGER, page INTEGER,
    expected_json TEXT, actual_json TEXT, PRIMARY KEY (report_id, seq));
CREATE INDEX IF NOT EXISTS findings_rule ON findings (rule);
"""


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def rules_version(rules: list[Rule]) -> str:
    """Changes whenever a rule pack file changes (or rules are selected differently)."""
    digest = hashlib.sha256()
    for path in sorted({r.path for r in rules}):
        digest.update(Path(path).read_bytes())
    digest.update(",".join(r.id for r in rules).encode())
    return digest.hexdigest()[:16]


class Store:
    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(self.path)
        self.db.execute("PRAGMA foreign_keys = ON")
        self.db.execute("PRAGMA journal_mode = WAL")
        self.db.executescript(_SCHEMA)

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
                              (path, digest, version)).fetchone()
        return None if row is None else int(row[0])

    def save(self, run_id: int, digest: str, version: str, result: ReportResult,
             tables: dict[str, Any] | None) -> int:
        """Store one audited report and its findings, committed at once (a killed run keeps it)."""
        rep = result.report
        with self.db:
            self.db.execute("DELETE FROM reports WHERE path = ? AND content_hash = ? AND rules_version = ?",
                            (result.path, digest, version))
            texts = rep.metadata.get("similarity", {}) if rep else {}
            cur = self.db.execute(
                "INSERT INTO reports (path, content_hash, rules_version, run_id, status, error, agency, year, "
                "format, kind, tables_json, audited_at, text, section5, signature) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (result.path, digest, version, run_id, result.status, result.error,
                 rep.agency if rep else None, rep.year if rep else None, rep.format if rep else None,
                 rep.kind if rep else None, json.dumps(tables, ensure_ascii=False) if tables else None,
                 time.time(), texts.get("text"), texts.get("section5"), texts.get("signature")))
            report_id = int(cur.lastrowid)
            self.db.executemany(_INSERT_FINDING, _finding_rows(report_id, 0, result.findings))
        return report_id

    def findings(self, report_id: int) -> list[Finding]:
        rows = self.db.execute("SELECT rule, severity, title, message, section, table_name, row_key, column_key, "
                               "line, page, expected_json, actual_json FROM findings WHERE report_id = ? "
                               "ORDER BY seq", (report_id,)).fetchall()
        return [Finding(rule=r[0], severity=r[1], title=r[2] or "", message=r[3], source="",
                        location=FindingLocation(r[4], r[5], r[6], r[7], r[8], r[9]),
                        expected=json.loads(r[10]) if r[10] else None,
                        actual=json.loads(r[11]) if r[11] else None) for r in rows]

    def report_row(self, report_id: int) -> dict[str, Any]:
        cols = ("id", "path", "status", "error", "agency", "year", "format", "kind", "tables_json")
        row = self.db.execute(f"SELECT {', '.join(cols)} FROM reports WHERE id = ?", (report_id,)).fetchone()
        return dict(zip(cols, row))

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


_REPORT_COLUMNS = ("id", "path", "agency", "year", "tables_json", "text", "section5", "signature", "run_id")


def run_reports(store: Store, run_id: int) -> Iterator[dict[str, Any]]:
    """The reports a run audited (readable ones), in path order."""
    for row in store.db.execute(f"SELECT {', '.join(_REPORT_COLUMNS)} FROM reports WHERE run_id = ? "
                                "AND status != 'error' ORDER BY path", (run_id,)):
        yield dict(zip(_REPORT_COLUMNS, row))


def year_reports(store: Store, year: int) -> Iterator[dict[str, Any]]:
    """The latest audit of every report of a year (for cross-agency comparison)."""
    for row in store.db.execute(
            f"SELECT {', '.join(_REPORT_COLUMNS)} FROM reports r WHERE year = ? AND status != 'error' AND "
            "audited_at = (SELECT MAX(audited_at) FROM reports x WHERE x.path = r.path)", (year,)):
        yield dict(zip(_REPORT_COLUMNS, row))


def add_findings(store: Store, report_id: int, findings: list[Finding]) -> None:
    """Findings found after the report was stored (cross-report rules)."""
    with store.db:
        start = store.db.execute("SELECT COALESCE(MAX(seq) + 1, 0) FROM findings WHERE report_id = ?",
                                 (report_id,)).fetchone()[0]
        store.db.executemany(_INSERT_FINDING, _finding_rows(report_id, start, findings))


_INSERT_FINDING = "INSERT INTO findings VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"


def _finding_rows(report_id: int, start: int, findings: list[Finding]) -> list[tuple]:
    return [(report_id, start + i, f.rule, f.severity, f.title, f.message, f.location.section, f.location.table,
             f.location.row, f.location.column, f.location.line, f.location.page,
             json.dumps(jsonable(f.expected), ensure_ascii=False), json.dumps(jsonable(f.actual), ensure_ascii=False))
            for i, f in enumerate(findings)]
