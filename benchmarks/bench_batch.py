"""Batch throughput, memory, similarity and re-run time: `xxgk-audit batch` on generated corpora.

The corpus is benchmarks/make_batch_corpus.py's (agencies × years 2021–2024 with planted
cross-report cases, run through its manifest). For each kind — text, or the same reports rendered
as HTML pages, Word documents, PDFs, or a mix of the four — and each size, a first run with
--jobs 1 and one with --jobs 2 (fresh output folders each), then an unchanged re-run of the
--jobs 2 output. Per run: wall time, reports per second, the peak RSS of the largest process,
of the parent and of the largest worker (from run.json; with --jobs 1 the parent audits), and the
seconds of each step from run.json (audit, similarity, outputs).

    .venv/bin/python benchmarks/bench_batch.py --n 1000 10000 --kinds text [--no-pages] [--repeat 2]
    .venv/bin/python benchmarks/bench_batch.py --n 400 --kinds html docx pdf mix

HTML, DOCX and PDF rendering needs the test extra (tests/docgen.py; reportlab for PDF).
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from make_batch_corpus import make_batch_corpus

ROOT = Path(__file__).resolve().parents[1]
EXE = Path(sys.executable).with_name("xxgk-audit")
KINDS = ("text", "html", "docx", "pdf")
# runs the batch in a fresh process and prints the peak RSS (KB) of its largest descendant
_RSS = "import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True, capture_output=True); " \
       "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"


def render(corpus: Path, kind: str) -> Path:
    """A manifest whose files are the corpus's reports as `kind` ("mix": the four kinds in turn)."""
    if kind == "text":
        return corpus / "manifest.csv"
    sys.path.insert(0, str(ROOT / "tests"))
    import docgen
    out = corpus.parent / f"{corpus.name}-{kind}"
    rows = list(csv.DictReader(open(corpus / "manifest.csv", encoding="utf-8", newline="")))
    for i, row in enumerate(rows):
        this = KINDS[i % 4] if kind == "mix" else kind
        source = corpus / row["path"]
        target = (out / row["path"]).with_suffix({"text": ".txt", "html": ".html", "docx": ".docx",
                                                  "pdf": ".pdf"}[this])
        target.parent.mkdir(parents=True, exist_ok=True)
        if this == "text":
            target.write_bytes(source.read_bytes())
        elif this == "html":
            target.write_bytes(docgen.render_html(source))
        elif this == "docx":
            target.write_bytes(docgen.render_docx(source))
        else:
            import test_pdf_reader
            target.write_bytes(test_pdf_reader.render_pdf(source.read_text(encoding="utf-8")))
        row["path"] = target.relative_to(out).as_posix()
    with open(out / "manifest.csv", "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return out / "manifest.csv"


def run(manifest: Path, out: Path, jobs: int, pages: bool) -> dict:
    """Wall seconds, peak RSS (MB) and run.json's seconds per step of one batch run."""
    command = [str(EXE), "batch", str(manifest), "--out", str(out), "--jobs", str(jobs), "--exit-zero"]
    started = time.perf_counter()
    rss = subprocess.run([sys.executable, "-c", _RSS, *command, *([] if pages else ["--no-pages"])],
                         check=True, capture_output=True, text=True).stdout
    wall = time.perf_counter() - started
    state = json.loads((out / "run.json").read_text(encoding="utf-8"))
    return {"wall": wall, "rss": int(rss) / 1024, "steps": state["seconds"], "memory": state["peak_rss_mb"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, nargs="+", default=[1000])
    parser.add_argument("--kinds", nargs="+", choices=(*KINDS, "mix"), default=["text"])
    parser.add_argument("--no-pages", action="store_true", help="batch --no-pages (no per-report HTML pages)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=1, help="runs per --jobs value; the fastest is shown "
                        "(a shared VM's timings vary by 15%% and more)")
    args = parser.parse_args()
    pages = not args.no_pages
    print(f"pages: {'yes' if pages else 'no'}")
    print(f"{'kind':<5} {'N':>6} {'jobs':>4} {'wall s':>8} {'reports/s':>9} {'RSS MB':>7} {'parent':>7} "
          f"{'worker':>7}  steps (s)")
    for n in args.n:
        with tempfile.TemporaryDirectory(prefix="xxgk-bench-") as tmp:
            corpus = Path(tmp) / "corpus"
            make_batch_corpus(corpus, n, args.seed)
            for kind in args.kinds:
                manifest = render(corpus, kind)
                files = sum(1 for _ in open(manifest, encoding="utf-8")) - 1
                walls = {}
                for jobs in (1, 2):
                    got = min((run(manifest, Path(tmp) / f"out-{kind}-{jobs}-{r}", jobs, pages)
                               for r in range(args.repeat)), key=lambda g: g["wall"])
                    walls[jobs] = got["wall"]
                    steps = ", ".join(f"{k} {v:.1f}" for k, v in got["steps"].items())
                    memory = got["memory"]
                    print(f"{kind:<5} {files:>6} {jobs:>4} {got['wall']:>8.1f} {files / got['wall']:>9.0f} "
                          f"{got['rss']:>7.0f} {memory['parent']:>7.0f} {memory['worker']:>7.0f}  {steps}", flush=True)
                again = run(manifest, Path(tmp) / f"out-{kind}-2-0", 2, pages)
                print(f"{kind:<5} {files:>6}  speed-up jobs 2 / jobs 1: {walls[1] / walls[2]:.2f}x; unchanged "
                      f"re-run {again['wall']:.1f} s = {100 * again['wall'] / walls[2]:.0f}% of the first run",
                      flush=True)


if __name__ == "__main__":
    main()
