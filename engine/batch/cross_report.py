"""Rules across reports (fact kind `pair`), run after a batch's reports are in the store.

Each report audited in the run is paired with
- the same agency's prior-year report (carry-over chain, stock and flow, copied text or tables),
- other agencies' reports of the same year whose narrative is near its own — candidates come from
  MinHash/LSH, never from comparing all pairs, and at most `PEERS` nearest are kept per report,
- the reports it aggregates: those whose manifest `parent` is its agency, same year (XREF-012:
  its cells against the sums of theirs; a sum is unknown when one component's cell is unknown),
- the range of a few key figures over the batch's reports of the same year (XREF-014; see
  engine/batch/peer_range.py), when the year has enough of them. Aggregate reports (an agency
  another report names as its `parent`) sum others: they are neither compared nor counted.

The other reports come from this batch or from earlier runs in the store. A pair fact carries the
report's own cells ("ROW.COL") and the other side's as "prev.ROW.COL" or "sum.ROW.COL" (the range:
"median.ROW.COL", "q3.ROW.COL", "high.ROW.COL" and "peers.ROW.COL", the number of reports).
"""

from __future__ import annotations

import json
import sys
import time
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Iterable, Iterator

import numpy as np

from xxgk_audit.engine.batch import similarity
from xxgk_audit.engine.batch.peer_range import MIN_PEERS, RANGE_FIGURES, PeerRange, peer_range
from xxgk_audit.engine.model import template
from xxgk_audit.engine.evaluation.evaluate import RuleEngine
from xxgk_audit.engine.evaluation.facts import Fact
from xxgk_audit.engine.evaluation.findings import Check, Finding
from xxgk_audit.engine.model.report import Report
from xxgk_audit.engine.rulelang.rulepack import Rule
from xxgk_audit.engine.batch.store import (Store, add_cross_findings, component_reports, report_fields, unchecked_reports,
                    year_cells, year_signatures)
from xxgk_audit.engine.batch.workers import Workers

__all__ = ["cross_report_findings", "PEERS"]

PEERS = 3           # other agencies' reports named per report, nearest first


@dataclass
class CrossChecked:
    """What the cross-report rules found on one stored report."""

    path: str
    findings: list[Finding]
    checks: list[Check]


def cross_report_findings(store: Store, report_ids: Iterable[int], rules: list[Rule],
                          seconds: dict[str, float] | None = None, pool: Workers | None = None) -> Iterator[CrossChecked]:
    """Run the cross-report rules on the reports among `report_ids` they have not run on yet; for
    each, what they found (findings, checks); the store records it, and the report's verdict is
    drawn from the store with its other findings. The peer
    search runs here; the rest in this process, or in the `pool`'s local workers (prepared with
    the same rules), which read the store. `seconds["similarity"]` gets the peer search's time."""
    if not any(r.fact == "pair" for r in rules):
        return
    report_ids = set(report_ids)
    todo = unchecked_reports(store, report_ids)
    started = time.perf_counter()
    peers = _peer_facts(store, todo)
    for report_id, fact in _range_facts(store, report_ids, {i for i, _ in todo}):
        peers.setdefault(report_id, []).append(fact)
    if seconds is not None:
        seconds["similarity"] = round(time.perf_counter() - started, 3)
    tasks = [(str(store.path), [(i, peers.get(i, [])) for i, _ in todo[k:k + _CHUNK]])
             for k in range(0, len(todo), _CHUNK)]
    if pool is None:
        prepare(rules)
        checked = (_check_chunk(*task) for task in tasks)
    else:
        checked = pool.run(_check_chunk, tasks, _unchecked)
    for chunk in checked:
        for report_id, report, findings, checks in chunk:
            add_cross_findings(store, report_id, findings, checks)
            yield CrossChecked(report.path, findings, checks)


_CHUNK = 50                 # reports per task
_RULES: list[Rule] = []     # the pair rules a process checks with (`prepare`)
_ENGINE: RuleEngine | None = None
_STORES: dict[str, Store] = {}


