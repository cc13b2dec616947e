"""`--file-timeout` and `--file-memory` of `check` and `batch`, and the same keys of the configuration."""

from __future__ import annotations

import argparse

from xxgk_audit.engine.app.config import Config, ConfigError
from xxgk_audit.engine.evaluation.budget import Budget, parse_memory

__all__ = ["add_budget_options", "budget_from", "OPTION_KEYS"]

OPTION_KEYS = (("file-timeout", "file_timeout"), ("file-memory", "file_memory"))


def add_budget_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--file-timeout", type=float, metavar="SECONDS",
                        help="每个文件的审核时间预算（秒，默认 60；0 为不限）：超出则该文件记为无法审核（READ-010），其余照常")
    parser.add_argument("--file-memory", metavar="SIZE",
                        help="每个文件的审核内存预算（默认 1G，如 512M；0 为不限）：超出则该文件记为无法审核（READ-011）")


def budget_from(config: Config) -> Budget:
    """The budget the configuration and the command line give (a ConfigError when invalid)."""
    seconds, memory = config.get("file-timeout"), config.get("file-memory")
    if not isinstance(seconds, (int, float)) or isinstance(seconds, bool) or seconds < 0:
        raise ConfigError(f"file-timeout 应为非负的秒数：{seconds}")
    try:
        limit = None if str(memory).strip() in ("0", "") else parse_memory(memory)
    except ValueError as exc:
        raise ConfigError(f"file-memory：{exc}") from None
    return Budget(float(seconds) or None, limit)
