"""Batch audits: many files, worker processes (engine/batch/workers.py), results kept in the store.

The parent process lists the files, hashes each one and skips those the store already holds for
the same content and rule packs (`plan_batch`); the rest go to the workers, each of which compiles
the rules once and sends back the result and what the store keeps of the report (`run_batch`).
Results are committed one by one as they come, so a killed run loses nothing it finished. Pages
are drawn later by the same workers, from the stored result (`render_pages`). A file whose worker
dies or fails is recorded as an error — the batch goes on.
"""

from __future__ import annotations

import hashlib
import json
import pickle
import resource
import stat
import sys
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

from xxgk_audit.engine.batch import cross_report, similarity
from xxgk_audit.engine.evaluation.audit import MAX_FILE_BYTES, Auditor, ReadError, ReportResult, error_result, overrun_result, read_report
from xxgk_audit.engine.evaluation import budget
from xxgk_audit.engine.evaluation.budget import DEFAULT_BUDGET, Budget, run_within
from xxgk_audit.engine.evaluation.blank_cells import DEFAULT_POLICY, presume
from xxgk_audit.engine.evaluation.facts import Context, jsonable
from xxgk_audit.engine.model.report import Report
from xxgk_audit.engine.rulelang.rulepack import Rule
from xxgk_audit.engine.rulelang.selection import Selection
from xxgk_audit.engine.batch.store import Store, StoredReport, file_hash
from xxgk_audit.engine.batch.workers import Workers

__all__ = ["BatchSettings", "BatchCounts", "Plan", "plan_batch", "workers", "run_batch", "render_pages", "stored_audit",
           "progress_printer", "tables_of", "WORKER_CRASH"]

WORKER_CRASH = "READ-001"       # a worker that died on the file: the message says so

@dataclass(frozen=True)
class BatchSettings:
    """What each worker needs to build its own Auditor (rules are compiled in the worker)."""

    rule_dirs: tuple[str, ...] = ()
    selection: Selection = Selection()
    fail_on: str = "error"
    # draws a report's page from its result and the rules by id, when the run writes pages; given by
    # the application (batch does not import reports/), called in the workers (see render_pages)
    page_renderer: Callable[[ReportResult, dict[str, Rule]], str] | None = None
    # a private folder where audit workers keep the PDFs they read, parsed, for the page step
    # (reading a PDF again costs as much as auditing it; the other kinds are read again)
    report_cache: str | None = None
    # time and memory each file may take (engine/evaluation/budget.py); None: unbounded
    budget: Budget | None = DEFAULT_BUDGET


@dataclass
class Audited:
    """A worker's answer: the result without the parsed tables, and what the store keeps of the
    report (prepared here, so the parent only writes it)."""

    result: ReportResult
    record: StoredReport
    peak_rss_kb: int = 0        # the worker's peak memory so far


@dataclass
class BatchCounts:
    files: int = 0
    audited: int = 0
    skipped: int = 0
    errors: int = 0
    worker_peak_rss_kb: int = 0     # the largest peak memory a worker reported

    def totals(self) -> dict[str, int]:
        return {"files": self.files, "audited": self.audited, "skipped": self.skipped, "errors": self.errors}


@dataclass
class Plan:
    """What a run has to do: files to audit (path, content hash, context) and files the store
    holds already for the same content and rule packs (path, report id); `order` numbers each
    path by its first place in the input (stable page names)."""

    todo: list[tuple[str, str, Context]] = field(default_factory=list)
    kept: list[tuple[str, int]] = field(default_factory=list)
    order: dict[str, int] = field(default_factory=dict)


_AUDITOR: Auditor | None = None
_RENDERER: Callable[[ReportResult, dict[str, Rule]], str] | None = None
_RULES: dict[str, Rule] = {}
_CACHE: Path | None = None
_BUDGET: Budget | None = None


def _init_worker(settings: BatchSettings) -> None:
    global _AUDITOR, _RULES, _CACHE, _RENDERER, _BUDGET
    _RENDERER = settings.page_renderer
    _BUDGET = settings.budget
    budget.reset()          # the child that audits must be forked from the worker prepared now
    _AUDITOR = Auditor(list(settings.rule_dirs), fail_on=settings.fail_on, selection=settings.selection)
    _RULES = {rule.id: rule for rule in _AUDITOR.rules}
    cross_report.prepare(_AUDITOR.rules)
    # only where the folder exists: a Dask worker on another machine reads the PDF again
    _CACHE = Path(settings.report_cache) if settings.report_cache and Path(settings.report_cache).is_dir() else None


