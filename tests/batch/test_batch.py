"""Batch audits: worker processes, the result store, resuming, crashes and cross-year rules."""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

import pytest

from batch_data import CLEAN, SAMPLES, next_year, run_folder as _run
from xxgk_audit.engine.app import cli
from xxgk_audit.engine.evaluation.audit import Auditor
from xxgk_audit.engine.batch.manifest import read_manifest
from xxgk_audit.engine.batch.store import Store


def test_batch_writes_everything_and_finds_the_broken_carry_over(folder, tmp_path, capsys):
    out = tmp_path / "out"
    assert cli.main(["batch", str(folder), "--out", str(out), "--jobs", "2"]) == 1
    err = capsys.readouterr().err
    assert "审核 4" in err
    for name in ("index.html", "findings.csv", "findings.xlsx", "summary.json", "audit.db", "cross_report.json"):
        assert (out / name).is_file(), name
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["summary"]["reports"] == 4
    cross = json.loads((out / "cross_report.json").read_text(encoding="utf-8"))
    carry = [(c["path"], f) for c in cross for f in c["findings"] if f["rule"] == "XREF-009"]
    assert {path.rsplit("reports/", 1)[1] for path, _ in carry} == {"2024/env.txt"}
    found = {(f["location"]["column"], f["severity"]) for _, f in carry}
    assert found == {("NP", "warning"), ("TOT", "error")}
    assert "2023年度报告的结转下年度为 1 件" in carry[0][1]["message"]
    # 表二 copied unchanged: 15 valid 规范性文件 + 2 made - 1 repealed should be 16 in 2024
    valid = [f for c in cross for f in c["findings"] if f["rule"] == "XREF-010"]
    assert [(f["location"]["row"], f["expected"], f["actual"]) for f in valid] == [("NORM", 16, 15)]
    # the carry-over finding is in the store, so history shows it
    assert cli.main(["history", "某市生态环境局", "--store", str(out / "audit.db")]) == 0
    history = capsys.readouterr().out
    assert "2024 年度" in history and "XREF-009" in history and "2023 年度" in history


def test_rerun_skips_unchanged_and_reaudits_changed_files(folder, tmp_path, capsys):
    out = tmp_path / "out"
    cli.main(["batch", str(folder), "--out", str(out), "--jobs", "1"])
    capsys.readouterr()
    cli.main(["batch", str(folder), "--out", str(out), "--jobs", "1"])
    assert "审核 0，未变化跳过 4" in capsys.readouterr().err
    (folder / "2024" / "env.txt").write_text(next_year(1), encoding="utf-8")
    cli.main(["batch", str(folder), "--out", str(out), "--jobs", "1"])
    assert "审核 1，未变化跳过 3" in capsys.readouterr().err
    cross = json.loads((tmp_path / "out" / "cross_report.json").read_text(encoding="utf-8"))
    assert not [f for c in cross for f in c["findings"] if f["rule"] == "XREF-009"]   # the chain holds now
    reports = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))["reports"]
    entry = next(r for r in reports if r["path"].endswith("2024/env.txt"))
    assert {c["rule"]: c["status"] for c in entry["checks"]}["XREF-009"] == "pass"


def test_a_killed_run_keeps_what_it_finished_and_resumes(folder, tmp_path):
    store = Store(tmp_path / "audit.db")
    seen = []

    def die_after_two(result, kept):
        seen.append(result.path)
        if len(seen) == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        _run(folder, store, 1, die_after_two)
    counts = _run(folder, store, 1)
    assert (counts.skipped, counts.audited) == (2, 2)


def test_a_crashing_worker_is_replaced_and_the_file_marked(folder, tmp_path, monkeypatch):
    (folder / "crash.txt").write_text(CLEAN, encoding="utf-8")
    original = Auditor.audit_path

    def audit_path(self, path, ctx=None):
        if str(path).endswith("crash.txt"):
            os._exit(139)                 # what a segfault in durable's C core looks like
        return original(self, path, ctx)

    monkeypatch.setattr(Auditor, "audit_path", audit_path)   # workers are forked: they inherit it
    results = []
    counts = _run(folder, Store(tmp_path / "audit.db"), 2, lambda r, kept: results.append(r))
    assert counts.audited == 5 and counts.errors == 1
    crashed = next(r for r in results if r.path.endswith("crash.txt"))
    assert crashed.status == "error" and "进程异常退出" in crashed.error
    assert sorted(r.status for r in results if not r.path.endswith("crash.txt")) == ["fail", "fail", "pass", "pass"]


