"""Generate N text reports for benchmarking by varying the bundled samples.

Each report copies one source report (cycling through them) and replaces two numbers in its table
lines (lines with tabs or pipes) with other small numbers, so reports differ and most carry a few
arithmetic faults, as real reports do.

    python benchmarks/make_corpus.py OUT_DIR N [--source FILE_OR_DIR]
"""

from __future__ import annotations

import argparse
import random
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_SOURCES = (REPO / "samples", REPO / "tests" / "data" / "corpus" / "seed-luolong-2020.txt")
_NUMBER = re.compile(r"(?<![\d.])\d{1,4}(?![\d.])")


def source_reports(source: Path | None = None) -> list[Path]:
    """The text reports to vary: `source` (a file or folder), else the bundled samples."""
    for candidate in ([source] if source else DEFAULT_SOURCES):
        files = sorted(candidate.glob("*.txt")) if candidate.is_dir() else [candidate]
        files = [f for f in files if f.is_file()]
        if files:
            return files
    raise SystemExit("no source reports: pass --source FILE_OR_DIR")


def vary(text: str, seed: int, changes: int = 2) -> str:
    """`text` with `changes` numbers on its table lines replaced by others (deterministic)."""
    rng = random.Random(seed)
    lines = text.split("\n")
    spots = [(i, m.span()) for i, line in enumerate(lines) if "\t" in line or "|" in line
             for m in _NUMBER.finditer(line)]
    for i, (start, end) in sorted(rng.sample(spots, min(changes, len(spots))), reverse=True):
        lines[i] = f"{lines[i][:start]}{rng.randint(0, 40)}{lines[i][end:]}"
    return "\n".join(lines)


def make_corpus(out_dir: Path, n: int, source: Path | None = None) -> list[Path]:
    """Write `n` varied reports into `out_dir` (00000.txt, 00001.txt, ...)."""
    # surrogateescape keeps the bytes of sources in other encodings (GB18030) as they are
    texts = [p.read_text(encoding="utf-8", errors="surrogateescape") for p in source_reports(source)]
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        path = out_dir / f"{i:05d}.txt"
        path.write_text(vary(texts[i % len(texts)], seed=i), encoding="utf-8", errors="surrogateescape")
        paths.append(path)
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("n", type=int)
    parser.add_argument("--source", type=Path, help="a report or a folder of reports (default: samples/)")
    args = parser.parse_args()
    paths = make_corpus(args.out_dir, args.n, args.source)
    print(f"wrote {len(paths)} reports to {args.out_dir}")


if __name__ == "__main__":
    main()
