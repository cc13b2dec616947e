"""The command line: exit codes, output contracts, rule selection, local packs, unreadable files.

Most tests replace the text reader with `fake_read`, which builds a clean 2021 report and applies
the cell values written in the file ("applications A1.NP 5" per line), so exit codes depend only
on the CLI and the rules, not on the reader's parsing. Tests marked "end to end" use the real
reader on the bundled samples.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from xxgk_audit.engine.app import cli
from xxgk_audit.engine.evaluation.audit import MAX_FILE_BYTES
from xxgk_audit.engine.model.report import Cell, Location, Report
from xxgk_audit.engine.readers import READERS
from xxgk_audit.engine.evaluation.ruletest import clean_report

SAMPLES = Path(__file__).resolve().parents[2] / "samples"

LOCAL_PACK = """\
pack: local-office
description: 本机关的补充规则（测试用）
rules:
  - id: LOCAL-001
    title: 本年新收申请超过 100 件
    severity: warning
    formats: ["2019", "2021"]
    source: 本机关内部要求
    fact: applications
    when: "A1.TOT > 100"
    message: "本年新收申请 {A1.TOT} 件，超过 100 件，请复核"
    examples:
      pass:
        - fact: {A1.TOT: 100}
      fail:
        - fact: {A1.TOT: FAIL_VALUE}
