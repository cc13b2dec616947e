"""`xxgk-audit batch`: audit a folder or manifest into the store, then write the outputs from it.

1. plan: hash every file; unchanged ones (same content and rule packs) are taken from the store;
2. audit the rest in workers, each result committed to the store at once;
3. cross-report rules over the run's reports (engine/batch/cross_report.py), in the workers too;
4. the pages of the reports audited or cross-checked now, drawn by the workers from the stored
   result over the report read again (the store does not keep whole reports);
5. outputs from the store, so audited, unchanged and cross-report findings look the same: the
   HTML index, findings.csv/.xlsx, summary.json and cross_report.json; and the figures
   (engine/figures): figures.csv/.xlsx, indicators.csv, the coverage in summary.json and the
   index's 统计 section.

When nothing changed since the last run into the same folder (same files, contents and rule
packs), the outputs written then are still right and are kept as they are.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import json
import resource
import sqlite3
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

from xxgk_audit.reports import Summary
from xxgk_audit.reports.html import HtmlBatchRenderer, INDEX_NAME, render_page
from xxgk_audit.reports.json_report import JsonRenderer, dumps
from xxgk_audit.reports.figures_export import FIGURES_CSV, FIGURES_XLSX, INDICATORS_CSV, write_batch_figures
from xxgk_audit.engine import __version__
from xxgk_audit.engine.evaluation.audit import ReportResult
from xxgk_audit.engine.batch.steps import BatchCounts, BatchSettings, Plan, plan_batch, render_pages, run_batch, workers
from xxgk_audit.engine.batch.cross_report import cross_report_findings
from xxgk_audit.engine.batch import review
from xxgk_audit.reports.html_index import page_name
from xxgk_audit.engine.evaluation.facts import Context
from xxgk_audit.engine.rulelang.rulepack import Rule
from xxgk_audit.engine.app.config import Config
from xxgk_audit.engine.app.results import ResultChain
from xxgk_audit.engine.batch.lock import OutputError, run_lock
from xxgk_audit.engine.batch.manifest import Expected
from xxgk_audit.engine.batch.store import Store, rules_version, save_expected
from xxgk_audit.engine.batch.workers import Workers
from xxgk_audit.engine.figures.batch import batch_figures
from xxgk_audit.engine.figures.trend import trend_of


__all__ = ["BatchJob", "BatchOutcome", "STATE_NAME", "batch_page"]

STATE_NAME = "run.json"        # the run that wrote the outputs: counts, seconds per step, what they came from


def batch_page(result: ReportResult, rules: dict[str, Rule], store: str | None = None) -> str:
    """A report's page in a batch folder, linking back to its index, with the trend of its figures
    over the years in the `store` when the worker can read it (the workers' page renderer)."""
    return render_page(result, rules, INDEX_NAME, trend_of(store, result.path) if store else None)


@dataclass
class BatchJob:
    items: list[tuple[Path, Context]]
    source: str
    outdir: Path
    store_path: Path
    settings: BatchSettings
    jobs: int
    scheduler: str | None = None
    chain: ResultChain = field(default_factory=lambda: ResultChain(Config()))   # as `check` does after the audit
    expected: list[Expected] = field(default_factory=list)     # who should have published (coverage)
    blank_cells: str = "zero"                                   # the blank-cell policy (indicators)


@dataclass
class BatchOutcome:
    counts: BatchCounts
    summary: dict[str, Any]
    cross_findings: int
    outputs_kept: bool = False          # nothing changed: the outputs of the last run still hold
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def all_pass(self) -> bool:
        return self.summary["pass"] == self.summary["reports"]


def run(job: BatchJob, rules: list[Rule], progress: Callable[[BatchCounts, int], None] | None = None) -> BatchOutcome:
    """The batch, holding the lock of its output folder and store; OutputError when they cannot be
    written (what was committed to the store before stays whole: each report is a transaction)."""
    with run_lock(job.outdir, job.store_path.parent):
        try:
            return _run(job, rules, progress)
        except (OSError, sqlite3.OperationalError, sqlite3.DatabaseError) as exc:
            reason = getattr(exc, "strerror", None) or str(exc)
            raise OutputError(f"无法写入输出目录或结果库（{job.outdir}、{job.store_path}）：{reason}") from None


def _run(job: BatchJob, rules: list[Rule], progress: Callable[[BatchCounts, int], None] | None) -> BatchOutcome:
    clock = _Clock()
    store = Store(job.store_path)
    try:
        version = rules_version(rules, job.chain.config.get("blank-cells"))
        run_id = store.start_run(job.source, version, job.jobs)
        save_expected(store, run_id, [(e.agency, e.year, e.parent, e.path) for e in job.expected])
        plan = plan_batch(job.items, store, version)
        clock.lap("plan")
        drawn = _drawn_at(job.outdir, store)
        if not plan.todo:
            kept = _kept_outputs(job.outdir, _state_key(plan.kept, version, _outputs_key(job), review.decisions_mark(store)))
            if kept is not None:
                counts = BatchCounts(files=len(plan.kept), skipped=len(plan.kept))
                store.finish_run(run_id, **counts.totals())
                return BatchOutcome(counts, kept["summary"], kept["cross_findings"], True, clock.seconds)

        with contextlib.ExitStack() as stack:
            cache = stack.enter_context(tempfile.TemporaryDirectory(prefix="xxgk-reports-"))    # private (0700)
            settings = job.settings
            if settings.page_renderer is not None:
                settings = dataclasses.replace(settings, report_cache=cache,
                                               page_renderer=functools.partial(settings.page_renderer, store=str(job.store_path)))
            # one set of workers for every step. The cross-report checks read the store: with a Dask
            # cluster they run in this process (forking local workers once Dask's threads run is unsafe)
            pool = stack.enter_context(workers(settings, job.jobs, job.scheduler))
            counts = run_batch(plan, store, run_id, version, pool, progress=progress)
            clock.lap("audit")
            ids = _report_ids(plan, store, version)
            checked = {r.path for r in cross_report_findings(store, [i for _, i in ids], rules, clock.seconds,
                                                              None if job.scheduler else pool)}
            clock.lap("cross_report")
            review.index_fingerprints(store)        # decisions are honoured in pages and outputs
            if job.settings.page_renderer is not None:
                decided = review.decided_since(store, drawn)
                _write_pages(job, pool, store, plan, ids, {path for path, _, _ in plan.todo} | checked | decided)
                clock.lap("pages")
        (job.outdir / STATE_NAME).unlink(missing_ok=True)     # outputs being rewritten: none are "kept"
        summary, n_cross = _write_outputs(job, rules, store, plan, ids, clock)
        clock.lap("outputs")
        store.finish_run(run_id, **counts.totals())
        state = {"key": _state_key(ids, version, _outputs_key(job), review.decisions_mark(store)), "run_id": run_id,
                 "counts": counts.totals(),
                 "summary": summary.to_dict(), "cross_findings": n_cross, "seconds": clock.seconds,
                 "peak_rss_mb": {"parent": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
                                 "worker": round(counts.worker_peak_rss_kb / 1024, 1)}}
        (job.outdir / STATE_NAME).write_text(dumps(state, indent=2) + "\n", encoding="utf-8")
        return BatchOutcome(counts, summary.to_dict(), n_cross, False, clock.seconds)
    finally:
        store.close()


def _report_ids(plan: Plan, store: Store, version: str) -> list[tuple[str, int]]:
    """(path, report id) of every file of the run, in input order (each path once)."""
    ids = dict(plan.kept)
    for path, digest, _ in plan.todo:
        report_id = store.lookup(path, digest, version)
        if report_id is not None:
            ids[path] = report_id
    return sorted(ids.items(), key=lambda item: (plan.order[item[0]], item[0]))


def _write_pages(job: BatchJob, pool: Workers, store: Store, plan: Plan, ids: list[tuple[str, int]],
                 fresh: set[str]) -> None:
    """The page of every report audited or cross-checked now, or whose page is missing: drawn by the
    workers from the stored result, so a page says what the index and summary.json say."""
    def tasks() -> Iterator[tuple[str, ReportResult, str]]:
        for path, report_id in ids:
            target = job.outdir / page_name(plan.order[path], path)
            if path in fresh or not target.exists():
                yield path, job.chain.finish(review.honoured(store, report_id, job.chain.fail_on).result), str(target)

    for _ in render_pages(tasks(), pool):
        pass


def _write_outputs(job: BatchJob, rules: list[Rule], store: Store, plan: Plan,
                   ids: list[tuple[str, int]], clock: "_Clock") -> tuple[Summary, int]:
    """Index, spreadsheets, summary.json and cross_report.json from the store, in input order; a
    report's verdict counts its cross-report findings too; the figures. Returns the summary and
    the number of cross-report findings."""
    figures = batch_figures(store, [report_id for _, report_id in ids], job.blank_cells, job.expected)
    write_batch_figures(job.outdir, figures.figures)
    clock.lap("figures")
    pair_rules = {rule.id for rule in rules if rule.fact == "pair"}
    summary = Summary()
    cross: list[dict[str, Any]] = []
    html = HtmlBatchRenderer(job.outdir, rules, pages=job.settings.page_renderer is not None)
    with open(job.outdir / "summary.json", "w", encoding="utf-8") as out:
        json_out = JsonRenderer(out)
        for renderer in (html, json_out):
            renderer.start()
        for path, report_id in ids:
            result = job.chain.finish(review.honoured(store, report_id, job.chain.fail_on).result)
            summary.add(result)
            html.add(result, plan.order[path], write_page=False)     # the workers drew it
            json_out.add(result)
            found = [f.to_dict() for f in result.findings if f.rule in pair_rules]
            if found:
                rep = result.report
                cross.append({"path": path, "agency": rep.agency if rep else None,
                              "year": rep.year if rep else None, "findings": found})
        html.finish(summary, figures.statistics, figures.figures.coverage)
        json_out.finish(summary, {"coverage": figures.figures.coverage.to_dict()})
    (job.outdir / "cross_report.json").write_text(dumps(cross, indent=2) + "\n", encoding="utf-8")
    return summary, sum(len(c["findings"]) for c in cross)


def _outputs_key(job: BatchJob) -> str:
    """What the outputs depend on besides the reports: pages or not, the figures' settings."""
    expected = sorted((e.agency, e.year, e.parent or "", e.path or "") for e in job.expected)
    return f"{job.settings.page_renderer is not None}|{job.blank_cells}|{expected}"


def _state_key(ids: list[tuple[str, int]], version: str, settings: str, decisions: str) -> str:
    """What the outputs depend on: the reports (by store id), the rule packs, the review
    decisions, the tool and `settings`."""
    digest = hashlib.sha256(f"{__version__}|{version}|{settings}|{decisions}".encode())
    for path, report_id in sorted(ids):
        digest.update(f"\n{path}\t{report_id}".encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


def _drawn_at(outdir: Path, store: Store) -> float:
    """When the pages in `outdir` were drawn (the end of the run that wrote run.json; 0 unknown):
    pages of reports decided on since then are drawn again."""
    try:
        run_id = json.loads((outdir / STATE_NAME).read_text(encoding="utf-8"))["run_id"]
    except (OSError, ValueError, KeyError, TypeError):
        return 0.0
    row = store.db.execute("SELECT finished FROM runs WHERE id = ?", (run_id,)).fetchone()
    return float(row[0]) if row and row[0] is not None else 0.0


def _kept_outputs(outdir: Path, state: str) -> dict[str, Any] | None:
    """The last run's state, when its outputs are all there and were made from the same reports."""
    try:
        saved = json.loads((outdir / STATE_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    names = (INDEX_NAME, "summary.json", "cross_report.json", "findings.csv", "findings.xlsx", FIGURES_CSV,
             FIGURES_XLSX, INDICATORS_CSV)
    if saved.get("key") != state or not all((outdir / name).is_file() for name in names):
        return None
    return saved


class _Clock:
    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.seconds[name] = round(now - self._last, 3)
        self._last = now