def test_manifest_gives_context_per_file(folder, tmp_path):
    manifest = folder / "manifest.csv"
    manifest.write_text("path,agency,year,published,agency_kind,parent\n"
                        "2023/env.txt,某市生态环境局,2023,2024-02-20,department,\n", encoding="utf-8")
    [(path, ctx)] = read_manifest(manifest)
    assert path == (folder / "2023" / "env.txt").resolve()
    result = Auditor().audit_path(path, ctx)
    assert "META-004" in [f.rule for f in result.findings]     # published after 1月31日


def test_copies_from_last_year_and_from_another_agency_are_found(tmp_path, capsys):
    reports = tmp_path / "reports"
    reports.mkdir()
    (reports / "env-2023.txt").write_text(CLEAN, encoding="utf-8")
    # the same agency's next report, copied: only years and the carry-over figures changed
    (reports / "env-2024.txt").write_text(next_year(1), encoding="utf-8")
    # another agency's 2023 report copied from this one
    (reports / "water-2023.txt").write_text(CLEAN.replace("某市生态环境局", "某市水务局"), encoding="utf-8")
    # an unrelated report of the same year
    (reports / "luolong-2020.txt").write_bytes((SAMPLES / "seed-luolong-2020.txt").read_bytes())
    out = tmp_path / "out"
    cli.main(["batch", str(reports), "--out", str(out), "--jobs", "2"])
    capsys.readouterr()
    cross = {Path(c["path"]).name: c["findings"] for c in json.loads((out / "cross_report.json").read_text("utf-8"))}
    rules_2024 = {f["rule"] for f in cross["env-2024.txt"]}
    assert {"TEXT-005", "TEXT-006"} <= rules_2024
    text005 = next(f for f in cross["env-2024.txt"] if f["rule"] == "TEXT-005")
    assert "2023年度报告" in text005["message"] and "政策解读形式较为单一" in text005["message"]
    peer = [f for f in cross["water-2023.txt"] if f["rule"] == "TEXT-006"]
    assert peer and "某市生态环境局" in peer[0]["message"]
    assert "luolong-2020.txt" not in cross          # its own text: not near any other report


def test_lsh_finds_near_duplicates_without_comparing_all_pairs():
    from xxgk_audit.engine.batch import similarity
    base = similarity.normalise(CLEAN)
    other = similarity.normalise(CLEAN.replace("政策解读", "解读政策"))
    unrelated = similarity.normalise((SAMPLES / "seed-luolong-2020.txt").read_text(encoding="utf-8"))
    sigs = [(1, similarity.signature(similarity.shingles(base))),
            (2, similarity.signature(similarity.shingles(other))),
            (3, similarity.signature(similarity.shingles(unrelated)))]
    assert similarity.candidate_pairs(sigs) == {(1, 2)}


def test_cross_report_findings_reach_the_spreadsheets(folder, tmp_path, capsys):
    out = tmp_path / "out"
    cli.main(["batch", str(folder), "--out", str(out), "--jobs", "1"])
    capsys.readouterr()
    rows = (out / "findings.csv").read_text(encoding="utf-8-sig").splitlines()
    assert any("XREF-009" in row and "2024" in row for row in rows)


