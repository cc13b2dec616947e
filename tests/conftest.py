"""Fixtures shared by test files."""

from __future__ import annotations

from pathlib import Path

import pytest

from batch_data import make_folder


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A folder of reports across two years (tests/batch_data.py)."""
    return make_folder(tmp_path)
