"""The generated multi-agency corpus (benchmarks/make_batch_corpus.py): its reports pass the in-report
rules, and `batch` finds every planted cross-report case and nothing on the clean reports."""

from __future__ import annotations

import csv
import importlib.util
import shutil
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType

import pytest

from xxgk_audit.engine.app import cli
from xxgk_audit.engine.evaluation.audit import Auditor
from xxgk_audit.engine.batch.manifest import read_manifest
from xxgk_audit.engine.batch.steps import BatchSettings, workers
from xxgk_audit.engine.batch.cross_report import cross_report_findings
from xxgk_audit.engine.rulelang.rulepack import load_packs
from xxgk_audit.engine.batch.store import Store

REPO = Path(__file__).resolve().parents[2]
N = 200
CROSS = ("XREF-009", "XREF-010", "XREF-011", "XREF-012", "TEXT-005", "TEXT-006")


def _benchmark(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, REPO / "benchmarks" / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module          # dataclasses look their module up while it loads
    spec.loader.exec_module(module)
    return module


corpus_module = _benchmark("make_batch_corpus")
check_planted = _benchmark("check_planted")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory):
    return corpus_module.make_batch_corpus(tmp_path_factory.mktemp("corpus"), N)


@pytest.fixture(scope="module")
def batch_out(corpus, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("out")
    assert cli.main(["batch", str(corpus.manifest), "--out", str(out), "--jobs", "2", "--exit-zero"]) == 0
    return out


@pytest.fixture(scope="module")
def comparison(corpus, batch_out: Path) -> dict:
    return check_planted.compare(corpus.manifest.parent, batch_out / "audit.db")


def test_the_corpus_has_every_agency_every_year_and_each_kind_of_plant(corpus, tmp_path):
    rows = list(csv.DictReader(corpus.manifest.open(encoding="utf-8")))
    assert len(rows) == len(corpus.paths) == N
    assert set(Counter(row["agency"] for row in rows).values()) == {len(corpus_module.YEARS)}
    aggregates = {row["parent"] for row in rows if row["parent"]}
    assert aggregates and all(row["parent"] == "" for row in rows if row["agency"] in aggregates)
    assert all(row["published"][:4] == str(int(row["year"]) + 1) for row in rows)
    kinds = Counter(entry["rule"] for entry in corpus.planted)
    assert all(kinds[rule] >= 2 for rule in ("XREF-009", "XREF-010", "XREF-012", "TEXT-005", "TEXT-006"))
    assert {entry["path"] for entry in corpus.planted} <= {row["path"] for row in rows}
    again = corpus_module.make_batch_corpus(tmp_path, N)      # deterministic for a seed
    assert again.planted == corpus.planted
    assert again.manifest.read_bytes() == corpus.manifest.read_bytes()
    assert all(a.read_bytes() == b.read_bytes() for a, b in zip(again.paths, corpus.paths))


def test_no_report_has_an_error_finding(corpus):
    """Clean reports, and planted ones too: every plant keeps its own report consistent."""
    auditor = Auditor()
    errors = {}
    for path, ctx in read_manifest(corpus.manifest):
        result = auditor.audit_path(path, ctx)
        found = [f"{f.rule} {f.message}" for f in result.findings if f.severity == "error"]
        if found:
            errors[path.name] = found
    assert errors == {}


@pytest.mark.parametrize("rule", ["XREF-009", "XREF-010", "XREF-012", "TEXT-005", "TEXT-006"])
def test_every_planted_case_is_found(comparison, rule):
    assert comparison[rule]["planted"] and comparison[rule]["missed"] == []


def test_no_cross_report_finding_on_a_clean_report(comparison):
    assert {rule: res["unexpected"] for rule, res in comparison.items() if res["unexpected"]} == {}



def test_cross_report_step_in_worker_processes_finds_what_one_process_finds(batch_out, tmp_path):
    """The step reads the store from several processes; it must find exactly what one finds."""
    found = {}
    for jobs in (1, 2):
        path = tmp_path / f"audit-{jobs}.db"
        shutil.copy(batch_out / "audit.db", path)
        store = Store(path)
        with store.db:
            store.db.execute("DELETE FROM findings WHERE rule IN (%s)" % ", ".join("?" * len(CROSS)), CROSS)
            store.db.execute("UPDATE reports SET cross_checked = 0")
        ids = [row[0] for row in store.db.execute("SELECT id FROM reports")]
        with workers(BatchSettings(), jobs) as pool:
            results = list(cross_report_findings(store, ids, load_packs(), pool=pool))
        found[jobs] = sorted((r.path, f.rule, f.message) for r in results for f in r.findings)
        assert store.db.execute("SELECT COUNT(*) FROM reports WHERE cross_checked = 0 AND status != 'error'"
                                ).fetchone()[0] == 0
        store.close()
    assert found[1] == found[2] and len(found[1]) > 20
