"""Rules across reports (fact kind `pair`), run after a batch's reports are in the store.

Each report audited in the run is paired with
- the same agency's prior-year report (carry-over chain, stock and flow, copied text or tables),
- other agencies' reports of the same year whose narrative is near its own — candidates come from
  MinHash/LSH, never from comparing all pairs, and at most `PEERS` nearest are kept per report,
- the reports it aggregates: those whose manifest `parent` is its agency, same year (XREF-012:
  its cells against the sums of theirs; a sum is unknown when one component's cell is unknown).

The other reports come from this batch or from earlier runs in the store. A pair fact carries the
report's own cells ("ROW.COL") and the other side's as "prev.ROW.COL" or "sum.ROW.COL".
"""

from __future__ import annotations

import json
import time
from decimal import Decimal
from typing import Any, Iterable, Iterator

import numpy as np

from . import similarity, template
from .audit import ReportResult
from .evaluate import RuleEngine
from .facts import Fact
from .model import Report
from .rulepack import Rule
from .store import Store, add_cross_findings, component_reports, unchecked_reports, year_reports

__all__ = ["cross_report_findings", "PEERS"]

PEERS = 3           # other agencies' reports named per report, nearest first


def cross_report_findings(store: Store, report_ids: Iterable[int], rules: list[Rule],
                          seconds: dict[str, float] | None = None) -> Iterator[ReportResult]:
    """Run the cross-report rules on the reports among `report_ids` they have not run on yet; for
    each that has findings, in path order, a result holding only those. The store records the
    findings and that the rules ran. `seconds["similarity"]` gets the time of the peer search."""
    pair_rules = [r for r in rules if r.fact == "pair"]
    if not pair_rules:
        return
    engine = RuleEngine(pair_rules)
    rows = unchecked_reports(store, report_ids)
    started = time.perf_counter()
    peers = _peer_facts(store, rows)
    if seconds is not None:
        seconds["similarity"] = round(time.perf_counter() - started, 3)
    for row in rows:
        if not row["agency"] or not row["year"]:
            add_cross_findings(store, row["id"], [])
            continue
        facts = peers.get(row["id"], [])
        prior = store.latest(row["agency"], row["year"] - 1)
        if prior is not None:
            facts.insert(0, Fact("pair", _prior_fields(row, prior)))
        components = component_reports(store, row["agency"], row["year"])
        if components:
            facts.append(Fact("pair", _aggregate_fields(row, components)))
        report = Report(path=row["path"], kind="", agency=row["agency"], year=row["year"])
        findings = engine.findings_on(report, facts) if facts else []
        add_cross_findings(store, row["id"], findings)
        if findings:
            failing = any(f.severity == "error" for f in findings)
            yield ReportResult(row["path"], "fail" if failing else "pass", report, findings)


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
        fields["tables_identical"] = json.loads(row["tables_json"]) == json.loads(prior["tables_json"])
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


def _peer_facts(store: Store, rows: list[dict[str, Any]]) -> dict[int, list[Fact]]:
    """Pair facts of reports whose narrative is near another agency's report of the same year."""
    out: dict[int, list[Fact]] = {}
    in_run = {row["id"] for row in rows}
    for year in sorted({row["year"] for row in rows if row["year"]}):
        reports = {r["id"]: r for r in year_reports(store, year) if r["signature"]}
        shingles: dict[int, np.ndarray] = {}

        def of(report_id: int) -> np.ndarray:
            if report_id not in shingles:
                shingles[report_id] = similarity.shingles(reports[report_id]["text"] or "")
            return shingles[report_id]

        near: dict[int, list[tuple[float, int]]] = {}
        for a, b in similarity.candidate_pairs((i, r["signature"]) for i, r in reports.items()):
            if reports[a]["agency"] and reports[a]["agency"] == reports[b]["agency"]:
                continue
            if a not in in_run and b not in in_run:
                continue
            score = _score(of(a), of(b))
            for mine, other in ((a, b), (b, a)):
                if mine in in_run:
                    near.setdefault(mine, []).append((score, other))
        for mine, found in near.items():
            for score, other in sorted(found, key=lambda item: (-item[0], reports[item[1]]["path"]))[:PEERS]:
                ra, rb = reports[mine], reports[other]
                out.setdefault(mine, []).append(Fact("pair", {
                    "relation": "peer", "format": template.expected_format(year),
                    "similarity.text": score, "peer_agency": rb["agency"] or "（未知机关）",
                    "peer_path": rb["path"],
                    "passage": similarity.shared_passage(ra["section5"] or "", rb["text"] or "")}))
    return out
