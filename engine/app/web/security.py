"""What guards the review app: the allowed Host names, the access token and the CSRF token.

- Host: only the names the app was bound to are answered (a page of another site whose name was
  pointed at 127.0.0.1 — DNS rebinding — gets 400).
- Access token: bound beyond loopback, every request must carry the token printed at start, as
  `?token=` (then kept in a cookie), the cookie, or `Authorization: Bearer`; whatever the client's
  address. On loopback there is none.
- CSRF: every form carries the app's CSRF token; `check_csrf` refuses a post without it.
Responses carry the pages' Content-Security-Policy and no-sniff/no-referrer headers.
"""

from __future__ import annotations

import ipaddress
import secrets
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

__all__ = ["Guard", "is_loopback", "check_csrf", "TOKEN_COOKIE"]

TOKEN_COOKIE = "xxgk_token"


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@dataclass
class Guard:
    """The app's secrets and the hosts it answers; `token` is None on loopback."""

    host: str
    port: int
    token: str | None = None
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(32))

    @classmethod
    def for_binding(cls, host: str, port: int) -> "Guard":
        return cls(host, port, None if is_loopback(host) else secrets.token_urlsafe(24))

    def host_allowed(self, header: str) -> bool:
        if self.token is not None:          # beyond loopback the token protects, whatever the name
            return True
        name = header.rsplit(":", 1)[0] if not header.endswith("]") else header
        return is_loopback(name.strip("[]")) or name == self.host

    def token_of(self, scope: Scope) -> str | None:
        headers = Headers(scope=scope)
        auth = headers.get("authorization", "")
        if auth.startswith("Bearer "):
            return auth[7:].strip()
        query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
        if "token" in query:
            return query["token"]
        for part in headers.get("cookie", "").split(";"):
            name, _, value = part.strip().partition("=")
            if name == TOKEN_COOKIE:
                return value
        return None


def check_csrf(guard: Guard, sent: object) -> None:
    """403 unless the form's CSRF token is the app's."""
    if not isinstance(sent, str) or not secrets.compare_digest(sent.encode(), guard.csrf.encode()):
        raise HTTPException(403, "表单缺少有效的 CSRF 令牌，请求被拒绝。请刷新页面后重试。")


class GuardMiddleware:
    """Host and token checks before anything else; security headers on every response."""

    def __init__(self, app: ASGIApp, guard: Guard, policy: str, error_page) -> None:
        self.app, self.guard, self.policy, self.error_page = app, guard, policy, error_page

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        if not self.guard.host_allowed(headers.get("host", "")):
            await self._refuse(400, "请求的主机名不被接受。", scope, receive, send)
            return
        if self.guard.token is not None:
            given = self.guard.token_of(scope)
            if given is None or not secrets.compare_digest(given.encode(), self.guard.token.encode()):
                await self._refuse(401, "需要访问令牌：请使用启动时显示的带 token 的地址。", scope, receive, send)
                return
            query = parse_qsl(scope.get("query_string", b"").decode("latin-1"))
            if any(k == "token" for k, _ in query) and scope["method"] == "GET":
                # keep the token in a cookie and drop it from the address (history, referrers)
                rest = urlencode([(k, v) for k, v in query if k != "token"])
                response = RedirectResponse(scope["path"] + (f"?{rest}" if rest else ""), status_code=303)
                response.set_cookie(TOKEN_COOKIE, self.guard.token, httponly=True, samesite="strict")
                await self._send(response, scope, receive, send)
                return

        async def secured(message: dict) -> None:
            if message["type"] == "http.response.start":
                extra = [(b"content-security-policy", self.policy.encode()), (b"x-content-type-options", b"nosniff"),
                         (b"referrer-policy", b"no-referrer"), (b"x-frame-options", b"DENY"),
                         (b"cache-control", b"no-store")]
                message["headers"] = list(message.get("headers", [])) + extra
            await send(message)

        await self.app(scope, receive, secured)

    async def _refuse(self, status: int, message: str, scope: Scope, receive: Receive, send: Send) -> None:
        await self._send(HTMLResponse(self.error_page(status, message), status_code=status), scope, receive, send)

    async def _send(self, response: Response, scope: Scope, receive: Receive, send: Send) -> None:
        response.headers["content-security-policy"] = self.policy
        response.headers["x-content-type-options"] = "nosniff"
        await response(scope, receive, send)
