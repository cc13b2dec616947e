"""How far the work on the current file got, readable from another process.

A reader marks its steps (`mark("第 3/40 页")`); when a file runs over its budget, the process
that watches it (engine/evaluation/budget.py) reads the last mark for the finding. The mark lives
in a small shared memory page the watcher sets up before it forks; without one, marks are kept
in this process only. Marking costs a few microseconds: call it per page or stage, not per line.
"""

from __future__ import annotations

import mmap

__all__ = ["mark", "last", "shared_area", "attach"]

_SIZE = 256
_area: mmap.mmap | bytearray = bytearray(_SIZE)


def shared_area() -> mmap.mmap:
    """A fresh shared area for a child about to be forked (the parent reads it with `last`)."""
    return mmap.mmap(-1, _SIZE)


def attach(area: mmap.mmap) -> None:
    """In the forked child: marks go to the area its watcher reads."""
    global _area
    _area = area


def mark(step: str) -> None:
    data = step.encode("utf-8")[:_SIZE - 1]
    _area[:len(data) + 1] = data + b"\0"


def last(area: mmap.mmap | bytearray | None = None) -> str:
    raw = bytes((area if area is not None else _area)[:_SIZE])
    return raw.split(b"\0", 1)[0].decode("utf-8", "ignore")
