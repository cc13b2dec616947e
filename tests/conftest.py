"""Fixtures shared by test files."""

from __future__ import annotations

from pathlib import Path

import pytest

from batch_data import make_folder


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A folder of reports across two years (tests/batch_data.py)."""
    return make_folder(tmp_path)


@pytest.fixture(autouse=True, scope="session")
def _private_pack_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The rule-pack cache of this test run in a folder of its own (never the user's ~/.cache)."""
    import os
    os.environ["XXGK_AUDIT_CACHE_DIR"] = str(tmp_path_factory.mktemp("pack-cache"))
