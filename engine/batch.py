"""Batch audits: many files, several worker processes, results kept in the store.

The parent process lists the files, hashes each one and skips those the store already holds for
the same content and rule packs; the rest go to worker processes, each of which compiles the
rules once. Results come back as they finish and are committed one by one, so a killed run loses
nothing it finished. A worker that dies (durable-rules' C core can crash the process) is
replaced: the files it may have held are retried one at a time in a fresh worker, and a file that
kills its worker again is recorded as an error — the batch goes on.
"""

from __future__ import annotations

import concurrent.futures as cf
import csv
import json
import os
import sys
import threading
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from . import similarity, template
from .audit import Auditor, ReportResult, error_result
from .evaluate import RuleEngine
from .facts import Context, Fact, jsonable
from .model import Report
from .rulepack import Rule
from .store import Store, add_findings, content_hash, run_reports, year_reports

__all__ = ["BatchSettings", "BatchCounts", "run_batch", "read_manifest", "ManifestError", "default_jobs",
           "progress_printer", "tables_of", "cross_report_findings", "WORKER_CRASH"]

WORKER_CRASH = ("READ-001", "文件无法审核", "xxgk-audit：审核进程异常退出")
_IN_FLIGHT_PER_WORKER = 4


@dataclass(frozen=True)
class BatchSettings:
    """What each worker needs to build its own Auditor (rules are compiled in the worker)."""

    rule_dirs: tuple[str, ...] = ()
    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] | None = None
    fail_on: str = "error"
    pages: bool = False         # render each report's HTML page in the worker, from the full report


@dataclass
class Audited:
    """A worker's answer: the result (slimmed for the trip back) and its page, if asked for."""

    result: ReportResult
    page: str | None = None


@dataclass
class BatchCounts:
    files: int = 0
    audited: int = 0
    skipped: int = 0
    errors: int = 0


_AUDITOR: Auditor | None = None
_PAGES: Callable[[ReportResult], str] | None = None


def _init_worker(settings: BatchSettings) -> None:
    global _AUDITOR, _PAGES
    _AUDITOR = Auditor(list(settings.rule_dirs), list(settings.select) if settings.select else None,
                       list(settings.ignore) if settings.ignore else None, settings.fail_on)
    _PAGES = None
    if settings.pages:          # pages are rendered where the report is: the parent only writes them
        from ..reports.html import INDEX_NAME, render_page
        rules = {rule.id: rule for rule in _AUDITOR.rules}
        _PAGES = lambda result: render_page(result, rules, INDEX_NAME)   # noqa: E731


def _audit_one(path: str, ctx: Context) -> Audited:
    assert _AUDITOR is not None
    result = _AUDITOR.audit_path(path, ctx)
    page = _PAGES(result) if _PAGES is not None else None
    return Audited(_slim(result), page)


def _slim(result: ReportResult) -> ReportResult:
    """What travels back to the parent: identity, tables and what copy detection needs."""
    rep = result.report
    if rep is not None:
        section5 = rep.section(5)
        text = similarity.normalise(rep.text, rep.agency)
        metadata = {**rep.metadata, "similarity": {
            "text": text, "section5": section5.text if section5 else None,
            "signature": similarity.signature(similarity.shingles(text))}}
        result.report = Report(path=rep.path, kind=rep.kind, title=rep.title, agency=rep.agency, year=rep.year,
                               format=rep.format, tables=rep.tables, metadata=metadata)
    return result


def tables_of(report: Report | None) -> dict[str, dict[str, object]] | None:
    """{table: {"ROW.COL": value}} of the known cells, for the store and cross-report rules."""
    if report is None:
        return None
    return {name: {f"{r}.{c}": jsonable(cell.value) for (r, c), cell in table.cells.items()
                   if cell.value is not None} for name, table in report.tables.items()}


def run_batch(items: Iterable[tuple[Path, Context]], store: Store, run_id: int, version: str,
              settings: BatchSettings, jobs: int, on_result: Callable[[ReportResult, bool, str | None], None],
              progress: Callable[[BatchCounts, int], None] | None = None,
              scheduler: str | None = None) -> BatchCounts:
    """Audit each (file, context), skipping unchanged files; `on_result(result, skipped, page)` sees
    every result (`page`: its HTML page when the settings ask for pages and it was audited now).
    With a `scheduler` ("local" for a cluster on this machine, or a Dask scheduler's address) the
    work goes to Dask workers instead of local processes; results come back into the same store."""
    items = list(items)
    counts = BatchCounts(files=len(items))
    pending: list[tuple[str, str]] = []
    contexts: dict[str, Context] = {}
    for path, ctx in items:
        try:
            digest = content_hash(path.read_bytes())
        except OSError:
            digest = "unreadable"
        report_id = store.lookup(str(path), digest, version)
        if report_id is not None:
            counts.skipped += 1
            on_result(_from_store(store, report_id), True, None)
        else:
            pending.append((str(path), digest))
            contexts[str(path)] = ctx
    digests = dict(pending)
    tasks = [(p, contexts[p]) for p, _ in pending]
    results = _execute(tasks, settings, jobs) if scheduler is None else _execute_dask(tasks, settings, scheduler)
    for audited in results:
        result = audited.result
        store.save(run_id, digests[result.path], version, result, tables_of(result.report))
        counts.audited += 1
        counts.errors += result.status == "error"
        on_result(result, False, audited.page)
        if progress is not None:
            progress(counts, len(pending))
    return counts