"""


def fake_read(path: str | Path) -> Report:
    report = clean_report("2021")
    report.path, report.kind = str(path), "txt"
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if line.strip() and not line.startswith("#"):
            table, key, value = line.split()
            row, column = key.split(".")
            report.tables[table].cells[(row, column)] = Cell(int(value), value, "int", Location(line=number))
    return report


@pytest.fixture
def fake_reader(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(READERS, "txt", lambda path, data: fake_read(path))


@pytest.fixture
def reports(tmp_path: Path, fake_reader: None) -> Path:
    """clean.txt passes; broken.txt breaks ARITH-001/004; warn.txt has an ARITH-008 warning only."""
    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / "clean.txt").write_text("# a clean report\n", encoding="utf-8")
    (folder / "broken.txt").write_text("applications A1.NP 5\n", encoding="utf-8")
    (folder / "warn.txt").write_text("disclosure REG.REPEALED 1\n", encoding="utf-8")
    return folder


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = cli.main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def check_json(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, dict]:
    code, out, _ = run(["check", "--format", "json", *argv], capsys)
    return code, json.loads(out)


# ---- exit codes -------------------------------------------------------------------------------
def test_clean_report_exits_0(reports: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["check", str(reports / "clean.txt"), "--select", "ARITH"], capsys)
    assert code == 0
    assert "通过" in out and "共 1 份报告：通过 1" in out


def test_failing_report_exits_1_with_ruff_style_lines(reports: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["check", str(reports / "broken.txt"), "--select", "ARITH"], capsys)
    assert code == 1
    path = re.escape(str(reports / "broken.txt"))
    assert re.search(rf"^{path}:\d+: ARITH-004 \[错误\] 表三「自然人」列", out, re.MULTILINE)
    assert "（期望 5，实际 0）" in out and "applications C.NP" in out
    assert "不通过" in out


def test_exit_zero(reports: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["check", str(reports), "--select", "ARITH", "--exit-zero"], capsys)[0] == 0


def test_fail_on_warning(reports: Path, capsys: pytest.CaptureFixture[str]) -> None:
    warn = str(reports / "warn.txt")
    code, out, _ = run(["check", warn, "--select", "ARITH"], capsys)
    assert code == 0 and "ARITH-008 [警告]" in out
    assert run(["check", warn, "--select", "ARITH", "--fail-on", "warning"], capsys)[0] == 1


@pytest.mark.parametrize("argv, reason", [
    (["check", "--bogus", "x"], "unrecognized arguments"),
    (["check", "no/such/path"], "路径不存在"),
    (["check", "{reports}", "--select", "NOPE"], "未知的规则编号或前缀：NOPE"),
    (["check", "{reports}", "--ignore", "ARITH-999"], "未知的规则编号或前缀：ARITH-999"),
    (["check", "{reports}", "--published", "2024-02-30"], "无效日期"),
    (["check", "{reports}", "--year", "23"], "无效年度"),
    (["rules", "show"], "rules show ID"),
    (["rules", "show", "ARITH-999"], "未知规则"),
    ([], "required"),
])
def test_usage_errors_exit_2(argv: list[str], reason: str, reports: Path,
                             capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run([a.format(reports=reports) for a in argv], capsys)
    assert code == 2
    assert reason in err and "Traceback" not in err
    assert out == ""


def test_invalid_rule_pack_exits_2_with_one_line(reports: Path, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad-pack"
    bad.mkdir()
    (bad / "local.yaml").write_text("pack: local\nrules:\n  - id: LOCAL-001\n    title: [unclosed\n",
                                    encoding="utf-8")
    code, out, err = run(["check", str(reports), "--rules", str(bad)], capsys)
    assert code == 2 and out == ""
    assert err.startswith("xxgk-audit: error: ") and "local.yaml" in err
    assert err.count("\n") == 1


def test_exit_zero_never_hides_usage_errors(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["check", "no/such/path", "--exit-zero"], capsys)[0] == 2


# ---- JSON -------------------------------------------------------------------------------------
def test_json_output_contract(reports: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, data = check_json([str(reports), "--select", "ARITH"], capsys)
    assert code == 1
    assert data["tool"]["name"] == "xxgk-audit" and isinstance(data["tool"]["version"], str)
    assert [Path(r["path"]).name for r in data["reports"]] == ["broken.txt", "clean.txt", "warn.txt"]
    assert data["summary"] == {"reports": 3, "pass": 2, "fail": 1, "error": 0,
                               "findings": {"error": 2, "warning": 1, "info": 0},
                               "not_assessable": data["summary"]["not_assessable"], "dismissed": 0}
    broken = data["reports"][0]
    assert all(r["dismissed"] == 0 for r in data["reports"]), "check knows no review decisions"
    assert broken["status"] == "fail"
    assert broken["report"]["agency"] == "某市某局" and broken["report"]["year"] == 2023
    assert broken["report"]["format"] == "2021"
    finding = next(f for f in broken["findings"] if f["rule"] == "ARITH-004")
    assert finding["severity"] == "error" and isinstance(finding["message"], str)
    assert set(finding["location"]) >= {"section", "table", "row", "column", "line", "page"}
    assert finding["location"]["table"] == "applications" and finding["location"]["column"] == "NP"
    assert (finding["expected"], finding["actual"]) == (5, 0)
    assert all(set(c) >= {"rule", "status"} for c in broken["checks"])


def test_json_output_to_file_is_utf8(reports: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "out.json"
    code, out, _ = run(["check", str(reports), "--select", "ARITH", "--format", "json",
                        "--output", str(target)], capsys)
    assert code == 1 and out == ""
    text = target.read_text(encoding="utf-8")
    assert "某市某局" in text
    assert json.loads(text)["summary"]["reports"] == 3


def test_empty_folder_gives_an_empty_batch(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, data = check_json([str(tmp_path), "--select", "ARITH"], capsys)
    assert code == 0 and data["reports"] == [] and data["summary"]["reports"] == 0


# ---- selection and local packs ----------------------------------------------------------------
def test_select_and_ignore(reports: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = str(reports / "broken.txt")
    _, data = check_json([broken, "--select", "ARITH", "--ignore", "ARITH-004"], capsys)
    rules_run = {c["rule"] for c in data["reports"][0]["checks"]}
    assert "ARITH-001" in rules_run and "ARITH-004" not in rules_run
    assert {f["rule"] for f in data["reports"][0]["findings"]} == {"ARITH-001"}
    _, data = check_json([broken, "--select", "ARITH-004,ARITH-005"], capsys)
    assert {c["rule"] for c in data["reports"][0]["checks"]} == {"ARITH-004", "ARITH-005"}


def test_local_rule_pack(reports: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pack = tmp_path / "office"
    pack.mkdir()
    (pack / "local.yaml").write_text(LOCAL_PACK.replace("FAIL_VALUE", "101"), encoding="utf-8")
    (reports / "busy.txt").write_text("applications A1.NP 101\napplications A1.TOT 101\n"
                                      "applications B1.NP 101\napplications B1.TOT 101\n"
                                      "applications B7.NP 101\napplications B7.TOT 101\n", encoding="utf-8")
    code, data = check_json([str(reports / "busy.txt"), "--rules", str(pack), "--select", "LOCAL,ARITH"], capsys)
    assert code == 0
    assert [f["message"] for f in data["reports"][0]["findings"]] == ["本年新收申请 101 件，超过 100 件，请复核"]
    code, out, _ = run(["rules", "--rules", str(pack), "--select", "LOCAL"], capsys)
    assert code == 0 and "LOCAL-001" in out and "ARITH-004" not in out


# ---- rules ------------------------------------------------------------------------------------
def test_rules_lists_builtin_rules(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["rules"], capsys)
    assert code == 0
    line = next(line for line in out.splitlines() if line.startswith("ARITH-004"))
    assert "错误" in line and "2019,2021" in line


def test_rules_show(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["rules", "show", "arith-004"], capsys)
    assert code == 0
    assert "勾稽" in out and "严重程度：错误" in out and "条件" in out and "不通过 #1" in out


def test_rules_test(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["rules", "test", "--select", "ARITH"], capsys)
    assert code == 0 and "不符合 0 个" in out
    pack = tmp_path / "wrong"
    pack.mkdir()
    (pack / "local.yaml").write_text(LOCAL_PACK.replace("FAIL_VALUE", "50"), encoding="utf-8")
    code, out, _ = run(["rules", "test", "--rules", str(pack), "--select", "LOCAL"], capsys)
    assert code == 1 and "LOCAL-001 不通过示例 #1" in out


# ---- unreadable files -------------------------------------------------------------------------
def test_oversized_file_is_an_error_result_and_the_batch_continues(
        reports: Path, capsys: pytest.CaptureFixture[str]) -> None:
    huge = reports / "huge.txt"
    with huge.open("wb") as f:                     # sparse: no disk space used
        f.truncate(MAX_FILE_BYTES + 1)
    code, data = check_json([str(reports), "--select", "ARITH"], capsys)
    assert code == 1
    by_name = {Path(r["path"]).name: r for r in data["reports"]}
    assert by_name["huge.txt"]["status"] == "error"
    assert by_name["huge.txt"]["findings"][0]["rule"] == "READ-001"
    assert by_name["clean.txt"]["status"] == "pass" and len(by_name) == 4
    assert data["summary"]["error"] == 1
    code, out, _ = run(["check", str(reports / "huge.txt"), "--select", "ARITH"], capsys)
    assert code == 1 and "无法审核" in out and "文件过大" in out
    assert run(["check", str(reports / "huge.txt"), "--select", "ARITH", "--exit-zero"], capsys)[0] == 0


# ---- extract ----------------------------------------------------------------------------------
def test_extract_contract_on_a_model(reports: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["extract", str(reports / "broken.txt")], capsys)
    assert code == 0
    data = json.loads(out)
    assert_extract_contract(data)
    assert data["tables"]["applications"]["A1"]["NP"] == 5
    assert data["cells"]["applications"]["A1"]["NP"] == {"raw": "5", "kind": "int", "line": 1}
    code, out, _ = run(["extract", str(reports)], capsys)
    assert code == 0 and len(json.loads(out)) == 3


def assert_extract_contract(data: dict) -> None:
    assert {"path", "year", "agency", "format", "sections", "tables"} <= set(data)
    assert all(set(s) >= {"number", "title", "text"} for s in data["sections"])
    assert set(data["tables"]) == {"disclosure", "applications", "review_litigation"}
    for table in data["tables"].values():
        if table is not None:
            for columns in table.values():
                assert all(v is None or isinstance(v, (int, float)) for v in columns.values())


# ---- colour -----------------------------------------------------------------------------------
@pytest.mark.parametrize("extra, env, coloured", [([], {}, True), (["--no-color"], {}, False),
                                                  ([], {"NO_COLOR": "1"}, False)])
def test_colour_only_on_a_terminal(extra: list[str], env: dict[str, str], coloured: bool, reports: Path,
                                   monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    _, out, _ = run(["check", str(reports / "broken.txt"), "--select", "ARITH", *extra], capsys)
    assert ("\033[" in out) is coloured


# ---- end to end: the real reader on the bundled samples, the module entry point ---------------
def cli_process(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "xxgk_audit.engine.app.cli", *argv],
                          capture_output=True, text=True, encoding="utf-8")


def test_check_on_the_samples_folder() -> None:
    proc = cli_process("check", "--format", "json", str(SAMPLES))
    assert proc.returncode == 1, proc.stderr          # the samples include reports with faults
    data = json.loads(proc.stdout)
    assert [Path(r["path"]).name for r in data["reports"]] == [p.name for p in sorted(SAMPLES.glob("*.txt"))]
    assert all(r["status"] in ("pass", "fail") for r in data["reports"])


def test_extract_on_a_sample() -> None:
    proc = cli_process("extract", str(SAMPLES / "clean-2021.txt"))
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert_extract_contract(data)
    assert (data["year"], data["format"]) == (2023, "2021")
    assert all(data["tables"][name] for name in ("disclosure", "applications", "review_litigation"))
    assert isinstance(data["tables"]["applications"]["A1"]["TOT"], int)


def test_module_is_runnable() -> None:
    proc = cli_process("--version")
    assert proc.returncode == 0 and proc.stdout.startswith("xxgk-audit ")
