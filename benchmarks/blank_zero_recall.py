"""Planted faults in reports that leave their zeros blank: recall and false errors per format.

From samples/clean-2021.txt, tests/blank_zero.py plants arithmetic faults (a cell of 表三 or 表四
changed) and text faults (a sentence that contradicts the tables), then writes each report filled,
with the zeros of 表三 and 表四 blank, and also with 表三's 总计 column blank but the grand total;
as text, HTML, DOCX and PDF. Each is audited under the default blank-cell policy (zero) and, for
comparison, under `--blank-cells unknown` (blank = unknown, as before the policy).

    .venv/bin/python benchmarks/blank_zero_recall.py [--formats txt,html,docx,pdf]

Prints one line per format, variant and policy: planted faults found, errors no plant explains
(by rule), the most CELL-002 findings one table got, and the faults missed.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from blank_zero import FORMATS, VARIANTS, score  # noqa: E402 - the generator lives with the tests

from xxgk_audit.engine.evaluation.audit import Auditor  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--formats", default=",".join(FORMATS), help="comma-separated: txt,html,docx,pdf")
    args = parser.parse_args()
    auditor = Auditor()
    started = time.perf_counter()
    print(f"{'format':6} {'variant':8} {'policy':8} {'recall':>7} {'false errors':<24} {'CELL-002/table':>14}  missed")
    with tempfile.TemporaryDirectory() as tmp:
        for fmt in args.formats.split(","):
            for kind in VARIANTS:
                for policy in ("zero", "unknown"):
                    if kind == "filled" and policy == "unknown":
                        continue            # nothing is blank: the policy changes nothing
                    s = score(auditor, fmt, kind, Path(tmp), policy)
                    false = ", ".join(f"{rule} {n}" for rule, n in sorted(s.false_errors.items())) or "0"
                    print(f"{fmt:6} {kind:8} {policy:8} {s.found:>3}/{s.planted:<3} {false:<24} "
                          f"{s.most_blank_findings:>14}  {'、'.join(s.misses)}")
    print(f"({time.perf_counter() - started:.1f} s)")


if __name__ == "__main__":
    main()