def _from_store(store: Store, report_id: int) -> ReportResult:
    row = store.report_row(report_id)
    report = Report(path=row["path"], kind=row["kind"] or "", agency=row["agency"], year=row["year"],
                    format=row["format"])
    return ReportResult(row["path"], row["status"], report, store.findings(report_id), [], row["error"])


def _execute(tasks: list[tuple[str, Context]], settings: BatchSettings, jobs: int) -> Iterator[Audited]:
    """Results in completion order; a crashed worker is replaced and its files retried alone."""
    if not tasks:
        return
    if jobs <= 1 or len(tasks) <= 1:
        _init_worker(settings)
        for task in tasks:
            yield _audit_one(*task)
        return
    queue = list(reversed(tasks))
    suspects: list[tuple[str, Context]] = []
    while queue:
        with cf.ProcessPoolExecutor(jobs, initializer=_init_worker, initargs=(settings,)) as pool:
            running: dict[cf.Future, tuple[str, Context]] = {}
            broken = False
            while (queue or running) and not broken:
                while queue and len(running) < jobs * _IN_FLIGHT_PER_WORKER:
                    task = queue.pop()
                    running[pool.submit(_audit_one, *task)] = task
                done, _ = cf.wait(running, return_when=cf.FIRST_COMPLETED)
                for future in done:
                    task = running.pop(future)
                    try:
                        result = future.result()
                    except cf.process.BrokenProcessPool:
                        suspects.append(task)
                        broken = True
                        continue
                    yield result
            suspects.extend(running.values())      # lost with the broken pool: retried below
    for task in suspects:                 # one at a time: the culprit cannot take others with it
        yield _isolated(task, settings)


def _isolated(task: tuple[str, Context], settings: BatchSettings) -> Audited:
    path = task[0]
    with cf.ProcessPoolExecutor(1, initializer=_init_worker, initargs=(settings,)) as pool:
        try:
            return pool.submit(_audit_one, *task).result()
        except cf.process.BrokenProcessPool:
            return Audited(error_result(path, WORKER_CRASH, "审核该文件时工作进程异常退出（已隔离重试仍失败），未能审核"))


_WORKER_LOCK = threading.Lock()


def _dask_audit(settings: BatchSettings, path: str, ctx: Context) -> Audited:
    """The task a Dask worker runs. One audit at a time per worker process, whatever its thread
    count: the durable engine is not thread-safe, and the rules are compiled once per process."""
    global _SETTINGS
    with _WORKER_LOCK:
        if _AUDITOR is None or _SETTINGS != settings:
            _init_worker(settings)
            _SETTINGS = settings
        return _audit_one(path, ctx)


_SETTINGS: BatchSettings | None = None


def _execute_dask(tasks: list[tuple[str, Context]], settings: BatchSettings, scheduler: str) -> Iterator[Audited]:
    """Results from a Dask cluster in completion order; a task whose worker died is an error result.

    Workers need the package installed and the files at the same paths (shared storage).
    """
    if not tasks:
        return
    from dask.distributed import Client, LocalCluster, as_completed

    cluster = None
    if scheduler == "local":
        cluster = LocalCluster(n_workers=default_jobs(), threads_per_worker=1, processes=True,
                               dashboard_address=None)
    client = Client(cluster if cluster is not None else scheduler, timeout="30s")
    try:
        futures = {client.submit(_dask_audit, settings, path, ctx, pure=False, retries=0): path
                   for path, ctx in tasks}
        for future in as_completed(futures):
            try:
                yield future.result()
            except Exception as exc:  # noqa: BLE001 - KilledWorker and the like: record, go on
                yield Audited(error_result(futures[future], WORKER_CRASH,
                                           f"分布式工作进程未能审核该文件（{type(exc).__name__}）"))
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def progress_printer(stream=sys.stderr) -> Callable[[BatchCounts, int], None]:
    """A one-line progress bar with counts and ETA, redrawn in place (TTY only)."""
    started = time.monotonic()

    def show(counts: BatchCounts, total: int) -> None:
        done = counts.audited
        elapsed = time.monotonic() - started
        eta = elapsed / done * (total - done) if done else 0.0
        width = 30
        filled = int(width * done / total) if total else width
        stream.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} 已审核，"
                     f"跳过 {counts.skipped}，出错 {counts.errors}，剩余约 {eta:.0f} 秒 ")
        if done == total:
            stream.write("\n")
        stream.flush()
    return show


MANIFEST_COLUMNS = ("path", "agency", "year", "published", "agency_kind", "parent")


