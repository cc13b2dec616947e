"""The Dask executor: the same findings as local workers, pages sent back to be written here.

Marked `dask` and left out of the default run (pyproject's addopts): a Dask cluster leaves
threads in the process, and a process with threads should not fork the local workers other tests
start. tests/batch/test_dask_process.py runs this file in a pytest process of its own.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytestmark = pytest.mark.dask

from batch_data import run_folder as _run
from xxgk_audit.engine.app.batch_command import batch_page
from xxgk_audit.engine.evaluation.audit import Auditor
from xxgk_audit.engine.batch.steps import BatchSettings, plan_batch, render_pages, run_batch, workers
from xxgk_audit.engine.evaluation.facts import Context
from xxgk_audit.engine.rulelang.rulepack import load_packs
from xxgk_audit.engine.batch.store import Store, rules_version


def test_dask_executor_gives_the_same_findings_as_local_workers(folder, tmp_path):
    pytest.importorskip("distributed")
    local, dask = [], []
    _run(folder, Store(tmp_path / "local.db"), 1, lambda r, kept: local.append(r))
    rules = load_packs()
    version = rules_version(rules)
    store = Store(tmp_path / "dask.db")
    run_id = store.start_run(str(folder), version, 2)
    items = [(p, Context()) for p in sorted(folder.rglob("*.txt"))]
    with workers(BatchSettings(), 2, scheduler="local") as pool:
        counts = run_batch(plan_batch(items, store, version), store, run_id, version, pool, lambda r, kept: dask.append(r))
    assert counts.audited == len(items) == 4

    def key(results):
        return sorted((Path(r.path).name, r.status, [f.to_dict() for f in r.findings]) for r in results)

    assert key(dask) == key(local)


def test_dask_workers_send_pages_back_to_be_written_here(folder, tmp_path):
    pytest.importorskip("distributed")
    path = str(folder / "2023" / "env.txt")
    result = Auditor().audit_path(path)
    target = tmp_path / "page.html"
    with workers(BatchSettings(page_renderer=batch_page), 1, scheduler="local") as pool:
        done = list(render_pages([(path, result, str(target))], pool))
    assert done == [path] and "某市生态环境局" in target.read_text(encoding="utf-8")


def test_batch_command_on_dask_writes_what_the_local_run_writes(folder, tmp_path, capsys):
    pytest.importorskip("distributed")
    from xxgk_audit.engine.app import cli

    def summary(out: Path) -> list:
        reports = json.loads((out / "summary.json").read_text(encoding="utf-8"))["reports"]
        return sorted((Path(r["path"]).name, r["status"], [(f["rule"], f["message"]) for f in r["findings"]],
                       [(c["rule"], c["status"]) for c in r["checks"]]) for r in reports)

    cli.main(["batch", str(folder), "--out", str(tmp_path / "local"), "--jobs", "1"])
    cli.main(["batch", str(folder), "--out", str(tmp_path / "dask"), "--executor", "dask", "--scheduler", "local"])
    capsys.readouterr()
    assert summary(tmp_path / "dask") == summary(tmp_path / "local")
    assert "XREF-009" in str(summary(tmp_path / "dask"))
    pages = sorted(p.name for p in (tmp_path / "dask").glob("*.html"))
    assert pages == sorted(p.name for p in (tmp_path / "local").glob("*.html")) and len(pages) == 5
