"""Every output stays valid whatever a file name or a report holds: names that are not UTF-8,
terminal escape sequences, characters XML forbids (issue 12)."""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest

from xxgk_audit.engine.app import cli

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
SCHEMA = json.loads((Path(__file__).resolve().parents[1] / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
ESC = "\x1b[2J\x1b]0;pwned\x07"
NAME = os.fsdecode(b"bad\xff\x1b[31m\x01name.txt")       # not UTF-8, an escape sequence, a control


@pytest.fixture
def hostile_file(tmp_path: Path) -> Path:
    text = (SAMPLES / "error-arithmetic-2023.txt").read_text(encoding="utf-8")
    first, rest = text.split("\n", 1)
    path = tmp_path / NAME
    path.write_text(f"{first}{ESC}\u202e\n{rest}\n附：{ESC}\x0c\x00结束", encoding="utf-8")
    return path


def _check(path: Path, fmt: str, tmp_path: Path) -> str:
    out = tmp_path / f"out.{fmt}"
    code = cli.main(["check", "--isolated", "--format", fmt, "--output", str(out), str(path)])
    assert code in (0, 1)
    data = out.read_bytes().decode("utf-8")          # strict: valid UTF-8
    assert "\x1b" not in data and "\x00" not in data
    return data


def test_json_is_valid_and_the_name_findable(hostile_file, tmp_path):
    data = json.loads(_check(hostile_file, "json", tmp_path))
    shown = data["reports"][0]["path"]
    assert shown.endswith("bad\\xff\x1b[31m\x01name.txt") or "bad\\xff" in shown
    assert os.fsencode(shown.replace("\\xff", "\udcff")) == os.fsencode(str(hostile_file))


def test_sarif_is_valid(hostile_file, tmp_path):
    sarif = json.loads(_check(hostile_file, "sarif", tmp_path))
    jsonschema.Draft4Validator(SCHEMA).validate(sarif)
    assert "bad\\xff" in sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]


def test_junit_is_well_formed_xml(hostile_file, tmp_path):
    root = ET.fromstring(_check(hostile_file, "junit", tmp_path))
    suite = root.find("testsuite")
    assert "bad\\xff\\x1b[31m\\x01name.txt" in suite.get("name")


@pytest.mark.parametrize("fmt", ["text", "github"])
def test_line_outputs_carry_no_control_characters(hostile_file, tmp_path, fmt):
    data = _check(hostile_file, fmt, tmp_path)
    assert "bad\\xff\\x1b[31m\\x01name.txt" in data
    assert "\u202e" not in data and "\x07" not in data


def test_html_page_is_valid_utf8(hostile_file, tmp_path):
    page = _check(hostile_file, "html", tmp_path)
    assert "bad\\xff" in page


def test_a_batch_stores_and_shows_such_a_name(hostile_file, tmp_path):
    out = tmp_path / "out"
    code = cli.main(["batch", "--isolated", "--jobs", "1", "--out", str(out), str(hostile_file.parent)])
    assert code in (0, 1)
    summary = json.loads((out / "summary.json").read_bytes().decode("utf-8"))
    assert any("bad\\xff" in r["path"] for r in summary["reports"])
    (out / "index.html").read_bytes().decode("utf-8")
    (out / "findings.csv").read_bytes().decode("utf-8")