class ManifestError(ValueError):
    """A manifest CSV that cannot be used (a usage error)."""


def read_manifest(path: Path) -> list[tuple[Path, Context]]:
    """(file, context) per row of a manifest CSV; paths are relative to the manifest's folder."""
    items = []
    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            if not reader.fieldnames or "path" not in reader.fieldnames:
                raise ManifestError(f"清单 {path} 缺少 path 列（可用列：{'、'.join(MANIFEST_COLUMNS)}）")
            for number, row in enumerate(reader, 2):
                try:
                    ctx = Context(agency=row.get("agency") or None,
                                  year=int(row["year"]) if row.get("year") else None,
                                  published=date.fromisoformat(row["published"]) if row.get("published") else None,
                                  agency_kind=row.get("agency_kind") or None)
                except ValueError as exc:
                    raise ManifestError(f"清单 {path} 第 {number} 行：{exc}") from None
                items.append(((path.parent / row["path"]).resolve(), ctx))
    except OSError as exc:
        raise ManifestError(f"无法读取清单 {path}：{exc.strerror or exc}") from None
    return items


def cross_report_findings(store: Store, run_id: int, rules: list[Rule]) -> Iterator[ReportResult]:
    """Rules over two reports at once (fact kind `pair`): a report with the same agency's prior-year
    report (carry-over chain, copied text or tables) and with other agencies' reports of the same
    year whose text is near it (found by MinHash/LSH, not by comparing all pairs).

    The other report comes from this batch or from earlier runs in the store; the findings are
    added to the store. Yields, in path order, a result holding only these findings for each
    report that has some.
    """
    pair_rules = [r for r in rules if r.fact == "pair"]
    if not pair_rules:
        return
    engine = RuleEngine(pair_rules)
    rows = list(run_reports(store, run_id))
    peers = _peer_facts(store, rows)
    for row in rows:
        if not row["agency"] or not row["year"]:
            continue
        facts = peers.get(row["id"], [])
        prior = store.latest(row["agency"], row["year"] - 1)
        if prior is not None:
            facts.insert(0, Fact("pair", _prior_fields(row, prior)))
        report = Report(path=row["path"], kind="", agency=row["agency"], year=row["year"])
        findings = engine.findings_on(report, facts) if facts else []
        if findings:
            add_findings(store, row["id"], findings)
            failing = any(f.severity == "error" for f in findings)
            yield ReportResult(row["path"], "fail" if failing else "pass", report, findings)


def _loads(text: str | None) -> dict[str, Any]:
    return json.loads(text) if text else {}


def _prior_fields(row: dict[str, Any], prior: dict[str, Any]) -> dict[str, Any]:
    own, before = _loads(row["tables_json"]), _loads(prior["tables_json"])
    fields: dict[str, Any] = {"relation": "prior", "format": template.expected_format(row["year"]),
                              "prev_year": prior["year"], "prev_path": prior["path"]}
    for table in template.TABLE_NAMES:       # cell keys do not repeat across the three tables
        fields.update(own.get(table, {}))
        fields.update({f"prev.{k}": v for k, v in before.get(table, {}).items()})
    if own and before:
        fields["tables_identical"] = own == before
        fields["nonzero_cells"] = sum(1 for t in own.values() for v in t.values() if v)
    if row["text"] and prior["text"]:
        fields["similarity.text"] = round(similarity.jaccard(similarity.shingles(row["text"]),
                                                             similarity.shingles(prior["text"])), 3)
    if row["section5"] and prior["section5"]:
        mine, theirs = (similarity.normalise(t, row["agency"]) for t in (row["section5"], prior["section5"]))
        fields["similarity.section5"] = round(similarity.jaccard(similarity.shingles(mine),
                                                                 similarity.shingles(theirs)), 3)
        fields["passage"] = similarity.shared_passage(row["section5"], theirs)
    return fields


def _peer_facts(store: Store, rows: list[dict[str, Any]]) -> dict[int, list[Fact]]:
    """Pair facts of reports whose text is near another agency's report of the same year."""
    out: dict[int, list[Fact]] = {}
    in_run = {row["id"] for row in rows}
    for year in sorted({row["year"] for row in rows if row["year"]}):
        reports = {r["id"]: r for r in year_reports(store, year) if r["signature"]}
        for a, b in sorted(similarity.candidate_pairs((i, r["signature"]) for i, r in reports.items())):
            ra, rb = reports[a], reports[b]
            if ra["agency"] and ra["agency"] == rb["agency"]:
                continue
            score = round(similarity.jaccard(similarity.shingles(ra["text"]), similarity.shingles(rb["text"])), 3)
            for mine, other in ((ra, rb), (rb, ra)):
                if mine["id"] in in_run:
                    out.setdefault(mine["id"], []).append(Fact("pair", {
                        "relation": "peer", "format": template.expected_format(year),
                        "similarity.text": score, "peer_agency": other["agency"] or "（未知机关）",
                        "peer_path": other["path"],
                        "passage": similarity.shared_passage(mine["section5"] or "", other["text"] or "")}))
    return out
