"""`check` and `batch` give a report the same findings and verdict under the same configuration:
context from the file (agency, year), per-path ignores, the baseline, then the verdict."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from xxgk_audit.engine.app import cli

SAMPLES = Path(__file__).resolve().parents[2] / "samples"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / ".git").mkdir()
    reports = tmp_path / "reports"
    (reports / "township").mkdir(parents=True)
    for name in ("error-arithmetic-2023.txt", "error-structure-2022.txt", "clean-2021.txt"):
        (reports / name).write_bytes((SAMPLES / name).read_bytes())
    (reports / "township" / "arith.txt").write_bytes((SAMPLES / "error-arithmetic-2023.txt").read_bytes())
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _single(reports: list[dict]) -> dict[str, tuple]:
    """Per file: verdict and the single-report findings (cross-report rules need other reports)."""
    cross = ("XREF-009", "XREF-010", "XREF-011", "XREF-012", "TEXT-005", "TEXT-006")
    return {Path(r["path"]).as_posix().split("reports/", 1)[1]:
            (r["status"], sorted((f["rule"], f["message"]) for f in r["findings"] if f["rule"] not in cross))
            for r in reports}


def _check(capsys, *extra) -> dict[str, tuple]:
    cli.main(["check", "reports", "--format", "json", *extra])
    return _single(json.loads(capsys.readouterr().out)["reports"])


def _batch(project, capsys, *extra) -> dict[str, tuple]:
    out = project / "out"
    cli.main(["batch", "reports", "--out", str(out), "--jobs", "1", "--no-pages", *extra])
    capsys.readouterr()
    return _single(json.loads((out / "summary.json").read_text(encoding="utf-8"))["reports"])


def test_check_and_batch_agree_under_per_path_ignores_agency_and_baseline(project, capsys):
    (project / "xxgk-audit.toml").write_text(
        'agency = "某县某局"\nyear = 2023\nbaseline = "waivers.json"\n'
        '[per-path]\n"reports/township/**" = ["ARITH"]\n', encoding="utf-8")
    cli.main(["baseline", "reports/error-structure-2022.txt", "-o", "waivers.json"])
    capsys.readouterr()
    checked = _check(capsys)
    assert not [r for r, _ in checked["township/arith.txt"][1] if r.startswith("ARITH")]
    assert [r for r, _ in checked["error-arithmetic-2023.txt"][1] if r.startswith("ARITH")]
    assert checked["error-structure-2022.txt"] == ("pass", [])        # every finding waived
    assert _batch(project, capsys) == checked


def test_command_line_select_re_enables_what_the_file_ignored(project, capsys):
    (project / "xxgk-audit.toml").write_text('ignore = ["ARITH"]\n', encoding="utf-8")
    assert not [r for _, fs in _check(capsys).values() for r, _ in fs if r.startswith("ARITH")]
    selected = _check(capsys, "--select", "ARITH")
    rules = {r for _, fs in selected.values() for r, _ in fs}
    assert rules and all(r.startswith("ARITH") for r in rules)
    assert _batch(project, capsys, "--select", "ARITH") == selected
    cli.main(["config", "--select", "ARITH"])
    out = capsys.readouterr().out
    assert "['ARITH']（命令行，后于配置文件生效）" in out and "xxgk-audit.toml" in out
