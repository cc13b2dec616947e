"""One batch at a time per output folder: a second `batch` on the same --out (or store) is refused.

The lock is an advisory `flock` on a file in the folder, held for the whole run and released by
the system when the process ends, however it ends (a run killed with SIGKILL leaves no stale lock).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from pathlib import Path
from typing import Iterator

__all__ = ["BatchLocked", "OutputError", "run_lock", "LOCK_NAME"]

LOCK_NAME = ".xxgk-audit.lock"


class BatchLocked(RuntimeError):
    """Another batch is writing into the same folder."""


class OutputError(RuntimeError):
    """The output folder or store cannot be written (read-only, full, not a folder)."""


@contextlib.contextmanager
def run_lock(*folders: Path) -> Iterator[None]:
    """Hold the lock of each folder (created if needed) for the duration of the block."""
    with contextlib.ExitStack() as stack:
        for folder in dict.fromkeys(f.resolve() for f in folders):
            try:
                folder.mkdir(parents=True, exist_ok=True)
                fd = os.open(folder / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
            except OSError as exc:
                raise OutputError(f"无法写入输出目录 {folder}：{exc.strerror or exc}") from None
            stack.callback(os.close, fd)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise BatchLocked(f"另一个批量审核正在使用 {folder}（锁文件 {folder / LOCK_NAME}），"
                                  "请等它结束后再运行，或换用其他 --out / --store") from None
        yield
