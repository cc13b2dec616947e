"""HTML output of a large batch: rendering time, page sizes, and the index in a real browser.

Varies the bundled samples into N reports (benchmarks/make_corpus.py), audits them, then times
what `check DIR --format html --output OUTDIR` adds to the audit: the N report pages, findings.csv,
findings.xlsx and index.html. Prints the sizes, then opens index.html from disk in headless
Chromium (Debian's, via Playwright) and times the load and each filter, search and sort, from the
event to the next frame painted (median of several runs).

    .venv/bin/python benchmarks/bench_html.py [--n 1000] [--runs 5] [--keep OUTDIR] [--no-browser]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from make_corpus import make_corpus

from xxgk_audit.engine.evaluation.audit import Auditor, ReportResult
from xxgk_audit.reports import Summary
from xxgk_audit.reports.html import CSV_NAME, INDEX_NAME, XLSX_NAME, HtmlBatchRenderer

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]

# In-page actions on the index: (name, script run on the page); each ends with the next painted frame.
ACTIONS = (
    ("filter verdict = 不通过", "setSelect('f-status', 'fail')"),
    ("filter year = 2020", "setSelect('f-year', '2020')"),
    ("clear filters", "document.getElementById('f-reset').click()"),
    ("search agency “交通”", "setSearch('交通')"),
    ("clear search", "setSearch('')"),
    ("sort by errors", "document.querySelector('#reports thead th:nth-child(4) button').click()"),
    ("sort by agency", "document.querySelector('#reports thead th:nth-child(1) button').click()"),
)
TIMER = """async (action) => {
  const setSelect = (id, value) => { const s = document.getElementById(id); s.value = value;
                                     s.dispatchEvent(new Event('change')); };
  const setSearch = (text) => { const i = document.getElementById('f-agency'); i.value = text;
                                i.dispatchEvent(new Event('input')); };
  const start = performance.now();
  eval(action);
  await new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)));
  return [performance.now() - start, document.querySelectorAll('#reports tbody tr:not([hidden])').length];
}"""


def audit(corpus: Path) -> tuple[list[ReportResult], Auditor, float]:
    auditor = Auditor()
    started = time.perf_counter()
    results = [auditor.audit_path(p) for p in sorted(corpus.glob("*.txt"))]
    return results, auditor, time.perf_counter() - started


def render(results: list[ReportResult], auditor: Auditor, out: Path) -> dict[str, float]:
    """Seconds for the pages (with the CSV/XLSX rows) and for the index (with saving the workbook)."""
    renderer = HtmlBatchRenderer(out, auditor.rules)
    summary = Summary()
    started = time.perf_counter()
    renderer.start()
    for result in results:
        summary.add(result)
        renderer.add(result)
    pages = time.perf_counter() - started
    renderer.finish(summary)
    return {"pages_s": pages, "total_s": time.perf_counter() - started}


def sizes(out: Path, n: int) -> dict[str, float]:
    pages = [p for p in out.glob("*.html") if p.name != INDEX_NAME]
    assert len(pages) == n
    page_bytes = [p.stat().st_size for p in pages]
    return {"index_kb": (out / INDEX_NAME).stat().st_size / 1024,
            "page_kb_mean": statistics.mean(page_bytes) / 1024, "page_kb_max": max(page_bytes) / 1024,
            "csv_kb": (out / CSV_NAME).stat().st_size / 1024, "xlsx_kb": (out / XLSX_NAME).stat().st_size / 1024,
            "folder_mb": sum(p.stat().st_size for p in out.iterdir()) / 1024 / 1024}


def browse(index: Path, runs: int) -> list[tuple[str, float, int]]:
    """(what, median milliseconds, rows visible after) for the load and each action."""
    from playwright.sync_api import sync_playwright

    timings: dict[str, list[float]] = {}
    visible: dict[str, int] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for _ in range(runs):
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            errors: list[str] = []
            page.on("console", lambda m, errors=errors: errors.append(m.text) if m.type == "error" else None)
            page.goto(index.as_uri(), wait_until="load")
            load = page.evaluate("performance.getEntriesByType('navigation')[0].loadEventEnd")
            timings.setdefault("load (navigation to load event)", []).append(load)
            visible["load (navigation to load event)"] = page.evaluate(
                "document.querySelectorAll('#reports tbody tr').length")
            for name, action in ACTIONS:
                ms, rows = page.evaluate(TIMER, action)
                timings.setdefault(name, []).append(ms)
                visible[name] = rows
            assert not errors, errors
            page.close()
        browser.close()
    return [(name, statistics.median(ms), visible[name]) for name, ms in timings.items()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000, help="number of reports (default 1000)")
    parser.add_argument("--runs", type=int, default=5, help="browser runs; the median is shown (default 5)")
    parser.add_argument("--keep", type=Path, help="copy the HTML folder there")
    parser.add_argument("--no-browser", action="store_true", help="skip the browser measurements")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="xxgk-bench-html-") as tmp:
        corpus, out = Path(tmp) / "corpus", Path(tmp) / "html"
        make_corpus(corpus, args.n)
        results, auditor, audit_s = audit(corpus)
        times = render(results, auditor, out)
        size = sizes(out, args.n)
        findings = sum(len(r.findings) for r in results)
        print(f"{args.n} reports, {findings} findings; audit {audit_s:.2f} s (not part of the HTML figures)")
        print(f"render: {times['total_s']:.2f} s in all, {times['pages_s'] / args.n * 1000:.1f} ms per report page "
              f"(with its CSV/XLSX rows), index and workbook save {times['total_s'] - times['pages_s']:.2f} s")
        print(f"sizes: index.html {size['index_kb']:.0f} KB; report page mean {size['page_kb_mean']:.0f} KB, "
              f"max {size['page_kb_max']:.0f} KB; findings.csv {size['csv_kb']:.0f} KB; "
              f"findings.xlsx {size['xlsx_kb']:.0f} KB; folder {size['folder_mb']:.1f} MB")
        if args.keep:
            shutil.copytree(out, args.keep, dirs_exist_ok=True)
        if args.no_browser or not Path(CHROMIUM).is_file():
            print("browser: skipped" + ("" if args.no_browser else f" (no {CHROMIUM})"))
            return
        print(f"browser (headless Chromium, file://, median of {args.runs}):")
        for name, ms, rows in browse(out / INDEX_NAME, args.runs):
            print(f"  {name:<34} {ms:8.1f} ms   {rows:>5} rows visible")


if __name__ == "__main__":
    main()
