"""A budget per file: each file is audited in a child process with a time and a memory limit.

The readers bound themselves (decompression, page, nesting and span caps); the budget is the last
resort for whatever they miss. `run_within(fn, args, budget, overrun)` forks a child that runs
`fn(*args)` and sends its answer back through a pipe; the parent watches it:

- time: past `budget.seconds` of wall time the child is killed;
- memory: the child may use `budget.memory` bytes beyond what it inherited — its address space is
  capped there (`setrlimit`, so an allocation fails with MemoryError inside the child) and its
  resident memory is sampled, the child being killed when it passes the budget anyway;
- a child killed by a signal (a crash in a C library) or that met a MemoryError is that file's
  error, never the caller's: the caller (the `check` process, a batch worker) is untouched, so
  there is nothing to replace — each file starts from the same clean process.

`overrun(limit, evidence)` turns an overrun into the caller's answer ("time", "memory" or
"crash", with evidence: budget, elapsed seconds, peak memory, the last progress mark).

Forking a process that runs other threads is unsafe (a lock held by another thread stays held in
the child), so in a threaded process — a Dask worker — `fn` runs in place, with MemoryError still
caught; the cluster's own worker limits apply there.
"""

from __future__ import annotations

import mmap
import os
import pickle
import resource
import select
import signal
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable, TypeVar

from xxgk_audit.engine.model import progress

__all__ = ["Budget", "DEFAULT_BUDGET", "run_within", "parse_memory", "describe_overrun", "last_usage"]

T = TypeVar("T")
Overrun = Callable[[str, dict[str, Any]], T]

_SAMPLE_SECONDS = 0.05
_MB = 1024 * 1024


@dataclass(frozen=True)
class Budget:
    """Wall-clock seconds and bytes of memory one file may take (None: no budget for that)."""

    seconds: float | None = 60.0
    memory: int | None = 1 << 30


DEFAULT_BUDGET = Budget()
_LAST: dict[str, float] = {}


def last_usage() -> dict[str, float]:
    """Seconds and peak MB (beyond the inherited memory) of the last `run_within` in a child
    (benchmarks/bench_hostile.py reads it)."""
    return dict(_LAST)


def parse_memory(text: str | int) -> int:
    """"1G", "512M", "800000K" or a number of bytes; ValueError otherwise."""
    if isinstance(text, int) and not isinstance(text, bool):
        value = text
    else:
        raw = str(text).strip().upper().removesuffix("B").removesuffix("I")
        factor = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}.get(raw[-1:], 1)
        number = raw[:-1] if factor > 1 else raw
        value = int(float(number) * factor) if number.replace(".", "", 1).isdigit() else -1
    if value < 16 * _MB:
        raise ValueError(f"内存预算无效或过小：{text}（至少 16M，如 1G、512M）")
    return value


def describe_overrun(limit: str, evidence: dict[str, Any]) -> str:
    """The Chinese reason for an overrun, with how far the work got."""
    got = f"，进行到：{evidence['stage']}" if evidence.get("stage") else ""
    if limit == "time":
        return (f"审核超出时间预算（{evidence['budget_seconds']:g} 秒），已中止{got}；"
                f"可用 --file-timeout 调整")
    if limit == "memory":
        return (f"审核超出内存预算（{evidence['budget_mb']:.0f} MB，已用约 {evidence['peak_mb']:.0f} MB），"
                f"已中止{got}；可用 --file-memory 调整")
    how = f"信号 {evidence['signal']}" if "signal" in evidence else f"退出码 {evidence.get('exit_code', '?')}"
    return f"审核进程异常退出（{how}），未能审核{got}"


def run_within(fn: Callable[..., T], args: tuple, budget: Budget | None, overrun: Overrun) -> T:
    """`fn(*args)` within the budget (see the module docstring); its answer must pickle."""
    if budget is None or threading.active_count() > 1 or not hasattr(os, "fork"):
        return _in_place(fn, args, budget, overrun)
    area = progress.shared_area()
    read_end, write_end = os.pipe()
    base_rss = _rss(os.getpid())
    started = time.monotonic()
    pid = os.fork()
    if pid == 0:                                         # the child: never returns
        os.close(read_end)
        _child(fn, args, budget, area, write_end)
    os.close(write_end)
    try:
        return _watch(pid, read_end, budget, area, base_rss, started, overrun)
    finally:
        os.close(read_end)
        area.close()


