"""The GitHub Action's step and the pre-commit hook definition, run as CI would run them."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "samples"


def action_env(tmp_path: Path, **inputs: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "XXGK_"))}
    bin_dir = str(Path(sys.executable).parent)
    env.update(PATH=bin_dir + os.pathsep + env.get("PATH", ""), GITHUB_ACTIONS="true",
               GITHUB_ACTION_PATH=str(REPO), GITHUB_STEP_SUMMARY=str(tmp_path / "summary.md"),
               XXGK_SKIP_INSTALL="1", **inputs)
    return env


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_action_step_annotates_and_summarises(tmp_path):
    reports = tmp_path / "reports"
    reports.mkdir()
    for name in ("clean-2021.txt", "error-arithmetic-2023.txt"):
        shutil.copy(SAMPLES / name, reports / name)
    proc = subprocess.run(["bash", str(REPO / ".ci" / "github-action.sh")], cwd=tmp_path, capture_output=True,
                          text=True, env=action_env(tmp_path, XXGK_PATHS="reports", XXGK_ARGS="--select ARITH"))
    assert proc.returncode == 1, proc.stderr
    annotations = [l for l in proc.stdout.splitlines() if l.startswith("::error ")]
    assert len(annotations) == 3 and all("error-arithmetic-2023.txt" in l for l in annotations)
    summary = (tmp_path / "summary.md").read_text(encoding="utf-8")
    assert "xxgk-audit 年报审核结果" in summary and "某县交通运输局" in summary


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_action_step_without_summary_and_clean_reports_passes(tmp_path):
    shutil.copy(SAMPLES / "clean-2021.txt", tmp_path / "clean.txt")
    proc = subprocess.run(["bash", str(REPO / ".ci" / "github-action.sh")], cwd=tmp_path, capture_output=True,
                          text=True, env=action_env(tmp_path, XXGK_PATHS="clean.txt", XXGK_SUMMARY="false"))
    assert proc.returncode == 0, proc.stderr
    assert not (tmp_path / "summary.md").exists()


def test_action_and_hook_definitions():
    action = yaml.safe_load((REPO / "action.yml").read_text(encoding="utf-8"))
    assert set(action["inputs"]) == {"paths", "args", "version", "summary"}
    assert action["runs"]["using"] == "composite"
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    hook = hooks[0]
    assert hook["id"] == "xxgk-audit" and hook["entry"] == "xxgk-audit check"
    import re
    files = re.compile(hook["files"])
    assert files.search("reports/2023.pdf") and files.search("a.docx") and not files.search("a.py")