def test_cross_report_findings_are_on_the_pages_index_and_summary_of_the_same_run(folder, tmp_path, capsys):
    out = tmp_path / "out"
    cli.main(["batch", str(folder), "--out", str(out), "--jobs", "2"])
    capsys.readouterr()
    pages = {p: p.read_text(encoding="utf-8") for p in out.glob("*env*.html")}
    page_2024 = next(text for text in pages.values() if "2024年" in text)
    assert "XREF-009" in page_2024 and "2023年度报告的结转下年度为 1 件" in page_2024
    reports = json.loads((out / "summary.json").read_text(encoding="utf-8"))["reports"]
    entry = next(r for r in reports if r["path"].endswith("2024/env.txt"))
    assert entry["status"] == "fail"                      # the 总计 column mismatch is an error
    assert "XREF-009" in {f["rule"] for f in entry["findings"]}
    # the checks say the same: failed in 2024, not assessable in 2023 (no 2022 report), on the
    # pages as in summary.json
    checks = {c["rule"]: c["status"] for c in entry["checks"]}
    assert checks["XREF-009"] == "fail" and checks["TEXT-006"] == "fail" and checks["XREF-012"] == "not_assessable"
    entry_2023 = next(r for r in reports if r["path"].endswith("2023/env.txt"))
    assert {c["rule"]: c["status"] for c in entry_2023["checks"]}["XREF-009"] == "not_assessable"
    assert 'id="rule-XREF-009" class="st-fail"' in page_2024
    page_2023 = next(text for text in pages.values() if "2024年" not in text)
    assert 'id="rule-XREF-009" class="st-not_assessable"' in page_2023
    assert "XREF-009" in (out / "index.html").read_text(encoding="utf-8")     # the per-rule chart


def test_aggregate_report_is_checked_against_its_components(tmp_path, capsys):
    reports = tmp_path / "reports"
    reports.mkdir()
    (reports / "env.txt").write_text(CLEAN, encoding="utf-8")
    (reports / "water.txt").write_text(CLEAN.replace("某市生态环境局", "某市水务局")
                                       .replace("行政许可 | 138 |", "行政许可 | 12 |"), encoding="utf-8")
    # the city's report copies the environment bureau's figures: its 行政许可 and its applications
    # are those of one component only
    city = CLEAN.replace("某市生态环境局", "某市人民政府").replace("行政许可 | 138 |", "行政许可 | 151 |")
    (reports / "city.txt").write_text(city, encoding="utf-8")
    (reports / "manifest.csv").write_text(
        "path,agency,year,parent\nenv.txt,某市生态环境局,2023,某市人民政府\nwater.txt,某市水务局,2023,某市人民政府\n"
        "city.txt,某市人民政府,2023,\n", encoding="utf-8")
    out = tmp_path / "out"
    cli.main(["batch", str(reports / "manifest.csv"), "--out", str(out), "--jobs", "1", "--select", "XREF-012"])
    capsys.readouterr()
    cross = {Path(c["path"]).name: c["findings"] for c in json.loads((out / "cross_report.json").read_text("utf-8"))}
    assert set(cross) == {"city.txt"}
    found = {(f["location"]["table"], f["location"]["row"], f["location"]["column"], f["expected"], f["actual"])
             for f in cross["city.txt"]}
    assert ("disclosure", "LIC", "DEC", 150, 151) in found          # 138 + 12, not 151
    assert ("applications", "A1", "TOT", 22, 11) in found
    assert not [f for f in found if f[3] == f[4]]                  # cells that add up (0 + 0 = 0) pass
    message = next(f["message"] for f in cross["city.txt"] if f["location"]["row"] == "LIC")
    assert message == "主动公开政府信息情况表「行政许可」「处理决定数量」：汇总报告为 151，但 2 份下级报告之和为 150"
    assert all(f["severity"] == "info" for f in cross["city.txt"])


def test_an_unchanged_rerun_keeps_the_outputs_it_wrote(folder, tmp_path, capsys):
    out = tmp_path / "out"
    first = cli.main(["batch", str(folder), "--out", str(out), "--jobs", "1"])
    capsys.readouterr()
    stamps = {p.name: p.stat().st_mtime_ns for p in out.iterdir() if p.suffix in (".html", ".csv", ".xlsx", ".json")}
    assert cli.main(["batch", str(folder), "--out", str(out), "--jobs", "1"]) == first
    assert "沿用已有输出" in capsys.readouterr().err
    assert {p.name: p.stat().st_mtime_ns for p in out.iterdir() if p.name in stamps} == stamps
    (out / "index.html").unlink()                 # an output gone: written again
    cli.main(["batch", str(folder), "--out", str(out), "--jobs", "1"])
    assert "沿用已有输出" not in capsys.readouterr().err and (out / "index.html").is_file()


