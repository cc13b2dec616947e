"""The HTML pages in a real browser: headless Chromium (Debian's) driven by Playwright.

Pages are opened from file:// as a reader would open them. Each test checks that nothing is
logged to the console (a Content-Security-Policy violation is logged there too) and that no
request leaves the page's folder. Screenshots, and the report printed to an A4 PDF, are saved in
a pytest temporary folder ("artifacts"; its path is printed with -s).

Skipped, with the reason, when Playwright or the Chromium binary is missing; .ci/run installs both.
Playwright's own browser download is never used: the system binary is launched (`chromium` on the
PATH, or the file named by XXGK_CHROMIUM).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Iterator

import pytest

from xxgk_audit.engine.app import cli

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install -e '.[test]')")

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
CHROMIUM = os.environ.get("XXGK_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]

if not Path(CHROMIUM).is_file():
    pytest.skip(f"no Chromium binary at {CHROMIUM} (apt-get install chromium)", allow_module_level=True)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled samples audited into an HTML folder."""
    out = tmp_path_factory.mktemp("site")
    assert cli.main(["check", str(SAMPLES), "--format", "html", "--output", str(out)]) == 1
    return out


@pytest.fixture(scope="module")
def artifacts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("artifacts")
    print(f"\nbrowser artifacts: {folder}")
    return folder


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with sync_api.sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


class Opened:
    """A page opened from disk, with what it logged and requested."""

    def __init__(self, browser: object, path: Path):
        self.page = browser.new_page(viewport={"width": 1200, "height": 900})   # type: ignore[attr-defined]
        self.folder = path.parent.as_uri()
        self.problems: list[str] = []
        self.page.on("console", lambda m: self.problems.append(f"console {m.type}: {m.text}")
                     if m.type in ("error", "warning") else None)
        self.page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        self.page.on("request", lambda r: None if r.url.startswith(self.folder) else
                     self.problems.append(f"request outside the folder: {r.url}"))
        self.page.goto(path.as_uri())

    def visible_rows(self) -> int:
        return self.page.locator("#reports tbody tr:visible").count()

    def close(self) -> None:
        assert self.problems == []
        self.page.close()


@pytest.fixture
def opened(browser: object) -> Iterator[callable]:
    pages: list[Opened] = []

    def open_(path: Path) -> Opened:
        pages.append(Opened(browser, path))
        return pages[-1]

    yield open_
    for page in pages:
        page.close()


def report_page(site: Path, stem: str) -> Path:
    return next(site.glob(f"*-{stem}.html"))


def test_pages_load_without_console_errors(site: Path, opened: callable, artifacts: Path) -> None:
    for path in sorted(site.glob("*.html")):
        view = opened(path)
        assert view.page.title()
        assert view.problems == [], path.name
    view.page.screenshot(path=str(artifacts / f"{path.stem}.png"), full_page=True)


def test_filters_and_search_change_the_visible_rows(site: Path, opened: callable, artifacts: Path) -> None:
    view = opened(site / "index.html")
    page = view.page
    page.screenshot(path=str(artifacts / "index.png"), full_page=True)
    assert view.visible_rows() == 5

    page.select_option("#f-status", "pass")
    assert view.visible_rows() == 2
    assert page.locator("#shown").inner_text() == "显示 2 / 5 份"
    page.select_option("#f-year", "2020")
    assert view.visible_rows() == 1
    page.select_option("#f-format", "2021")
    assert view.visible_rows() == 0 and page.locator("#empty").is_visible()
    page.screenshot(path=str(artifacts / "index-no-match.png"), full_page=True)

    page.click("#f-reset")
    page.wait_for_function("document.querySelectorAll('#reports tbody tr:not([hidden])').length === 5")
    page.fill("#f-agency", "交通")
    assert view.visible_rows() == 1
    assert "某县交通运输局" in page.locator("#reports tbody tr:visible").text_content()
    page.fill("#f-agency", "")
    page.select_option("#f-status", "fail")
    assert view.visible_rows() == 3
    page.screenshot(path=str(artifacts / "index-failing.png"), full_page=True)


def test_sorting_by_a_column(site: Path, opened: callable) -> None:
    view = opened(site / "index.html")
    page = view.page
    errors = "#reports tbody tr td:nth-child(4)"
    page.click("#reports thead th:nth-child(4) button")
    ascending = [int(t) for t in page.locator(errors).all_text_contents()]
    assert ascending == sorted(ascending)
    page.click("#reports thead th:nth-child(4) button")
    descending = [int(t) for t in page.locator(errors).all_text_contents()]
    assert descending == sorted(ascending, reverse=True)
    assert page.locator("#reports thead th:nth-child(4)").get_attribute("aria-sort") == "descending"


