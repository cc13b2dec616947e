"""Review of findings in the result store: decisions that last, and states derived from versions.

A finding's review identity is its review fingerprint (evaluation/fingerprint.py): rule, agency,
year, location keys and normalised evidence, never the file name, line or order, so a decision
made once holds across re-runs, renames and corrected versions of the report. The report's
identity is its agency and year; a report whose agency is unknown has only its path.

- Versions: the distinct contents audited for an agency and year (readable ones), in the order
  first seen; a version's latest audit is the one that counts (rule packs may have changed).
- State of a finding, from those versions: `new` when found in the latest version and in no
  earlier one (there being earlier ones); `open` when found in the latest version otherwise;
  `resolved` (已整改) when found in an earlier version and not in the latest.
- Decisions: `confirmed`, `dismissed`, or `pending` (the default, without a decision). Every
  decision is kept (table `decisions`); the latest for a fingerprint is the one in force.

Outputs that honour decisions drop dismissed findings before the verdict and say how many.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Iterable

from xxgk_audit.engine.batch.store import Store
from xxgk_audit.engine.evaluation.audit import ReportResult
from xxgk_audit.engine.evaluation.findings import Finding
from xxgk_audit.engine.evaluation.fingerprint import review_fingerprint

__all__ = ["DECISIONS", "STATES", "ReviewError", "Decision", "Version", "ReviewItem", "index_fingerprints",
           "set_decision", "decision_history", "current_decisions", "versions", "review_items",
           "report_review", "Honoured", "honoured", "latest_report_ids", "decisions_mark", "decided_since"]

DECISIONS = {"confirmed": "确认", "dismissed": "驳回", "pending": "待定"}
STATES = {"open": "仍存在", "resolved": "已整改", "new": "新增"}
PENDING = "pending"
MAX_COMMENT, MAX_REVIEWER = 2000, 100


class ReviewError(Exception):
    """A decision that cannot be recorded (unknown fingerprint or decision); worded in Chinese."""


@dataclass(frozen=True)
class Decision:
    fingerprint: str
    decision: str = PENDING
    reviewer: str | None = None
    comment: str | None = None
    decided_at: float | None = None

    @property
    def label(self) -> str:
        return DECISIONS[self.decision]

    @property
    def decided_at_iso(self) -> str | None:
        if self.decided_at is None:
            return None
        return datetime.fromtimestamp(self.decided_at, timezone.utc).isoformat(timespec="seconds")


@dataclass(frozen=True)
class Version:
    report_id: int          # the latest audit of this content
    path: str
    content_hash: str
    first_seen: float


@dataclass
class ReviewItem:
    """One finding under review: where it was last seen, its state and the decision in force."""

    fingerprint: str
    report_id: int
    path: str
    agency: str | None
    year: int | None
    format: str | None
    finding: Finding
    state: str
    decision: Decision

    @property
    def state_label(self) -> str:
        return STATES[self.state]

    def to_dict(self) -> dict[str, Any]:
        f, d = self.finding, self.decision
        return {"fingerprint": self.fingerprint, "path": self.path, "agency": self.agency, "year": self.year,
                "rule": f.rule, "severity": f.severity, "message": f.message, "location": f.location.to_dict(),
                "decision": d.decision, "state": self.state, "comment": d.comment, "reviewer": d.reviewer,
                "decided_at": d.decided_at_iso}


# ---- fingerprints -----------------------------------------------------------------------------
def index_fingerprints(store: Store) -> int:
    """Give every stored finding its review fingerprint (those added since the last call: new
    audits, cross-report findings, stores written before review existed). Returns how many."""
    missing = [row[0] for row in store.db.execute(
        "SELECT DISTINCT f.report_id FROM findings f LEFT JOIN review_fingerprints p "
        "ON p.report_id = f.report_id AND p.seq = f.seq WHERE p.fingerprint IS NULL")]
    added = 0
    with store.db:
        for report_id in missing:
            agency, year, path = store.db.execute("SELECT agency, year, path FROM reports WHERE id = ?",
                                                  (report_id,)).fetchone()
            seqs = [row[0] for row in store.db.execute("SELECT seq FROM findings WHERE report_id = ? ORDER BY seq",
                                                       (report_id,))]
            rows = [(report_id, seq, review_fingerprint(agency or path, year, finding))
                    for seq, finding in zip(seqs, store.findings(report_id))]
            store.db.executemany("INSERT OR IGNORE INTO review_fingerprints (report_id, seq, fingerprint) "
                                 "VALUES (?, ?, ?)", rows)
            added += len(rows)
    return added


def _fingerprinted(store: Store, report_id: int) -> list[tuple[str, Finding]]:
    """(fingerprint, finding) of a stored report in order, each fingerprint once."""
    fps = [row[0] for row in store.db.execute("SELECT fingerprint FROM review_fingerprints WHERE report_id = ? "
                                               "ORDER BY seq", (report_id,))]
    seen: dict[str, Finding] = {}
    for fp, finding in zip(fps, store.findings(report_id)):
        seen.setdefault(fp, finding)
    return list(seen.items())


# ---- decisions --------------------------------------------------------------------------------
def set_decision(store: Store, fingerprint: str, decision: str, comment: str = "", reviewer: str = "",
                 at: float | None = None) -> Decision:
    """Record a decision on a finding (kept with all earlier ones); ReviewError when the
    fingerprint names no stored finding or the decision is not one of DECISIONS."""
    if decision not in DECISIONS:
        raise ReviewError(f"未知的审核决定：{decision}（应为 {'、'.join(DECISIONS)}）")
    if len(comment) > MAX_COMMENT or len(reviewer) > MAX_REVIEWER:
        raise ReviewError(f"意见不超过 {MAX_COMMENT} 字，审核人不超过 {MAX_REVIEWER} 字")
    index_fingerprints(store)
    if store.db.execute("SELECT 1 FROM review_fingerprints WHERE fingerprint = ? LIMIT 1",
                        (fingerprint,)).fetchone() is None:
        raise ReviewError(f"结果库中没有指纹为 {fingerprint} 的问题")
    made = Decision(fingerprint, decision, reviewer.strip() or None, comment.strip() or None, at or time.time())
    with store.db:
        store.db.execute("INSERT INTO decisions (fingerprint, decision, reviewer, comment, decided_at) "
                         "VALUES (?, ?, ?, ?, ?)", (made.fingerprint, made.decision, made.reviewer, made.comment,
                                                    made.decided_at))
    return made


def decision_history(store: Store, fingerprint: str) -> list[Decision]:
    """Every decision made on a finding, oldest first."""
    return [Decision(*row) for row in store.db.execute(
        "SELECT fingerprint, decision, reviewer, comment, decided_at FROM decisions WHERE fingerprint = ? "
        "ORDER BY id", (fingerprint,))]


def current_decisions(store: Store, fingerprints: Iterable[str] | None = None) -> dict[str, Decision]:
    """The decision in force per fingerprint (those without one are pending, and absent here)."""
    if fingerprints is None:
        rows = store.db.execute("SELECT fingerprint, decision, reviewer, comment, decided_at FROM decisions "
                                "WHERE id IN (SELECT MAX(id) FROM decisions GROUP BY fingerprint)").fetchall()
    else:
        wanted = sorted(set(fingerprints))
        rows = store.db.execute("SELECT fingerprint, decision, reviewer, comment, decided_at FROM decisions "
                                f"WHERE fingerprint IN ({','.join('?' * len(wanted))}) ORDER BY id", wanted).fetchall()
    return {row[0]: Decision(*row) for row in rows}      # in id order: the latest stays


def decisions_mark(store: Store) -> str:
    """Changes whenever a decision is recorded (outputs drawn before it are out of date)."""
    count, last = store.db.execute("SELECT COUNT(*), MAX(id) FROM decisions").fetchone()
    return f"{count}:{last}"


def decided_since(store: Store, when: float) -> set[str]:
    """Paths of the stored reports a decision recorded after `when` (epoch seconds) is about."""
    return {row[0] for row in store.db.execute(
        "SELECT DISTINCT r.path FROM decisions d JOIN review_fingerprints p ON p.fingerprint = d.fingerprint "
        "JOIN reports r ON r.id = p.report_id WHERE d.decided_at > ?", (when,))}


# ---- versions and states ----------------------------------------------------------------------
def _identity_clause(agency: str | None, path: str) -> tuple[str, tuple[Any, ...]]:
    return ("agency = ?", (agency,)) if agency else ("agency IS NULL AND path = ?", (path,))


def versions(store: Store, agency: str | None, year: int | None, path: str = "") -> list[Version]:
    """The versions of an agency's report for a year (for an unknown agency: of the file at
    `path`), oldest first."""
    clause, params = _identity_clause(agency, path)
    rows = store.db.execute(f"SELECT id, path, content_hash, audited_at FROM reports WHERE {clause} AND year IS ? "
                            "AND status != 'error' ORDER BY audited_at, id", (*params, year)).fetchall()
    first: dict[str, float] = {}
    latest: dict[str, tuple[int, str]] = {}
    for report_id, report_path, digest, audited_at in rows:
        first.setdefault(digest, audited_at)
        latest[digest] = (report_id, report_path)
    return sorted((Version(latest[d][0], latest[d][1], d, first[d]) for d in first),
                  key=lambda v: (v.first_seen, v.report_id))


def _groups(store: Store, agency: str | None, year: int | None) -> list[tuple[str | None, int | None, str]]:
    """(agency, year, path) of each report identity in the store, the path only for unknown agencies."""
    sql = "SELECT DISTINCT agency, year, CASE WHEN agency IS NULL THEN path ELSE '' END FROM reports " \
          "WHERE status != 'error'"
    params: list[Any] = []
    if agency is not None:
        sql += " AND agency = ?"
        params.append(agency)
    if year is not None:
        sql += " AND year = ?"
        params.append(year)
    return store.db.execute(sql + " ORDER BY agency, year", params).fetchall()


def _group_items(store: Store, agency: str | None, year: int | None, path: str,
                 decisions: dict[str, Decision]) -> list[ReviewItem]:
    found = versions(store, agency, year, path)
    if not found:
        return []
    *earlier, latest = found
    fmt = {v.report_id: store.db.execute("SELECT format FROM reports WHERE id = ?", (v.report_id,)).fetchone()[0]
           for v in found}

    def item(version: Version, fp: str, finding: Finding, state: str) -> ReviewItem:
        return ReviewItem(fp, version.report_id, version.path, agency, year, fmt[version.report_id], finding,
                          state, decisions.get(fp, Decision(fp)))

    before: dict[str, tuple[Version, Finding]] = {}
    for version in earlier:                     # the most recent earlier version wins
        for fp, finding in _fingerprinted(store, version.report_id):
            before[fp] = (version, finding)
    now = _fingerprinted(store, latest.report_id)
    items = [item(latest, fp, finding, "new" if earlier and fp not in before else "open") for fp, finding in now]
    current = {fp for fp, _ in now}
    items += [item(version, fp, finding, "resolved") for fp, (version, finding) in before.items()
              if fp not in current]
    return items


def review_items(store: Store, agency: str | None = None, year: int | None = None, state: str | None = None,
                 decision: str | None = None) -> list[ReviewItem]:
    """Every finding under review (optionally of one agency / year / state / decision), grouped
    by agency and year, each group's present findings before its resolved ones."""
    index_fingerprints(store)
    decisions = current_decisions(store)
    items = [i for group in _groups(store, agency, year) for i in _group_items(store, *group, decisions)]
    return [i for i in items if (state is None or i.state == state)
            and (decision is None or i.decision.decision == decision)]


