"""The budget per file (engine/evaluation/budget.py): time, memory, crashes — the caller goes on."""

from __future__ import annotations

import faulthandler
import os
import signal
import time

import pytest

from xxgk_audit.engine.evaluation.audit import Auditor
from xxgk_audit.engine.evaluation.budget import Budget, describe_overrun, parse_memory, run_within
from xxgk_audit.engine.model import progress


def _answer(limit, evidence):
    return ("overrun", limit, evidence)


def _sleep(seconds: float) -> str:
    progress.mark("睡眠中")
    time.sleep(seconds)
    return "done"


def _allocate(mb: int) -> int:
    block = bytearray(mb << 20)
    return len(block)


def _crash() -> None:
    faulthandler.disable()              # pytest's, inherited: no traceback dump for this crash
    os.kill(os.getpid(), signal.SIGSEGV)


def _raise() -> None:
    raise IndexError("a reader bug")


def test_an_answer_within_budget_comes_back():
    assert run_within(_sleep, (0,), Budget(5, 256 << 20), _answer) == "done"


def test_time_overrun_kills_the_child_and_says_how_far_it_got():
    started = time.monotonic()
    kind, limit, evidence = run_within(_sleep, (30,), Budget(0.5, None), _answer)
    assert (kind, limit) == ("overrun", "time") and time.monotonic() - started < 5
    assert evidence["stage"] == "睡眠中" and evidence["budget_seconds"] == 0.5
    assert "时间预算" in describe_overrun(limit, evidence) and "睡眠中" in describe_overrun(limit, evidence)


def test_memory_overrun_is_the_files_error():
    kind, limit, evidence = run_within(_allocate, (400,), Budget(10, 64 << 20), _answer)
    assert (kind, limit) == ("overrun", "memory") and evidence["budget_mb"] == 64
    assert run_within(_allocate, (8,), Budget(10, 64 << 20), _answer) == 8 << 20


def test_a_crash_is_reported_with_its_signal_and_the_caller_lives():
    kind, limit, evidence = run_within(_crash, (), Budget(10, None), _answer)
    assert (kind, limit, evidence["signal"]) == ("overrun", "crash", "SIGSEGV")
    assert "SIGSEGV" in describe_overrun(limit, evidence)


def test_an_exception_is_raised_in_the_caller():
    with pytest.raises(IndexError, match="a reader bug"):
        run_within(_raise, (), Budget(10, None), _answer)


def test_without_a_budget_a_memory_error_is_still_the_files():
    def boom():
        raise MemoryError
    assert run_within(boom, (), None, _answer)[1] == "memory"


def test_audit_within_gives_the_read_findings(tmp_path, monkeypatch):
    path = tmp_path / "slow.txt"
    path.write_text("2023年度报告", encoding="utf-8")
    auditor = Auditor()
    monkeypatch.setattr(auditor, "audit_path", lambda p, ctx: _sleep(30))
    result = auditor.audit_within(path, None, Budget(0.3, None))
    assert result.status == "error" and result.findings[0].rule == "READ-010"
    assert result.findings[0].evidence["limit"] == "time" and result.findings[0].evidence["stage"] == "睡眠中"


@pytest.mark.parametrize("text, value", [("1G", 1 << 30), ("512M", 512 << 20), ("1GiB", 1 << 30),
                                         (str(100 << 20), 100 << 20), ("2.5g", int(2.5 * (1 << 30)))])
def test_memory_sizes(text, value):
    assert parse_memory(text) == value


@pytest.mark.parametrize("text", ["lots", "1K", "-5M", ""])
def test_bad_memory_sizes(text):
    with pytest.raises(ValueError):
        parse_memory(text)