def test_clicking_a_marked_cell_reaches_its_finding_and_back(site: Path, opened: callable, artifacts: Path) -> None:
    view = opened(report_page(site, "error-arithmetic-2023"))
    page = view.page
    cell = page.locator("#c-applications-A1-TOT")
    cell.scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "cell-before-click.png"))
    cell.locator("a.flag").click()
    target = page.evaluate("location.hash")
    assert target.startswith("#f-")
    finding = page.locator(target)
    assert "ARITH-001" in finding.inner_text() and finding.is_visible()
    assert page.evaluate(f"document.querySelector('{target}').getBoundingClientRect().top") < 900
    page.screenshot(path=str(artifacts / "finding-after-click.png"))

    finding.locator("a.goto").click()
    assert page.evaluate("location.hash") == "#c-applications-A1-TOT"
    page.go_back()
    assert page.evaluate("location.hash") == target


def test_rule_link_reaches_the_rule_explanation(site: Path, opened: callable) -> None:
    view = opened(report_page(site, "error-structure-2022"))
    page = view.page
    page.locator("#f-1 a.rule-id").click()
    rule = page.evaluate("location.hash")
    assert rule.startswith("#rule-")
    row = page.locator(rule)
    assert "不通过" in row.inner_text() and row.locator("details").get_attribute("open") is not None


def test_report_prints_on_a4(site: Path, opened: callable, artifacts: Path) -> None:
    view = opened(report_page(site, "error-structure-2022"))
    view.page.emulate_media(media="print")
    assert view.page.locator(".toc").is_hidden()
    pdf = artifacts / "error-structure-2022.pdf"
    view.page.pdf(path=str(pdf), format="A4", print_background=True)
    assert pdf.stat().st_size > 10_000


@pytest.fixture(scope="module")
def batch_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A batch over eleven agencies' 2023 reports (one far above the others) and one 2022 report,
    with an agency listed that has not published."""
    from batch_data import peer_batch

    root = tmp_path_factory.mktemp("stats")
    manifest = peer_batch(root)
    with open(manifest, "a", encoding="utf-8") as fh:
        fh.write(",某局未发布,2023,某市\n")
    out = root / "out"
    assert cli.main(["batch", str(manifest), "--out", str(out), "--jobs", "2"]) == 1
    return out


def test_the_statistics_section_in_a_browser(batch_site: Path, opened: callable, artifacts: Path) -> None:
    view = opened(batch_site / "index.html")
    page = view.page
    stats = page.locator("#stats")
    stats.scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "index-stats.png"), full_page=True)
    assert stats.is_visible()
    # coverage: the agency listed without a report
    assert page.locator("#coverage table[data-kind=missing] tbody tr").all_inner_texts() == ["某局未发布\t2023\t某市"]
    # reports and applications by year: 2022 has 1 report (11), 2023 has 11 (10 × 11 + 600)
    bars = page.locator("#stats .charts .bar title").all_text_contents()
    assert "2023 年度：11" in bars and "2022 年度：1" in bars and "2023 年度：710" in bars
    # the distribution: the outlier is marked, and is the one XREF-014 names
    outliers = page.locator("#stats svg.strips circle.outlier")
    assert outliers.count() == 1 and "某局0：600" in outliers.locator("title").text_content()
    box = outliers.bounding_box()
    assert box is not None and box["width"] > 0
    assert page.locator("#stats svg.strips g.strip").count() == 2
    # the indicators by agency, sorted by a click
    rows = "#indicators tbody tr"
    assert page.locator(rows).count() == 11
    dispute = page.locator("#indicators thead th[data-key=dispute_rate]")
    index = int(dispute.evaluate("th => th.cellIndex")) + 1
    dispute.locator("button").click()
    dispute.locator("button").click()
    assert dispute.get_attribute("aria-sort") == "descending"
    values = [float(v or "-1") for v in page.locator(f"{rows} td:nth-child({index})").evaluate_all(
        "cells => cells.map(c => c.dataset.v)")]
    assert values == sorted(values, reverse=True) and values[0] > values[-1]
    assert page.locator(f"{rows}").first.locator("td").first.inner_text() != "某局0"   # 600 applications: the lowest
    view.page.screenshot(path=str(artifacts / "index-stats-sorted.png"), full_page=True)


def test_a_report_page_shows_its_trend(batch_site: Path, opened: callable, artifacts: Path) -> None:
    page_path = next(p for p in batch_site.glob("*-r0.html"))
    view = opened(page_path)
    trend = view.page.locator("#trend")
    trend.scroll_into_view_if_needed()
    view.page.screenshot(path=str(artifacts / "report-trend.png"))
    assert trend.is_visible() and "某局0" in trend.locator("h2").inner_text()
    assert view.page.locator("#trend table.trend-table tbody tr").first.inner_text().split("\t") == ["新收申请", "11", "600"]
    assert view.page.locator("#trend svg polyline").count() == 3
    assert view.page.locator("#trend circle.current").count() == 3
    other = next(p for p in batch_site.glob("*-r1.html"))
    assert 'id="trend"' not in other.read_text(encoding="utf-8")       # one year only: no trend