def report_review(store: Store, report_id: int) -> list[ReviewItem]:
    """The review items of the identity (agency and year) a stored report belongs to."""
    index_fingerprints(store)
    agency, year, path = store.db.execute("SELECT agency, year, path FROM reports WHERE id = ?",
                                          (report_id,)).fetchone()
    return _group_items(store, agency, year, "" if agency else path, current_decisions(store))


def latest_report_ids(store: Store) -> list[int]:
    """The latest version's latest audit of every report identity: what the office reviews now."""
    return [found[-1].report_id for group in _groups(store, None, None)
            if (found := versions(store, group[0], group[1], group[2]))]


# ---- honouring decisions ----------------------------------------------------------------------
@dataclass
class Honoured:
    """A stored report's result as audited and as the review has it."""

    audited: ReportResult           # every finding, the verdict of the audit
    result: ReportResult            # dismissed findings dropped, judged again
    fingerprints: list[str]         # of audited.findings, in order
    decisions: dict[str, Decision]  # those in force on its findings

    @property
    def dismissed(self) -> int:
        return self.result.dismissed

    def decision(self, index: int) -> Decision:
        fp = self.fingerprints[index]
        return self.decisions.get(fp, Decision(fp))


def honoured(store: Store, report_id: int, fail_on: str) -> Honoured:
    """A stored report's result with its dismissed findings dropped and judged again (the one
    verdict, evaluation/findings.verdict). Call index_fingerprints(store) once before (a batch's
    outputs call this for every report)."""
    audited = store.result(report_id).rejudged(fail_on)
    fps = [row[0] for row in store.db.execute("SELECT fingerprint FROM review_fingerprints WHERE report_id = ? "
                                               "ORDER BY seq", (report_id,))]
    decisions = current_decisions(store, fps)
    kept = [f for f, fp in zip(audited.findings, fps) if decisions.get(fp, Decision(fp)).decision != "dismissed"]
    result = dataclasses.replace(audited.keeping(kept, fail_on), dismissed=len(audited.findings) - len(kept))
    return Honoured(audited, result, fps, decisions)
