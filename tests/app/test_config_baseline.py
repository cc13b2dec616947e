"""Configuration files, per-path rule switches and waivers (baselines)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from xxgk_audit.engine.app import cli

SAMPLES = Path(__file__).resolve().parents[2] / "samples"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository of reports with a township folder."""
    (tmp_path / ".git").mkdir()
    (tmp_path / "township").mkdir()
    for target in (tmp_path / "bad.txt", tmp_path / "township" / "bad.txt"):
        target.write_bytes((SAMPLES / "error-structure-2022.txt").read_bytes())
    (tmp_path / "clean.txt").write_bytes((SAMPLES / "clean-2021.txt").read_bytes())
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(argv, capsys):
    code = cli.main(argv)
    out = capsys.readouterr()
    return code, out.out, out.err


def rules_of(out: str) -> list[str]:
    return [f["rule"] for r in json.loads(out)["reports"] for f in r["findings"]]


def test_pyproject_table_and_command_line_override(project, capsys):
    (project / "pyproject.toml").write_text('[tool.xxgk-audit]\nselect = ["TEXT"]\nfail-on = "warning"\n',
                                            encoding="utf-8")
    code, out, _ = run(["check", ".", "--format", "json"], capsys)
    assert set(rules_of(out)) == {"TEXT-002", "TEXT-009"} and code == 1
    code, out, _ = run(["check", ".", "--format", "json", "--select", "CELL-002"], capsys)
    assert set(rules_of(out)) == {"CELL-002"} and code == 1          # a warning fails at fail-on warning
    code, out, _ = run(["check", ".", "--format", "json", "--select", "CELL-002", "--fail-on", "error"], capsys)
    assert code == 0
    code, out, _ = run(["config"], capsys)
    assert 'select = ["TEXT"]' in out and "pyproject.toml" in out and "fail-on" in out
    code, out, _ = run(["check", ".", "--format", "json", "--isolated"], capsys)
    assert "STRUCT-008" in rules_of(out)


def test_per_path_ignores_rules_in_a_folder(project, capsys):
    (project / "xxgk-audit.toml").write_text('[per-path]\n"township/**" = ["TEXT-002", "STRUCT"]\n', encoding="utf-8")
    _, out, _ = run(["check", ".", "--format", "json"], capsys)
    reports = {Path(r["path"]).as_posix(): [f["rule"] for f in r["findings"]] for r in json.loads(out)["reports"]}
    assert "TEXT-002" in reports["bad.txt"] and "STRUCT-008" in reports["bad.txt"]
    township = reports["township/bad.txt"]
    assert "TEXT-002" not in township and not [r for r in township if r.startswith("STRUCT")]
    assert "CELL-001" in township


@pytest.mark.parametrize("body, reason", [
    ("fail-on = [", "无法读取配置文件"),
    ("colour = 1", "未知的配置项"),
    ("select = 'ARITH'", "类型不对"),
    ("select = ['NOPE']", "未知的规则编号"),
])
def test_bad_configuration_is_a_usage_error(project, capsys, body, reason):
    (project / "xxgk-audit.toml").write_text(body, encoding="utf-8")
    code, _, err = run(["check", "."], capsys)
    assert code == 2 and reason in err and len(err.strip().splitlines()) == 1


def test_baseline_hides_recorded_findings_until_they_expire(project, capsys):
    code, _, err = run(["baseline", ".", "-o", "base.json", "--reason", "整改中", "--approved-by", "张三",
                        "--expires", "2099-12-31"], capsys)
    assert code == 0 and "豁免" in err
    data = json.loads((project / "base.json").read_text(encoding="utf-8"))
    waiver = data["waivers"][0]
    assert waiver["reason"] == "整改中" and waiver["approved_by"] == "张三" and waiver["expires"] == "2099-12-31"
    assert waiver["report"] == "某镇人民政府|2022"       # agency + year: independent of the file name
    code, out, err = run(["check", ".", "--baseline", "base.json", "--format", "json"], capsys)
    assert code == 0 and rules_of(out) == [] and err == ""
    # the report is fixed in one place: its waiver no longer matches anything
    (project / "bad.txt").write_bytes((SAMPLES / "error-structure-2022.txt").read_bytes().replace(
        "行政强制 | -1 |".encode(), "行政强制 | 1 |".encode()))
    (project / "township" / "bad.txt").unlink()
    data["waivers"][0]["expires"] = "2020-01-01"
    (project / "base.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    code, out, err = run(["check", ".", "--baseline", "base.json", "--format", "json"], capsys)
    assert rules_of(out) == [data["waivers"][0]["rule"]] and code == 1     # expired: shown again
    assert "过期" in err and "未匹配任何问题" in err and "CELL-001" in err


def test_bad_baseline_file_is_a_usage_error(project, capsys):
    (project / "base.json").write_text("{", encoding="utf-8")
    code, _, err = run(["check", ".", "--baseline", "base.json"], capsys)
    assert code == 2 and "豁免文件" in err
