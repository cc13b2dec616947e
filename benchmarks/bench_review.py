"""Review over a large store: what fingerprints, states, honoured verdicts and the app's index cost.

Writes the multi-agency corpus of N reports (benchmarks/make_batch_corpus.py: agencies × years
2021–2024, through its manifest), audits it with `xxgk-audit batch --no-pages`, dismisses one
finding in ten, then times each step of the review on that store: giving every finding its
review fingerprint (batch does it at the end of a run; timed here on the store with them
removed, as for a store written before review existed), listing every
finding's state and decision, the verdict with decisions honoured for every report (what the
batch outputs and the web app's index do), one agency's rectification exports, and the web app's
index page over HTTP (uvicorn, median of --runs requests).

    .venv/bin/python benchmarks/bench_review.py [--n 1000] [--runs 5] [--keep DIR]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from make_batch_corpus import make_batch_corpus

from xxgk_audit.engine.app.review_command import export
from xxgk_audit.engine.batch import review
from xxgk_audit.engine.batch.store import Store

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from review_data import Served  # noqa: E402


def timed(label: str, action, results: dict[str, float]):
    start = time.perf_counter()
    value = action()
    results[label] = time.perf_counter() - start
    print(f"{label:<48} {results[label]:8.3f} s", flush=True)
    return value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", type=Path, help="keep the corpus and store here")
    args = parser.parse_args()
    base = args.keep or Path(tempfile.mkdtemp(prefix="xxgk-bench-review-"))
    results: dict[str, float] = {}
    try:
        corpus = make_batch_corpus(base / "reports", args.n)
        timed(f"batch --no-pages --jobs 2 ({len(corpus.paths)} reports)", lambda: subprocess.run(
            [sys.executable, "-m", "xxgk_audit.engine.app.cli", "batch", str(corpus.manifest), "--out",
             str(base / "out"), "--jobs", "2", "--no-pages", "--exit-zero"], check=True, capture_output=True), results)
        store = Store(base / "out" / "audit.db")
        findings = store.db.execute("SELECT COUNT(*) FROM findings").fetchone()[0]
        print(f"{findings} findings in the store")
        with store.db:
            store.db.execute("DELETE FROM review_fingerprints")
        timed("index_fingerprints (first time)", lambda: review.index_fingerprints(store), results)
        timed("index_fingerprints (nothing new)", lambda: review.index_fingerprints(store), results)
        items = timed("review_items (every finding, state, decision)", lambda: review.review_items(store), results)
        timed(f"set_decision x {len(items[::10])} (one in ten dismissed)", lambda: [
            review.set_decision(store, i.fingerprint, "dismissed", "bench") for i in items[::10]], results)
        ids = timed("latest_report_ids", lambda: review.latest_report_ids(store), results)
        timed(f"honoured x {len(ids)} (verdicts after review)", lambda: [
            review.honoured(store, i, "error") for i in ids], results)
        agency = next(i.agency for i in items if i.agency)
        for suffix in ("xlsx", "docx"):
            timed(f"export {suffix} (one agency)", lambda: export(store, agency, None, base / f"list.{suffix}"), results)
        store.close()
        server = Served(base / "out" / "audit.db")
        try:
            times = []
            for _ in range(args.runs):
                start = time.perf_counter()
                with urllib.request.urlopen(server.url, timeout=600) as response:
                    size = len(response.read())
                times.append(time.perf_counter() - start)
            print(f"{'GET / (app index, median of ' + str(args.runs) + ')':<48} {statistics.median(times):8.3f} s "
                  f"({size / 1024:.0f} KB)")
        finally:
            server.stop()
    finally:
        if args.keep is None:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
