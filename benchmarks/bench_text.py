"""End-to-end throughput and peak memory on text reports, one process on one core.

Generates max(N) varied reports (benchmarks/make_corpus.py), then for each N runs a fresh
subprocess pinned to one CPU that loads the rules once and, for each of the first N reports,
reads it, builds facts, evaluates the rules and renders the JSON result (streamed to /dev/null,
as `xxgk-audit check --format json` does). Prints reports per second (the audit loop, rule
loading excluded and shown apart) and peak RSS (ru_maxrss) for each N, and the RSS ratio.

    .venv/bin/python benchmarks/bench_text.py [--n 1000 10000] [--source FILE_OR_DIR]

Targets: >= 300 text reports/s per core; peak RSS at 10,000 within 10% of that at 1,000.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from make_corpus import make_corpus

TARGET_RATE = 300.0
TARGET_RSS_RATIO = 1.10


def child(n: int, corpus: Path) -> dict:
    """Audit the first n reports of `corpus` in this process; the measurements as a dict."""
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    from xxgk_audit.engine.evaluation.audit import Auditor
    from xxgk_audit.reports import Summary
    from xxgk_audit.reports.json_report import JsonRenderer

    started = time.perf_counter()
    auditor = Auditor()
    setup = time.perf_counter() - started
    paths = sorted(corpus.glob("*.txt"))[:n]
    summary = Summary()
    with open(os.devnull, "w", encoding="utf-8") as out:
        renderer = JsonRenderer(out)
        renderer.start()
        started = time.perf_counter()
        for path in paths:
            result = auditor.audit_path(path)
            summary.add(result)
            renderer.add(result)
        renderer.finish(summary)
        elapsed = time.perf_counter() - started
    return {"n": len(paths), "rules": len(auditor.rules), "setup_s": setup, "loop_s": elapsed,
            "rate": len(paths) / elapsed, "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "statuses": summary.statuses, "findings": summary.findings}


def run_child(n: int, corpus: Path) -> dict:
    proc = subprocess.run([sys.executable, __file__, "--child", str(n), str(corpus)],
                          capture_output=True, text=True, check=True)
    return json.loads(proc.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, nargs="+", default=[1000, 10000], help="batch sizes (default 1000 10000)")
    parser.add_argument("--source", type=Path, help="a report or a folder of reports to vary (default: samples/)")
    parser.add_argument("--child", nargs=2, metavar=("N", "CORPUS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(int(args.child[0]), Path(args.child[1]))))
        return
    with tempfile.TemporaryDirectory(prefix="xxgk-bench-") as tmp:
        corpus = Path(tmp)
        make_corpus(corpus, max(args.n), args.source)
        runs = [run_child(n, corpus) for n in args.n]
    print(f"{'N':>7}  {'rules':>5}  {'setup s':>7}  {'loop s':>7}  {'reports/s':>9}  {'peak RSS MB':>11}  statuses")
    for r in runs:
        print(f"{r['n']:>7}  {r['rules']:>5}  {r['setup_s']:>7.2f}  {r['loop_s']:>7.2f}  {r['rate']:>9.0f}  "
              f"{r['maxrss_mb']:>11.1f}  {r['statuses']}")
    slowest = min(r["rate"] for r in runs)
    print(f"throughput: {slowest:.0f} reports/s on one core (target >= {TARGET_RATE:.0f}): "
          f"{'ok' if slowest >= TARGET_RATE else 'MISSED'}")
    if len(runs) >= 2:
        ratio = runs[-1]["maxrss_mb"] / runs[0]["maxrss_mb"]
        print(f"peak RSS N={runs[-1]['n']} / N={runs[0]['n']}: {ratio:.3f} (target <= {TARGET_RSS_RATIO:.2f}): "
              f"{'ok' if ratio <= TARGET_RSS_RATIO else 'MISSED'}")


if __name__ == "__main__":
    main()
