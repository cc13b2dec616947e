"""Review state in the store: decisions on fingerprints survive re-runs, renames, line shifts and
corrected versions; states open/resolved/new follow the versions; dismissed findings do not fail
a report where decisions are honoured; `review list|set|export` as the issue specifies."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import openpyxl
import pytest

from review_data import AGENCY, ARITH, CORRECTED, YEAR, make_reports, run_batch, shifted
from xxgk_audit.engine.app import cli
from xxgk_audit.engine.batch import review
from xxgk_audit.engine.batch.store import Store

KEYS = {"fingerprint", "path", "agency", "year", "rule", "severity", "message", "location", "decision", "state",
        "comment", "reviewer", "decided_at"}


@pytest.fixture
def batch(tmp_path: Path) -> tuple[Path, Path]:
    folder = make_reports(tmp_path / "reports")
    run_batch(folder, tmp_path / "out")
    return folder, tmp_path / "out" / "audit.db"


def _items(store_path: Path, **filters) -> list[review.ReviewItem]:
    store = Store(store_path)
    try:
        return review.review_items(store, **filters)
    finally:
        store.close()


def _listed(capsys: pytest.CaptureFixture[str], *args: str) -> list[dict]:
    assert cli.main(["review", "list", *args, "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_list_json_contract(batch: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    _, db = batch
    items = _listed(capsys, "--store", str(db), "--agency", AGENCY, "--year", str(YEAR))
    assert sorted(i["rule"] for i in items) == ["ARITH-001", "ARITH-004", "ARITH-005"]
    assert all(set(i) == KEYS and i["decision"] == "pending" and i["state"] == "open" for i in items)
    assert {i["agency"] for i in _listed(capsys, "--store", str(db))} > {AGENCY}


def test_decisions_survive_rename_line_shift_and_rerun(batch: tuple[Path, Path], tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    folder, db = batch
    first = {i["rule"]: i for i in _listed(capsys, "--store", str(db), "--agency", AGENCY)}
    assert cli.main(["review", "set", first["ARITH-005"]["fingerprint"], "--decision", "dismissed",
                     "--comment", "口径说明已附", "--reviewer", "张三", "--store", str(db)]) == 0
    assert cli.main(["review", "set", first["ARITH-001"]["fingerprint"], "--decision", "confirmed",
                     "--store", str(db)]) == 0
    # the same report under another name, its lines moved: audited again, decisions still there
    (folder / "arith.txt").unlink()
    (folder / "交通运输局-重新命名.txt").write_text(shifted(ARITH), encoding="utf-8")
    run_batch(folder, tmp_path / "out")
    again = {i["rule"]: i for i in _listed(capsys, "--store", str(db), "--agency", AGENCY)}
    assert again["ARITH-005"]["path"].endswith("交通运输局-重新命名.txt")
    assert again["ARITH-005"]["location"]["line"] != first["ARITH-005"]["location"]["line"]
    assert (again["ARITH-005"]["decision"], again["ARITH-005"]["comment"], again["ARITH-005"]["reviewer"]) == \
        ("dismissed", "口径说明已附", "张三")
    assert again["ARITH-001"]["decision"] == "confirmed" and again["ARITH-004"]["decision"] == "pending"
    assert {i["state"] for i in again.values()} == {"open"}, "the same content in effect: nothing new or resolved"
    assert [i["rule"] for i in _listed(capsys, "--store", str(db), "--decision", "dismissed")] == ["ARITH-005"]


def test_corrected_version_resolves_and_history_is_kept(batch: tuple[Path, Path], tmp_path: Path) -> None:
    folder, db = batch
    store = Store(db)
    fps = {i.finding.rule: i.fingerprint for i in review.review_items(store, AGENCY, YEAR)}
    review.set_decision(store, fps["ARITH-001"], "confirmed", "请改正", "李四")
    review.set_decision(store, fps["ARITH-001"], "dismissed", "误报", "王五")
    store.close()
    (folder / "arith.txt").write_text(CORRECTED.replace("本年度未收取信息处理费", "本年度未收取信息处理费XX"),
                                      encoding="utf-8")
    run_batch(folder, tmp_path / "out")
    store = Store(db)
    try:
        assert len(review.versions(store, AGENCY, YEAR)) == 2
        states = {i.finding.rule: i.state for i in review.review_items(store, AGENCY, YEAR)}
        assert states == {"ARITH-001": "resolved", "ARITH-004": "resolved", "ARITH-005": "open", "TEXT-009": "new"}
        history = review.decision_history(store, fps["ARITH-001"])
        assert [(d.decision, d.reviewer) for d in history] == [("confirmed", "李四"), ("dismissed", "王五")]
        assert review.review_items(store, AGENCY, YEAR, state="resolved")[0].decision.decision == "dismissed"
    finally:
        store.close()


def test_dismissed_findings_do_not_fail_where_decisions_are_honoured(batch: tuple[Path, Path]) -> None:
    _, db = batch
    store = Store(db)
    try:
        items = review.review_items(store, AGENCY, YEAR)
        report_id = items[0].report_id
        assert review.honoured(store, report_id, "error").result.status == "fail"
        for item in items:
            review.set_decision(store, item.fingerprint, "dismissed")
        h = review.honoured(store, report_id, "error")
        assert (h.result.status, h.dismissed, h.audited.status) == ("pass", 3, "fail")
        review.set_decision(store, items[0].fingerprint, "pending")
        assert review.honoured(store, report_id, "error").result.status == "fail"
    finally:
        store.close()


def test_set_refuses_unknown_fingerprint_and_missing_store(batch: tuple[Path, Path],
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    _, db = batch
    assert cli.main(["review", "set", "0" * 32, "--decision", "confirmed", "--store", str(db)]) == 2
    assert "没有指纹" in capsys.readouterr().err
    assert cli.main(["review", "list", "--store", str(db.parent / "none.db")]) == 2
    assert cli.main(["review", "set", "x", "--decision", "maybe", "--store", str(db)]) == 2


def test_export_workbook_and_notice(batch: tuple[Path, Path], tmp_path: Path,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    _, db = batch
    items = {i["rule"]: i for i in _listed(capsys, "--store", str(db), "--agency", AGENCY)}
    for rule, decision in (("ARITH-001", "confirmed"), ("ARITH-004", "confirmed"), ("ARITH-005", "dismissed")):
        comment = "<w:p>请核对</w:p> & 改正" if rule == "ARITH-001" else ""
        assert cli.main(["review", "set", items[rule]["fingerprint"], "--decision", decision, "--comment", comment,
                         "--store", str(db)]) == 0
    xlsx, docx = tmp_path / "整改清单.xlsx", tmp_path / "整改通知.docx"
    assert cli.main(["review", "export", "--store", str(db), "--agency", AGENCY, "--year", str(YEAR), "-o", str(xlsx)]) == 0
    assert "另有 1 个经审核驳回" in capsys.readouterr().err
    sheet = openpyxl.load_workbook(xlsx).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    header = rows[0]
    listed = [dict(zip(header, r)) for r in rows[1:-1]]
    assert [r["规则"] for r in listed] == ["ARITH-001", "ARITH-004"]
    assert "表三" in listed[0]["位置"] and "「一、本年新收政府信息公开申请数量」行" in listed[0]["位置"]
    assert listed[0]["依据"].startswith("[D] 表三")
    assert (listed[0]["期望"], listed[0]["实际"]) == ("12", "11") and listed[0]["原文或单元格"].startswith("单元格 A1.TOT")
    assert "另有 1 项经审核驳回" in rows[-1][1]
    assert cli.main(["review", "export", "--store", str(db), "--agency", AGENCY, "-o", str(docx)]) == 0
    with zipfile.ZipFile(docx) as package:
        assert {"[Content_Types].xml", "word/document.xml"} <= set(package.namelist())
        body = package.read("word/document.xml").decode("utf-8")
    assert AGENCY in body and "ARITH-001" in body and "ARITH-004" in body and "ARITH-005" not in body
    assert "&lt;w:p&gt;请核对&lt;/w:p&gt; &amp; 改正" in body, "a comment's markup is escaped"
    assert "另有 1 项经审核驳回" in body
    assert cli.main(["review", "export", "--store", str(db), "--agency", AGENCY, "-o", str(tmp_path / "x.pdf")]) == 2


def test_batch_outputs_honour_decisions(batch: tuple[Path, Path], tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    folder, db = batch
    out = tmp_path / "pages"
    assert cli.main(["batch", str(folder), "--out", str(out), "--store", str(db), "--jobs", "1"]) == 1
    for item in _listed(capsys, "--store", str(db), "--agency", AGENCY):
        assert cli.main(["review", "set", item["fingerprint"], "--decision", "dismissed", "--store", str(db)]) == 0
    assert cli.main(["batch", str(folder), "--out", str(out), "--store", str(db), "--jobs", "1"]) == 1
    assert "经审核驳回 3 条" in capsys.readouterr().err
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert (summary["summary"]["dismissed"], summary["summary"]["pass"]) == (3, 1)
    arith = next(r for r in summary["reports"] if r["report"]["agency"] == AGENCY)
    assert (arith["status"], arith["dismissed"], arith["findings"]) == ("pass", 3, [])
    page = next(out.glob("*-arith.html")).read_text(encoding="utf-8")
    assert "经审核驳回、未列出 <strong>3</strong>" in page, "the page is drawn again after the decisions"
    assert "经审核驳回 <strong>3</strong>" in (out / "index.html").read_text(encoding="utf-8")