def _audit_one(path: str, ctx: Context) -> Audited:
    """The file audited within its budget, in a child of the worker: a file that hangs, floods
    memory or crashes costs its budget and its own error line; the worker stays as it was."""
    overrun = overrun_result(path)
    return run_within(_audit_inside, (path, ctx), _BUDGET,
                      lambda limit, evidence: Audited(overrun(limit, evidence), StoredReport()))


def _audit_inside(path: str, ctx: Context) -> Audited:
    assert _AUDITOR is not None
    result = _AUDITOR.audit_path(path, ctx)
    if _CACHE is not None and result.report is not None and result.report.kind == "pdf":
        _cached(path).write_bytes(zlib.compress(pickle.dumps(result.report, pickle.HIGHEST_PROTOCOL), 1))
    result, record = stored_audit(result, ctx)
    return Audited(result, record, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def stored_audit(result: ReportResult, ctx: Context) -> tuple[ReportResult, StoredReport]:
    """An audit as the store keeps it: the result slimmed to the report's identity, and the
    tables and texts (a batch's workers and the web app's uploads both store audits so)."""
    record = _record(result.report, ctx)
    return _slim(result), record


def _render_one(path: str, result: ReportResult, target: str | None) -> tuple[str, str | None]:
    """A report's page: its stored result (with the cross-report findings and checks) drawn over
    the report read again, which the page needs whole (tables, lines) and the store does not keep.
    Written to `target` here when given (local workers share the output folder), else returned."""
    cached = _cached(path) if _CACHE is not None else None
    if result.status == "error":            # unread, or over its budget: never read it again
        return _page(path, result, target)
    try:
        if cached is not None and cached.exists():
            result.report = pickle.loads(zlib.decompress(cached.read_bytes()))
            cached.unlink()
        else:
            result.report = read_report(path)
    except ReadError:
        pass                    # unreadable now: the page shows what the store has
    return _page(path, result, target)


def _cached(path: str) -> Path:
    assert _CACHE is not None
    return _CACHE / (hashlib.sha256(path.encode("utf-8", "surrogateescape")).hexdigest() + ".pickle.z")


def _page(path: str, result: ReportResult, target: str | None) -> tuple[str, str | None]:
    assert _RENDERER is not None, "pages asked of a run without a page renderer"
    page = _RENDERER(result, _RULES)
    if target is None:
        return path, page
    Path(target).write_text(page, encoding="utf-8")
    return path, None


def _slim(result: ReportResult) -> ReportResult:
    """The result with the report reduced to its identity for the trip back to the parent. The
    identity the store links years and aggregates by is the manifest's agency and year where it
    gives them (an office's list of agencies is steadier than titles), else the document's: the
    Auditor has set it so."""
    rep = result.report
    if rep is not None:
        result.report = Report(path=rep.path, kind=rep.kind, title=rep.title, agency=rep.agency, year=rep.year,
                               format=rep.format, metadata=rep.metadata)
    return result


def _record(rep: Report | None, ctx: Context) -> StoredReport:
    """The tables and the narrative (normalised, with its MinHash signature) for the store."""
    if rep is None:
        return StoredReport(parent=ctx.parent)
    narrative = "\n".join(s.text for s in rep.sections) or rep.text
    text = similarity.normalise(narrative, rep.agency)
    section5 = rep.section(5)
    tables = tables_of(rep, ctx.blank_cells)
    cells = {name: {f"{r}.{c}": [cell.raw, cell.kind] for (r, c), cell in table.cells.items()}
             for name, table in rep.tables.items()}
    return StoredReport(tables_json=json.dumps(tables, ensure_ascii=False) if tables else None, text=text,
                        section5=section5.text if section5 else None,
                        signature=similarity.signature(similarity.shingles(text)), parent=ctx.parent,
                        cells_json=json.dumps(cells, ensure_ascii=False) if cells else None)


def tables_of(report: Report | None, blank_cells: str = DEFAULT_POLICY) -> dict[str, dict[str, object]] | None:
    """{table: {"ROW.COL": value}} of the known cells, blank ones as the policy presumes them, for
    the store and cross-report rules."""
    if report is None:
        return None
    out = {}
    for name, table in report.tables.items():
        values = {f"{r}.{c}": jsonable(cell.value) for (r, c), cell in table.cells.items() if cell.value is not None}
        values.update((key, jsonable(p.value)) for key, p in presume(name, table, table.format, blank_cells).items())
        out[name] = values
    return out


def plan_batch(items: Iterable[tuple[Path, Context]], store: Store, version: str) -> Plan:
    """Hash each file and look it up: unchanged files (same content, same rule packs) are kept."""
    plan = Plan()
    for path, ctx in items:
        if str(path) in plan.order:
            continue
        plan.order[str(path)] = len(plan.order) + 1
        digest = _digest(path)
        report_id = store.lookup(str(path), digest, version)
        if report_id is not None:
            plan.kept.append((str(path), report_id))
        else:
            plan.todo.append((str(path), digest, ctx))
    return plan


def _digest(path: Path) -> str:
    """What tells a changed file from an unchanged one: the content hash (streamed); for a file
    the audit refuses unread — over the size limit, or no regular file (a FIFO would block) —
    its size and time, since reading gigabytes only to refuse them costs minutes."""
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_FILE_BYTES:
            return f"unread:{info.st_mode:o}:{info.st_size}:{info.st_mtime_ns}"
        return file_hash(path)
    except OSError:
        return "unreadable"


def workers(settings: BatchSettings, jobs: int, scheduler: str | None = None) -> Workers:
    """The worker processes of a run (a Dask cluster with a `scheduler`: "local" for one on this
    machine, or a scheduler's address), each prepared with the rules once; close them after."""
    return Workers(_init_worker, settings, jobs, scheduler)


def run_batch(plan: Plan, store: Store, run_id: int, version: str, pool: Workers,
              on_result: Callable[[ReportResult, bool], None] = lambda result, kept: None,
              progress: Callable[[BatchCounts, int], None] | None = None) -> BatchCounts:
    """Audit what the plan says, each result committed to the store as it comes; `on_result(result,
    kept)` sees every result, kept ones first."""
    counts = BatchCounts(files=len(plan.todo) + len(plan.kept), skipped=len(plan.kept))
    for _, report_id in plan.kept:
        on_result(store.result(report_id), True)
    digests = {path: digest for path, digest, _ in plan.todo}
    tasks = [(path, ctx) for path, _, ctx in plan.todo]
    for audited in pool.run(_audit_one, tasks, _audit_crashed):
        result = audited.result
        store.save(run_id, digests[result.path], version, result, audited.record)
        counts.audited += 1
        counts.errors += result.status == "error"
        counts.worker_peak_rss_kb = max(counts.worker_peak_rss_kb, audited.peak_rss_kb)
        on_result(result, False)
        if progress is not None:
            progress(counts, len(tasks))
    return counts


def render_pages(tasks: Iterable[tuple[str, ReportResult, str]], pool: Workers) -> Iterator[str]:
    """Write the page of each (path, stored result, page file), drawn in the workers as they come;
    yields the paths done. Dask workers send the page back to be written here (they may not see
    the output folder); local ones write it themselves."""
    remote = pool.scheduler is not None
    targets = {}

    def local(task: tuple[str, ReportResult, str]) -> tuple[str, ReportResult, str | None]:
        targets[task[0]] = task[2]
        return (task[0], task[1], None) if remote else task

    for path, page in pool.run(_render_one, map(local, tasks), _render_crashed):
        if page is not None:
            Path(targets[path]).write_text(page, encoding="utf-8")
        yield path


def _audit_crashed(task: tuple, message: str) -> Audited:
    return Audited(error_result(task[0], WORKER_CRASH, message), StoredReport())


def _render_crashed(task: tuple, message: str) -> tuple[str, str | None]:
    path, result, target = task
    if result.report is not None:
        result.report.notes.append("生成此页面时未能重新读取原文件（进程异常退出），表格未重绘；审核结果不受影响")
    return _page(path, result, target)


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