def _in_place(fn: Callable[..., T], args: tuple, budget: Budget | None, overrun: Overrun) -> T:
    started = time.monotonic()
    try:
        return fn(*args)
    except MemoryError:
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        return overrun("memory", _evidence(budget, started, peak, progress.last()))


def _child(fn: Callable[..., Any], args: tuple, budget: Budget, area: mmap.mmap, out: int) -> None:
    code = 0
    try:
        progress.attach(area)
        signal.signal(signal.SIGINT, signal.SIG_DFL)     # Ctrl-C ends the child with its parent
        if budget.memory is not None:
            limit = _address_space() + budget.memory
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        if budget.seconds is not None:                   # a backstop should the watcher itself die
            cpu = int(budget.seconds) + 5
            resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))
        try:
            answer: tuple = ("ok", fn(*args))
        except MemoryError:
            answer = ("memory", progress.last())
        except Exception as exc:  # noqa: BLE001 - raised again in the caller, as if run there
            answer = ("raise", exc)
        try:
            data = pickle.dumps(answer, pickle.HIGHEST_PROTOCOL)
        except Exception as exc:  # noqa: BLE001 - an answer that does not pickle
            data = pickle.dumps(("raise", RuntimeError(f"{type(exc).__name__}: {exc}")))
        with os.fdopen(out, "wb") as pipe:
            pipe.write(data)
    except MemoryError:
        _send_memory(out)
    except BaseException:  # noqa: BLE001 - the parent sees a child that answered nothing
        code = 70
    finally:
        os._exit(code)          # no atexit handlers, no flushing of the parent's buffers


def _send_memory(out: int) -> None:
    try:
        os.write(out, pickle.dumps(("memory", progress.last())))
    except (OSError, MemoryError):
        pass


def _watch(pid: int, pipe: int, budget: Budget, area: mmap.mmap, base_rss: int, started: float,
           overrun: Overrun) -> T:
    chunks: list[bytes] = []
    peak = 0
    killed: str | None = None
    open_pipe = True
    while open_pipe:
        elapsed = time.monotonic() - started
        if budget.seconds is not None and elapsed > budget.seconds:
            killed = "time"
            break
        ready, _, _ = select.select([pipe], [], [], _SAMPLE_SECONDS)
        if ready:
            chunk = os.read(pipe, 1 << 20)
            if chunk:
                chunks.append(chunk)
            else:
                open_pipe = False
        peak = max(peak, _rss(pid) - base_rss)
        if budget.memory is not None and peak > budget.memory:
            killed = "memory"
            break
    stage = progress.last(area)
    if killed is not None:
        _kill(pid)
    _, status, usage = os.wait4(pid, 0)
    peak = max(peak, usage.ru_maxrss * 1024 - base_rss)
    evidence = _evidence(budget, started, peak, stage)
    _LAST.update(seconds=evidence["elapsed_seconds"], peak_mb=evidence["peak_mb"])
    if killed is not None:
        return overrun(killed, evidence)
    try:
        kind, value = pickle.loads(b"".join(chunks))
    except Exception:  # noqa: BLE001 - no answer, or a partial one: the child died
        if os.WIFSIGNALED(status):
            signum = os.WTERMSIG(status)
            if signum == signal.SIGXCPU:
                return overrun("time", evidence)
            return overrun("crash", {**evidence, "signal": signal.Signals(signum).name})
        return overrun("crash", {**evidence, "exit_code": os.WEXITSTATUS(status)})
    if kind == "memory":
        return overrun("memory", {**evidence, "stage": value or stage})
    if kind == "raise":
        raise value
    return value


def _evidence(budget: Budget | None, started: float, peak: int, stage: str) -> dict[str, Any]:
    return {"budget_seconds": budget.seconds if budget else None,
            "budget_mb": budget.memory / _MB if budget and budget.memory else None,
            "elapsed_seconds": round(time.monotonic() - started, 2), "peak_mb": round(max(peak, 0) / _MB, 1),
            "stage": stage or None}


def _kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _rss(pid: int) -> int:
    """Resident bytes of a process (0 once it is gone)."""
    try:
        with open(f"/proc/{pid}/statm", "rb") as statm:
            return int(statm.read().split()[1]) * mmap.PAGESIZE
    except (OSError, IndexError, ValueError):
        return 0


def _address_space() -> int:
    try:
        with open("/proc/self/statm", "rb") as statm:
            return int(statm.read().split()[0]) * mmap.PAGESIZE
    except (OSError, IndexError, ValueError):
        return 0
