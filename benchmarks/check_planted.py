"""Run `xxgk-audit batch` on a corpus from make_batch_corpus.py and compare its cross-report findings
with the planted ground truth.

    python benchmarks/check_planted.py CORPUS_DIR OUT_DIR [--jobs 2] [--kill-after SECONDS]

Prints, per rule, how many reports were planted, found, missed and flagged without a plant, the
first misses and unexpected findings, and the wall time of the batch run. With --kill-after, a
first run is killed midway (as a power cut or `kill -9` would) and the timed run resumes it.
Exits 1 when a planted case is missed.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

__all__ = ["CROSS_RULES", "compare", "expected", "found"]

CROSS_RULES = ("XREF-009", "XREF-010", "XREF-011", "XREF-012", "TEXT-005", "TEXT-006")
EXE = Path(sys.executable).with_name("xxgk-audit")
SHOWN = 20


def expected(corpus_dir: Path) -> dict[str, set[str]]:
    """{rule: relative paths} from planted.json, counting the rules an entry lists under "also"."""
    out: dict[str, set[str]] = {rule: set() for rule in CROSS_RULES}
    for entry in json.loads((Path(corpus_dir) / "planted.json").read_text(encoding="utf-8")):
        for rule in (entry["rule"], *entry.get("also", ())):
            out.setdefault(rule, set()).add(entry["path"])
    return out


def found(corpus_dir: Path, store_path: Path) -> dict[str, set[str]]:
    """{rule: relative paths} of the cross-report findings on the latest audit of each corpus file."""
    root = Path(corpus_dir).resolve()
    out: dict[str, set[str]] = {rule: set() for rule in CROSS_RULES}
    db = sqlite3.connect(f"file:{store_path}?mode=ro", uri=True)
    try:
        rows = db.execute(
            "SELECT DISTINCT r.path, f.rule FROM findings f JOIN reports r ON r.id = f.report_id "
            f"WHERE f.rule IN ({', '.join('?' * len(CROSS_RULES))}) AND r.audited_at = "
            "(SELECT MAX(audited_at) FROM reports x WHERE x.path = r.path)", CROSS_RULES).fetchall()
    finally:
        db.close()
    for path, rule in rows:
        try:
            relative = Path(path).resolve().relative_to(root).as_posix()
        except ValueError:
            continue                            # a report of another corpus in a shared store
        out[rule].add(relative)
    return out


def compare(corpus_dir: Path, store_path: Path) -> dict[str, dict[str, list[str]]]:
    """Per cross-report rule: the sorted relative paths planted, found, missed and unexpected."""
    want, got = expected(corpus_dir), found(corpus_dir, store_path)
    return {rule: {"planted": sorted(want.get(rule, ())), "found": sorted(got[rule] & want.get(rule, set())),
                   "missed": sorted(want.get(rule, set()) - got[rule]),
                   "unexpected": sorted(got[rule] - want.get(rule, set()))}
            for rule in CROSS_RULES}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path, help="a folder written by make_batch_corpus.py")
    parser.add_argument("out", type=Path, help="the batch output folder")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--kill-after", type=float, metavar="SECONDS",
                        help="kill the first run (parent and workers, SIGKILL) after SECONDS, then run again")
    args = parser.parse_args()
    command = [str(EXE), "batch", str(args.corpus / "manifest.csv"), "--out", str(args.out),
               "--jobs", str(args.jobs), "--exit-zero"]
    if args.kill_after:
        with subprocess.Popen(command, start_new_session=True, stderr=subprocess.DEVNULL) as first:
            time.sleep(args.kill_after)
            os.killpg(first.pid, signal.SIGKILL)
        db = sqlite3.connect(args.out / "audit.db")
        kept = db.execute("SELECT COUNT(*) FROM reports").fetchone()[0]
        db.close()
        print(f"第一次运行在 {args.kill_after:.0f} 秒时被强行终止（SIGKILL）；结果库已保存 {kept} 份报告")
    started = time.perf_counter()
    run = subprocess.run(command, check=True, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    print(run.stderr.strip().splitlines()[-1])
    result = compare(args.corpus, args.out / "audit.db")
    print(f"\nbatch 用时 {seconds:.1f} 秒（--jobs {args.jobs}）\n")
    print(f"{'规则':<10}{'植入':>6}{'发现':>6}{'漏报':>6}{'误报':>6}")
    failed = False
    for rule, res in result.items():
        failed |= bool(res["missed"])
        print(f"{rule:<10}{len(res['planted']):>6}{len(res['found']):>6}{len(res['missed']):>6}"
              f"{len(res['unexpected']):>6}")
    for key, title in (("missed", "漏报"), ("unexpected", "误报（未植入）")):
        listed = [(rule, path) for rule, res in result.items() for path in res[key]]
        if listed:
            print(f"\n{title}，共 {len(listed)} 项（列出前 {min(SHOWN, len(listed))} 项）：")
            for rule, path in listed[:SHOWN]:
                print(f"  {rule}  {path}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
