"""A per-user cache of loaded rule packs, so that a one-report `check` (a pre-commit hook, CI)
does not parse, validate and expand every pack at each start.

An entry is keyed by everything loading depends on: the pack file's path and bytes, the rule
schema, the fact registry and the source of the modules that expand rules. Entries are pickles,
so the folder must be the user's own: it is created 0700 and used only when it is owned by the
user and not writable by others. `XXGK_AUDIT_CACHE_DIR` moves it; `XXGK_AUDIT_NO_CACHE=1` turns it
off. A cache that cannot be read or written is simply not used.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import stat
import sys
import tempfile
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Callable

__all__ = ["cached"]

_DEPENDS_ON = ("rulepack.py", "expr.py", "durable_form.py", "factkinds.py")


def _folder() -> Path | None:
    if os.environ.get("XXGK_AUDIT_NO_CACHE"):
        return None
    base = os.environ.get("XXGK_AUDIT_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "xxgk-audit")
    folder = Path(base) / "packs"
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        info = folder.stat()
    except OSError:
        return None
    if info.st_uid != os.getuid() or info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        return None
    return folder


@lru_cache(maxsize=1)
def _code_digest() -> bytes:
    """What expansion depends on besides the pack: schema, fact registry, the expanding code."""
    digest = hashlib.sha256(sys.version.encode())
    rules = resources.files("xxgk_audit.rules")
    for part in (rules.joinpath("schema.json"), rules.joinpath("contract", "facts.yaml")):
        digest.update(part.read_bytes())
    here = Path(__file__).resolve().parent
    for name in _DEPENDS_ON:
        digest.update((here / name).read_bytes())
    digest.update((here.parent / "model" / "template.py").read_bytes())
    return digest.digest()


def cached(path: Path, data: bytes, build: Callable[[], Any]) -> Any:
    """`build()`'s value for this pack file, from the cache when it holds it (else built and kept)."""
    folder = _folder()
    if folder is None:
        return build()
    key = hashlib.sha256(_code_digest() + str(path.resolve()).encode("utf-8", "surrogateescape") + b"\0" + data)
    entry = folder / (key.hexdigest() + ".pickle")
    try:
        return pickle.loads(entry.read_bytes())
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError, ValueError):
        pass
    value = build()
    try:
        with tempfile.NamedTemporaryFile(dir=folder, delete=False, suffix=".tmp") as out:
            out.write(pickle.dumps(value, pickle.HIGHEST_PROTOCOL))
        os.replace(out.name, entry)
    except OSError:
        pass
    return value
