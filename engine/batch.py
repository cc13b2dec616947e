"""Batch audits: many files, several worker processes, results kept in the store.

The parent process lists the files, hashes each one and skips those the store already holds for
the same content and rule packs (`plan_batch`); the rest go to worker processes, each of which
compiles the rules once and sends back the result, what the store keeps and the report's page.
Results are committed one by one as they come, so a killed run loses nothing it finished. A worker that dies (durable-rules' C core can crash the process) is
replaced: the files it may have held are retried one at a time in a fresh worker, and a file that
kills its worker again is recorded as an error — the batch goes on.
"""

from __future__ import annotations

import concurrent.futures as cf
import csv
import hashlib
import itertools
import json
import os
import pickle
import resource
import sys
import threading
import time
import zlib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from . import similarity
from .audit import Auditor, ReadError, ReportResult, error_result, read_report
from .facts import Context, jsonable
from .model import Report
from .rulepack import Rule
from .store import Store, StoredReport, content_hash

__all__ = ["BatchSettings", "BatchCounts", "Plan", "plan_batch", "run_batch", "render_pages", "read_manifest",
           "ManifestError", "default_jobs", "progress_printer", "tables_of", "WORKER_CRASH"]

WORKER_CRASH = ("READ-001", "文件无法审核", "xxgk-audit：审核进程异常退出")
_IN_FLIGHT_PER_WORKER = 4

@dataclass(frozen=True)
class BatchSettings:
    """What each worker needs to build its own Auditor (rules are compiled in the worker)."""

    rule_dirs: tuple[str, ...] = ()
    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] | None = None
    fail_on: str = "error"
    pages: bool = False         # write a page per report (drawn in the workers, see render_pages)
    # a private folder where audit workers keep the PDFs they read, parsed, for the page step
    # (reading a PDF again costs as much as auditing it; the other kinds are read again)
    report_cache: str | None = None


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
_RULES: dict[str, Rule] = {}
_CACHE: Path | None = None


def _init_worker(settings: BatchSettings) -> None:
    global _AUDITOR, _RULES, _CACHE
    _AUDITOR = Auditor(list(settings.rule_dirs), list(settings.select) if settings.select else None,
                       list(settings.ignore) if settings.ignore else None, settings.fail_on)
    _RULES = {rule.id: rule for rule in _AUDITOR.rules}
    # only where the folder exists: a Dask worker on another machine reads the PDF again
    _CACHE = Path(settings.report_cache) if settings.report_cache and Path(settings.report_cache).is_dir() else None


