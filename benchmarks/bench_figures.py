"""The figures step over a batch's store: time and peak memory of collecting and writing the figures.

    .venv/bin/python benchmarks/bench_figures.py --n 10000 [--corpus DIR] [--out DIR]

Makes benchmarks/make_batch_corpus.py's corpus (unless --corpus holds one), runs `xxgk-audit batch
--no-pages --jobs 2` over its manifest once (unless --out has its store), then, in a fresh process
each, measures the figures step as `batch` runs it — one pass over the store and pandas
(engine/figures/collect.py), the index statistics, then figures.csv, indicators.csv and
figures.xlsx — and `xxgk-audit figures --store … -o figures.xlsx`. Peak RSS is the process's;
"before" is its RSS once the modules are imported and the store is open, so the difference is the
step's own memory. CPU seconds are given beside wall seconds: on a shared machine they vary less.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from make_batch_corpus import make_batch_corpus

EXE = Path(sys.executable).with_name("xxgk-audit")

_STEP = """
import json, resource, sys, time
from pathlib import Path
import pandas, numpy                                  # imported before "before": the step's memory only
from xxgk_audit.engine.batch.store import Store
from xxgk_audit.engine.figures.batch import batch_figures
from xxgk_audit.reports.figures_export import write_batch_figures

def rss_mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024

out = Path(sys.argv[1])
store = Store(out / "audit.db", readonly=True)
ids = [row[0] for row in store.db.execute(
    "SELECT id FROM reports r WHERE audited_at = (SELECT MAX(audited_at) FROM reports x WHERE x.path = r.path) ORDER BY path")]
target = Path(sys.argv[2])
target.mkdir(exist_ok=True)
before = rss_mb()
t0, c0 = time.perf_counter(), time.process_time()
figures = batch_figures(store, ids, "zero", [])
t1, c1 = time.perf_counter(), time.process_time()
write_batch_figures(target, figures.figures)
t2, c2 = time.perf_counter(), time.process_time()
print(json.dumps({"reports": len(ids), "collect_s": round(t1 - t0, 2), "write_s": round(t2 - t1, 2),
                  "total_s": round(t2 - t0, 2), "collect_cpu_s": round(c1 - c0, 2), "write_cpu_s": round(c2 - c1, 2),
                  "rss_before_mb": round(before, 1),
                  "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
                  "cells": sum(1 for _ in open(target / "figures.csv", encoding="utf-8-sig")) - 1,
                  "indicators": len(figures.figures.indicators), "totals": len(figures.figures.totals),
                  "xlsx_mb": round((target / "figures.xlsx").stat().st_size / 1e6, 1)}))
"""
_RSS = "import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True, capture_output=True); " \
       "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10000)
    parser.add_argument("--corpus", type=Path, help="corpus folder (made here when it has no manifest.csv)")
    parser.add_argument("--out", type=Path, help="batch output folder (the batch runs when it has no audit.db)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="bench-figures-"))
    corpus = args.corpus or scratch / "corpus"
    out = args.out or scratch / "out"
    if not (corpus / "manifest.csv").is_file():
        started = time.perf_counter()
        make_batch_corpus(corpus, args.n, args.seed)
        print(f"corpus: {args.n} reports in {time.perf_counter() - started:.1f} s ({corpus})")
    if not (out / "audit.db").is_file():
        started = time.perf_counter()
        subprocess.run([str(EXE), "batch", str(corpus / "manifest.csv"), "--out", str(out), "--jobs", "2",
                        "--no-pages", "--exit-zero"], check=True, capture_output=True)
        seconds = json.loads((out / "run.json").read_text(encoding="utf-8"))["seconds"]
        print(f"batch --no-pages --jobs 2: {time.perf_counter() - started:.1f} s; run.json seconds: {seconds}")
    step = json.loads(subprocess.run([sys.executable, "-c", _STEP, str(out), str(scratch / "figures")],
                                     check=True, capture_output=True, text=True).stdout)
    print("figures step (collect = store pass + pandas + statistics; write = figures.csv, indicators.csv, "
          "figures.xlsx):")
    print("  " + json.dumps(step, ensure_ascii=False))
    started = time.perf_counter()
    peak = subprocess.run([sys.executable, "-c", _RSS, str(EXE), "figures", "--store", str(out / "audit.db"),
                           "-o", str(scratch / "export.xlsx")], check=True, capture_output=True, text=True)
    print(f"xxgk-audit figures --store … -o figures.xlsx: {time.perf_counter() - started:.1f} s, "
          f"peak RSS {int(peak.stdout) / 1024:.1f} MB")


if __name__ == "__main__":
    main()
