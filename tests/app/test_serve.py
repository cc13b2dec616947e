"""`xxgk-audit serve` without a browser: the guards (CSRF, access token, Host), the limits on
uploads and the 4xx pages; a real uvicorn process on a free loopback port."""

from __future__ import annotations

import http.cookiejar
import re
import urllib.request
import uuid
from pathlib import Path
from typing import Iterator
from urllib.parse import urlencode

import pytest

from review_data import ARITH, Served, make_reports, run_batch


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("serve")
    run_batch(make_reports(base / "reports"), base / "out")
    return base / "out" / "audit.db"


@pytest.fixture(scope="module")
def served(store: Path) -> Iterator[Served]:
    server = Served(store)
    yield server
    server.stop()


def _multipart(fields: dict[str, str], file: tuple[str, bytes] | None) -> tuple[bytes, dict[str, str]]:
    boundary = uuid.uuid4().hex
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode() for k, v in fields.items()]
    if file is not None:
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{file[0]}"\r\n'
                     "Content-Type: application/octet-stream\r\n\r\n".encode() + file[1] + b"\r\n")
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    return body, {"Content-Type": f"multipart/form-data; boundary={boundary}"}


def _csrf(served: Served) -> str:
    status, page = served.request("/")
    assert status == 200
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)


def _clear_4xx(status: int, body: str, expected: int) -> None:
    assert status == expected
    assert "请求未能完成" in body and "Traceback" not in body


def test_loopback_by_default_with_the_pages_policy(served: Served) -> None:
    assert "仅本机可访问" in served.printed and served.token is None
    status, page = served.request("/")
    assert status == 200 and "审核汇总" in page
    policy = served.headers["content-security-policy"]
    assert policy.startswith("default-src 'none'; style-src 'sha256-") and "form-action 'self'" in policy
    assert "script-src" not in policy and "frame-ancestors 'none'" in policy
    assert "form-action &#39;self&#39;" in page, "the same policy in the page's meta tag"


def test_post_without_csrf_token_is_refused(served: Served) -> None:
    _, page = served.request("/")
    report = re.search(r'/report/(\d+)', page).group(1)
    _, report_page = served.request(f"/report/{report}")
    fp = re.search(r'name="fingerprint" value="(\w+)"', report_page).group(1)
    form = {"fingerprint": fp, "decision": "dismissed", "report": report}
    _clear_4xx(*served.request("/decide", urlencode(form).encode()), 403)
    _clear_4xx(*served.request("/decide", urlencode({**form, "csrf": "forged"}).encode()), 403)
    body, headers = _multipart({"agency": "x"}, ("a.txt", ARITH.encode()))
    _clear_4xx(*served.request("/upload", body, headers), 403)
    status, _ = served.request("/decide", urlencode({**form, "csrf": _csrf(served)}).encode())
    assert status == 200                      # redirected to the report page


def test_bad_requests_get_clear_4xx(served: Served) -> None:
    csrf = _csrf(served)
    _clear_4xx(*served.request("/report/999999"), 404)
    _clear_4xx(*served.request("/no/such/page"), 404)
    _clear_4xx(*served.request("/decide", urlencode({"csrf": csrf, "fingerprint": "0" * 32,
                                                    "decision": "confirmed"}).encode()), 400)
    _clear_4xx(*served.request("/decide", urlencode({"csrf": csrf, "fingerprint": "x", "decision": "drop"}).encode()), 400)
    _clear_4xx(*served.request("/export"), 400)
    _clear_4xx(*served.request("/export?" + urlencode({"agency": "无此机关"})), 404)
    _clear_4xx(*served.request("/", headers={"Host": "attacker.example"}), 400)
    body, headers = _multipart({"csrf": csrf}, ("evil.txt", b"\x7fELF\x02\x01\x01" + bytes(range(256)) * 8))
    _clear_4xx(*served.request("/upload", body, headers), 415)
    body, headers = _multipart({"csrf": csrf}, ("big.txt", b"a" * (20 * 1024 * 1024 + 10)))
    _clear_4xx(*served.request("/upload", body, headers), 413)
    body, headers = _multipart({"csrf": csrf, "year": "20x3"}, ("a.txt", ARITH.encode()))
    _clear_4xx(*served.request("/upload", body, headers), 400)


def test_upload_is_stored_under_the_store_folder_with_a_sanitised_name(served: Served, store: Path) -> None:
    body, headers = _multipart({"csrf": _csrf(served), "parent": "某县人民政府"},
                               ("../../逃逸 <b>名字</b>.exe", ARITH.replace("\n", "\n\n", 1).encode()))
    status, page = served.request("/upload", body, headers)
    assert status == 200 and "整改比较" in page
    saved = list((store.parent / "uploads").iterdir())
    assert len(saved) == 1 and saved[0].suffix == ".txt" and ".." not in saved[0].name and "<" not in saved[0].name
    assert "<b>名字</b>" not in page
    # searched by region (the parent given with the upload) and by agency
    _, found = served.request("/?" + urlencode({"parent": "某县"}))
    assert found.count("<tr data-status") == 1 and "某县交通运输局" in found and "某县人民政府" in found
    _, found = served.request("/?" + urlencode({"agency": "某镇"}))
    assert found.count("<tr data-status") == 1 and "某县交通运输局" not in found


def test_bound_beyond_loopback_every_request_needs_the_token(store: Path) -> None:
    server = Served(store, host="0.0.0.0")
    try:
        assert server.token and "访问令牌" in server.process.stdout.readline()
        _clear_4xx(*server.request("/"), 401)
        _clear_4xx(*server.request("/export?agency=x"), 401)
        _clear_4xx(*server.request("/?token=wrong"), 401)
        status, page = server.request("/", headers={"Authorization": f"Bearer {server.token}"})
        assert status == 200 and "审核汇总" in page
        browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        with browser.open(f"{server.base}/?token={server.token}") as response:     # kept in a cookie
            assert response.url == f"{server.base}/" and "审核汇总" in response.read().decode("utf-8")
        with browser.open(f"{server.base}/report/1") as response:
            assert response.status == 200
    finally:
        server.stop()
