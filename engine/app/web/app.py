"""The review web app: routes over the result store (Starlette; `xxgk-audit serve` runs it on uvicorn).

    GET  /                 batch index (latest version of each agency and year), search, upload form
    GET  /report/{id}      a report's page with a decision form on each finding
    POST /decide           record a decision (CSRF token required), back to the finding
    POST /upload           a new or corrected report: stored under the store's folder, audited at once
    GET  /compare/{id}     a corrected report against its earlier version: 已整改 / 仍存在 / 新增
    GET  /export           ?agency=A[&year=Y]&format=xlsx|docx: the rectification list

Store work runs in Starlette's thread pool, each request on its own SQLite connection. Every
error is a page with a 4xx status and one line saying why; an unexpected one is a 500 page
without a traceback.
"""

from __future__ import annotations

import contextlib
import itertools
import re
import secrets
import tempfile
import time
import unicodedata
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import quote

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from xxgk_audit.engine.app.config import Config
from xxgk_audit.engine.app.results import ResultChain
from xxgk_audit.engine.app.review_command import export
from xxgk_audit.engine.app.web.security import Guard, GuardMiddleware, check_csrf
from xxgk_audit.engine.batch import review
from xxgk_audit.engine.batch.steps import stored_audit
from xxgk_audit.engine.batch.store import Store, content_hash, rules_version
from xxgk_audit.engine.evaluation.audit import MAX_FILE_BYTES, Auditor, ReportResult
from xxgk_audit.engine.evaluation.facts import Context
from xxgk_audit.engine.evaluation.findings import Finding
from xxgk_audit.engine.model.vocabulary import NOT_APPLICABLE, NOT_ASSESSABLE, VERDICT_LABELS
from xxgk_audit.engine.model.report import Report
from xxgk_audit.engine.readers import READERS, UnsupportedDocument, read_document, sniff
from xxgk_audit.reports.html_index import BatchIndex
from xxgk_audit.reports.html_review import (AppRow, Compared, Review, app_policy, render_app_index, render_app_page,
                                            render_compare, render_error)

__all__ = ["create_app", "UPLOAD_FOLDER", "INDEX_LIMIT"]

UPLOAD_FOLDER = "uploads"           # beside the store
INDEX_LIMIT = 500                   # rows the index shows at most (search narrows it)
_SUFFIX = {"pdf": ".pdf", "docx": ".docx", "html": ".html", "txt": ".txt"}
_UNSAFE = re.compile(r"[^\w\u4e00-\u9fff.-]+")
_ANCHOR = re.compile(r"f-\d{1,5}")
_FORM_OVERHEAD = 64 * 1024          # multipart boundaries and the small fields around a file


def create_app(store_path: Path, guard: Guard, auditor: Auditor | None = None, chain: ResultChain | None = None,
               max_upload: int = MAX_FILE_BYTES) -> Starlette:
    """The app over the store at `store_path` (which must exist); uploads are audited by `auditor`
    (the bundled rule packs by default) and refused above `max_upload` bytes; results are shown
    after review decisions and then `chain` (per-path ignores, baseline, verdict), as `batch` does."""
    auditor = auditor or Auditor()
    web = _Web(store_path, guard, auditor, chain or ResultChain(Config()), max_upload)
    routes = [Route("/", web.index), Route("/report/{report_id:int}", web.report),
              Route("/decide", web.decide, methods=["POST"]), Route("/upload", web.upload, methods=["POST"]),
              Route("/compare/{report_id:int}", web.compare), Route("/export", web.export)]
    app = Starlette(routes=routes, exception_handlers={HTTPException: _http_error, Exception: _server_error})
    app.add_middleware(GuardMiddleware, guard=guard, policy=app_policy() + "; frame-ancestors 'none'", error_page=render_error)
    return app


