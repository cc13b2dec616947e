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