def _audit_one(path: str, ctx: Context) -> Audited:
    assert _AUDITOR is not None
    result = _AUDITOR.audit_path(path, ctx)
    if _CACHE is not None and result.report is not None and result.report.kind == "pdf":
        _cached(path).write_bytes(zlib.compress(pickle.dumps(result.report, pickle.HIGHEST_PROTOCOL), 1))
    record = _record(result.report, ctx)
    return Audited(_slim(result, ctx), record, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def _render_one(path: str, result: ReportResult, target: str | None) -> tuple[str, str | None]:
    """A report's page: its stored result (with the cross-report findings and checks) drawn over
    the report read again, which the page needs whole (tables, lines) and the store does not keep.
    Written to `target` here when given (local workers share the output folder), else returned."""
    cached = _cached(path) if _CACHE is not None else None
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
    from ..reports.html import INDEX_NAME, render_page
    page = render_page(result, _RULES, INDEX_NAME)
    if target is None:
        return path, page
    Path(target).write_text(page, encoding="utf-8")
    return path, None


def _slim(result: ReportResult, ctx: Context) -> ReportResult:
    """The result with the report reduced to its identity for the trip back to the parent. The
    identity the store links years and aggregates by is the manifest's agency and year where it
    gives them (an office's list of agencies is steadier than titles), else the document's."""
    rep = result.report
    if rep is not None:
        result.report = Report(path=rep.path, kind=rep.kind, title=rep.title, agency=ctx.agency or rep.agency,
                               year=ctx.year if ctx.year is not None else rep.year, format=rep.format,
                               metadata=rep.metadata)
    return result


def _record(rep: Report | None, ctx: Context) -> StoredReport:
    """The tables and the narrative (normalised, with its MinHash signature) for the store."""
    if rep is None:
        return StoredReport(parent=ctx.parent)
    narrative = "\n".join(s.text for s in rep.sections) or rep.text
    text = similarity.normalise(narrative, rep.agency)
    section5 = rep.section(5)
    tables = tables_of(rep)
    return StoredReport(tables_json=json.dumps(tables, ensure_ascii=False) if tables else None, text=text,
                        section5=section5.text if section5 else None,
                        signature=similarity.signature(similarity.shingles(text)), parent=ctx.parent)


def tables_of(report: Report | None) -> dict[str, dict[str, object]] | None:
    """{table: {"ROW.COL": value}} of the known cells, for the store and cross-report rules."""
    if report is None:
        return None
    return {name: {f"{r}.{c}": jsonable(cell.value) for (r, c), cell in table.cells.items()
                   if cell.value is not None} for name, table in report.tables.items()}


def plan_batch(items: Iterable[tuple[Path, Context]], store: Store, version: str) -> Plan:
    """Hash each file and look it up: unchanged files (same content, same rule packs) are kept."""
    plan = Plan()
    for path, ctx in items:
        if str(path) in plan.order:
            continue
        plan.order[str(path)] = len(plan.order) + 1
        try:
            digest = content_hash(path.read_bytes())
        except OSError:
            digest = "unreadable"
        report_id = store.lookup(str(path), digest, version)
        if report_id is not None:
            plan.kept.append((str(path), report_id))
        else:
            plan.todo.append((str(path), digest, ctx))
    return plan


def run_batch(plan: Plan, store: Store, run_id: int, version: str, settings: BatchSettings, jobs: int,
              on_result: Callable[[ReportResult, bool], None] = lambda result, kept: None,
              progress: Callable[[BatchCounts, int], None] | None = None,
              scheduler: str | None = None) -> BatchCounts:
    """Audit what the plan says, each result committed to the store as it comes; `on_result(result,
    kept)` sees every result, kept ones first. With a `scheduler` ("local" for a cluster on this
    machine, or a Dask scheduler's address) the work goes to Dask workers, not local processes."""
    counts = BatchCounts(files=len(plan.todo) + len(plan.kept), skipped=len(plan.kept))
    for _, report_id in plan.kept:
        on_result(store.result(report_id), True)
    digests = {path: digest for path, digest, _ in plan.todo}
    tasks = [(path, ctx) for path, _, ctx in plan.todo]
    for audited in _run(_audit_one, iter(tasks), settings, jobs, scheduler, _audit_crashed):
        result = audited.result
        store.save(run_id, digests[result.path], version, result, audited.record)
        counts.audited += 1
        counts.errors += result.status == "error"
        counts.worker_peak_rss_kb = max(counts.worker_peak_rss_kb, audited.peak_rss_kb)
        on_result(result, False)
        if progress is not None:
            progress(counts, len(tasks))
    return counts


def render_pages(tasks: Iterable[tuple[str, ReportResult, str]], settings: BatchSettings, jobs: int,
                 scheduler: str | None = None) -> Iterator[str]:
    """Write the page of each (path, stored result, page file), drawn in the workers as they come;
    yields the paths done. Dask workers send the page back to be written here (they may not see
    the output folder); local ones write it themselves."""
    remote = scheduler is not None
    targets = {}

    def local(task: tuple[str, ReportResult, str]) -> tuple[str, ReportResult, str | None]:
        targets[task[0]] = task[2]
        return (task[0], task[1], None) if remote else task

    for path, page in _run(_render_one, map(local, tasks), settings, jobs, scheduler, _render_crashed):
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


def _run(fn: Callable, tasks: Iterator[tuple], settings: BatchSettings, jobs: int, scheduler: str | None,
         crashed: Callable[[tuple, str], Any]) -> Iterator[Any]:
    if scheduler is not None:
        return _execute_dask(fn, tasks, settings, scheduler, crashed)
    return _execute(fn, tasks, settings, jobs, crashed)


def _execute(fn: Callable, tasks: Iterator[tuple], settings: BatchSettings, jobs: int,
             crashed: Callable[[tuple, str], Any]) -> Iterator[Any]:
    """`fn(*task)` for each task, answers in completion order, a few tasks in flight per worker
    (tasks are taken from the iterator as workers free up). A crashed worker is replaced and the
    tasks it may have held are retried one at a time; one that crashes alone is `crashed(task)`."""
    first = next(tasks, None)
    if first is None:
        return
    tasks = itertools.chain([first], tasks)
    if jobs <= 1:
        _init_worker(settings)
        for task in tasks:
            try:
                yield fn(*task)
            except Exception as exc:  # noqa: BLE001 - a bug met on one file: that file's error line
                yield crashed(task, _internal(exc))
        return
    suspects: list[tuple] = []
    pending = True
    while pending:
        with cf.ProcessPoolExecutor(jobs, initializer=_init_worker, initargs=(settings,)) as pool:
            running: dict[cf.Future, tuple] = {}
            broken = False
            while not broken:
                while pending and len(running) < jobs * _IN_FLIGHT_PER_WORKER:
                    task = next(tasks, None)
                    if task is None:
                        pending = False
                        break
                    running[pool.submit(fn, *task)] = task
                if not running:
                    break
                done, _ = cf.wait(running, return_when=cf.FIRST_COMPLETED)
                for future in done:
                    task = running.pop(future)
                    try:
                        answer = future.result()
                    except cf.process.BrokenProcessPool:
                        suspects.append(task)
                        broken = True
                        continue
                    except Exception as exc:  # noqa: BLE001 - a bug met on one file: its error line
                        answer = crashed(task, _internal(exc))
                    yield answer
            suspects.extend(running.values())      # lost with the broken pool: retried below
    for task in suspects:                 # one at a time: the culprit cannot take others with it
        yield _isolated(fn, task, settings, crashed)


def _isolated(fn: Callable, task: tuple, settings: BatchSettings, crashed: Callable[[tuple, str], Any]) -> Any:
    with cf.ProcessPoolExecutor(1, initializer=_init_worker, initargs=(settings,)) as pool:
        try:
            return pool.submit(fn, *task).result()
        except cf.process.BrokenProcessPool:
            return crashed(task, "审核该文件时工作进程异常退出（已隔离重试仍失败），未能审核")
        except Exception as exc:  # noqa: BLE001
            return crashed(task, _internal(exc))


def _internal(exc: Exception) -> str:
    return f"审核该文件时出现内部错误（{type(exc).__name__}：{str(exc)[:200]}），未能审核"


_WORKER_LOCK = threading.Lock()
_SETTINGS: BatchSettings | None = None


def _dask_call(settings: BatchSettings, fn: Callable, *task: Any) -> Any:
    """The task a Dask worker runs. One at a time per worker process, whatever its thread count:
    the durable engine is not thread-safe, and the rules are compiled once per process."""
    global _SETTINGS
    with _WORKER_LOCK:
        if _AUDITOR is None or _SETTINGS != settings:
            _init_worker(settings)
            _SETTINGS = settings
        return fn(*task)


def _execute_dask(fn: Callable, tasks: Iterator[tuple], settings: BatchSettings, scheduler: str,
                  crashed: Callable[[tuple, str], Any]) -> Iterator[Any]:
    """Answers from a Dask cluster in completion order; a task whose worker died is `crashed(task)`.

    Workers need the package installed and the files at the same paths (shared storage).
    """
    tasks = list(tasks)
    if not tasks:
        return
    from dask.distributed import Client, LocalCluster, as_completed

    cluster = None
    if scheduler == "local":
        cluster = LocalCluster(n_workers=default_jobs(), threads_per_worker=1, processes=True,
                               dashboard_address=None)
    client = Client(cluster if cluster is not None else scheduler, timeout="30s")
    try:
        futures = {client.submit(_dask_call, settings, fn, *task, pure=False, retries=0): task for task in tasks}
        for future in as_completed(futures):
            try:
                yield future.result()
            except Exception as exc:  # noqa: BLE001 - KilledWorker and the like: record, go on
                yield crashed(futures[future], f"分布式工作进程未能审核该文件（{type(exc).__name__}）")
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
                                  agency_kind=row.get("agency_kind") or None, parent=row.get("parent") or None)
                except ValueError as exc:
                    raise ManifestError(f"清单 {path} 第 {number} 行：{exc}") from None
                items.append(((path.parent / row["path"]).resolve(), ctx))
    except OSError as exc:
        raise ManifestError(f"无法读取清单 {path}：{exc.strerror or exc}") from None
    return items
