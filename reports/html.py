"""HTML output: `check --format html`, a page per report and, for a batch, an index beside them.

One report (`check FILE --format html [--output PAGE.html]`): its page, to a file or standard
output. Several reports or a folder (`--output OUTDIR`): OUTDIR/index.html, one page per report
(written as soon as it is audited, then dropped), findings.csv and findings.xlsx.

The pages are self-contained and safe to open from disk: CSS and the index's script are inline,
icons and charts are inline SVG, nothing is loaded from anywhere. Jinja2 autoescapes everything;
a Content-Security-Policy meta tag allows only the page's own style and script, by their SHA-256
hashes, so even text from a report that escaped escaping could not run.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import dataclasses
from pathlib import Path
from typing import IO, TYPE_CHECKING

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from xxgk_audit.engine import __version__
from xxgk_audit.engine.evaluation.audit import ReportResult
from xxgk_audit.engine.model.names import shown
from xxgk_audit.engine.model.vocabulary import SEVERITY_LABELS
from xxgk_audit.engine.rulelang.rulepack import Rule
from . import Summary
from .escape import xml_text
from .findings_export import FindingsExport
from .html_index import BatchIndex, page_name
from .html_stats import stats_view, trend_view
from .html_view import build_page

if TYPE_CHECKING:
    from xxgk_audit.engine.figures.coverage import Coverage
    from xxgk_audit.engine.figures.stats import Statistics
    from xxgk_audit.engine.figures.trend import Trend

__all__ = ["HtmlPageRenderer", "HtmlBatchRenderer", "render_page", "INDEX_NAME", "CSV_NAME", "XLSX_NAME"]

TEMPLATES = Path(__file__).parent / "templates"
INDEX_NAME, CSV_NAME, XLSX_NAME = "index.html", "findings.csv", "findings.xlsx"


@functools.cache
def _environment() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True, undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    css = (TEMPLATES / "style.css").read_text(encoding="utf-8")
    script = (TEMPLATES / "index.js").read_text(encoding="utf-8")
    env.globals.update(css=css, index_script=script, version=__version__, SEVERITY_LABELS=SEVERITY_LABELS,
                       csp_page=_csp(css), csp_index=_csp(css, script))
    return env


def _csp(css: str, script: str | None = None) -> str:
    """Nothing may load; only this style (and this script) may apply, by hash."""
    policy = f"default-src 'none'; style-src {_hash(css)}; base-uri 'none'; form-action 'none'"
    return policy + (f"; script-src {_hash(script)}" if script is not None else "")


def _hash(text: str) -> str:
    digest = base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")
    return f"'sha256-{digest}'"


def _by_id(rules: list[Rule]) -> dict[str, Rule]:
    return {rule.id: rule for rule in rules}


def render_page(result: ReportResult, rules: dict[str, Rule], index_href: str | None = None,
                trend: "Trend | None" = None) -> str:
    """One report's page; `index_href` links back to the batch index; `trend`: its agency's key
    figures over the years (batch)."""
    page = build_page(_named(result), rules, index_href)
    html = _environment().get_template("report.html.j2").render(page=page, trend=trend_view(trend))
    return xml_text(html)       # no control characters


def _named(result: ReportResult) -> ReportResult:
    """The result with its path as a page can show it (engine/model/names.py)."""
    path = shown(result.path)
    return result if path == result.path else dataclasses.replace(result, path=path)


class HtmlPageRenderer:
    """`check FILE --format html`: the report's page, written to `out`."""

    def __init__(self, out: IO[str], rules: list[Rule]):
        self.out = out
        self.rules = _by_id(rules)

    def start(self) -> None:
        return None

    def add(self, result: ReportResult) -> None:
        self.out.write(render_page(result, self.rules))

    def finish(self, summary: Summary) -> None:
        return None


class HtmlBatchRenderer:
    """`check DIR --format html --output OUTDIR`: pages, index, findings.csv and findings.xlsx."""

    def __init__(self, outdir: Path, rules: list[Rule], pages: bool = True):
        self.outdir = outdir
        self.rules = _by_id(rules)
        self.pages = pages          # False: the index and the exports only (`batch --no-pages`)
        self.index = BatchIndex()
        self.export: FindingsExport | None = None

    def start(self) -> None:
        self.outdir.mkdir(parents=True, exist_ok=True)
        self.export = FindingsExport(self.outdir / CSV_NAME, self.outdir / XLSX_NAME)

    def add(self, result: ReportResult, number: int | None = None, write_page: bool = True) -> None:
        """Add the report's index row and export rows, and write its page unless `write_page` is
        False (`batch` has its workers draw the pages); `number` fixes the page's name across runs."""
        assert self.export is not None, "start() first"
        result = _named(result)
        name = page_name(number or len(self.index.rows) + 1, result.path) if self.pages else None
        if name is not None and write_page:
            (self.outdir / name).write_text(render_page(result, self.rules, INDEX_NAME), encoding="utf-8")
        self.index.add(result, name)
        self.export.add(result)

    def finish(self, summary: Summary, statistics: "Statistics | None" = None,
               coverage: "Coverage | None" = None) -> None:
        """Write the index; with `statistics` (batch) it has a 统计 section, with the `coverage`."""
        assert self.export is not None, "start() first"
        self.export.close()
        html = _environment().get_template("index.html.j2").render(
            summary=summary, rows=self.index.rows, filters=self.index.filters(),
            charts=[self.index.verdict_chart(summary), self.index.rule_chart()],
            csv_name=CSV_NAME, xlsx_name=XLSX_NAME,
            stats=stats_view(statistics, coverage) if statistics is not None else None)
        (self.outdir / INDEX_NAME).write_text(xml_text(html), encoding="utf-8")
