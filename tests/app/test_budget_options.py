"""--file-timeout / --file-memory and the same keys of the configuration."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hostile import cases
from xxgk_audit.engine.app import cli
from xxgk_audit.engine.app.budget_options import budget_from
from xxgk_audit.engine.app.config import Config, ConfigError, load_config
from xxgk_audit.engine.evaluation.budget import Budget


def test_defaults_are_well_above_what_real_reports_need():
    assert budget_from(Config()) == Budget(60.0, 1 << 30)


def test_the_configuration_file_and_the_command_line(tmp_path):
    toml = tmp_path / "xxgk-audit.toml"
    toml.write_text('file-timeout = 5\nfile-memory = "256M"\n', encoding="utf-8")
    config = load_config(toml)
    assert budget_from(config) == Budget(5.0, 256 << 20)
    config.override("file-timeout", 0.0)
    config.override("file-memory", "0")
    assert budget_from(config) == Budget(None, None)


@pytest.mark.parametrize("key, value", [("file-timeout", -1.0), ("file-memory", "lots")])
def test_bad_values_are_usage_errors(key, value):
    config = Config()
    config.override(key, value)
    with pytest.raises(ConfigError):
        budget_from(config)


def test_check_over_budget_reports_the_file_and_goes_on(tmp_path, capsys):
    flood = next(c for c in cases(0.05) if c.name == "text-flood-lines")
    (tmp_path / "flood.txt").write_bytes(flood.build())
    good = Path(__file__).resolve().parents[2] / "samples" / "clean-2021.txt"
    code = cli.main(["check", "--isolated", "--format", "json", "--file-timeout", "0.05",
                     str(tmp_path / "flood.txt"), str(good)])
    data = json.loads(capsys.readouterr().out)
    assert code == 1
    flood_result, good_result = data["reports"]             # the run went on to the next file
    assert flood_result["status"] == "error" and flood_result["findings"][0]["rule"] == "READ-010"
    assert flood_result["findings"][0]["evidence"]["budget_seconds"] == 0.05
    assert good_result["path"].endswith("clean-2021.txt")
    assert cli.main(["check", "--isolated", "--format", "json", str(good)]) == 0
    assert cli.main(["check", "--isolated", "--file-memory", "nonsense", str(good)]) == 2
