"""`blank-cells` in the configuration and `--blank-cells` on check and batch; the check summary
names the cross-report rules once; not-assessable reasons in the template's words."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from blank_zero import PLANTS, document
from xxgk_audit.engine.app import cli

PLANT = next(p for p in PLANTS if p.name == "行政复议总计多计")     # ARITH-005 on 表四, zeros blank


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / ".git").mkdir()
    reports = tmp_path / "reports"
    reports.mkdir()
    data, suffix = document(PLANT, "zeros", "html")
    (reports / f"blank{suffix}").write_bytes(data)
    monkeypatch.chdir(tmp_path)
    return reports


def check(argv: list[str], capsys) -> tuple[int, dict]:
    code = cli.main(["check", *argv, "--format", "json"])
    return code, json.loads(capsys.readouterr().out)


def arith(data: dict) -> list[dict]:
    return [f for r in data["reports"] for f in r["findings"] if f["rule"] == "ARITH-005"]


def test_zero_is_the_default_and_the_finding_says_what_it_presumed(folder, capsys):
    code, data = check([str(folder)], capsys)
    assert code == 1
    (finding,) = arith(data)
    assert finding["evidence"]["assumed_zero"] == ["RV.CORR", "RV.OTHER"]
    assert "空白单元格按 0 计" in finding["message"]
    assert [f["rule"] for r in data["reports"] for f in r["findings"]].count("CELL-002") == 2   # 表三, 表四


def test_unknown_on_the_command_line_and_in_the_configuration(folder, capsys):
    _, data = check([str(folder), "--blank-cells", "unknown"], capsys)
    assert arith(data) == []
    Path("xxgk-audit.toml").write_text('blank-cells = "unknown"\n', encoding="utf-8")
    _, data = check([str(folder)], capsys)
    assert arith(data) == []
    _, data = check([str(folder), "--blank-cells", "zero"], capsys)      # the command line wins
    assert len(arith(data)) == 1
    assert cli.main(["config"]) == 0
    assert 'blank-cells = "unknown"' in capsys.readouterr().out


def test_an_invalid_policy_is_a_usage_error(folder, capsys):
    Path("xxgk-audit.toml").write_text('blank-cells = "empty"\n', encoding="utf-8")
    assert cli.main(["check", str(folder)]) == 2
    assert "blank-cells 应为 zero 或 unknown" in capsys.readouterr().err
    assert cli.main(["check", str(folder), "--isolated", "--blank-cells", "empty"]) == 2


@pytest.mark.parametrize("policy, found", [("zero", 1), ("unknown", 0)])
def test_batch_workers_audit_with_the_policy(folder, tmp_path, capsys, policy, found):
    out = tmp_path / f"out-{policy}"
    cli.main(["batch", str(folder), "--out", str(out), "--jobs", "1", "--no-pages", "--blank-cells", policy])
    capsys.readouterr()
    with open(out / "findings.csv", encoding="utf-8-sig", newline="") as handle:
        rules = [row["rule"] for row in csv.DictReader(handle)]
    assert rules.count("ARITH-005") == found


def test_check_names_the_cross_report_rules_once(folder, capsys):
    cli.main(["check", str(folder), str(folder), "--no-color"])
    out = capsys.readouterr().out
    assert out.count("XREF-009") == 1
    assert "需与其他报告比对，用 batch：TEXT-005、TEXT-006、XREF-009、XREF-010、XREF-011、XREF-012、XREF-013、XREF-014" in out
    _, data = check([str(folder)], capsys)
    assert data["summary"]["cross_report"] == ["TEXT-005", "TEXT-006", "XREF-009", "XREF-010", "XREF-011", "XREF-012",
                                               "XREF-013", "XREF-014"]
    reasons = [reason for r in data["reports"] for c in r["checks"] for reason in c["reasons"]]
    assert "缺少或无法读取：发布日期" in reasons
    assert not [reason for reason in reasons if "published" in reason or reason.count("缺少或无法读取") > 1]


def test_html_page_marks_the_cells_a_finding_presumed(folder, tmp_path, capsys):
    page = tmp_path / "page.html"
    cli.main(["check", str(next(folder.iterdir())), "--format", "html", "--output", str(page)])
    capsys.readouterr()
    html = page.read_text(encoding="utf-8")
    assert 'id="c-review_litigation-RV-CORR" class="v unknown presumed flagged sev-warning"' in html
    assert '<span class="presumed-note">按 0 计</span>' in html
    section = html[html.index('<section id="not-assessable">'):html.index('<section id="tables">')]
    assert section.count("XREF-009") == 1 and "需与其他报告比对，用 batch：TEXT-005、" in section
