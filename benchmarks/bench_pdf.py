"""PDF reading: audit time per page, its ratio to bare pdfplumber text extraction, cell accuracy.

For each PDF — the three real reports in tests/data/pdf/ and the samples rendered as PDF (grid
tables split across pages, by tests/readers/test_pdf_reader.py's `render_pdf`) — measures, pinned to one
CPU, the best of --repeat runs (the two taken in turns, so that load slows both alike):

- bare: `pdfplumber.open` and `page.extract_text()` for every page;
- audit: `Auditor.audit_path` (read_report + facts + rules), rules loaded once beforehand;

and prints seconds per page and the ratio audit / bare (target <= 1.3). Cell accuracy: the share of
table cells whose value equals the truth — for the real PDFs the values read by hand from the
rendered pages (`TRUTH` in the tests), for the rendered samples the values of the text version —
with the cells read as unknown (None) counted apart from those read wrong.

    .venv/bin/python benchmarks/bench_pdf.py [--repeat 5]

Needs the test extra (reportlab) for the rendered samples.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pdfplumber

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

import test_pdf_reader as fixtures  # noqa: E402 - the renderer and the hand-read truth live with the tests

from xxgk_audit.engine.evaluation.audit import Auditor  # noqa: E402

TARGET_RATIO = 1.3
Cells = dict[str, dict[tuple[str, str], object]]


@dataclass
class Row:
    name: str
    pages: int
    bare_s: float
    audit_s: float
    right: int
    unknown: int
    total: int


def best(runs: list[Callable[[], object]], repeat: int) -> list[float]:
    """The best time of each run, taken in turns so that a busy machine slows them alike."""
    times: list[list[float]] = [[] for _ in runs]
    for _ in range(repeat):
        for run, taken in zip(runs, times):
            started = time.perf_counter()
            run()
            taken.append(time.perf_counter() - started)
    return [min(taken) for taken in times]


def bare_extraction(path: Path) -> None:
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            page.extract_text()


def accuracy(read: Cells, truth: Cells) -> tuple[int, int, int]:
    """(cells equal to the truth, known cells read as unknown, cells in the truth)."""
    pairs = [(read.get(table, {}).get(key, None), value)
             for table, cells in truth.items() for key, value in cells.items()]
    return sum(r == v for r, v in pairs), sum(r is None and v is not None for r, v in pairs), len(pairs)


def measure(auditor: Auditor, name: str, path: Path, truth: Cells, repeat: int) -> Row:
    result = auditor.audit_path(path)
    right, unknown, total = accuracy(fixtures.values(result.report), truth)
    bare_s, audit_s = best([lambda: bare_extraction(path), lambda: auditor.audit_path(path)], repeat)
    return Row(name, result.report.metadata["pages"], bare_s, audit_s, right, unknown, total)


def cases(auditor: Auditor, folder: Path) -> list[tuple[str, Path, Cells]]:
    out = [(name, fixtures.DATA / name, truth) for name, truth in sorted(fixtures.TRUTH.items())]
    rendered = [(sample.stem, sample, {}) for sample in fixtures.SAMPLES]
    rendered.append(("clean-2021-vertical", fixtures.ROOT / "samples" / "clean-2021.txt", {"vertical": True}))
    for stem, sample, options in rendered:
        path = folder / f"{stem}.pdf"
        path.write_bytes(fixtures.render_pdf(sample.read_text(encoding="utf-8"), **options))
        out.append((f"{path.name} (rendered)", path, fixtures.values(auditor.audit_path(sample).report)))
    return out


def report(rows: list[Row]) -> str:
    lines = [f"{'file':<44} {'pages':>5} {'bare s':>7} {'audit s':>7} {'s/page':>7} {'ratio':>5}  cells right"]
    for r in rows:
        lines.append(f"{r.name:<44} {r.pages:>5} {r.bare_s:>7.3f} {r.audit_s:>7.3f} {r.audit_s / r.pages:>7.3f} "
                     f"{r.audit_s / r.bare_s:>5.2f}  {r.right}/{r.total} ({r.unknown} read as unknown)")
    pages = sum(r.pages for r in rows)
    bare, audit = sum(r.bare_s for r in rows), sum(r.audit_s for r in rows)
    right, total = sum(r.right for r in rows), sum(r.total for r in rows)
    lines.append(f"{'all':<44} {pages:>5} {bare:>7.3f} {audit:>7.3f} {audit / pages:>7.3f} {audit / bare:>5.2f}  "
                 f"{right}/{total} = {100 * right / total:.2f}%   (target ratio <= {TARGET_RATIO})")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs per file; the best is kept (default 5)")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    auditor = Auditor()
    with tempfile.TemporaryDirectory(prefix="xxgk-bench-pdf-") as tmp:
        rows = [measure(auditor, name, path, truth, args.repeat) for name, path, truth in cases(auditor, Path(tmp))]
    sys.stdout.write(report(rows) + "\n")


if __name__ == "__main__":
    main()
