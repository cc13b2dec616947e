"""Cell accuracy and speed of the HTML and DOCX readers, on documents whose values are known.

Each sample report (samples/*.txt) is read with the text reader and turned into --variants
variants whose table cells get random raw text: small and large counts, thousands separators,
signed numbers, decimals, numbers with units, placeholders (—, /, 无) and blanks. Each variant is
rendered by tests/docgen.py as an HTML page (UTF-8 and GB18030, real rowspan/colspan, varied cell
markup: <p>, <span>, &nbsp;, <br> inside labels, <th>) and as a DOCX (gridSpan/vMerge, runs and
cell paragraphs split at random), then read back with `read_report`.

A cell is right when the value and kind read equal what its raw text means (`parse_cell`): a
number read as that number, a blank or placeholder read as unknown. Cells read as another number
("wrong") and cells not read at all ("missing") are counted apart: the target is >= 99% right,
and every cell that cannot be read reported as unknown, never guessed.

Speed: CPU time (time.process_time, one process, rules loaded once) per report of read_report
and of read_report + audit, the best of --repeat passes: over the rendered variants (random values:
many findings), over the five samples as text and rendered as they are, and over the official
blank DOCX template (a real Word file, ~250 KB of XML; a copy is in tests/data/docx).

    .venv/bin/python benchmarks/accuracy.py [--variants 20] [--seed 1] [--repeat 3]
"""

from __future__ import annotations

import argparse
import copy
import random
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from docgen import render_docx, render_html, truth  # noqa: E402 - the renderer lives with the tests

from xxgk_audit.engine.evaluation.audit import Auditor, read_report  # noqa: E402
from xxgk_audit.engine.model.report import Report  # noqa: E402
from xxgk_audit.engine.model.normalize import parse_cell  # noqa: E402
from xxgk_audit.engine.readers import read_text  # noqa: E402

TEMPLATE = ROOT / "tests" / "data" / "docx" / "template-2021-blank.docx"
TARGET = 0.99

RENDERERS: dict[str, tuple[str, Callable[[Report, random.Random], bytes]]] = {
    "html utf-8": (".html", lambda rep, rng: render_html(rep, rng=rng)),
    "html gb18030": (".html", lambda rep, rng: render_html(rep, encoding="gb18030", rng=rng)),
    "docx": (".docx", lambda rep, rng: render_docx(rep, rng=rng, numbered_headings=rng.random() < 0.5)),
}


def random_raw(rng: random.Random) -> str:
    """A cell's raw text as reports write it."""
    roll = rng.random()
    if roll < 0.55:
        return str(rng.randint(0, 20))
    if roll < 0.70:
        n = rng.randint(21, 25000)
        return f"{n:,}" if n >= 1000 and rng.random() < 0.3 else str(n)
    if roll < 0.78:
        return ""
    if roll < 0.83:
        return rng.choice(["—", "/", "-", "无"])
    if roll < 0.88:
        return f"{rng.randint(1, 300000)}{rng.choice(['件', '元', '项'])}"
    if roll < 0.94:
        return f"{rng.randint(0, 99)}.{rng.randint(0, 99):02d}"
    return rng.choice(["+", "-"]) + str(rng.randint(1, 30))


def variant(report: Report, rng: random.Random) -> Report:
    out = copy.deepcopy(report)
    for table in out.tables.values():
        for cell in table.cells.values():
            cell.raw = random_raw(rng)
    return out


@dataclass
class Tally:
    documents: int = 0
    cells: int = 0
    right: int = 0
    unknown_right: int = 0        # blank or placeholder cells read as unknown
    wrong: int = 0                # read as another value (or kind)
    missing: int = 0              # not read at all
    read_s: list[float] = field(default_factory=list)
    audit_s: list[float] = field(default_factory=list)

    def add(self, expected: dict[tuple[str, str, str], str], got: Report) -> None:
        self.documents += 1
        for (name, row, col), raw in expected.items():
            self.cells += 1
            table = got.tables.get(name)
            cell = table.cells.get((row, col)) if table else None
            if cell is None:
                self.missing += 1
            elif (cell.value, cell.kind) == parse_cell(raw):
                self.right += 1
                self.unknown_right += cell.value is None
            else:
                self.wrong += 1


def time_reports(paths: list[Path], auditor: Auditor, repeat: int) -> tuple[float, float]:
    """Best CPU seconds per report over `repeat` passes: (read, read + audit)."""
    best_read = best_all = float("inf")
    for _ in range(repeat):
        read = total = 0.0
        for path in paths:
            started = time.process_time()
            report = read_report(path)
            middle = time.process_time()
            auditor.audit_report(report)
            read += middle - started
            total += time.process_time() - started
        best_read, best_all = min(best_read, read / len(paths)), min(best_all, total / len(paths))
    return best_read, best_all


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variants", type=int, default=20, help="variants per sample (default 20)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3, help="timing passes, the best is kept (default 3)")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    auditor = Auditor()
    sources = [read_text(p) for p in sorted((ROOT / "samples").glob("*.txt"))]
    tallies = {name: Tally() for name in RENDERERS}
    timings: dict[str, tuple[float, float]] = {}
    with tempfile.TemporaryDirectory(prefix="xxgk-accuracy-") as tmp:
        written: dict[str, list[Path]] = {name: [] for name in RENDERERS}
        for s, source in enumerate(sources):
            for v in range(args.variants):
                report = variant(source, rng)
                expected = truth(report)
                for k, (name, (suffix, render)) in enumerate(RENDERERS.items()):
                    path = Path(tmp) / f"{s}-{v}-{k}{suffix}"
                    path.write_bytes(render(report, rng))
                    tallies[name].add(expected, read_report(path))
                    written[name].append(path)
        for name, paths in written.items():
            timings[f"{name} (variants)"] = time_reports(paths, auditor, args.repeat)
        samples = sorted((ROOT / "samples").glob("*.txt"))
        timings["txt (samples)"] = time_reports(samples, auditor, args.repeat * 5)
        for name, (suffix, render) in RENDERERS.items():
            paths = [Path(tmp) / f"sample-{k}{suffix}" for k in range(len(sources))]
            for path, source in zip(paths, sources):
                path.write_bytes(render(source, random.Random(args.seed)))
            timings[f"{name} (samples)"] = time_reports(paths, auditor, args.repeat * 5)
    if TEMPLATE.is_file():
        timings["docx (blank template)"] = time_reports([TEMPLATE], auditor, args.repeat * 5)

    print(f"{'format':<14} {'docs':>5} {'cells':>7} {'right':>7} {'accuracy':>9} {'unknown ok':>10} "
          f"{'wrong':>6} {'missing':>7}")
    for name, t in tallies.items():
        share = t.right / t.cells
        print(f"{name:<14} {t.documents:>5} {t.cells:>7} {t.right:>7} {share:>9.2%} {t.unknown_right:>10} "
              f"{t.wrong:>6} {t.missing:>7}  {'ok' if share >= TARGET else 'MISSED'} (target >= {TARGET:.0%})")
    print(f"\n{'documents':<24} {'read ms':>8} {'read+audit ms':>14} {'reports/s':>10}   (CPU time per report)")
    for name, (read, total) in timings.items():
        print(f"{name:<24} {read * 1000:>8.2f} {total * 1000:>14.2f} {1 / total:>10.0f}")


if __name__ == "__main__":
    main()