def prepare(rules: list[Rule]) -> None:
    """The rules this process checks with (batch workers call it when they start); compiled on
    first use."""
    global _RULES, _ENGINE
    _RULES, _ENGINE = [r for r in rules if r.fact == "pair"], None


def _unchecked(task: tuple, message: str) -> list:
    """A chunk whose worker failed stays unchecked in the store: the next run checks it."""
    print(f"xxgk-audit: warning: 跨报告检查未完成 {len(task[1])} 份报告（{message}），将在下次运行时检查",
          file=sys.stderr)
    return []


def _check_chunk(store_path: str, chunk: list[tuple[int, list[Fact]]]
                 ) -> list[tuple[int, Report, list[Finding], list[Check]]]:
    """(id, identity, findings, checks) of each report: its pair facts with the prior year, its
    peers (found by the parent) and its components, through the pair rules. A rule that saw no
    pair of its relation is not assessable."""
    global _ENGINE
    if _ENGINE is None:
        _ENGINE = RuleEngine(_RULES)
    if store_path not in _STORES:       # read-only: the parent writes while workers read
        _STORES[store_path] = Store(store_path, readonly=True)
    store = _STORES[store_path]
    out = []
    for report_id, facts in chunk:
        row = report_fields(store, report_id)
        report = Report(path=row["path"], kind="", agency=row["agency"], year=row["year"])
        if row["agency"] and row["year"]:
            facts = list(facts)
            prior = store.latest(row["agency"], row["year"] - 1)
            if prior is not None:
                facts.insert(0, Fact("pair", _prior_fields(row, prior)))
            components = component_reports(store, row["agency"], row["year"])
            if components:
                facts.append(Fact("pair", _aggregate_fields(row, components)))
        out.append((report_id, report, *_ENGINE.judge(report, facts)))
    return out


def _cells(tables_json: str | None) -> dict[str, Any]:
    """{"ROW.COL": value} over the three tables (cell keys do not repeat across them)."""
    cells: dict[str, Any] = {}
    for table in (json.loads(tables_json) if tables_json else {}).values():
        cells.update({key: _exact(value) for key, value in table.items()})
    return cells


def _prior_fields(row: dict[str, Any], prior: dict[str, Any]) -> dict[str, Any]:
    own, before = _cells(row["tables_json"]), _cells(prior["tables_json"])
    fields: dict[str, Any] = {"relation": "prior", "format": template.expected_format(row["year"]),
                              "prev_year": prior["year"], "prev_path": prior["path"], **own,
                              **{f"prev.{k}": v for k, v in before.items()}}
    if own and before:
        fields["tables_identical"] = own == before          # cell keys do not repeat across tables
        fields["nonzero_cells"] = sum(1 for v in own.values() if v)
    if row["text"] and prior["text"]:
        fields["similarity.text"] = _score(similarity.shingles(row["text"]), similarity.shingles(prior["text"]))
    if row["section5"] and prior["section5"]:
        mine, theirs = (similarity.normalise(t, row["agency"]) for t in (row["section5"], prior["section5"]))
        fields["similarity.section5"] = _score(similarity.shingles(mine), similarity.shingles(theirs))
        fields["passage"] = similarity.shared_passage(row["section5"], theirs)
    return fields


def _aggregate_fields(row: dict[str, Any], components: list[dict[str, Any]]) -> dict[str, Any]:
    own = _cells(row["tables_json"])
    parts = [_cells(c["tables_json"]) for c in components]
    fields: dict[str, Any] = {"relation": "aggregate", "format": template.expected_format(row["year"]),
                              "components": len(components), **own}
    for key in own:
        values = [part.get(key) for part in parts]
        if all(v is not None for v in values):
            fields[f"sum.{key}"] = sum(values, 0)
    return fields


def _exact(value: Any) -> Any:
    """Stored money amounts come back as floats: the exact decimal they were written as."""
    return Decimal(str(value)) if isinstance(value, float) else value


