"""Runs the Dask tests (marked `dask`) in a pytest process of their own, so that no test of the
main run forks after Dask's threads started, whatever order the tests run in."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent


def test_dask_tests_pass_in_their_own_process():
    pytest.importorskip("distributed")
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-m", "dask", "-p", "no:cacheprovider",
                           str(HERE / "test_dask_executor.py")], cwd=HERE.parents[1], capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert " passed" in done.stdout and "skipped" not in done.stdout