async def _http_error(request: Request, exc: Exception) -> Response:
    status = exc.status_code if isinstance(exc, HTTPException) else 400
    detail = exc.detail if isinstance(exc, HTTPException) and isinstance(exc.detail, str) else "请求有误"
    if status == 404 and detail == "Not Found":
        detail = "没有这个页面。"
    elif status == 405:
        detail = "不支持此请求方法。"
    return HTMLResponse(render_error(status, detail), status_code=status)


async def _server_error(request: Request, exc: Exception) -> Response:
    return HTMLResponse(render_error(500, f"内部错误（{type(exc).__name__}），请求未完成。"), status_code=500)


class _Web:
    def __init__(self, store_path: Path, guard: Guard, auditor: Auditor, chain: ResultChain, max_upload: int):
        self.store_path, self.guard, self.auditor, self.max_upload = store_path, guard, auditor, max_upload
        self.chain = chain
        self.rules = {rule.id: rule for rule in auditor.rules}
        self.fail_on = chain.fail_on

    @contextlib.contextmanager
    def store(self) -> Iterator[Store]:
        store = Store(self.store_path)
        try:
            yield store
        finally:
            store.close()

    # ---- pages ---------------------------------------------------------------------------------
    def index(self, request: Request) -> Response:
        query = {k: _field(request.query_params.get(k, ""), 100) for k in ("agency", "parent", "year", "status")}
        with self.store() as store:
            review.index_fingerprints(store)
            ids = review.latest_report_ids(store)
            meta = {row[0]: row[1:] for row in store.db.execute(
                f"SELECT id, agency, parent, year FROM reports WHERE id IN ({','.join('?' * len(ids))})", ids)}
            years = sorted({m[2] for m in meta.values() if m[2] is not None}, reverse=True)
            matched = [i for i in ids if _matches(meta[i], query)]
            computed = (self._row(store, i, meta[i][1]) for i in matched)
            rows = list(itertools.islice((row for row in computed
                                          if not query["status"] or row.row.status == query["status"]), INDEX_LIMIT))
        rows.sort(key=lambda a: (a.row.agency or "", a.row.year or 0, a.row.path))
        html = render_app_index(rows, query, years, self.guard.csrf, INDEX_LIMIT, len(ids),
                                sum(a.dismissed for a in rows))
        return HTMLResponse(html)

    def _row(self, store: Store, report_id: int, parent: str | None) -> AppRow:
        h = review.honoured(store, report_id, self.fail_on)
        index = BatchIndex()
        index.add(self.chain.finish(h.result), None)
        decided = [h.decision(n).decision for n in range(len(h.fingerprints))]
        rep = h.audited.report
        count = len(review.versions(store, rep.agency if rep else None, rep.year if rep else None, h.audited.path))
        checks = [c for c in h.audited.checks if c.status != NOT_APPLICABLE]
        return AppRow(index.rows[0], report_id, parent, h.dismissed, decided.count("confirmed"),
                      decided.count("pending"), count, sum(c.status != NOT_ASSESSABLE for c in checks), len(checks))

    def report(self, request: Request) -> Response:
        report_id = request.path_params["report_id"]
        with self.store() as store:
            _known(store, report_id)
            review.index_fingerprints(store)
            h = review.honoured(store, report_id, self.fail_on)
            states = {i.fingerprint: i for i in review.report_review(store, report_id) if i.report_id == report_id}
            digest = store.db.execute("SELECT content_hash FROM reports WHERE id = ?", (report_id,)).fetchone()[0]
        audited = h.audited
        whole = _read_again(audited.path, digest) or audited.report
        result = ReportResult(audited.path, audited.status, whole, audited.findings, audited.checks, audited.error)
        reviews = {id(f): _review(h.decision(n), states.get(h.fingerprints[n])) for n, f in enumerate(audited.findings)}

        def review_of(finding: Finding) -> Review | None:
            return reviews.get(id(finding))

        shown = self.chain.finish(h.result)
        html = render_app_page(result, self.rules, review_of, report_id, VERDICT_LABELS[shown.status],
                               shown.status, h.dismissed, self.guard.csrf)
        return HTMLResponse(html)

    def compare(self, request: Request) -> Response:
        report_id = request.path_params["report_id"]
        with self.store() as store:
            _known(store, report_id)
            path, agency, year = store.db.execute("SELECT path, agency, year FROM reports WHERE id = ?",
                                                  (report_id,)).fetchone()
            found = review.versions(store, agency, year, path)
            items = review.report_review(store, report_id)
        earlier = found[-2].path if len(found) > 1 else None
        compared = Compared(report_id, agency, year, path, earlier,
                            [(state, review.STATES[state], [i for i in items if i.state == state])
                             for state in ("resolved", "open", "new")])
        return HTMLResponse(render_compare(compared))

    # ---- actions -------------------------------------------------------------------------------
    async def decide(self, request: Request) -> Response:
        async with request.form(max_files=0, max_fields=10) as form:
            check_csrf(self.guard, form.get("csrf"))
            fields = {k: _field(form.get(k), 2100) for k in ("fingerprint", "decision", "comment", "reviewer",
                                                           "report", "anchor")}
        if fields["decision"] not in review.DECISIONS:
            raise HTTPException(400, f"未知的审核决定：{fields['decision'] or '（空）'}")

        def record() -> None:
            with self.store() as store:
                review.set_decision(store, fields["fingerprint"], fields["decision"], fields["comment"],
                                    fields["reviewer"])
        try:
            await run_in_threadpool(record)
        except review.ReviewError as exc:
            raise HTTPException(400, str(exc)) from None
        back = f"/report/{fields['report']}" if fields["report"].isdigit() else "/"
        if _ANCHOR.fullmatch(fields["anchor"]):
            back += f"#{fields['anchor']}"
        return RedirectResponse(back, status_code=303)

    async def upload(self, request: Request) -> Response:
        try:
            length = int(request.headers["content-length"])
        except (KeyError, ValueError):
            raise HTTPException(411, "上传须给出 Content-Length。") from None
        if length > self.max_upload + _FORM_OVERHEAD:
            raise HTTPException(413, f"文件过大：上限 {self.max_upload} 字节。")
        async with request.form(max_files=1, max_fields=8) as form:
            check_csrf(self.guard, form.get("csrf"))
            sent = form.get("file")
            if not isinstance(sent, UploadFile) or not sent.filename:
                raise HTTPException(400, "请选择要上传的报告文件。")
            data = await sent.read(self.max_upload + 1)
            name = sent.filename
            agency, parent = _field(form.get("agency"), 100), _field(form.get("parent"), 100)
            year_text = _field(form.get("year"), 4)
        if len(data) > self.max_upload:
            raise HTTPException(413, f"文件过大：上限 {self.max_upload} 字节。")
        if year_text and not re.fullmatch(r"\d{4}", year_text):
            raise HTTPException(400, f"无效年度：{year_text}（应为四位数字）")
        ctx = self.chain.context(Context(agency=agency or None, year=int(year_text) if year_text else None,
                                         parent=parent or None))
        report_id, status = await run_in_threadpool(self._audit_upload, data, name, ctx)
        return RedirectResponse(f"/report/{report_id}" if status == "error" else f"/compare/{report_id}",
                                status_code=303)

    def _audit_upload(self, data: bytes, name: str, ctx: Context) -> tuple[int, str]:
        """Store the upload under the store's folder (a sanitised name, the suffix of the kind its
        content shows) and audit it with the readers' limits; never executed or opened otherwise."""
        if not data.strip():
            raise HTTPException(400, "上传的文件为空。")
        kind = sniff(data, name)
        if kind not in READERS or kind not in _SUFFIX:
            raise HTTPException(415, f"不支持的文件类型（按内容识别为 {kind}）：请上传 TXT、HTML、DOCX 或 PDF。")
        folder = self.store_path.parent / UPLOAD_FOLDER
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"{time.strftime('%Y%m%d-%H%M%S')}-{secrets.token_hex(3)}-{_safe_name(name)}{_SUFFIX[kind]}"
        target.write_bytes(data)
        result, record = stored_audit(self.auditor.audit_path(target, ctx), ctx)
        with self.store() as store:
            version = rules_version(self.auditor.rules)
            run_id = store.start_run(f"upload:{target.name}", version, 1)
            report_id = store.save(run_id, content_hash(data), version, result, record)
            store.finish_run(run_id, files=1, audited=1, skipped=0, errors=int(result.status == "error"))
        return report_id, result.status

    def export(self, request: Request) -> Response:
        agency = _field(request.query_params.get("agency"), 100)
        year_text = _field(request.query_params.get("year"), 4)
        fmt = request.query_params.get("format", "xlsx")
        if not agency:
            raise HTTPException(400, "请指定机关（agency）。")
        if fmt not in ("xlsx", "docx"):
            raise HTTPException(400, f"未知的导出格式：{fmt}（应为 xlsx 或 docx）")
        if year_text and not year_text.isdigit():
            raise HTTPException(400, f"无效年度：{year_text}")
        year = int(year_text) if year_text else None
        with self.store() as store, tempfile.TemporaryDirectory(prefix="xxgk-export-") as folder:
            if store.db.execute("SELECT 1 FROM reports WHERE agency = ? LIMIT 1", (agency,)).fetchone() is None:
                raise HTTPException(404, f"结果库中没有机关「{agency}」的报告。")
            target = Path(folder) / f"export.{fmt}"
            export(store, agency, year, target)
            data = target.read_bytes()
        title = f"{agency}{year or ''}{'整改清单' if fmt == 'xlsx' else '整改通知'}.{fmt}"
        media = ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" if fmt == "xlsx" else
                 "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
        return Response(data, media_type=media,
                        headers={"content-disposition": f"attachment; filename=\"rectification.{fmt}\"; "
                                                        f"filename*=UTF-8''{quote(title)}"})