def _score(a: np.ndarray, b: np.ndarray) -> float:
    return round(similarity.jaccard(a, b), 3)


def _peer_facts(store: Store, todo: list[tuple[int, int | None]]) -> dict[int, list[Fact]]:
    """Pair facts of reports whose narrative is near another agency's report of the same year.
    Only signatures are loaded for a whole year; texts only for the candidate pairs."""
    out: dict[int, list[Fact]] = {}
    in_run = {report_id for report_id, _ in todo}
    for year in sorted({year for _, year in todo if year}):
        reports = {i: (agency, path, sig) for i, agency, path, sig in year_signatures(store, year)}
        rows: dict[int, dict[str, Any]] = {}
        shingles: dict[int, np.ndarray] = {}

        def row(report_id: int) -> dict[str, Any]:
            if report_id not in rows:
                rows[report_id] = report_fields(store, report_id)
                shingles[report_id] = similarity.shingles(rows[report_id]["text"] or "")
            return rows[report_id]

        near: dict[int, list[tuple[float, int]]] = {}
        for a, b in similarity.candidate_pairs((i, sig) for i, (_, _, sig) in reports.items()):
            if reports[a][0] and reports[a][0] == reports[b][0]:
                continue                                # the same agency: not a peer
            if a not in in_run and b not in in_run:
                continue
            row(a)
            row(b)
            score = _score(shingles[a], shingles[b])
            for mine, other in ((a, b), (b, a)):
                if mine in in_run:
                    near.setdefault(mine, []).append((score, other))
        for mine, found in near.items():
            for score, other in sorted(found, key=lambda item: (-item[0], reports[item[1]][1]))[:PEERS]:
                ra, rb = rows[mine], rows[other]
                out.setdefault(mine, []).append(Fact("pair", {
                    "relation": "peer", "format": template.expected_format(year),
                    "similarity.text": score, "peer_agency": rb["agency"] or "（未知机关）",
                    "peer_path": rb["path"],
                    "passage": similarity.shared_passage(ra["section5"] or "", rb["text"] or "")}))
    return out


def _range_facts(store: Store, report_ids: set[int], todo: set[int]) -> Iterator[tuple[int, Fact]]:
    """A range fact for each report of `todo` whose year has at least MIN_PEERS reports in the
    batch (`report_ids`): its key figures and their range over those reports."""
    cells = [(_table_of(key), key) for key in RANGE_FIGURES]
    by_year: dict[int, list[tuple[int, str | None, list[Any]]]] = {}
    parents: dict[int, set[str]] = {}
    for report_id, year, agency, parent, values in year_cells(store, cells):
        if report_id in report_ids and year is not None:
            by_year.setdefault(year, []).append((report_id, agency, values))
            if parent:
                parents.setdefault(year, set()).add(parent)
    for year, found in by_year.items():
        rows = [(i, values) for i, agency, values in found if agency not in parents.get(year, ())]
        if len(rows) < MIN_PEERS or not any(report_id in todo for report_id, _ in rows):
            continue
        ranges = [peer_range([values[k] for _, values in rows if isinstance(values[k], int)])
                  for k in range(len(cells))]
        for report_id, values in rows:
            if report_id not in todo:
                continue
            fields: dict[str, Any] = {"relation": "range", "format": template.expected_format(year)}
            for (_, key), value, span in zip(cells, values, ranges):
                if span is None or span.peers < MIN_PEERS:
                    continue
                fields.update({f"peers.{key}": span.peers, f"median.{key}": PeerRange.decimal(span.median),
                               f"q3.{key}": PeerRange.decimal(span.q3), f"high.{key}": PeerRange.decimal(span.high)})
                if value is not None:
                    fields[key] = value
            yield report_id, Fact("pair", fields)



def _table_of(key: str) -> str:
    row = key.split(".")[0]
    return next(t for t in template.TABLE_NAMES if row in template.layout(t, "2021").row_keys())
