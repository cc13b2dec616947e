"""A budget per file: each file is audited in a child process with a time and a memory limit.

The readers bound themselves (decompression, page, nesting and span caps); the budget is the last
resort for whatever they miss. `run_within(fn, args, budget, overrun)` runs `fn(*args)` in a
child forked from the caller, which answers through a pipe while the caller watches it:

- time: past `budget.seconds` of wall time the child is killed;
- memory: the file may take `budget.memory` bytes beyond what the child holds when it starts on
  it — its address space is capped there (`setrlimit`, so an allocation fails with MemoryError
  inside the child) and its resident memory is sampled, the child being killed past the budget;
- a child killed by a signal (a crash in a C library) or that met a MemoryError is that file's
  error, never the caller's: the caller (the `check` process, a batch worker) is untouched.

The child serves file after file (a fork per file would cost more than auditing a small text
report) and is replaced after any overrun, MemoryError or crash, so a file never starts in a
process that one of those left behind. It is forked when first needed, for one `fn` and budget:
call `reset()` after changing what it should inherit.

`overrun(limit, evidence)` turns an overrun into the caller's answer ("time", "memory" or
"crash", with evidence: budget, elapsed seconds, peak memory, the last progress mark).

Forking a process that runs other threads is unsafe (a lock held by another thread stays held in
the child), so in a threaded process — a Dask worker — `fn` runs in place, with MemoryError still
caught; the cluster's own worker limits apply there.
"""

from __future__ import annotations

import atexit
import contextlib
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

__all__ = ["Budget", "DEFAULT_BUDGET", "run_within", "parse_memory", "describe_overrun", "last_usage", "reset"]

T = TypeVar("T")
Overrun = Callable[[str, dict[str, Any]], T]

_SAMPLE_SECONDS = 0.05
_MAX_FD = 65536
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
    """`fn(*args)` within the budget (see the module docstring); arguments and answer must pickle."""
    global _SANDBOX
    if budget is None or threading.active_count() > 1 or not hasattr(os, "fork"):
        return _in_place(fn, args, budget, overrun)
    if _SANDBOX is None or _SANDBOX.fn != fn or _SANDBOX.budget != budget or not _SANDBOX.alive():
        if _SANDBOX is not None:
            _SANDBOX.close()
        _SANDBOX = _Sandbox(fn, budget)
    sandbox = _SANDBOX
    kind, value, evidence = sandbox.run(args)
    _LAST.update(seconds=evidence["elapsed_seconds"], peak_mb=evidence["peak_mb"])
    if kind == "ok":
        return value
    if kind == "raise":
        raise value
    _SANDBOX = None                 # over budget or dead: the next file gets a fresh child
    sandbox.close()
    return overrun(kind, evidence)


def _in_place(fn: Callable[..., T], args: tuple, budget: Budget | None, overrun: Overrun) -> T:
    started = time.monotonic()
    try:
        return fn(*args)
    except MemoryError:
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        return overrun("memory", _evidence(budget, started, peak, progress.last()))


class _Sandbox:
    """A child forked to run `fn` file after file (forking per file would cost more than a small
    report's audit); replaced after an overrun, a MemoryError or a crash."""

    def __init__(self, fn: Callable[..., Any], budget: Budget):
        self.fn, self.budget = fn, budget
        self.area = progress.shared_area()
        to_child, self._tasks = os.pipe()
        self._answers, from_child = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:                                   # the child: never returns
            # only its pipes: an inherited descriptor (a batch's lock, a store) would outlive the
            # caller's use of it in this long-lived child
            os.closerange(3, min(to_child, from_child))
            os.closerange(max(to_child, from_child) + 1, _MAX_FD)
            os.closerange(min(to_child, from_child) + 1, max(to_child, from_child))
            _serve(fn, budget, self.area, to_child, from_child)
        os.close(to_child)
        os.close(from_child)
        self.status: int | None = None
        atexit.register(self.close)

    def alive(self) -> bool:
        return self.status is None

    def run(self, args: tuple) -> tuple[str, Any, dict[str, Any]]:
        started = time.monotonic()
        base = _rss(self.pid)           # the child waits for the task: its memory is at rest
        try:
            _send(self._tasks, args)
        except OSError:
            return self._ended(started, 0)
        data, peak, killed = bytearray(), 0, None
        need = None
        while need is None or len(data) < need:
            if self.budget.seconds is not None and time.monotonic() - started > self.budget.seconds:
                killed = "time"
                break
            ready, _, _ = select.select([self._answers], [], [], _SAMPLE_SECONDS)
            peak = max(peak, _peak_rss(self.pid, base))
            if self.budget.memory is not None and peak > self.budget.memory:
                killed = "memory"
                break
            if ready:
                chunk = os.read(self._answers, 1 << 20)
                if not chunk:
                    return self._ended(started, peak)
                data += chunk
                if need is None and len(data) >= 8:
                    need = 8 + int.from_bytes(data[:8], "little")
        if killed is not None:
            evidence = _evidence(self.budget, started, peak, progress.last(self.area))
            self.close()
            return killed, None, evidence
        kind, value = pickle.loads(bytes(data[8:need]))
        peak = max(peak, _peak_rss(self.pid, base))
        evidence = _evidence(self.budget, started, peak, progress.last(self.area))
        if kind == "memory":
            self.close()
            return "memory", None, {**evidence, "stage": value or evidence["stage"]}
        return kind, value, evidence

    def _ended(self, started: float, peak: int) -> tuple[str, Any, dict[str, Any]]:
        """The child died on the file: by a signal (SIGXCPU: its CPU backstop) or an exit."""
        stage = progress.last(self.area)
        self.close(kill=False)
        evidence = _evidence(self.budget, started, peak, stage)
        status = self.status or 0
        if os.WIFSIGNALED(status):
            signum = os.WTERMSIG(status)
            if signum == signal.SIGXCPU:
                return "time", None, evidence
            return "crash", None, {**evidence, "signal": signal.Signals(signum).name}
        return "crash", None, {**evidence, "exit_code": os.WEXITSTATUS(status)}

    def close(self, kill: bool = True) -> None:
        if self.status is not None:
            return
        for fd in (self._tasks, self._answers):
            with contextlib.suppress(OSError):
                os.close(fd)
        if kill:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)
        _, self.status = os.waitpid(self.pid, 0)
        atexit.unregister(self.close)