# ---- helpers ----------------------------------------------------------------------------------
def _field(value: Any, limit: int) -> str:
    """A form or query field as text, trimmed; 400 when over `limit` characters."""
    if value is None or isinstance(value, UploadFile):
        return ""
    text = str(value).strip()
    if len(text) > limit:
        raise HTTPException(400, f"字段过长（上限 {limit} 字）。")
    return text


def _matches(meta: tuple[str | None, str | None, int | None], query: dict[str, str]) -> bool:
    agency, parent, year = meta
    return ((not query["agency"] or query["agency"] in (agency or ""))
            and (not query["parent"] or query["parent"] in (parent or ""))
            and (not query["year"] or query["year"] == str(year)))


def _known(store: Store, report_id: int) -> None:
    if store.db.execute("SELECT 1 FROM reports WHERE id = ?", (report_id,)).fetchone() is None:
        raise HTTPException(404, f"结果库中没有编号为 {report_id} 的报告。")


def _review(decision: review.Decision, item: review.ReviewItem | None) -> Review:
    return Review(decision.fingerprint, decision.decision, decision.label, item.state if item else None,
                  item.state_label if item else None, decision.comment or "", decision.reviewer or "",
                  decision.decided_at_iso)


def _read_again(path: str, digest: str) -> Report | None:
    """The report read again for its page (tables, lines), if its file is still there unchanged."""
    file = Path(path)
    try:
        if not file.is_file() or file.stat().st_size > MAX_FILE_BYTES:
            return None
        data = file.read_bytes()
        return read_document(file, data) if content_hash(data) == digest else None
    except (OSError, UnsupportedDocument):
        return None


def _safe_name(name: str) -> str:
    """A file name's stem reduced to letters, digits, CJK, dot and dash (no path, at most 60)."""
    stem = unicodedata.normalize("NFKC", name).replace("\\", "/").rsplit("/", 1)[-1].rsplit(".", 1)[0]
    return _UNSAFE.sub("-", stem).strip(".-")[:60] or "report"
