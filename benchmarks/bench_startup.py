"""Start-up of a one-report text `check`: wall and CPU seconds of fresh processes.

    .venv/bin/python benchmarks/bench_startup.py [--runs 15]

Runs `xxgk-audit check samples/clean-2021.txt` (the rule-pack cache warmed by a first run) and,
for comparison, the same with the cache off and a bare `python -c pass`. Prints the best and the
median of each; the best is the figure least disturbed by other load on the machine.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "samples" / "clean-2021.txt"
CHECK = [sys.executable, "-m", "xxgk_audit.engine.app.cli", "check", str(SAMPLE)]


def _run(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, check=False)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    base = dict(os.environ)
    cases = {"python -c pass": ([sys.executable, "-c", "pass"], base),
             "check (pack cache warm)": (CHECK, base),
             "check (no pack cache)": (CHECK, {**base, "XXGK_AUDIT_NO_CACHE": "1"})}
    _run(CHECK, base)                               # warm the cache
    print(f"{'case':<26} {'best wall':>10} {'median wall':>12} {'best cpu':>9}")
    for name, (cmd, env) in cases.items():
        runs = [_run(cmd, env) for _ in range(args.runs)]
        walls, cpus = [w for w, _ in runs], [c for _, c in runs]
        print(f"{name:<26} {min(walls):>9.3f}s {statistics.median(walls):>11.3f}s {min(cpus):>8.3f}s")
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