_SANDBOX: _Sandbox | None = None


def reset() -> None:
    """End the serving child: the next `run_within` forks a fresh one."""
    global _SANDBOX
    if _SANDBOX is not None:
        _SANDBOX.close()
        _SANDBOX = None


def _send(fd: int, value: Any) -> None:
    data = pickle.dumps(value, pickle.HIGHEST_PROTOCOL)
    data = len(data).to_bytes(8, "little") + data
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _receive(fd: int) -> Any:
    def exactly(n: int) -> bytes:
        out = bytearray()
        while len(out) < n:
            chunk = os.read(fd, n - len(out))
            if not chunk:
                raise EOFError
            out += chunk
        return bytes(out)
    return pickle.loads(exactly(int.from_bytes(exactly(8), "little")))


def _serve(fn: Callable[..., Any], budget: Budget, area: mmap.mmap, tasks: int, answers: int) -> None:
    """The child's loop: a task, its answer, until the parent closes the pipe or a MemoryError."""
    code = 0
    try:
        progress.attach(area)
        signal.signal(signal.SIGINT, signal.SIG_DFL)     # Ctrl-C ends the child with its parent
        while True:
            try:
                args = _receive(tasks)
            except EOFError:
                break
            _limit(budget)
            try:
                answer: tuple = ("ok", fn(*args))
            except MemoryError:
                answer = ("memory", progress.last())
            except Exception as exc:  # noqa: BLE001 - raised again in the caller, as if run there
                answer = ("raise", exc)
            try:
                _send(answers, answer)
            except MemoryError:
                _send(answers, ("memory", progress.last()))
            except Exception as exc:  # noqa: BLE001 - an answer that does not pickle
                _send(answers, ("raise", RuntimeError(f"{type(exc).__name__}: {exc}")))
            if answer[0] == "memory":
                break
    except BaseException:  # noqa: BLE001 - the parent sees a child that answered nothing
        code = 70
    finally:
        os._exit(code)          # no atexit handlers, no flushing of the parent's buffers


def _limit(budget: Budget) -> None:
    """Before each file: its memory on top of what the child holds now, its CPU on top of what it
    used; the peak resident memory counted from here."""
    if budget.memory is not None:
        limit = _address_space() + budget.memory
        resource.setrlimit(resource.RLIMIT_AS, (limit, resource.getrlimit(resource.RLIMIT_AS)[1]))
    if budget.seconds is not None:                   # a backstop should the watcher itself die
        used = resource.getrusage(resource.RUSAGE_SELF)
        cpu = int(used.ru_utime + used.ru_stime + budget.seconds) + 5
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, resource.getrlimit(resource.RLIMIT_CPU)[1]))
    with contextlib.suppress(OSError):
        with open("/proc/self/clear_refs", "w") as refs:
            refs.write("5")                           # resets VmHWM, the peak resident memory
    progress.mark("")


def _evidence(budget: Budget | None, started: float, peak: int, stage: str) -> dict[str, Any]:
    return {"budget_seconds": budget.seconds if budget else None,
            "budget_mb": budget.memory / _MB if budget and budget.memory else None,
            "elapsed_seconds": round(time.monotonic() - started, 2), "peak_mb": round(max(peak, 0) / _MB, 1),
            "stage": stage or None}


def _peak_rss(pid: int, base: int) -> int:
    """Resident bytes a child gained on its file: its peak since `_limit` reset it (VmHWM), or
    its resident memory now where the peak cannot be reset, beyond `base`."""
    try:
        with open(f"/proc/{pid}/status", "rb") as status:
            fields = dict(line.split(b":", 1) for line in status.read().splitlines() if b":" in line)
        peak = max(int(fields[b"VmHWM"].split()[0]), int(fields[b"VmRSS"].split()[0])) * 1024
    except (OSError, KeyError, ValueError, IndexError):
        return 0
    return max(peak - base, 0)


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
