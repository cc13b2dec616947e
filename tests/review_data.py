"""Reports, batch runs and a served app that the review tests share."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from xxgk_audit.engine.app import cli

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
AGENCY, YEAR = "某县交通运输局", 2023          # error-arithmetic-2023.txt: ARITH-001, ARITH-004, ARITH-005
ARITH = (SAMPLES / "error-arithmetic-2023.txt").read_text(encoding="utf-8")
# the A1 row put right (自然人 10 -> 9): ARITH-001 and ARITH-004 go, ARITH-005 stays
CORRECTED = ARITH.replace("一、本年新收政府信息公开申请数量 | 10 | 1 |", "一、本年新收政府信息公开申请数量 | 9 | 1 |")


def shifted(text: str, lines: int = 3) -> str:
    """The same report with blank lines after its title: every later line number moves."""
    first, rest = text.split("\n", 1)
    return first + "\n" * (lines + 1) + rest


def make_reports(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "arith.txt").write_text(ARITH, encoding="utf-8")
    (folder / "structure.txt").write_bytes((SAMPLES / "error-structure-2022.txt").read_bytes())
    return folder


def run_batch(folder: Path, out: Path) -> None:
    assert cli.main(["batch", str(folder), "--out", str(out), "--jobs", "1", "--no-pages"]) == 1


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Served:
    """`xxgk-audit serve` in a process of its own; `url` has the token when one was printed."""

    def __init__(self, store: Path, host: str = "127.0.0.1"):
        self.port = free_port()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "xxgk_audit.engine.app.cli", "serve", "--store", str(store), "--host", host,
             "--port", str(self.port)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"})
        first = self.process.stdout.readline()
        assert "审核工作台" in first, first + self.process.stderr.read()
        self.printed = first
        self.headers: dict[str, str] = {}       # of the last response
        self.token = first.split("?token=", 1)[1].strip() if "?token=" in first else None
        self.base = f"http://127.0.0.1:{self.port}"
        deadline = time.time() + 20
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    break
            except OSError:
                assert time.time() < deadline and self.process.poll() is None, self.process.stderr.read()
                time.sleep(0.1)

    @property
    def url(self) -> str:
        return self.base + "/" + (f"?token={self.token}" if self.token else "")

    def request(self, path: str, data: bytes | None = None, headers: dict[str, str] | None = None) -> tuple[int, str]:
        """(status, body) of a request without a browser; errors are answers too."""
        req = urllib.request.Request(self.base + path, data=data, headers=headers or {})
        try:
            with urllib.request.urlopen(req, timeout=30) as response:
                self.headers = dict(response.headers)
                return response.status, response.read().decode("utf-8")
        except urllib.error.HTTPError as exc:
            self.headers = dict(exc.headers)
            return exc.code, exc.read().decode("utf-8")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)
        self.process.stdout.close()
        self.process.stderr.close()
