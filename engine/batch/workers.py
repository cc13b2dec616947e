"""Worker processes for batch work: one pool for all the steps of a run, crash isolation, Dask.

`Workers.run(fn, tasks, crashed)` calls `fn(*task)` in worker processes and yields the answers as
they come, keeping a few tasks in flight per worker (tasks are taken from the iterator as workers
free up, so a large batch is never all in memory). The pool outlives one call: the audit, the
cross-report checks and the pages of a run share it, and the rules are compiled once per worker.

A worker that dies (durable-rules' C core can crash a process) breaks the pool: a new one is
started and the tasks that were in flight are retried one at a time, each in a fresh process; a
task that kills its worker again, or raises, is answered by `crashed(task, message)` — one file's
error line, never the end of the batch.
"""

from __future__ import annotations

import concurrent.futures as cf
import os
import threading
from typing import Any, Callable, Iterable, Iterator

__all__ = ["Workers", "default_jobs"]

_IN_FLIGHT_PER_WORKER = 4
Crashed = Callable[[tuple, str], Any]


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


class Workers:
    """`jobs` local processes (1: this process), or a Dask cluster with a `scheduler` ("local": one
    on this machine). `init(init_arg)` prepares each process once, before its first task."""

    def __init__(self, init: Callable[[Any], None], init_arg: Any, jobs: int, scheduler: str | None = None):
        self.init, self.init_arg, self.jobs, self.scheduler = init, init_arg, jobs, scheduler
        self._pool: cf.ProcessPoolExecutor | None = None
        self._ready = False                 # jobs == 1: this process was prepared
        self._client: Any = None
        self._cluster: Any = None

    def __enter__(self) -> "Workers":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None
        if self._client is not None:
            self._client.close()
            self._client = None
        if self._cluster is not None:
            self._cluster.close()
            self._cluster = None

    def run(self, fn: Callable, tasks: Iterable[tuple], crashed: Crashed) -> Iterator[Any]:
        tasks = iter(tasks)
        if self.scheduler is not None:
            return self._dask(fn, tasks, crashed)
        if self.jobs <= 1:
            return self._here(fn, tasks, crashed)
        return self._local(fn, tasks, crashed)

    # ---- in this process ------------------------------------------------------------------------
    def _here(self, fn: Callable, tasks: Iterator[tuple], crashed: Crashed) -> Iterator[Any]:
        for task in tasks:
            if not self._ready:
                self.init(self.init_arg)
                self._ready = True
            try:
                yield fn(*task)
            except Exception as exc:  # noqa: BLE001 - a bug met on one file: that file's error line
                yield crashed(task, _internal(exc))

    # ---- local processes ------------------------------------------------------------------------
    def _local(self, fn: Callable, tasks: Iterator[tuple], crashed: Crashed) -> Iterator[Any]:
        suspects: list[tuple] = []
        pending = True
        while pending:
            if self._pool is None:
                self._pool = cf.ProcessPoolExecutor(self.jobs, initializer=self.init, initargs=(self.init_arg,))
            running: dict[cf.Future, tuple] = {}
            broken = False
            while not broken:
                while pending and len(running) < self.jobs * _IN_FLIGHT_PER_WORKER:
                    task = next(tasks, None)
                    if task is None:
                        pending = False
                        break
                    running[self._pool.submit(fn, *task)] = task
                if not running:
                    break
                done, _ = cf.wait(running, return_when=cf.FIRST_COMPLETED)
                for future in done:
                    task = running.pop(future)
                    try:
                        answer = future.result()
                    except cf.process.BrokenProcessPool:
                        suspects.append(task)
                        broken = True
                        continue
                    except Exception as exc:  # noqa: BLE001
                        answer = crashed(task, _internal(exc))
                    yield answer
            if broken:
                suspects.extend(running.values())      # lost with the broken pool: retried below
                self._pool.shutdown(wait=True, cancel_futures=True)    # its threads gone before the next fork
                self._pool = None
        for task in suspects:                 # one at a time: the culprit cannot take others with it
            yield self._isolated(fn, task, crashed)

    def _isolated(self, fn: Callable, task: tuple, crashed: Crashed) -> Any:
        with cf.ProcessPoolExecutor(1, initializer=self.init, initargs=(self.init_arg,)) as pool:
            try:
                return pool.submit(fn, *task).result()
            except cf.process.BrokenProcessPool:
                return crashed(task, "审核该文件时工作进程异常退出（已隔离重试仍失败），未能审核")
            except Exception as exc:  # noqa: BLE001
                return crashed(task, _internal(exc))

    # ---- Dask -------------------------------------------------------------------------------------
    def _dask(self, fn: Callable, tasks: Iterator[tuple], crashed: Crashed) -> Iterator[Any]:
        """Workers need the package installed and the files at the same paths (shared storage)."""
        tasks = list(tasks)
        if not tasks:
            return
        from dask.distributed import Client, LocalCluster, as_completed

        if self._client is None:
            if self.scheduler == "local":
                self._cluster = LocalCluster(n_workers=default_jobs(), threads_per_worker=1, processes=True,
                                             dashboard_address=None)
            self._client = Client(self._cluster if self._cluster is not None else self.scheduler, timeout="30s")
        futures = {self._client.submit(_dask_call, self.init, self.init_arg, fn, *task, pure=False, retries=0): task
                   for task in tasks}
        for future in as_completed(futures):
            try:
                yield future.result()
            except Exception as exc:  # noqa: BLE001 - KilledWorker and the like: record, go on
                yield crashed(futures[future], f"分布式工作进程未能处理该文件（{type(exc).__name__}）")


def _internal(exc: Exception) -> str:
    return f"审核该文件时出现内部错误（{type(exc).__name__}：{str(exc)[:200]}），未能审核"


_LOCK = threading.Lock()
_PREPARED: list[Any] = []


def _dask_call(init: Callable[[Any], None], init_arg: Any, fn: Callable, *task: Any) -> Any:
    """The task a Dask worker runs. One at a time per worker process, whatever its thread count
    (the durable engine is not thread-safe); the process is prepared once per `init_arg`."""
    with _LOCK:
        if _PREPARED != [init_arg]:
            init(init_arg)
            _PREPARED[:] = [init_arg]
        return fn(*task)

