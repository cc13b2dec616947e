"""`xxgk-audit figures`: the figures workbook or CSV of the reports in a result store, without
re-auditing: `figures --store DIR/audit.db [--year Y] [--parent P] -o figures.xlsx|figures.csv`.

The reports are the latest audit of every stored file (of that year, of that parent); coverage
is against who the last batch given a manifest or `--expect` was told should have published.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from xxgk_audit.engine.app.config import BLANK_CELLS, find_config, load_config

__all__ = ["add_parser"]

_SUFFIXES = (".xlsx", ".csv")


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("figures", help="从结果库导出各报告的表格数据、指标、汇总和发布情况（不重新审核）")
    parser.add_argument("--store", required=True, metavar="PATH", help="结果库（batch 的 audit.db）")
    parser.add_argument("--year", type=int, metavar="YYYY", help="只导出该年度的报告")
    parser.add_argument("--parent", metavar="NAME", help="只导出该上级机关（清单 parent 列）的报告")
    parser.add_argument("-o", "--output", required=True, metavar="FILE",
                        help="figures.xlsx（各表、指标、汇总、覆盖）或 figures.csv（每个单元格一行）")
    parser.add_argument("--blank-cells", choices=BLANK_CELLS,
                        help="指标中空白单元格的处理：zero 推定为 0，unknown 视为未知（默认取配置文件，否则 zero）")
    parser.add_argument("--config", metavar="FILE", help="配置文件（默认在当前及上级目录查找）")
    parser.add_argument("--isolated", action="store_true", help="不读取任何配置文件")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from xxgk_audit.engine.batch.store import Store          # imported on use: a plain `check` needs neither
    from xxgk_audit.engine.figures.collect import collect
    from xxgk_audit.reports.figures_export import write_figures

    output = Path(args.output)
    if output.suffix.lower() not in _SUFFIXES:
        return _usage(f"-o 应为 .xlsx 或 .csv 文件：{output}")
    if not Path(args.store).is_file():
        return _usage(f"结果库不存在：{args.store}")
    blank_cells = args.blank_cells or _configured_blank_cells(args)
    store = Store(args.store, readonly=True)
    try:
        figures = collect(store, year=args.year, parent=args.parent, blank_cells=blank_cells)
        try:
            if output.suffix.lower() == ".xlsx":
                write_figures(figures, xlsx=output)
            else:
                write_figures(figures, output)
        except OSError as exc:
            return _usage(f"无法写入 {output}：{exc.strerror or exc}")
    finally:
        store.close()
    cov = figures.coverage
    print(f"已导出 {len(figures.identities)} 份报告的数据到 {output}；应发布 {cov.expected}，未发布 {len(cov.missing)}，"
          f"逾期 {len(cov.late)}，无法读取 {len(cov.unreadable)}", file=sys.stderr)
    return 0


def _configured_blank_cells(args: argparse.Namespace) -> str:
    path = None if args.isolated else (Path(args.config) if args.config else find_config())
    return load_config(path if path is not None and path.is_file() else None).get("blank-cells")


def _usage(message: str) -> int:
    print(f"xxgk-audit: error: {message}", file=sys.stderr)
    return 2
