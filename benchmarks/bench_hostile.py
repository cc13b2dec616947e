"""Stress run of the hostile corpus: every hand-made case (full size) and thousands of seeded
mutations of the samples, each audited within the default budget (60 s, 1 GiB) in its own child
process, as `check` and `batch` do.

    python benchmarks/bench_hostile.py                       # 2000 mutations, seed 12
    python benchmarks/bench_hostile.py --mutations 5000 --seed 7 --json figures.json

Prints, per class: cases, worst time, worst memory (peak beyond the auditing process's own), the
outcomes, and the cases over budget or killed (there should be none). The figures in README.md's
Performance section come from this script.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

from hostile import cases, mutations  # noqa: E402  (tests/hostile.py: the corpus generator)

from xxgk_audit.engine.evaluation.audit import OVERRUN_RULES, Auditor  # noqa: E402
from xxgk_audit.engine.evaluation.budget import DEFAULT_BUDGET, last_usage  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mutations", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--scale", type=float, default=1.0, help="size of the hand-made cases")
    parser.add_argument("--json", metavar="FILE", help="write the figures as JSON")
    args = parser.parse_args()

    auditor = Auditor()
    per_class: dict[str, dict] = defaultdict(lambda: {"cases": 0, "worst_s": 0.0, "worst_mb": 0.0,
                                                       "outcomes": Counter(), "worst_case": ""})
    overruns: list[str] = []
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="xxgk-hostile-") as folder:
        for case in [*cases(args.scale), *mutations(args.seed, args.mutations)]:
            path = Path(folder) / case.filename
            path.write_bytes(case.build())
            result = auditor.audit_within(path, None, DEFAULT_BUDGET)
            path.unlink()
            usage = last_usage()
            row = per_class[case.cls]
            row["cases"] += 1
            if usage.get("seconds", 0) >= row["worst_s"]:
                row["worst_s"], row["worst_case"] = usage.get("seconds", 0), case.name
            row["worst_mb"] = max(row["worst_mb"], usage.get("peak_mb", 0))
            rules = [f.rule for f in result.findings if f.rule.startswith("READ-")]
            row["outcomes"][f"{result.status}{' ' + rules[0] if rules else ''}"] += 1
            if set(rules) & set(OVERRUN_RULES.values()):
                overruns.append(f"{case.name}: {result.error}")
    total = time.perf_counter() - started
    print(f"{'class':14s} {'cases':>6s} {'worst s':>8s} {'worst MB':>9s}  outcomes (worst case)")
    for cls, row in sorted(per_class.items()):
        outcomes = ", ".join(f"{k} ×{n}" for k, n in row["outcomes"].most_common())
        print(f"{cls:14s} {row['cases']:6d} {row['worst_s']:8.2f} {row['worst_mb']:9.1f}  {outcomes} ({row['worst_case']})")
    print(f"{sum(r['cases'] for r in per_class.values())} cases in {total:.0f} s; over budget or killed: {len(overruns)}")
    for line in overruns:
        print("  " + line)
    if args.json:
        Path(args.json).write_text(json.dumps({cls: {**row, "outcomes": dict(row["outcomes"])}
                                               for cls, row in per_class.items()}, ensure_ascii=False, indent=2))
    return 1 if overruns else 0


if __name__ == "__main__":
    sys.exit(main())
