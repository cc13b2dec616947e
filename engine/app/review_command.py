"""`xxgk-audit review list|set|export`: the office's decisions on findings, kept in the result store.

    review list --store DB [--agency A] [--year Y] [--state S] [--decision D] [--format text|json]
    review set FINGERPRINT --decision confirmed|dismissed|pending [--comment T] [--reviewer N] --store DB
    review export --store DB --agency A [--year Y] -o FILE.xlsx|FILE.docx [--template DOCX]

The logic is engine/batch/review.py's; this module parses, checks and prints.
"""

from __future__ import annotations

import argparse
import sys
import zipfile
from pathlib import Path
from typing import Any

from xxgk_audit.engine.app.cli import EXIT_OK, UsageError, _year
from xxgk_audit.engine.batch import review
from xxgk_audit.engine.batch.store import Store
from xxgk_audit.engine.model.vocabulary import SEVERITY_LABELS

__all__ = ["add_parser", "open_store", "export"]


def add_parser(sub: Any) -> None:
    parser = sub.add_parser("review", help="审核决定：列出问题、确认或驳回、导出整改清单（读写结果库）",
                            description="review list：列出问题；review set：记录审核决定；"
                                        "review export：导出某机关的整改清单（.xlsx）或整改通知（.docx）")
    actions = parser.add_subparsers(dest="action", required=True, metavar="{list,set,export}")
    store = argparse.ArgumentParser(add_help=False)
    store.add_argument("--store", required=True, metavar="DB", help="结果库（batch 的 audit.db）")

    listing = actions.add_parser("list", parents=[store], help="列出问题及其审核状态")
    listing.add_argument("--agency", metavar="A", help="只列此机关")
    listing.add_argument("--year", type=_year, metavar="Y", help="只列此年度")
    listing.add_argument("--state", choices=tuple(review.STATES), help="open 仍存在、resolved 已整改、new 新增")
    listing.add_argument("--decision", choices=tuple(review.DECISIONS), help="confirmed 确认、dismissed 驳回、pending 待定")
    listing.add_argument("--format", choices=("text", "json"), default="text", help="输出格式（默认 text）")
    listing.set_defaults(run=_list)

    setting = actions.add_parser("set", parents=[store], help="记录对一个问题的审核决定")
    setting.add_argument("fingerprint", metavar="FINGERPRINT", help="问题指纹（review list 所列）")
    setting.add_argument("--decision", required=True, choices=tuple(review.DECISIONS), help="审核决定")
    setting.add_argument("--comment", default="", metavar="TEXT", help="审核意见")
    setting.add_argument("--reviewer", default="", metavar="NAME", help="审核人")
    setting.set_defaults(run=_set)

    exporting = actions.add_parser("export", parents=[store], help="导出整改清单（.xlsx）或整改通知（.docx）")
    exporting.add_argument("--agency", required=True, metavar="A", help="机关名称")
    exporting.add_argument("--year", type=_year, metavar="Y", help="年度（默认：该机关的全部年度）")
    exporting.add_argument("-o", "--output", required=True, metavar="FILE", help="输出文件：.xlsx 或 .docx")
    exporting.add_argument("--template", metavar="DOCX", help="整改通知模板（docxtpl；默认为内置模板）")
    exporting.set_defaults(run=_export)


def open_store(path: str) -> Store:
    """An existing store, for reading and recording decisions (never created here)."""
    if not Path(path).is_file():
        raise UsageError(f"结果库不存在：{path}")
    return Store(path)


def _list(args: argparse.Namespace) -> int:
    store = open_store(args.store)
    try:
        items = review.review_items(store, args.agency, args.year, args.state, args.decision)
    finally:
        store.close()
    if args.format == "json":
        from xxgk_audit.reports.json_report import dumps
        print(dumps([item.to_dict() for item in items], indent=2))
        return EXIT_OK
    for item in items:
        f, d = item.finding, item.decision
        line = (f"{item.fingerprint}  {item.state_label}  {d.label}  {f.rule} [{SEVERITY_LABELS[f.severity]}]  "
                f"{item.agency or item.path} {item.year or '？'} 年度  {f.message}")
        print(line + (f"  意见：{d.comment}" if d.comment else ""))
    dismissed = sum(item.decision.decision == "dismissed" for item in items)
    print(f"共 {len(items)} 个问题，其中驳回 {dismissed} 个", file=sys.stderr)
    return EXIT_OK


def _set(args: argparse.Namespace) -> int:
    store = open_store(args.store)
    try:
        made = review.set_decision(store, args.fingerprint, args.decision, args.comment, args.reviewer)
    except review.ReviewError as exc:
        raise UsageError(str(exc)) from None
    finally:
        store.close()
    print(f"已记录：{made.fingerprint} {made.label}（{made.decided_at_iso}）", file=sys.stderr)
    return EXIT_OK


def export(store: Store, agency: str, year: int | None, output: Path, template: Path | None = None) -> tuple[int, int]:
    """Write an agency's rectification list to `output` (.xlsx or .docx); returns (listed, dismissed)."""
    from xxgk_audit.reports import rectification

    items = [i for i in review.review_items(store, agency, year) if i.state != "resolved"]
    listed = rectification.entries(i for i in items if i.decision.decision == "confirmed")
    dismissed = sum(i.decision.decision == "dismissed" for i in items)
    if output.suffix.lower() == ".docx":
        rectification.write_notice(output, listed, dismissed, agency, year, template)
    else:
        rectification.write_workbook(output, listed, dismissed)
    return len(listed), dismissed


def _export(args: argparse.Namespace) -> int:
    output = Path(args.output)
    if output.suffix.lower() not in (".xlsx", ".docx"):
        raise UsageError(f"输出文件应以 .xlsx 或 .docx 结尾：{output}")
    template = Path(args.template) if args.template else None
    if template is not None and (output.suffix.lower() != ".docx" or not template.is_file()):
        raise UsageError(f"--template 须为存在的 .docx 文件，且只用于 .docx 输出：{template}")
    from jinja2 import TemplateError        # imported on use: every start of the tool pays for it otherwise

    store = open_store(args.store)
    try:
        listed, dismissed = export(store, args.agency, args.year, output, template)
    except OSError as exc:
        raise UsageError(f"无法写入 {output}：{exc.strerror or exc}") from None
    except (TemplateError, zipfile.BadZipFile, KeyError) as exc:    # an office's template that is not one
        raise UsageError(f"整改通知模板有误（{template or '内置模板'}）：{exc}") from None
    finally:
        store.close()
    print(f"已导出 {listed} 个须整改的问题到 {output}（另有 {dismissed} 个经审核驳回，未列入）", file=sys.stderr)
    return EXIT_OK
