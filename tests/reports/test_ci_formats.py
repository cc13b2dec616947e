"""Output for CI systems: SARIF (validated against the official 2.1.0 schema), JUnit, GitHub."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest

from xxgk_audit.engine.app import cli

DATA = Path(__file__).resolve().parents[1] / "data"
SAMPLES = DATA.parent.parent / "samples"
SCHEMA = json.loads((DATA / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))


@pytest.fixture
def batch(tmp_path: Path) -> Path:
    """A clean report, a failing one and one that cannot be read."""
    folder = tmp_path / "reports"
    folder.mkdir()
    for name in ("clean-2021.txt", "error-structure-2022.txt"):
        (folder / name).write_bytes((SAMPLES / name).read_bytes())
    (folder / "broken.html").write_bytes(b"\x00\x01\x02" * 50)
    return folder


def run(argv: list[str], capsys) -> tuple[int, str]:
    code = cli.main(argv)
    return code, capsys.readouterr().out


def test_sarif_is_valid_and_complete(batch, capsys):
    code, out = run(["check", str(batch), "--format", "sarif"], capsys)
    assert code == 1
    sarif = json.loads(out)
    jsonschema.Draft4Validator(SCHEMA).validate(sarif)
    run_ = sarif["runs"][0]
    rules = run_["tool"]["driver"]["rules"]
    ids = [r["id"] for r in rules]
    assert "ARITH-004" in ids and "READ-001" in ids
    assert all(r["shortDescription"]["text"] for r in rules)
    results = run_["results"]
    assert {r["ruleId"] for r in results} >= {"STRUCT-008", "CELL-001", "READ-020"}
    for r in results:
        assert ids[r.get("ruleIndex", ids.index(r["ruleId"]))] == r["ruleId"]
        assert r["partialFingerprints"]["xxgkFinding/v1"]
    struct = next(r for r in results if r["ruleId"] == "STRUCT-008")
    assert struct["locations"][0]["physicalLocation"]["region"]["startLine"] == 30
    assert struct["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] == "section3/applications/B3_7"


def test_sarif_fingerprints_survive_moved_lines(tmp_path, capsys):
    text = (SAMPLES / "error-structure-2022.txt").read_text(encoding="utf-8")
    first, second = tmp_path / "a.txt", tmp_path / "b.txt"
    first.write_text(text, encoding="utf-8")
    second.write_text("\n\n\n" + text, encoding="utf-8")
    prints = []
    for path in (first, second):
        _, out = run(["check", str(path), "--format", "sarif"], capsys)
        prints.append({r["partialFingerprints"]["xxgkFinding/v1"] for r in json.loads(out)["runs"][0]["results"]})
    assert prints[0] == prints[1]


def test_junit_one_case_per_report_and_rule(batch, capsys):
    code, out = run(["check", str(batch), "--format", "junit"], capsys)
    assert code == 1
    root = ET.fromstring(out)
    suites = {s.get("name").rsplit("/", 1)[-1]: s for s in root.iter("testsuite")}
    assert set(suites) == {"clean-2021.txt", "error-structure-2022.txt", "broken.html"}
    failing = suites["error-structure-2022.txt"]
    cases = failing.findall("testcase")
    assert int(failing.get("tests")) == len(cases) > 40
    failed = [c for c in cases if c.find("failure") is not None]
    assert int(failing.get("failures")) == len(failed)
    struct = next(c for c in failed if c.get("name").startswith("STRUCT-008"))
    assert "行政执法案卷" in struct.find("failure").get("message")
    assert suites["clean-2021.txt"].get("failures") == "0"
    assert suites["broken.html"].find("testcase/error") is not None


def test_github_annotations_and_step_summary(batch, tmp_path, monkeypatch, capsys):
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    code, out = run(["check", str(batch)], capsys)     # auto picks github in GitHub Actions
    assert code == 1
    lines = out.splitlines()
    annotations = [l for l in lines if l.startswith("::")]
    assert annotations and all(l.split(" ", 1)[0] in ("::error", "::warning", "::notice") for l in annotations)
    struct = next(l for l in annotations if "STRUCT-008" in l)
    assert "file=" in struct and ",line=30," in struct and "::表三缺少" in struct
    md = summary.read_text(encoding="utf-8")
    assert "| 文件 |" in md and "不通过" in md and "broken.html" in md


def test_github_shows_at_most_ten_per_severity(tmp_path, monkeypatch, capsys):
    for i in range(6):
        (tmp_path / f"r{i}.txt").write_bytes((SAMPLES / "error-structure-2022.txt").read_bytes())
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    _, out = run(["check", str(tmp_path), "--format", "github"], capsys)
    errors = [l for l in out.splitlines() if l.startswith("::error ")]
    assert len(errors) == 10
    assert "未逐条标注" in out


def test_annotation_text_is_escaped(tmp_path, capsys):
    from xxgk_audit.reports.github import _data, _property
    assert _data("a%b\nc") == "a%25b%0Ac" and _property("x:y,z") == "x%3Ay%2Cz"


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "junit", "github"])
def test_exit_codes_hold_for_every_format(batch, fmt, capsys):
    assert cli.main(["check", str(batch), "--format", fmt]) == 1
    assert cli.main(["check", str(batch), "--format", fmt, "--exit-zero"]) == 0
    assert cli.main(["check", str(SAMPLES / "clean-2021.txt"), "--format", fmt]) == 0
    capsys.readouterr()