def test_a_run_killed_before_the_cross_report_step_gets_it_on_resume(folder, tmp_path, capsys):
    out = tmp_path / "out"
    _run(folder, Store(out / "audit.db"), 1)          # audited and stored, killed before the rest
    cli.main(["batch", str(folder), "--out", str(out), "--jobs", "1"])
    assert "审核 0，未变化跳过 4" in capsys.readouterr().err
    cross = json.loads((out / "cross_report.json").read_text(encoding="utf-8"))
    assert [c["path"] for c in cross if any(f["rule"] == "XREF-009" for f in c["findings"])] == [
        str(folder / "2024" / "env.txt")]


def test_no_pages_writes_the_index_and_exports_only(folder, tmp_path, capsys):
    out = tmp_path / "out"
    cli.main(["batch", str(folder), "--out", str(out), "--jobs", "2", "--no-pages"])
    capsys.readouterr()
    assert sorted(p.name for p in out.glob("*.html")) == ["index.html"]
    assert "查看</a>" not in (out / "index.html").read_text(encoding="utf-8")
    assert json.loads((out / "summary.json").read_text(encoding="utf-8"))["summary"]["reports"] == 4
    run = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert run["counts"] == {"files": 4, "audited": 4, "skipped": 0, "errors": 0}
    assert {"plan", "audit", "similarity", "cross_report", "outputs"} <= set(run["seconds"])


def test_a_store_written_by_an_earlier_version_is_upgraded(tmp_path):
    import sqlite3
    path = tmp_path / "old.db"
    db = sqlite3.connect(path)
    db.executescript("""
        CREATE TABLE runs (id INTEGER PRIMARY KEY, started REAL NOT NULL, finished REAL, input TEXT NOT NULL,
            rules_version TEXT NOT NULL, jobs INTEGER NOT NULL, files INTEGER DEFAULT 0, audited INTEGER DEFAULT 0,
            skipped INTEGER DEFAULT 0, errors INTEGER DEFAULT 0);
        CREATE TABLE reports (id INTEGER PRIMARY KEY, path TEXT NOT NULL, content_hash TEXT NOT NULL,
            rules_version TEXT NOT NULL, run_id INTEGER NOT NULL, status TEXT NOT NULL, error TEXT, agency TEXT,
            year INTEGER, format TEXT, kind TEXT, tables_json TEXT, audited_at REAL NOT NULL, text TEXT,
            section5 TEXT, signature BLOB, UNIQUE (path, content_hash, rules_version));
        CREATE TABLE findings (report_id INTEGER NOT NULL, seq INTEGER NOT NULL, rule TEXT NOT NULL,
            severity TEXT NOT NULL, title TEXT, message TEXT NOT NULL, section INTEGER, table_name TEXT,
            row_key TEXT, column_key TEXT, line INTEGER, page INTEGER, expected_json TEXT, actual_json TEXT,
            PRIMARY KEY (report_id, seq));
        INSERT INTO runs VALUES (1, 0, 1, 'x', 'v', 1, 1, 1, 0, 0);
        INSERT INTO reports (id, path, content_hash, rules_version, run_id, status, agency, year, audited_at)
            VALUES (1, 'a.txt', 'h', 'v', 1, 'pass', '某局', 2023, 0);
    """)
    db.close()
    store = Store(path)
    result = store.result(1)
    assert (result.status, result.checks, result.findings) == ("pass", [], [])
    columns = {row[1] for row in store.db.execute("PRAGMA table_info(reports)")}
    assert {"parent", "checks_json", "cross_checked"} <= columns


def test_lsh_pairs_a_text_copied_by_many_without_all_pairs():
    from xxgk_audit.engine.batch import similarity
    sig = similarity.signature(similarity.shingles(similarity.normalise(CLEAN)))
    other = similarity.signature(similarity.shingles(similarity.normalise(
        (SAMPLES / "seed-luolong-2020.txt").read_text(encoding="utf-8"))))
    copies = 300
    pairs = similarity.candidate_pairs([(i, sig) for i in range(copies)] + [(copies, other)])
    assert {i for pair in pairs for i in pair} == set(range(copies))        # every copy is paired
    assert len(pairs) == copies - 1                                          # with one hub, not all pairs


