"""Configuration from `xxgk-audit.toml` or `[tool.xxgk-audit]` in `pyproject.toml`.

    [tool.xxgk-audit]
    select = ["ARITH", "STRUCT"]          # rule ids or prefixes
    ignore = ["META-004"]
    fail-on = "warning"
    rules = ["local-rules"]               # extra rule pack folders, relative to the config file
    agency = "某市某局"
    year = 2023
    baseline = "xxgk-baseline.json"
    file-timeout = 60                     # seconds one file may take (0: no limit)
    file-memory = "1G"                    # memory one file may take (0: no limit)
    blank-cells = "zero"                  # blank cells of a table with numbers: "zero" or "unknown"

    [tool.xxgk-audit.per-path]            # glob (relative to the config file) -> rules to ignore
    "township/**" = ["TEXT-002"]

The file is looked for in the current folder and its parents (`xxgk-audit.toml` first, then a
`pyproject.toml` with the table), up to a folder holding `.git`. Command-line options override
the file; `select`/`ignore` are resolved as ruff does (engine/rulelang/selection.py): the command
line's layer applies after the file's, so `--select ARITH` re-enables what the file ignored.
`xxgk-audit config` shows the effective values and where each came from.
"""

from __future__ import annotations

import fnmatch
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from xxgk_audit.engine.evaluation.blank_cells import DEFAULT_POLICY, POLICIES
from xxgk_audit.engine.rulelang.selection import Selection

__all__ = ["Config", "ConfigError", "find_config", "load_config", "KEYS", "BLANK_CELLS"]

BLANK_CELLS = ("zero", "unknown")      # the blank-cell policy: a blank in a table with numbers is 0, or unknown

# key -> (default, description)
KEYS: dict[str, tuple[Any, str]] = {
    "select": (None, "启用的规则（编号或前缀）"),
    "ignore": (None, "停用的规则"),
    "fail-on": ("error", "判为不通过的最低严重程度"),
    "rules": ([], "额外规则包目录"),
    "agency": (None, "默认机关名称"),
    "year": (None, "默认报告年度"),
    "baseline": (None, "豁免文件"),
    "per-path": ({}, "按路径停用的规则"),
    "file-timeout": (60.0, "每个文件的审核时间预算（秒，0 为不限）"),
    "file-memory": ("1G", "每个文件的审核内存预算（如 1G、512M；0 为不限）"),
    "blank-cells": (DEFAULT_POLICY, "有数字的表中空白单元格：zero 按 0 计（空白总计按各项之和计），unknown 按未知"),
}
_TYPES = {"select": list, "ignore": list, "fail-on": str, "rules": list, "agency": str, "year": int,
          "baseline": str, "per-path": dict, "blank-cells": str,
          "file-timeout": (int, float), "file-memory": (str, int)}


class ConfigError(ValueError):
    """An unreadable or invalid configuration file (a usage error: exit 2)."""


@dataclass
class Config:
    values: dict[str, Any] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)   # key -> "默认" | file path | "命令行"
    root: Path = field(default_factory=Path.cwd)             # folder of the config file
    # the command line's select/ignore: a layer of their own on top of the file's (never merged into it)
    command_line: dict[str, list[str]] = field(default_factory=dict)

    def get(self, key: str) -> Any:
        return self.values.get(key, KEYS[key][0])

    def override(self, key: str, value: Any) -> None:
        """A command-line value (None means: not given)."""
        if value is None:
            return
        if key in ("select", "ignore"):
            self.command_line[key] = value
        else:
            self.values[key] = value
            self.sources[key] = "命令行"

    def selection(self) -> Selection:
        """The rules to run: the file's select/ignore, then the command line's (see the module docstring)."""
        return (Selection.of(self.values.get("select"), self.values.get("ignore"), self.source("select"))
                .then(self.command_line.get("select"), self.command_line.get("ignore"), "命令行"))

    def describe(self, key: str) -> str:
        """`key = value    # source` for `xxgk-audit config` (select/ignore: one part per layer)."""
        if key in ("select", "ignore") and key in self.command_line:
            own = f"{self.get(key)}（{self.source(key)}）；" if key in self.values else ""
            return f"{own}{self.command_line[key]}（命令行，后于配置文件生效）"
        return self.source(key)

    def source(self, key: str) -> str:
        return self.sources.get(key, "默认")

    def ignored_for(self, path: str | Path) -> list[str]:
        """Rules that `per-path` switches off for this file."""
        try:
            rel = Path(path).resolve().relative_to(self.root.resolve()).as_posix()
        except ValueError:
            rel = Path(path).as_posix()
        out: list[str] = []
        for pattern, codes in self.get("per-path").items():
            if fnmatch.fnmatch(rel, pattern) or fnmatch.fnmatch(rel, pattern.rstrip("/") + "/*"):
                out.extend(codes)
        return out


def find_config(start: Path | None = None) -> Path | None:
    folder = (start or Path.cwd()).resolve()
    for candidate in (folder, *folder.parents):
        own = candidate / "xxgk-audit.toml"
        if own.is_file():
            return own
        project = candidate / "pyproject.toml"
        if project.is_file() and "tool" in _read(project) and "xxgk-audit" in _read(project)["tool"]:
            return project
        if (candidate / ".git").exists():
            return None
    return None


def _read(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"无法读取配置文件 {path}：{exc}") from None


def load_config(path: Path | None) -> Config:
    """The configuration in `path` (None: defaults only), validated."""
    if path is None:
        return Config()
    data = _read(path)
    table = data.get("tool", {}).get("xxgk-audit", {}) if path.name == "pyproject.toml" else data
    config = Config(root=path.parent)
    for key, value in table.items():
        if key not in KEYS:
            raise ConfigError(f"{path}：未知的配置项 {key}（可用：{'、'.join(KEYS)}）")
        if not isinstance(value, _TYPES[key]):
            raise ConfigError(f"{path}：配置项 {key} 的值类型不对")
        if key == "blank-cells" and value not in POLICIES:
            raise ConfigError(f"{path}：配置项 blank-cells 应为 {' 或 '.join(POLICIES)}，而不是 {value}")
        if key == "rules":
            value = [str((path.parent / v).resolve()) for v in value]
        if key == "blank-cells" and value not in BLANK_CELLS:
            raise ConfigError(f"{path}：配置项 blank-cells 应为 {' 或 '.join(BLANK_CELLS)}")
        if key == "baseline":
            value = str((path.parent / value).resolve())
        config.values[key] = value
        config.sources[key] = str(path)
    return config
