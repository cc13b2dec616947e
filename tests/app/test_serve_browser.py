"""The review web app in real Chromium (Debian's, driven by Playwright as in
tests/reports/test_browser.py): decide on findings, re-run the batch and find the decisions
still there, download the exports and open them, upload a corrected report and see 已整改.

Each page must log nothing to the console (a Content-Security-Policy violation is logged there)
and request nothing but the app itself.
"""

from __future__ import annotations

import os
import shutil
import zipfile
from pathlib import Path
from typing import Iterator

import openpyxl
import pytest

from review_data import AGENCY, ARITH, CORRECTED, Served, make_reports, run_batch, shifted

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install -e '.[test]')")

CHROMIUM = os.environ.get("XXGK_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]

if not Path(CHROMIUM).is_file():
    pytest.skip(f"no Chromium binary at {CHROMIUM} (apt-get install chromium)", allow_module_level=True)


@pytest.fixture
def office(tmp_path: Path) -> Iterator[tuple[Served, Path, Path]]:
    """A batch of two reports in a store, served on a free loopback port."""
    folder = make_reports(tmp_path / "reports")
    run_batch(folder, tmp_path / "out")
    server = Served(tmp_path / "out" / "audit.db")
    yield server, folder, tmp_path / "out"
    server.stop()


@pytest.fixture
def page(office: tuple[Served, Path, Path]) -> Iterator[object]:
    server = office[0]
    problems: list[str] = []
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(accept_downloads=True, viewport={"width": 1200, "height": 900})
        tab = context.new_page()
        tab.on("console", lambda m: problems.append(f"console {m.type}: {m.text}")
               if m.type in ("error", "warning") else None)
        tab.on("pageerror", lambda e: problems.append(f"page error: {e}"))
        tab.on("request", lambda r: None if r.url.startswith(server.base) else
               problems.append(f"request outside the app: {r.url}"))
        yield tab
        assert problems == []
        browser.close()


def _finding(tab: object, rule: str) -> object:
    return tab.locator("li.finding", has=tab.locator(".rule-id", has_text=rule))


def _decide(tab: object, rule: str, decision: str, comment: str = "", reviewer: str = "") -> None:
    item = _finding(tab, rule)
    item.locator("textarea[name=comment]").fill(comment)
    item.locator("input[name=reviewer]").fill(reviewer)
    with tab.expect_navigation():
        item.locator(f"button[value={decision}]").click()


def _open_agency(tab: object, server: Served) -> None:
    tab.goto(server.url)
    tab.fill("input[name=agency]", "交通")
    with tab.expect_navigation():
        tab.click("form.search button[type=submit]")
    assert tab.locator("#reports tbody tr").count() == 1
    with tab.expect_navigation():
        tab.click("#reports tbody tr >> text=查看与审核")


def _download(tab: object, label: str, target: Path) -> Path:
    with tab.expect_download() as info:
        tab.click(f"#reports tbody tr >> text={label}")
    info.value.save_as(target)
    return target


def test_review_in_the_browser(office: tuple[Served, Path, Path], page: object, tmp_path: Path) -> None:
    server, folder, out = office
    tab = page
    _open_agency(tab, server)
    assert "不通过" in tab.locator("#review-verdict").inner_text()
    _decide(tab, "ARITH-005", "dismissed", "复议口径已说明 <b>不改</b>", "张三")
    _decide(tab, "ARITH-001", "confirmed", "请核对自然人数", "张三")
    _decide(tab, "ARITH-004", "confirmed")
    assert tab.evaluate("location.hash").startswith("#f-")
    assert _finding(tab, "ARITH-005").locator(".decision").inner_text() == "驳回"
    assert _finding(tab, "ARITH-005").locator("textarea").input_value() == "复议口径已说明 <b>不改</b>"
    assert "已驳回 1 项" in tab.locator("#review-verdict").inner_text()
    tab.screenshot(path=str(tmp_path / "decided.png"), full_page=True)

    # the batch run again over the report renamed, its lines moved: the decisions are still there
    (folder / "arith.txt").unlink()
    (folder / "交通局年报-第二稿.txt").write_text(shifted(ARITH), encoding="utf-8")
    run_batch(folder, out)
    _open_agency(tab, server)
    assert "交通局年报-第二稿.txt" in tab.locator(".facts").inner_text()
    assert _finding(tab, "ARITH-005").locator(".decision").inner_text() == "驳回"
    assert _finding(tab, "ARITH-005").locator("input[name=reviewer]").input_value() == "张三"
    assert _finding(tab, "ARITH-001").locator(".decision").inner_text() == "确认"
    assert _finding(tab, "ARITH-004").locator(".decision").inner_text() == "确认"

    # the exports, downloaded and opened
    tab.goto(server.url)
    sheet = openpyxl.load_workbook(_download(tab, "整改清单", tmp_path / "list.xlsx")).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert [r[3] for r in rows[1:-1]] == ["ARITH-001", "ARITH-004"] and rows[1][1] == AGENCY
    assert "请核对自然人数" in rows[1] and "另有 1 项经审核驳回" in rows[-1][1]
    with zipfile.ZipFile(_download(tab, "整改通知", tmp_path / "notice.docx")) as package:
        body = package.read("word/document.xml").decode("utf-8")
    assert "整改的通知" in body and "ARITH-001" in body and "ARITH-005" not in body

    # a corrected report uploaded: compared with the earlier version
    corrected = tmp_path / "整改后.txt"
    corrected.write_text(CORRECTED, encoding="utf-8")
    tab.set_input_files("input[name=file]", str(corrected))
    with tab.expect_navigation():
        tab.click("form.upload button[type=submit]")
    assert "整改比较" in tab.title()
    resolved = tab.locator("#state-resolved").inner_text()
    assert "已整改（2 项）" in resolved and "ARITH-001" in resolved and "ARITH-004" in resolved
    assert "ARITH-005" in tab.locator("#state-open").inner_text()
    assert "新增（0 项）" in tab.locator("#state-new").inner_text()
    tab.screenshot(path=str(tmp_path / "compared.png"), full_page=True)
    tab.goto(server.url)
    assert "第 3 版" in tab.locator("#reports").inner_text()     # as audited, lines shifted, corrected
    sheet = openpyxl.load_workbook(_download(tab, "整改清单", tmp_path / "after.xlsx")).active
    assert [[c.value for c in row] for row in sheet.iter_rows()][1][1] == "共 0 项须整改；另有 1 项经审核驳回，未列入。"
