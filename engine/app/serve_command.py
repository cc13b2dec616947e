"""`xxgk-audit serve --store DB [--host H] [--port P]`: the review web app (engine/app/web) on uvicorn.

It binds 127.0.0.1 by default. Bound to any other address, it prints an access token at start
and refuses every request without it (engine/app/web/security.py).
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from pathlib import Path
from typing import Any

from xxgk_audit.engine.app.cli import EXIT_OK, UsageError, _auditor, _load_baseline, _settings

__all__ = ["add_parser"]


def add_parser(sub: Any, selection: argparse.ArgumentParser) -> None:
    """`selection`: the rule and configuration options `check` and `batch` take (uploads are
    audited, and verdicts given, as `batch` would)."""
    parser = sub.add_parser("serve", parents=[selection],
                            help="启动本机审核工作台（网页：审核决定、上传整改报告、导出整改清单）")
    parser.add_argument("--store", required=True, metavar="DB", help="结果库（batch 的 audit.db）")
    parser.add_argument("--host", default="127.0.0.1", metavar="H",
                        help="监听地址（默认 127.0.0.1，仅本机；其他地址须凭启动时显示的令牌访问）")
    parser.add_argument("--port", type=int, default=8765, metavar="P", help="端口（默认 8765）")
    parser.add_argument("--fail-on", choices=("error", "warning", "info"),
                        help="判为不通过的最低严重程度（默认 error）")
    parser.set_defaults(run=_serve)


def _serve(args: argparse.Namespace) -> int:
    for module in ("starlette", "uvicorn", "multipart"):
        if importlib.util.find_spec(module) is None:
            raise UsageError(f"serve 需要 {module}（pip install xxgk-audit 会一并安装）")
    import uvicorn

    from xxgk_audit.engine.app.results import ResultChain
    from xxgk_audit.engine.app.web.app import create_app
    from xxgk_audit.engine.app.web.security import Guard

    store = Path(args.store)
    if not store.is_file():
        raise UsageError(f"结果库不存在：{store}")
    if not 0 < args.port < 65536:
        raise UsageError(f"无效端口：{args.port}")
    config = _settings(args)
    guard = Guard.for_binding(args.host, args.port)
    app = create_app(store, guard, _auditor(config), ResultChain(config, _load_baseline(config.get("baseline"))))
    shown = f"[{args.host}]" if ":" in args.host else args.host
    address = f"http://{shown}:{args.port}/"
    if guard.token is not None:
        print(f"审核工作台：{address}?token={guard.token}", flush=True)
        print(f"访问令牌：{guard.token}（监听 {args.host}，每个请求都须带此令牌）", flush=True)
    else:
        print(f"审核工作台：{address}（仅本机可访问）", flush=True)
    print("按 Ctrl+C 停止。", file=sys.stderr, flush=True)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning", server_header=False,
                date_header=False, proxy_headers=False)
    return EXIT_OK
