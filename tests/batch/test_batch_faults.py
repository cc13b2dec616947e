"""Batch under faults (issue 12): hostile files among good ones, SIGKILL, two runs on one folder,
an output that cannot be written, special files named on the command line, huge files."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import pytest

from batch_data import CLEAN
from hostile import cases
from xxgk_audit.engine.app import cli
from xxgk_audit.engine.batch.lock import run_lock
from xxgk_audit.engine.batch.store import file_hash

HOSTILE = {"pdf-count-self", "pdf-xobject-fanout", "pdf-repeated-contents", "html-very-deep", "text-bom-only",
           "png-as-html", "elf-as-txt"}


def _batch(*args: str) -> int:
    return cli.main(["batch", "--isolated", "--jobs", "2", *args])


def test_a_mixed_folder_audits_every_good_file_and_gives_each_hostile_one_its_error(tmp_path, capsys):
    reports = tmp_path / "in"
    reports.mkdir()
    for k in range(3):
        (reports / f"good{k}.txt").write_text(CLEAN.replace("某市生态环境局", f"某市第{k}局"), encoding="utf-8")
    for case in cases(0.05):
        if case.name in HOSTILE:
            (reports / f"{case.name}{Path(case.filename).suffix}").write_bytes(case.build())
    out = tmp_path / "out"
    assert _batch("--out", str(out), "--file-timeout", "30", str(reports)) == 1
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    by_name = {Path(r["path"]).stem: r for r in summary["reports"]}
    assert len(by_name) == 3 + len(HOSTILE)
    assert all(by_name[f"good{k}"]["status"] == "pass" for k in range(3))
    for name in HOSTILE:
        entry = by_name[name]
        assert entry["status"] == "error" and entry["error"] and entry["findings"][0]["rule"].startswith("READ-")


def test_a_file_over_its_budget_is_its_own_error(tmp_path, capsys):
    reports = tmp_path / "in"
    reports.mkdir()
    (reports / "good.txt").write_text(CLEAN, encoding="utf-8")
    flood = next(c for c in cases(0.05) if c.name == "text-flood-lines")
    (reports / "flood.txt").write_bytes(flood.build())
    out = tmp_path / "out"
    _batch("--out", str(out), "--file-timeout", "0.05", str(reports))
    by_name = {Path(r["path"]).name: r for r in json.loads((out / "summary.json").read_text(encoding="utf-8"))["reports"]}
    assert by_name["flood.txt"]["findings"][0]["rule"] == "READ-010"
    assert by_name["flood.txt"]["findings"][0]["evidence"]["limit"] == "time"


def test_two_batches_on_one_folder_are_refused(tmp_path, capsys):
    reports = tmp_path / "in"
    reports.mkdir()
    (reports / "a.txt").write_text(CLEAN, encoding="utf-8")
    out = tmp_path / "out"
    with run_lock(out):
        assert _batch("--out", str(out), str(reports)) == 2
    assert "另一个批量审核正在使用" in capsys.readouterr().err
    assert _batch("--out", str(out), str(reports)) == 0          # released: the next run goes


def test_an_output_that_cannot_be_written_is_a_clear_error(tmp_path, capsys):
    reports = tmp_path / "in"
    reports.mkdir()
    (reports / "a.txt").write_text(CLEAN, encoding="utf-8")
    blocked = tmp_path / "file"
    blocked.write_text("x")
    assert _batch("--out", str(blocked / "out"), str(reports)) == 2
    err = capsys.readouterr().err
    assert "无法写入输出目录" in err and "Traceback" not in err


def test_a_store_that_fails_midway_keeps_what_it_committed(tmp_path, capsys, monkeypatch):
    reports = tmp_path / "in"
    reports.mkdir()
    for k in range(3):
        (reports / f"r{k}.txt").write_text(CLEAN.replace("某市生态环境局", f"某市第{k}局"), encoding="utf-8")
    from xxgk_audit.engine.batch.store import Store
    original, saved = Store.save, []

    def save(self, *args, **kwargs):
        if len(saved) == 2:
            raise sqlite3.OperationalError("database or disk is full")
        saved.append(original(self, *args, **kwargs))
        return saved[-1]

    monkeypatch.setattr(Store, "save", save)
    out = tmp_path / "out"
    assert cli.main(["batch", "--isolated", "--jobs", "1", "--out", str(out), str(reports)]) == 2
    assert "database or disk is full" in capsys.readouterr().err
    rows = sqlite3.connect(out / "audit.db").execute("SELECT COUNT(*) FROM reports").fetchone()[0]
    assert rows == 2 and not (out / "run.json").exists()


@pytest.mark.parametrize("command", ["check", "batch"])
def test_special_files_on_the_command_line_are_refused_for_what_they_are(tmp_path, capsys, command):
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    loop = tmp_path / "loop.txt"
    os.symlink(tmp_path / "loop2.txt", loop)
    os.symlink(loop, tmp_path / "loop2.txt")
    for path, reason in ((fifo, "命名管道（FIFO）"), ("/dev/null", "设备文件"), (loop, "符号链接成环")):
        extra = ["--out", str(tmp_path / "out")] if command == "batch" else []
        assert cli.main([command, "--isolated", *extra, str(path)]) == 2
        err = capsys.readouterr().err
        assert reason in err and "路径不存在" not in err


def test_hashing_streams_the_file(tmp_path):
    big = tmp_path / "big.txt"
    with open(big, "wb") as handle:
        handle.truncate(64 << 20)                       # sparse: 64 MiB of zeros
    tracemalloc.start()
    digest = file_hash(big)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert len(digest) == 64 and peak < 8 << 20


def test_a_huge_file_in_the_folder_is_its_error_and_the_batch_goes_on(tmp_path, capsys):
    reports = tmp_path / "in"
    reports.mkdir()
    (reports / "a.txt").write_text(CLEAN, encoding="utf-8")
    with open(reports / "huge.txt", "wb") as handle:
        handle.truncate(3 << 30)                         # 3 GiB, sparse
    out = tmp_path / "out"
    assert _batch("--out", str(out), str(reports)) == 1
    by_name = {Path(r["path"]).name: r for r in json.loads((out / "summary.json").read_text(encoding="utf-8"))["reports"]}
    assert by_name["a.txt"]["status"] == "pass" and "文件过大" in by_name["huge.txt"]["error"]


def test_sigkill_loses_nothing_finished(tmp_path):
    reports = tmp_path / "in"
    reports.mkdir()
    for k in range(12):
        (reports / f"r{k:02d}.txt").write_text(CLEAN.replace("某市生态环境局", f"某市第{k}局"), encoding="utf-8")
    out = tmp_path / "out"
    argv = [sys.executable, "-m", "xxgk_audit.engine.app.cli", "batch", "--isolated", "--jobs", "1",
            "--out", str(out), str(reports)]
    env = {**os.environ, "TMPDIR": str(tmp_path)}        # the killed run's page cache stays in here
    run = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True, env=env)
    store = out / "audit.db"
    deadline = time.monotonic() + 60
    done = 0
    while time.monotonic() < deadline and run.poll() is None:
        if store.exists():
            try:
                done = sqlite3.connect(store).execute("SELECT COUNT(*) FROM reports").fetchone()[0]
            except sqlite3.Error:
                done = 0
            if done >= 2:
                break
        time.sleep(0.05)
    if run.poll() is None:
        os.killpg(run.pid, signal.SIGKILL)
    run.wait()
    kept = sqlite3.connect(store).execute("SELECT COUNT(*) FROM reports").fetchone()[0]
    assert kept >= 2
    again = subprocess.run(argv, capture_output=True, text=True, timeout=120, env=env)
    assert again.returncode == 0, again.stderr
    assert f"未变化跳过 {kept}" in again.stderr and "共 12 份报告" in again.stderr
