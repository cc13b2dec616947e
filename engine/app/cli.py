"""The `xxgk-audit` command line: parse arguments, load the rules once, audit, hand results to a renderer.
(About 470 lines: the parser of every subcommand and the small ones; review, serve, figures and the
batch machinery are in modules of their own.)

Exit codes (like ruff): 0 — every report passed (no finding at or above --fail-on); 1 — some report
failed or could not be read; 2 — usage error (bad option, missing path, invalid rule pack, unknown
rule code, bad date) or an internal error. `--exit-zero` turns 1 into 0, never 2.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import io
import os
import re
import sys
from datetime import date
from pathlib import Path
from typing import IO, Iterator

from xxgk_audit.reports import FORMATS, Renderer, Summary, make_renderer
from xxgk_audit.reports.json_report import JsonListWriter, dumps, report_model
from xxgk_audit.reports.text import example_results_text, rule_page, rule_table
from xxgk_audit.engine import __version__
from xxgk_audit.engine.evaluation.audit import SUPPORTED_SUFFIXES, Auditor, ReadError, ReportResult, collect_paths, read_report
from xxgk_audit.engine.app.baseline import Baseline, BaselineError, make_baseline
from xxgk_audit.engine.app.budget_options import OPTION_KEYS, add_budget_options, budget_from
from xxgk_audit.engine.evaluation.budget import DEFAULT_BUDGET, describe_overrun, run_within
from xxgk_audit.engine.app.config import KEYS, Config, ConfigError, find_config, load_config
from xxgk_audit.engine.evaluation.blank_cells import POLICIES
from xxgk_audit.engine.app.figures_command import add_parser as add_figures_parser
from xxgk_audit.engine.evaluation.facts import AGENCY_KINDS, Context
from xxgk_audit.engine.model.vocabulary import SEVERITY_LABELS
from xxgk_audit.engine.rulelang.rulepack import Rule, RuleError, load_packs
from xxgk_audit.engine.app.results import ResultChain
from xxgk_audit.engine.rulelang.selection import code_matches
from xxgk_audit.engine.rulelang.factkinds import fields_markdown
from xxgk_audit.engine.rulelang.tool_rules import tool_rules
from xxgk_audit.engine.model.vocabulary import SEVERITY_ORDER
from xxgk_audit.engine.evaluation.ruletest import run_examples

__all__ = ["main", "build_parser"]

PROG = "xxgk-audit"
EXIT_OK, EXIT_FAIL, EXIT_USAGE = 0, 1, 2
_SUFFIXES = "/".join(SUPPORTED_SUFFIXES)


class UsageError(Exception):
    """Bad input from the user: reported in one line, exit code 2."""


# ---- argument types ---------------------------------------------------------------------------
def _date(text: str) -> date:
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return date.fromisoformat(text)
    except ValueError:
        pass
    raise argparse.ArgumentTypeError(f"无效日期：{text}（应为 YYYY-MM-DD）")


def _year(text: str) -> int:
    if re.fullmatch(r"\d{4}", text):
        return int(text)
    raise argparse.ArgumentTypeError(f"无效年度：{text}（应为四位数字，如 2023）")


def _codes(text: str) -> list[str]:
    """Comma-separated rule codes, upper-cased (the option repeats with action="extend")."""
    return [c.strip().upper() for c in text.split(",") if c.strip()]


# ---- parser -----------------------------------------------------------------------------------
def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG, description="政府信息公开工作年度报告规则审核工具（rules-based auditor）")
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    sub = parser.add_subparsers(dest="command", required=True,
                                metavar="{check,extract,rules,baseline,config,batch,history,figures,review,serve}")

    selection = argparse.ArgumentParser(add_help=False)
    selection.add_argument("--config", metavar="FILE",
                           help="配置文件（默认在当前及上级目录查找 xxgk-audit.toml 或 pyproject.toml）")
    selection.add_argument("--isolated", action="store_true", help="不读取任何配置文件")
    selection.add_argument("--rules", action="append", default=[], metavar="DIR",
                           help="额外规则包目录或文件（可重复）")
    selection.add_argument("--select", action="extend", type=_codes, metavar="CODES",
                           help="只启用这些规则（编号或前缀，逗号分隔，如 ARITH,TEXT-007；可重复；"
                                "后于配置文件生效，可重新启用配置文件停用的规则）")
    selection.add_argument("--ignore", action="extend", type=_codes, metavar="CODES",
                           help="停用这些规则（编号或前缀，逗号分隔；可重复；与 --select 同样具体时优先）")
    blank_cells = argparse.ArgumentParser(add_help=False)
    blank_cells.add_argument("--blank-cells", choices=POLICIES,
                             help="有数字的表中空白或占位符单元格：zero 按 0 计、空白总计按各项之和计"
                                  "（默认，所得问题会注明）；unknown 按未知（涉及的检查无法评估）")

    check = sub.add_parser("check", parents=[selection, blank_cells], help="审核报告文件或目录")
    check.add_argument("paths", nargs="+", metavar="PATH", help=f"报告文件或目录（目录中递归查找 {_SUFFIXES} 文件）")
    check.add_argument("--format", choices=("auto", *FORMATS, "html"), default="auto",
                       help="输出格式（默认 auto：在 GitHub Actions 中为 github，否则为 text；"
                            "html：审核结果网页；sarif、junit：供 CI 系统使用）")
    check.add_argument("--output", metavar="PATH",
                       help="写入文件（UTF-8）而非标准输出；html 格式审核多份报告或目录时为输出目录")
    check.add_argument("--fail-on", choices=tuple(SEVERITY_ORDER),
                       help="达到该严重程度的问题即判为不通过（默认 error）")
    check.add_argument("--baseline", metavar="FILE", help="豁免文件：隐藏其中记录且未过期的问题")
    check.add_argument("--exit-zero", action="store_true", help="发现问题时仍以 0 退出")
    check.add_argument("--year", type=_year, metavar="YYYY", help="报告年度（文档未写明时）")
    check.add_argument("--agency", metavar="NAME", help="报告机关名称")
    check.add_argument("--published", type=_date, metavar="YYYY-MM-DD", help="发布日期")
    check.add_argument("--agency-kind", choices=AGENCY_KINDS,
                       help="机关类别（默认由名称推断：人民政府 government、乡镇 township、街道 subdistrict、部门 department）")
    check.add_argument("--no-color", action="store_true", help="不使用颜色")
    add_budget_options(check)
    check.set_defaults(run=_check)

    extract = sub.add_parser("extract", help="输出解析得到的报告模型（JSON）")
    extract.add_argument("paths", nargs="+", metavar="PATH", help="报告文件或目录")
    extract.add_argument("--format", choices=("json",), default="json", help="输出格式（json）")
    extract.add_argument("--output", metavar="FILE", help="写入文件（UTF-8）而非标准输出")
    extract.set_defaults(run=_extract)

    rules = sub.add_parser("rules", parents=[selection], help="列出、查看或测试规则",
                           description="rules：列出规则；rules show ID：查看一条规则；"
                                       "rules test：运行各规则的示例；rules fields：各类事实的字段（Markdown）")
    rules.add_argument("action", nargs="?", choices=("list", "show", "test", "fields"), default="list")
    rules.add_argument("rule_id", nargs="?", metavar="ID", help="规则编号（用于 show）")
    rules.set_defaults(run=_rules)

    baseline = sub.add_parser("baseline", parents=[selection], help="把当前问题记录为豁免文件")
    baseline.add_argument("paths", nargs="+", metavar="PATH", help="报告文件或目录")
    baseline.add_argument("-o", "--output", metavar="FILE", default="xxgk-baseline.json",
                          help="豁免文件（默认 xxgk-baseline.json）")
    baseline.add_argument("--reason", default="", help="豁免理由")
    baseline.add_argument("--approved-by", default="", help="批准人")
    baseline.add_argument("--expires", type=_date, metavar="YYYY-MM-DD", help="豁免到期日")
    baseline.set_defaults(run=_baseline)

    config = sub.add_parser("config", parents=[selection], help="显示生效的配置及其来源")
    config.set_defaults(run=_config)

    batch = sub.add_parser("batch", parents=[selection, blank_cells], help="批量审核（多进程、结果库、可断点续跑）")
    batch.add_argument("input", metavar="INPUT", help="报告目录（递归）或清单 CSV（path,agency,year,published,…）")
    batch.add_argument("--out", required=True, metavar="DIR", help="输出目录：index.html、各报告页面、"
                       "findings.csv/.xlsx、summary.json、audit.db")
    batch.add_argument("--jobs", type=int, metavar="N", help="工作进程数（默认：全部 CPU 核）")
    batch.add_argument("--store", metavar="PATH", help="结果库（默认 DIR/audit.db）")
    batch.add_argument("--executor", choices=("local", "dask"), default="local",
                       help="local：本机多进程（默认）；dask：交给 Dask 集群")
    batch.add_argument("--scheduler", metavar="ADDRESS",
                       help="Dask 调度器地址，如 tcp://10.0.0.5:8786；local 表示在本机启动集群（--executor dask 时）")
    batch.add_argument("--no-pages", action="store_true", help="不生成各报告的 HTML 页面（仍生成索引、问题清单和结果库）")
    batch.add_argument("--fail-on", choices=tuple(SEVERITY_ORDER), help="判为不通过的最低严重程度")
    batch.add_argument("--exit-zero", action="store_true", help="发现问题时仍以 0 退出")
    add_budget_options(batch)
    batch.add_argument("--expect", metavar="FILE", help="应发布报告的名单 CSV（agency,year[,parent]），"
                       "用于统计未发布、逾期发布的机关（figures.xlsx“覆盖”表、summary.json）")
    batch.set_defaults(run=_batch)

    history = sub.add_parser("history", help="某机关历年的审核结果（读取结果库）")
    history.add_argument("agency", metavar="AGENCY", help="机关名称")
    history.add_argument("--store", required=True, metavar="PATH", help="结果库（batch 的 audit.db）")
    history.set_defaults(run=_history)
    add_figures_parser(sub)

    from xxgk_audit.engine.app import review_command, serve_command   # they import this module
    review_command.add_parser(sub)
    serve_command.add_parser(sub, selection)
    return parser


# ---- helpers ----------------------------------------------------------------------------------
def _settings(args: argparse.Namespace) -> Config:
    """The configuration file's values with the command line's on top."""
    path = None if args.isolated else (Path(args.config) if args.config else find_config())
    if path is not None and not path.is_file():
        raise UsageError(f"配置文件不存在：{path}")
    config = load_config(path)
    for key, attr in (("select", "select"), ("ignore", "ignore"), ("fail-on", "fail_on"),
                      ("agency", "agency"), ("year", "year"), ("baseline", "baseline"),
                      ("blank-cells", "blank_cells"), *OPTION_KEYS):
        config.override(key, getattr(args, attr, None))
    if args.rules:          # extra packs on the command line add to those of the file
        config.override("rules", config.get("rules") + [str(Path(r).resolve()) for r in args.rules])
    return config


def _load_rules(config: Config) -> list[Rule]:
    """All loaded rules; every select/ignore code must name a rule or a prefix of one."""
    rules = load_packs(config.get("rules"))
    codes = config.selection().codes() + [c for ignored in config.get("per-path").values() for c in ignored]
    for code in codes:
        if code != "ALL" and not any(code_matches(rule_id, [code]) for rule_id in [*(r.id for r in rules),
                                                                                    *tool_rules()]):
            raise UsageError(f"未知的规则编号或前缀：{code}")
    return rules


def _files(paths: list[str]) -> list[Path]:
    files, missing = collect_paths(paths)
    if missing:
        raise UsageError(f"无法审核的路径：{'、'.join(missing)}")
    if not files:
        print(f"{PROG}: warning: 未找到可审核的文件（{_SUFFIXES}）", file=sys.stderr)
    return files


@contextlib.contextmanager
def _output(path: str | None) -> Iterator[IO[str]]:
    if path is None:
        yield sys.stdout
        return
    try:
        out = open(path, "w", encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"无法写入输出文件 {path}：{exc.strerror or exc}") from None
    with out:
        yield out


def _utf8_streams() -> None:
    """Chinese output must not fail under a non-UTF-8 locale: write UTF-8 whatever the locale."""
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper) and stream.encoding.lower().replace("-", "") != "utf8":
            stream.reconfigure(encoding="utf-8")


def _use_color(args: argparse.Namespace, out: IO[str]) -> bool:
    return (not args.no_color and not os.environ.get("NO_COLOR")
            and out is sys.stdout and out.isatty())


# ---- subcommands ------------------------------------------------------------------------------
def _auditor(config: Config) -> Auditor:
    return Auditor(rules=_load_rules(config), selection=config.selection(), fail_on=config.get("fail-on"))


def _audit_all(args: argparse.Namespace, chain: ResultChain, auditor: Auditor) -> Iterator[ReportResult]:
    """Each file's result through the chain `batch` uses too (per-path ignores, baseline, verdict),
    each audited within the budget per file (engine/evaluation/budget.py)."""
    ctx = chain.context(Context(published=getattr(args, "published", None),
                                agency_kind=getattr(args, "agency_kind", None)))
    budget = budget_from(chain.config)
    for path in _files(args.paths):
        yield chain.finish(auditor.audit_within(path, ctx, budget))


def _check(args: argparse.Namespace) -> int:
    config = _settings(args)
    auditor = _auditor(config)
    baseline = _load_baseline(config.get("baseline"))
    summary = Summary()
    with _check_renderer(args, auditor) as renderer:
        renderer.start()
        for result in _audit_all(args, ResultChain(config, baseline), auditor):
            summary.add(result)
            renderer.add(result)
        renderer.finish(summary)
    if baseline is not None:
        _report_waivers(baseline)
    return EXIT_OK if summary.all_pass or args.exit_zero else EXIT_FAIL


def _load_baseline(path: str | None) -> Baseline | None:
    try:
        return Baseline.load(path) if path else None
    except BaselineError as exc:
        raise UsageError(str(exc)) from None


def _report_waivers(baseline: Baseline) -> None:
    """Expired waivers (their findings are shown again) and waivers that matched nothing."""
    shown: set[int] = set()
    for w in baseline.expired_hits:
        if id(w) not in shown:
            shown.add(id(w))
            print(f"{PROG}: warning: 豁免已于 {w.expires} 过期，问题重新显示：{w.rule} {w.report}", file=sys.stderr)
    for w in baseline.unused():
        print(f"{PROG}: warning: 豁免未匹配任何问题（可删除）：{w.rule} {w.report} {w.message[:40]}",
              file=sys.stderr)


def _baseline(args: argparse.Namespace) -> int:
    config = _settings(args)
    auditor = _auditor(config)
    data = make_baseline(_audit_all(args, ResultChain(config), auditor), args.reason, args.approved_by,
                         args.expires)
    with _output(args.output) as out:
        out.write(dumps(data, indent=2) + "\n")
    print(f"已记录 {len(data['waivers'])} 条豁免到 {args.output}", file=sys.stderr)
    return EXIT_OK


def _batch(args: argparse.Namespace) -> int:
    from xxgk_audit.engine.app import batch_command  # imported on use: Jinja2, numpy
    from xxgk_audit.engine.batch.steps import BatchSettings, progress_printer
    from xxgk_audit.engine.batch.manifest import ManifestError, read_expected, read_manifest
    from xxgk_audit.engine.batch.lock import BatchLocked, OutputError
    from xxgk_audit.engine.batch.workers import default_jobs

    config = _settings(args)
    rules = config.selection().apply(_load_rules(config))
    chain = ResultChain(config, _load_baseline(config.get("baseline")))
    source = Path(args.input)
    try:
        items = read_manifest(source) if source.is_file() else [(path, Context()) for path in _files([args.input])]
        expected = (read_expected(source) if source.is_file() else []) + \
            (read_expected(Path(args.expect)) if args.expect else [])
    except ManifestError as exc:
        raise UsageError(str(exc)) from None
    items = [(path, chain.context(ctx)) for path, ctx in items]
    scheduler = None
    if args.executor == "dask":
        scheduler = args.scheduler or "local"
        if importlib.util.find_spec("distributed") is None:
            raise UsageError("--executor dask 需要安装 dask[distributed]（pip install \"xxgk-audit[dask]\"）")
    elif args.scheduler:
        raise UsageError("--scheduler 只用于 --executor dask")
    jobs = args.jobs or default_jobs()
    if jobs < 1:
        raise UsageError("--jobs 须为正整数")
    outdir = Path(args.out)
    settings = BatchSettings(tuple(config.get("rules")), config.selection(), config.get("fail-on"),
                             page_renderer=None if args.no_pages else batch_command.batch_page,
                             budget=budget_from(config))
    job = batch_command.BatchJob(items, str(source), outdir, Path(args.store or outdir / "audit.db"), settings,
                                 jobs, scheduler, chain, expected=expected, blank_cells=config.get("blank-cells"))
    try:
        outcome = batch_command.run(job, rules, progress_printer() if sys.stderr.isatty() else None)
    except (BatchLocked, OutputError) as exc:
        raise UsageError(str(exc)) from None
    counts, summary = outcome.counts, outcome.summary
    kept = "；结果与上次相同，沿用已有输出" if outcome.outputs_kept else ""
    print(f"共 {counts.files} 份报告：审核 {counts.audited}，未变化跳过 {counts.skipped}，无法审核 {counts.errors}；"
          f"通过 {summary['pass']}，不通过 {summary['fail']}；经审核驳回 {summary.get('dismissed', 0)} 条；"
          f"跨报告问题 {outcome.cross_findings} 条"
          f"（cross_report.json）{kept}。结果：{outdir / 'index.html'}", file=sys.stderr)
    return EXIT_OK if outcome.all_pass or args.exit_zero else EXIT_FAIL


def _history(args: argparse.Namespace) -> int:
    from xxgk_audit.engine.batch.store import Store

    if not Path(args.store).is_file():
        raise UsageError(f"结果库不存在：{args.store}")
    store = Store(args.store)
    found = False
    for year, path, status, findings in store.history(args.agency):
        found = True
        print(f"{year or '？'} 年度  {path}  {status}  问题 {len(findings)} 条")
        for rule, severity, message in findings:
            print(f"    {rule} [{SEVERITY_LABELS[severity]}] {message}")
    store.close()
    if not found:
        print(f"结果库中没有机关「{args.agency}」的报告", file=sys.stderr)
        return EXIT_FAIL
    return EXIT_OK


def _config(args: argparse.Namespace) -> int:
    config = _settings(args)
    for key, (_, description) in KEYS.items():
        print(f"{key} = {dumps(config.get(key))}    # {description}；来源：{config.describe(key)}")
    return EXIT_OK


@contextlib.contextmanager
def _check_renderer(args: argparse.Namespace, auditor: Auditor) -> Iterator[Renderer]:
    """The renderer of `check`; html on several reports or a folder writes a folder of pages."""
    if args.format == "html":           # imported on use: Jinja2 slows every start
        from xxgk_audit.reports.html import HtmlBatchRenderer, HtmlPageRenderer
    if args.format == "html" and not _single_file(args.paths):
        if args.output is None:
            raise UsageError("--format html 审核多份报告或目录时须用 --output 指定输出目录")
        outdir = Path(args.output)
        if outdir.exists() and not outdir.is_dir():
            raise UsageError(f"--output 应为目录：{outdir} 是文件")
        try:
            yield HtmlBatchRenderer(outdir, auditor.rules)
        except OSError as exc:
            raise UsageError(f"无法写入输出目录 {outdir}：{exc.strerror or exc}") from None
        return
    with _output(args.output) as out:
        if args.format == "html":
            yield HtmlPageRenderer(out, auditor.rules)
        else:
            yield make_renderer(args.format, out, color=_use_color(args, out), rules=auditor.rules)


def _single_file(paths: list[str]) -> bool:
    return len(paths) == 1 and Path(paths[0]).is_file()


def _report_model(path: Path) -> dict:
    return report_model(read_report(path))


def _unread(limit: str, evidence: dict) -> dict:
    raise ReadError(describe_overrun(limit, evidence))


def _extract(args: argparse.Namespace) -> int:
    files = _files(args.paths)
    single = _single_file(args.paths)
    status = EXIT_OK
    with _output(args.output) as out:
        writer = None if single else JsonListWriter(out)
        for path in files:
            try:        # within the default budget per file, as check reads it
                data = run_within(_report_model, (path,), DEFAULT_BUDGET, _unread)
            except ReadError as exc:
                print(f"{PROG}: error: 无法读取 {path}：{exc}", file=sys.stderr)
                status = EXIT_FAIL
                continue
            if writer is None:
                out.write(dumps(data, indent=2) + "\n")
            else:
                writer.add(data)
        if writer is not None:
            writer.finish()
    return status


def _rules(args: argparse.Namespace) -> int:
    if (args.action == "show") != (args.rule_id is not None):
        raise UsageError("用法：rules show ID" if args.action == "show" else f"多余的参数：{args.rule_id}")
    config = _settings(args)
    rules = config.selection().apply(_load_rules(config))
    if args.action == "show":
        rule = next((r for r in rules if r.id == args.rule_id.upper()), None)
        if rule is None:
            raise UsageError(f"未知规则：{args.rule_id}")
        print(rule_page(rule))
        return EXIT_OK
    if args.action == "fields":
        print(fields_markdown(), end="")
        return EXIT_OK
    if args.action == "test":
        results = run_examples(rules)
        print(example_results_text(results))
        return EXIT_OK if all(r.ok for r in results) else EXIT_FAIL
    print(rule_table(rules))
    return EXIT_OK


# ---- entry point ------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit code (argparse's own exits included)."""
    _utf8_streams()
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:           # --help, --version, or a usage error printed by argparse
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    try:
        return args.run(args)
    except (UsageError, RuleError, ConfigError) as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:             # the reader of our output went away (`| head`)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except Exception as exc:            # final guard: one line, no traceback
        reason = str(exc).splitlines()[0] if str(exc) else ""
        print(f"{PROG}: error: 内部错误：{type(exc).__name__}: {reason}", file=sys.stderr)
    return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