def test_the_manifest_agency_links_years_when_titles_differ(folder, tmp_path, capsys):
    # the 2024 report's title names the bureau differently; the office's manifest names it one way
    (folder / "2024" / "env.txt").write_text(next_year(2).replace("某市生态环境局", "某市环境局"), encoding="utf-8")
    manifest = folder / "manifest.csv"
    manifest.write_text("path,agency,year\n2023/env.txt,某市生态环境局,2023\n2024/env.txt,某市生态环境局,2024\n",
                        encoding="utf-8")
    out = tmp_path / "out"
    cli.main(["batch", str(manifest), "--out", str(out), "--jobs", "1", "--select", "XREF-009"])
    capsys.readouterr()
    cross = json.loads((out / "cross_report.json").read_text(encoding="utf-8"))
    assert [(Path(c["path"]).parent.name, c["agency"]) for c in cross] == [("2024", "某市生态环境局")]


def _read_or_die(path):
    if str(path).endswith("2024/env.txt"):
        os._exit(139)
    from xxgk_audit.engine.evaluation.audit import read_report
    return read_report(path)


def test_a_page_whose_worker_crashes_is_drawn_from_the_stored_result(folder, tmp_path, monkeypatch, capsys):
    from xxgk_audit.engine.batch import steps as batch
    monkeypatch.setattr(batch, "read_report", _read_or_die)     # page workers are forked: they inherit it
    out = tmp_path / "out"
    cli.main(["batch", str(folder), "--out", str(out), "--jobs", "2"])
    capsys.readouterr()
    pages = [p.read_text(encoding="utf-8") for p in out.glob("*env*.html")]
    page_2024 = next(text for text in pages if "2024/env.txt" in text)
    assert "XREF-009" in page_2024 and 'id="rule-XREF-009" class="st-fail"' in page_2024
    assert "未能重新读取原文件" in page_2024          # drawn without the report read again


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_bug_met_on_one_file_is_that_files_error_and_the_batch_goes_on(folder, tmp_path, monkeypatch, jobs):
    (folder / "bug.txt").write_text(CLEAN, encoding="utf-8")
    original = Auditor.audit_path

    def audit_path(self, path, ctx=None):
        if str(path).endswith("bug.txt"):
            raise IndexError("a reader bug")
        return original(self, path, ctx)

    monkeypatch.setattr(Auditor, "audit_path", audit_path)
    results = []
    counts = _run(folder, Store(tmp_path / "audit.db"), jobs, lambda r, kept: results.append(r))
    assert counts.audited == 5 and counts.errors == 1
    bug = next(r for r in results if r.path.endswith("bug.txt"))
    assert bug.status == "error" and "内部错误（IndexError：a reader bug）" in bug.error


def _no_second_read(path):
    raise AssertionError(f"{path} read again for its page")


def test_pdf_pages_are_drawn_from_the_report_the_audit_read(tmp_path, monkeypatch, capsys):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "readers"))
    from test_pdf_reader import render_pdf
    from xxgk_audit.engine.batch import steps as batch
    reports = tmp_path / "reports"
    reports.mkdir()
    (reports / "env.pdf").write_bytes(render_pdf(CLEAN))
    monkeypatch.setattr(batch, "read_report", _no_second_read)   # forked workers inherit it
    private = tmp_path / "tmp"      # this run's temporary folders only (other runs may share /tmp)
    private.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(private))
    out = tmp_path / "out"
    cli.main(["batch", str(reports), "--out", str(out), "--jobs", "1"])
    capsys.readouterr()
    [page] = [p for p in out.glob("*.html") if p.name != "index.html"]
    text = page.read_text(encoding="utf-8")
    assert "read again" not in text and "本年新收政府信息公开申请数量" in text and 'class="v ok"' in text
    assert not list(private.glob("xxgk-reports-*"))       # the cache is removed
