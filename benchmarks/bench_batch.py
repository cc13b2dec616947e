"""Batch throughput, memory and re-run time: `xxgk-audit batch` on N generated text reports.

For each N: a first run with --jobs 1 and one with --jobs 2 (each into a fresh output folder),
then an unchanged re-run of the --jobs 2 output. Prints wall time, reports per second, the
speed-up of 2 workers over 1, the peak RSS of the largest process (parent or worker), and the
re-run time as a share of the first run.

    .venv/bin/python benchmarks/bench_batch.py [--n 1000] [--no-html]
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from make_corpus import make_corpus

EXE = Path(sys.executable).with_name("xxgk-audit")


def run(corpus: Path, out: Path, jobs: int) -> tuple[float, float]:
    """(seconds, peak RSS MB of the largest child process) of one batch run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    subprocess.run([str(EXE), "batch", str(corpus), "--out", str(out), "--jobs", str(jobs), "--exit-zero"],
                   check=True, capture_output=True)
    elapsed = time.perf_counter() - started
    return elapsed, max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, nargs="+", default=[1000])
    args = parser.parse_args()
    print(f"{'N':>6}  {'jobs':>4}  {'seconds':>8}  {'reports/s':>9}  {'peak RSS MB':>11}")
    for n in args.n:
        with tempfile.TemporaryDirectory(prefix="xxgk-batch-") as tmp:
            corpus = Path(tmp) / "corpus"
            corpus.mkdir()
            make_corpus(corpus, n, None)
            times = {}
            for jobs in (1, 2):
                seconds, rss = run(corpus, Path(tmp) / f"out{jobs}", jobs)
                times[jobs] = seconds
                print(f"{n:>6}  {jobs:>4}  {seconds:>8.1f}  {n / seconds:>9.0f}  {rss:>11.1f}")
            rerun, _ = run(corpus, Path(tmp) / "out2", 2)
            print(f"{n:>6}  speed-up jobs 2 / jobs 1: {times[1] / times[2]:.2f}x; unchanged re-run: "
                  f"{rerun:.1f} s = {100 * rerun / times[2]:.0f}% of the first run")


if __name__ == "__main__":
    main()
