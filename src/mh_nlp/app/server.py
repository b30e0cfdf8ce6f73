"""The web application: server-rendered pages (Jinja2, autoescaped), a small JSON API, and the security layer.

``create_app(data_dir, host=...)`` builds it; ``mh-nlp serve`` runs it with uvicorn.
"""
from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import itertools
import json
import os
import re
import secrets
import shutil
import sqlite3
import sys
import tempfile
import threading
import time
import unicodedata
from collections import Counter
from pathlib import Path
from typing import Any, Sequence
from urllib.parse import quote, unquote, urlencode, urlsplit

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader
from starlette.background import BackgroundTask
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect

from ..corpus.jsonl import CONTROL_CHARS, has_words
from ..corpus.records import load_taxonomy, quoted_sections, section_key
from ..io.readers import (MAX_CHARS, PACKAGE_SUFFIXES, SAVE_AS, SUFFIX_LIST, SUFFIXES, ReadError, TEXT_COLUMNS, TooBig,
                          exception_chain, read_statements, read_time_limit, reads_as)
from ..io.additions import formula
from ..io.safezip import Limits, check_zip
from .db import CHECK_FILTERS, NOT_A_STATEMENT, NOT_STATEMENT, Store, lock_data_folder, storage_problem
from ..io.kinds import read_kind
from ..themes.prediction import (UNCERTAIN_BELOW, nonstatement_json, not_dutch, prediction_json, shown_probability,
                                 shown_similarity)
from .engine import (CannotReadInOrder, Labeller, ModelWorker, NoModel, PreRead, Trainer, _file_missing, _replaced_by,
                     give_back_memory, local_time, one_per_text,
                     not_offered_message, not_offered_reason, ready_message, screen_words, slices)

HERE = Path(__file__).parent
MAX_UPLOAD = 20 * 1024 * 1024
MAX_TEXTS = 1000
MAX_HEADING = 500  # characters of a heading given with /api/classify (echoed with every answer)
MAX_REQUEST_CHARS = 100_000  # characters per classify request (each text counted up to MAX_CHARS)
MAX_STATEMENTS = 20_000  # statements per upload
MAX_READ_SECONDS = 60.0  # how long the upload check may read a PDF's pages (every other upload waits meanwhile)
MAX_JSON_BODY = 2_000_000  # bytes of a JSON request body (/api/classify's 100,000 characters fit with room to spare)
NO_BODY_LIMIT = 4_096  # bytes an endpoint that takes no body still reads (and checks are JSON)
MAX_UNPACKED_MB = Limits().max_unpacked_mb
MAX_ENTRIES = Limits().max_entries
TOKEN_COOKIE = "mh_token"
CSRF_COOKIE = "mh_csrf"
CSRF_SETTING = "csrf_secret"
TOKEN_SETTING = "access_token"  # kept in the data folder's database (this user's only), so a restart keeps it
WHO_COOKIE = "mh_who"
DEFAULT_WHO = "analyst"
PAGE_SIZE = 200
# the review page's and export's kind filter: final kinds (mh_nlp.io.kinds, or an analyst's "not a statement")
KIND_FILTERS = {"statement": ["statement"], "other": ["meta", "chatter", "not a statement"]}


def default_data_dir() -> Path:
    """``$MH_NLP_DATA_HOME``, else ``$XDG_DATA_HOME/mh-nlp``, else ``~/.local/share/mh-nlp``."""
    env = os.environ.get("MH_NLP_DATA_HOME")
    if env:
        return Path(env)
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "mh-nlp"


def is_wildcard(host: str) -> bool:
    """``host`` binds every address of the machine (0.0.0.0, ::)."""
    return host.strip("[]") in ("0.0.0.0", "::")


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class TooLarge(Exception):
    """An upload over a limit of what it may unpack to or hold (413)."""


class ApiError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


def browser_form_post(method: str, path: str, accept: str) -> bool:
    """A browser's form post to a page (not the API): its errors are shown as a page with a way back, not JSON."""
    return method == "POST" and not path.startswith("/api/") and "text/html" in accept


def browser_page(method: str, path: str, accept: str) -> bool:
    """A browser's request for a page (a link, a bookmark, a form post; not the API): its errors are a page too."""
    return method in ("GET", "HEAD", "POST") and not path.startswith("/api/") and "text/html" in accept


def _json_error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message.encode("utf-8", "backslashreplace").decode("utf-8")}, status_code=status)


MAX_ID = 2 ** 63 - 1  # SQLite's largest integer: a larger id names nothing (and must not reach the database)


def _digits(value: str) -> int | None:
    """``value`` as a whole number when it is plain ASCII digits (at most 40 of them), else None: ``1.0``, ``+1``,
    ``0x1`` or ``１`` (a full-width digit) are no number, where a lax conversion would have read them as 1."""
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 40 else None


def _row_id(value: int | str, what: str) -> int:
    """A path id as the database can hold it, else 404. Given as text, only plain digits name a row (:func:`_digits`:
    a DELETE must remove the row its address names, not another)."""
    number = _digits(value) if isinstance(value, str) else value
    if number is None or not 0 < number <= MAX_ID:
        raise ApiError(404, f"no {what} {str(value)[:40]}")
    return number


FLAG_ON, FLAG_OFF = ("1", "true", "yes", "on", "ja"), ("", "0", "false", "no", "off", "nee")


def _flag(params, name: str) -> bool:
    """A yes/no query parameter (``uncertain=1``, ``pseudonymise=yes``; any case): any other value is a 400 naming
    it, never silently "no" (QA 43a: ``pseudonymise=Yes`` exported the real names)."""
    value = (params.get(name) or "").strip().lower()
    if value in FLAG_ON:
        return True
    if value in FLAG_OFF:
        return False
    raise ApiError(400, f"{name} must be 1 (or yes, true, on) or 0 (or left out), not {params.get(name)[:40]!r}")


def _int_param(value: str | None) -> int | None:
    """A query parameter that should be a whole number (``doc=3``): None when it is empty (no filter), -1 when it
    is not a whole number the database can hold (``doc=-17``, ``doc=abc``): a filter that matches nothing, never one
    that is dropped and so lets every document through (an export filtered by document must hold that document
    only)."""
    if not value:
        return None
    number = _digits(value)
    return number if number is not None and number <= MAX_ID else -1


def _has_lone_surrogate(value: Any) -> bool:
    """True if any string in the parsed JSON holds a lone surrogate (``"\\ud800"``), which is no character and
    cannot be stored or written as UTF-8. Walks iteratively: the depth is the parser's business."""
    stack = [value]
    while stack:
        v = stack.pop()
        if isinstance(v, str):
            try:
                v.encode("utf-8")
            except UnicodeEncodeError:
                return True
        elif isinstance(v, dict):
            stack.extend(v.keys())
            stack.extend(v.values())
        elif isinstance(v, list):
            stack.extend(v)
    return False


# ---------------------------------------------------------------- security: host, origin, token, CSRF, size limit

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
JSON_TYPES = ("application/json",)
# No inline script or style anywhere (bar widths are classes of app.css); nothing may frame the screen.
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
       "form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
# GET routes that make the server do heavy work and put a file in the analyst's downloads: only from the screen itself
DOWNLOADS = ("/export",)
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-frame-options", b"DENY"),
    # same-origin, not no-referrer: under no-referrer Chromium sends `Origin: null` with the screen's own form
    # posts, which the Origin check must refuse. Other sites never receive a Referer either way.
    (b"referrer-policy", b"same-origin"),
    (b"x-content-type-options", b"nosniff"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
]


def _split_host(value: str) -> tuple[str, int | None] | None:
    """``name[:port]`` / ``[v6][:port]`` → (lower-case name without brackets, port or None); None if malformed."""
    value = value.strip().lower()
    if not value or any(c in value for c in "/\\@?# \t"):
        return None
    if value.startswith("["):
        end = value.find("]")
        if end < 0:
            return None
        name, rest = value[1:end], value[end + 1:]
        if rest and not rest.startswith(":"):
            return None
        port = rest[1:] if rest else None
    else:
        name, sep, port = value.partition(":")
        port = port if sep else None
        if ":" in (port or ""):
            return None
    if port is not None:
        if not (port.isascii() and port.isdigit() and len(port) <= 5) or not 0 < int(port) < 65536:
            return None
        return name, int(port)
    return name, None


_LABEL = r"[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?"


def allowed_host(value: str) -> tuple[str, int | None] | None:
    """A name for ``--allow-host`` as :func:`_split_host` reads it, when the name is one a Host header can carry: a
    DNS name (labels of letters, digits and hyphens, not at a label's ends) or an IP address. No wildcards
    (``*.example.org``), no empty name (``:80``): None."""
    parsed = _split_host(value)
    if parsed is None:
        return None
    name = parsed[0]
    if _is_ip(name):
        return parsed
    if re.fullmatch(r"[\d.]+", name):  # all digits and dots, and no IP address (256.1.1.1): a mistyped address
        return None
    if len(name) <= 253 and re.fullmatch(rf"{_LABEL}(?:\.{_LABEL})*\.?", name):
        return parsed
    return None


def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
        return True
    except ValueError:
        return False


class CsrfTokens:
    """Per-session CSRF tokens for the double-submit cookie: ``nonce.mac``, signed with a secret kept in the
    database (so a restart does not invalidate open pages); a token another site planted is not signed."""

    def __init__(self, secret: bytes):
        self.secret = secret

    def new(self) -> str:
        nonce = secrets.token_urlsafe(18)
        return f"{nonce}.{self._mac(nonce)}"

    def _mac(self, nonce: str) -> str:
        import hashlib
        import hmac

        return hmac.new(self.secret, nonce.encode(), hashlib.sha256).hexdigest()[:32]

    def valid(self, token: Any) -> bool:
        if not isinstance(token, str) or token.count(".") != 1 or len(token) > 100 or not token.isascii():
            return False
        nonce, mac = token.split(".")
        return secrets.compare_digest(mac.encode(), self._mac(nonce).encode())


def _same_token(given: str | None, token: str) -> bool:
    """Constant-time comparison that also takes non-ASCII input (then simply unequal)."""
    if not given:
        return False
    return secrets.compare_digest(given.encode("utf-8", "surrogateescape"), token.encode())


PRIVATE_PATH = "/s/"  # the screen's pages, under a path derived from its token (``Guard``)
_LINKS = re.compile(rb"""(\s(?:href|src|action|formaction)=["'])/(?!/)""")


def private_path(token: str) -> str:
    """The path the screen's pages live under when it has a token: ``/s/<key>``, the key derived from the token (so a
    restart with the kept token keeps it). Cookies are sent to every port of a host and are kept apart by path only
    (RFC 6265 §8.5): under this path, which no other page of the machine's address knows, the screen's cookies reach
    no other service on 127.0.0.1 (QA 52b S1), and cookies another port plants do not reach the screen (S2)."""
    import base64
    import hashlib
    import hmac

    key = hmac.new(token.encode("utf-8", "surrogateescape"), b"mh-nlp review screen path", hashlib.sha256).digest()
    return PRIVATE_PATH + base64.urlsafe_b64encode(key).decode()[:22]


class Guard:
    """ASGI middleware in front of every request:

    * Host: the bound address, ``localhost`` or a name given with ``--allow-host`` (DNS rebinding) → else 400;
    * with a token (``serve``: always) the token (``?token=`` once, then an HttpOnly cookie; ``Authorization:
      Bearer``) → else 403; a GET carrying the token in its URL is redirected to the same page under the screen's
      private path (:func:`private_path`), without it. The pages live there: its cookies (the token's, the CSRF
      cookie, the analyst's name), named with the path's key and scoped to it, are taken there only, so no other
      service of the machine's address receives them and none it plants is read; the links, form actions and
      redirects the app writes as ``/...`` are written under the path. A script may still use ``/api/...`` with a
      Bearer token;
    * writes (POST, ...): an ``Origin`` (or, without it, a ``Referer``) must be this server; ``null`` is refused;
      a request with neither (a script, curl) passes; writes to ``/api/`` must be ``application/json`` (415);
    * the body limit (413); the security headers on every response; the per-session CSRF cookie that the
      pages' forms carry back (checked by the form endpoints);
    * an unexpected error answers a 500 JSON message and keeps the connection (no re-raise).
    """

    def __init__(self, app, token: str | None, max_body: int, host: str = "127.0.0.1",
                 allow_hosts: tuple[str, ...] = (), csrf: CsrfTokens | None = None):
        self.app = app
        self.token = token
        self.max_body = max_body
        self.host = host.strip("[]").lower()
        self.allow_hosts = [h for h in (allowed_host(a) for a in allow_hosts) if h]
        self.csrf = csrf
        self.prefix = private_path(token) if token is not None else ""
        self.cookie_suffix = "_" + self.prefix.rsplit("/", 1)[-1][:10] if token is not None else ""

    def _private(self, send):
        """The ``send`` of a request under the private path: its redirects and the links of its pages (``/...``) go
        under the path, and the cookies the app sets get the path's name and scope."""
        prefix, suffix = self.prefix.encode(), self.cookie_suffix.encode()
        pending: dict = {}

        def headers_of(message) -> list:
            out = []
            for k, v in message.get("headers", []):
                if k.lower() == b"location" and v.startswith(b"/") and not v.startswith(b"//"):
                    v = prefix + v
                elif k.lower() == b"set-cookie" and b"=" in v:  # Path=/ is /s/<key> (and below), Path=/x /s/<key>/x
                    name, rest = v.split(b"=", 1)
                    v = name + suffix + b"=" + re.sub(rb"(?i)(;\s*path=)(/[^;]*)", lambda m: m.group(1) + prefix + (
                        b"" if m.group(2).rstrip() == b"/" else m.group(2)), rest)
                out.append((k, v))
            return out

        async def private_send(message):
            if message["type"] == "http.response.start":
                message = dict(message, headers=headers_of(message))
                ctype = next((v for k, v in message["headers"] if k.lower() == b"content-type"), b"")
                if ctype.startswith(b"text/html"):  # its links are written under the path once the page is whole
                    pending["start"], pending["body"] = message, b""
                    return None
                return await send(message)
            if message["type"] == "http.response.body" and "start" in pending:
                pending["body"] += message.get("body", b"")
                if message.get("more_body"):
                    return None
                body = _LINKS.sub(rb"\1" + prefix + b"/", pending.pop("body"))
                start = pending.pop("start")
                start["headers"] = [(k, v) for k, v in start["headers"] if k.lower() != b"content-length"] + [
                    (b"content-length", str(len(body)).encode())]
                await send(start)
                return await send({"type": "http.response.body", "body": body})
            return await send(message)

        return private_send

    @staticmethod
    async def _reply(send, status: int, message: str, headers: list | None = None, html: bool = False,
                     back: bool = True) -> None:
        """The error as JSON, or for a browser (``html``) as a short page, with a way back when ``back``."""
        if html:
            import html as _html

            link = "<p><a href=\"/\">← back</a></p>" if back else ""
            body = ("<!doctype html><html lang=\"en\"><meta charset=\"utf-8\"><title>Not done · mh-nlp review</title>"
                    "<link rel=\"stylesheet\" href=\"/static/app.css\"><main><section class=\"card\">"
                    f"<h2>That did not work</h2><p class=\"error\">{_html.escape(message)}</p>"
                    f"{link}</section></main></html>").encode()
            ctype = b"text/html; charset=utf-8"
        else:
            body, ctype = json.dumps({"error": message}).encode(), b"application/json"
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", ctype), (b"content-length", str(len(body)).encode())]
                    + (headers or [])})
        await send({"type": "http.response.body", "body": body})

    async def _too_large(self, scope, send, form_post: bool, name: str | None) -> None:
        """An upload over the limit: JSON for a script; for a browser's form the screen's own error page (with its
        header and navigation, naming the file when its name was read: QA 46b D6), drawn by the app (``GET /upload``
        with the message in the scope), else the short page."""
        what = "pasted text" if scope.get("path") == "/paste" else "upload"  # QA 51a: a paste is no upload
        message = (f"{name}: " if name else "") + f"{what} too large (limit {self.max_body // (1024 * 1024)} MB)"
        if form_post:
            async def nothing():
                return {"type": "http.request", "body": b"", "more_body": False}

            page_scope = dict(scope, method="GET", path="/upload", raw_path=b"/upload", query_string=b"",
                              mh_too_large=message)
            try:
                return await self.app(page_scope, nothing, send)
            except Exception:  # noqa: BLE001 - the page failed: the short one below still says it
                pass
        return await self._reply(send, 413, message, html=form_post)

    def host_allowed(self, value: str, server: tuple | None) -> bool:
        parsed = _split_host(value)
        if parsed is None:
            return False
        name, port = parsed
        bound_name = str(server[0]).lower() if server else self.host
        bound_port = int(server[1]) if server and server[1] else 80
        for allowed_name, allowed_port in self.allow_hosts:  # a name given with --allow-host (a proxy's port too)
            if name == allowed_name and (port == allowed_port if allowed_port else port in (None, bound_port)):
                return True
        if (port or 80) != bound_port:
            return False
        if name in ("localhost", self.host, bound_name):
            return True
        return is_wildcard(self.host) and _is_ip(name)  # bound to every interface: any address of this machine (not a name)

    @staticmethod
    def _origin_matches(value: str, host: str) -> bool:
        """An Origin/Referer URL names the same host:port as the (already checked) Host header."""
        try:
            parts = urlsplit(value)
            port = parts.port
        except ValueError:
            return False
        if parts.scheme not in ("http", "https") or not parts.hostname:
            return False
        default = 443 if parts.scheme == "https" else 80
        mine = _split_host(host)
        if mine is None:
            return False
        return parts.hostname.lower() == mine[0] and (port or default) == (mine[1] or default)

    def _from_here(self, headers: dict[str, str], host: str) -> bool:
        """A request the screen itself made, or one typed or run as a script: not a link, image or form of another
        page (``Sec-Fetch-Site`` when the browser sends it, else the Referer)."""
        site = headers.get("sec-fetch-site")
        if site is not None:
            return site in ("same-origin", "none")
        referer = headers.get("referer")
        return referer is None or self._origin_matches(referer, host)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        extra: list[tuple[bytes, bytes]] = list(SECURITY_HEADERS)
        path = scope.get("path", "")
        private = bool(self.prefix) and (path == self.prefix or path.startswith(self.prefix + "/"))
        inner = (path[len(self.prefix):] or "/") if private else path  # the app's own path
        if not inner.startswith("/static/"):  # notes and decisions never go to the browser's cache
            extra.append((b"cache-control", b"no-store"))
        inner_send = send

        async def send(message, _send=inner_send):
            if message["type"] == "http.response.start":
                message = dict(message)
                message["headers"] = list(message.get("headers", [])) + extra
            await _send(message)

        for name in (b"origin", b"referer"):  # no browser sends two; which one a check reads must not matter
            if sum(k.lower() == name for k, _v in scope.get("headers", [])) > 1:
                return await self._reply(send, 400, f"more than one {name.decode().capitalize()} header")
        host = headers.get("host", "")
        if not self.host_allowed(host, scope.get("server")):
            return await self._reply(send, 400, f"this server does not answer to the host name {host[:80]!r} "
                                                "(start it with --allow-host NAME to allow a name)")
        cookies = _cookies(headers.get("cookie", ""))
        method = scope["method"]
        if self.token is not None:
            from urllib.parse import parse_qsl

            # the screen's own cookies, renamed, under its path; none anywhere else (stolen or planted: QA 52b S1, S2)
            cookies = ({k[:-len(self.cookie_suffix)]: v for k, v in cookies.items() if k.endswith(self.cookie_suffix)}
                       if private else {k: v for k, v in cookies.items() if k != TOKEN_COOKIE})
            if private:
                kept = "; ".join(f"{k}={v}" for k, v in cookies.items()).encode("latin-1", "replace")
                at = self.prefix.encode()
                # the app sees its own paths: the Referer a way back is taken from is one of them too
                inside = [(k, re.sub(rb"^(\w+://[^/?#]*)" + re.escape(at) + rb"(?=[/?#]|$)", rb"\1", v)
                           if k.lower() == b"referer" else v)
                          for k, v in scope.get("headers", []) if k.lower() != b"cookie"]
                scope = dict(scope, path=inner, raw_path=inner.encode("utf-8", "surrogateescape"),
                             headers=inside + ([(b"cookie", kept)] if kept else []))
                send = self._private(send)
            query = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
            in_url = next((v for k, v in query if k == "token"), None)
            auth = headers.get("authorization", "")
            given = in_url or cookies.get(TOKEN_COOKIE) or (auth[7:] if auth.lower().startswith("bearer ") else None)
            # the screen's own styles and script, and the browser's favicon request, hold nothing of the analyst's:
            # asked outside the private path they need no token, so the 403 page is styled and no page logs a 403
            public = not private and method in SAFE_METHODS and (path.startswith("/static/") or path == "/favicon.ico")
            if not public and not _same_token(given, self.token):  # a browser's page request (a bookmark) gets a page
                page = browser_page(method, scope.get("path", ""), headers.get("accept", ""))  # a form post too
                return await self._reply(send, 403, "a token is required: the screen was started again, or this "
                                                    "address came without its pass. Open the screen's address as it "
                                                    "was given when it started (with ?token=...; the person who runs "
                                                    "`mh-nlp serve` has it, the last one: `serve --new-token` "
                                                    "replaces it)",
                                         html=page, back=False)
            if in_url is not None:  # first visit: the token goes into a cookie and out of the address
                extra.append((b"set-cookie", f"{TOKEN_COOKIE}{self.cookie_suffix}={self.token}; HttpOnly; "
                                             f"SameSite=Strict; Path={self.prefix}".encode()))
                for legacy in (TOKEN_COOKIE, CSRF_COOKIE):  # cookies of every path that an older mh-nlp set
                    extra.append((b"set-cookie", f"{legacy}=; Max-Age=0; Path=/".encode()))
                if method in ("GET", "HEAD"):
                    clean = urlencode([(k, v) for k, v in query if k != "token"])
                    path = scope.get("path", "/")
                    # the decoded path: a "\" or a tab would make "/\evil.example" another site in a browser, a
                    # CR, LF or NUL no valid header at all; such a path goes to "/" (as /who's way back does)
                    if not path.startswith("/") or path.startswith("//") or any(
                            c == "\\" or ord(c) < 32 or ord(c) == 127 for c in path):
                        path = "/"
                    location = (("" if private else self.prefix) + quote(path, safe="/:@!$&'()*+,;=-._~")
                                + (f"?{clean}" if clean else ""))  # under the path (private: its send adds it)
                    await send({"type": "http.response.start", "status": 303,
                                "headers": [(b"location", location.encode("utf-8", "replace")),
                                            (b"content-length", b"0")]})
                    return await send({"type": "http.response.body", "body": b""})
        if scope.get("path", "") in DOWNLOADS and method == "HEAD":  # a HEAD would build the whole export for nothing
            return await self._reply(send, 405, "a download is fetched with GET", headers=[(b"allow", b"GET")])
        if scope.get("path", "") in DOWNLOADS and not self._from_here(headers, host):
            return await self._reply(send, 403, "a download is started from the screen itself, not from another page")
        if method not in SAFE_METHODS:
            origin = headers.get("origin")
            referer = headers.get("referer")
            if origin is not None:
                if not self._origin_matches(origin, host):
                    return await self._reply(send, 403, "cross-site request refused (Origin is not this server)")
            elif referer is not None and not self._origin_matches(referer, host):
                return await self._reply(send, 403, "cross-site request refused (Referer is not this server)")
            if scope.get("path", "").startswith("/api/"):
                ctype = headers.get("content-type", "").split(";")[0].strip().lower()
                has_body = headers.get("content-length", "0") not in ("", "0") or "transfer-encoding" in headers
                if (ctype or has_body) and ctype not in JSON_TYPES:
                    return await self._reply(send, 415, "the API takes JSON only: send Content-Type: application/json")
        if self.csrf is not None:
            csrf = cookies.get(CSRF_COOKIE)
            if not self.csrf.valid(csrf):
                csrf = self.csrf.new()
                name, where = (CSRF_COOKIE + self.cookie_suffix, self.prefix) if private else (CSRF_COOKIE, "/")
                extra.append((b"set-cookie", f"{name}={csrf}; HttpOnly; SameSite=Strict; Path={where}".encode()))
            scope["mh_csrf"] = csrf
        form_post = browser_form_post(method, scope.get("path", ""), headers.get("accept", ""))
        length = headers.get("content-length")
        if length is not None and length.isascii() and length.isdigit() and int(length) > self.max_body:
            name = None
            if form_post:  # the file's name comes first in the form: read a few KB for it, no more
                first = b""
                with contextlib.suppress(Exception):
                    while len(first) < TOO_LARGE_PEEK:
                        message = await receive()
                        first += message.get("body", b"")
                        if message["type"] != "http.request" or not message.get("more_body"):
                            break
                name = _upload_name(first)
            return await self._too_large(scope, send, form_post, name)
        received = 0
        too_large = False
        started = False
        first_bytes = b""

        async def counted_receive():
            nonlocal received, too_large, first_bytes
            message = await receive()
            if message["type"] == "http.request":
                if len(first_bytes) < TOO_LARGE_PEEK:
                    first_bytes += message.get("body", b"")[:TOO_LARGE_PEEK]
                received += len(message.get("body", b""))
                if received > self.max_body:
                    too_large = True  # (the route's own error handler may answer it: the limit goes in the message)
                    raise ApiError(413, f"upload too large (limit {self.max_body // (1024 * 1024)} MB)")
            return message

        head = method == "HEAD"
        if head:  # answered as the GET it asks about, without the body (the routes know GET only: it was a 405)
            scope = dict(scope, method="GET")

        async def tracked_send(message):
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            elif head and message["type"] == "http.response.body":
                message = dict(message, body=b"")
            await send(message)

        try:
            await self.app(scope, counted_receive, tracked_send)
        except ApiError as exc:
            if started:
                raise
            if too_large:
                return await self._too_large(scope, send, form_post, _upload_name(first_bytes))
            return await self._reply(send, exc.status, exc.message)
        except ClientDisconnect:  # the client went away while sending (a tab closed during an upload): no one to answer
            return None
        except Exception as exc:  # a bug: a 500 in JSON that keeps the connection (no re-raise), and a log line
            if started:
                raise
            import traceback

            traceback.print_exc()
            return await self._reply(send, 500, f"internal error ({exc.__class__.__name__})")


TOO_LARGE_PEEK = 16 * 1024  # bytes of a too-large upload read for the file's name


def _upload_name(first: bytes) -> str | None:
    """The file name in the first part of a multipart form (``filename="verslag.txt"``), as the screen shows names."""
    m = re.search(rb'filename="([^"\r\n]{1,1000})"', first or b"")
    if not m:
        return None
    name = _plain_name(m.group(1).decode("utf-8", "replace")).replace("\\", "/").rsplit("/", 1)[-1][:200]
    return name or None


def _cookies(header: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for part in header.split(";"):
        if "=" in part:
            k, v = part.strip().split("=", 1)
            out.setdefault(k, v)
    return out


# ---------------------------------------------------------------- helpers for the pages

# the entity labels (mh_nlp.nlp.entities.LABELS) as the review page names them in words under a statement, beside the
# colour it highlights them in (QA 47b L1: only the organisations were named; the other types were colour and tooltip)
ENTITY_KINDS = (("ORG", "organisations"), ("UITBUITING", "exploitation"), ("WET", "laws"))


def highlight(text: str, entities: list[dict]) -> list[tuple[str, dict | None]]:
    """The text cut into pieces, each with the entity it belongs to (or None), for escaped rendering."""
    out, pos = [], 0
    for e in sorted(entities, key=lambda e: (e.get("start") or 0)):
        s, t = e.get("start"), e.get("end")
        if not isinstance(s, int) or not isinstance(t, int) or s < pos or t > len(text) or s >= t:
            continue
        if s > pos:
            out.append((text[pos:s], None))
        out.append((text[s:t], e))
        pos = t
    if pos < len(text):
        out.append((text[pos:], None))
    return out


class Sections:
    def __init__(self):
        self.tax = load_taxonomy()
        self.numbers = sorted(self.tax.sections, key=section_key)
        self.titled = [s for s in self.numbers if not self.tax.sections[s].title.startswith("Onbekend")]

    def title(self, number: str | None) -> str:
        s = self.tax.sections.get(number or "")
        return s.title if s else ""

    def chapter(self, number: str | None) -> int | None:
        s = self.tax.sections.get(number or "")
        return s.chapter if s else None

    def grouped(self) -> list[dict]:
        return [{"chapter": c, "title": ch.title,
                 "sections": [{"section": s, "title": self.tax.sections[s].title} for s in self.titled
                              if self.tax.sections[s].chapter == c]}
                for c, ch in sorted(self.tax.chapters.items())]

    def as_json(self) -> list[dict]:
        return [{"section": s, "title": self.tax.sections[s].title, "chapter": self.tax.sections[s].chapter,
                 "chapter_title": self.tax.chapters[self.tax.sections[s].chapter].title,
                 "titled": s in self.titled} for s in self.numbers]


def _local_back(request: Request) -> str:
    """Where ``/who`` sends the browser back to: the Referer's path and query on this server, else ``/``.
    Never another site (``//evil.example``, ``/\\evil.example``) and never the token."""
    from urllib.parse import parse_qsl

    try:
        back = urlsplit(request.headers.get("referer") or "/")
    except ValueError:
        return "/"
    if back.netloc and back.netloc.lower() != request.headers.get("host", "").lower():
        return "/"
    path = back.path or "/"
    if not path.startswith("/") or path.startswith(("//", "/\\")) or any(c in path for c in "\\\r\n\t"):
        return "/"
    query = urlencode([(k, v) for k, v in parse_qsl(back.query, keep_blank_values=True) if k != "token"])
    return path + (f"?{query}" if query else "")


def _plain_name(text: str) -> str:
    """A name as the screen keeps it (an analyst's, a file's): line breaks and tabs as spaces, and no control or
    format characters (direction overrides and marks, zero-width spaces: Unicode's categories Cc and Cf)."""
    kept = (" " if ch in "\t\n\r" else ch for ch in text if ch in "\t\n\r" or unicodedata.category(ch)[0] != "C")
    return " ".join("".join(kept).split())


def _clean_who(who) -> str:
    """An analyst's name as the screen records it: a plain name (:func:`_plain_name`), at most 60 characters."""
    return _plain_name(who)[:60] if isinstance(who, str) else ""


def _who(request: Request) -> str:
    """The analyst's name from the cookie (percent-encoded, so any name fits a cookie: 'Łukasz', 'Zoë')."""
    return _clean_who(unquote(request.cookies.get(WHO_COOKIE) or "")) or DEFAULT_WHO


def _set_who_cookie(response, who: str) -> None:
    response.set_cookie(WHO_COOKIE, quote(who, safe=""), max_age=365 * 24 * 3600, samesite="strict", httponly=True)


# ---------------------------------------------------------------- the application

def create_app(data_dir: str | Path | None = None, *, host: str = "127.0.0.1", token: str | None = None,
               max_upload: int = MAX_UPLOAD, model_path: str | Path | None = None, warm_up: bool = False,
               train_candidate: str | None = None, allow_hosts: tuple[str, ...] | list[str] = (),
               max_unpacked_mb: float = MAX_UNPACKED_MB, max_entries: int = MAX_ENTRIES,
               max_statements: int = MAX_STATEMENTS, keep_token: bool | None = None,
               max_read_seconds: float | None = MAX_READ_SECONDS) -> FastAPI:
    """The review screen on ``data_dir`` (default :func:`default_data_dir`). Off loopback a token is required
    (``token``, or a new random one in ``app.state.token``). The Host header must be ``host`` (the address the
    server is bound to), ``localhost`` or one of ``allow_hosts``. An uploaded .docx/.odt/.pptx/.xlsx may unpack to at most
    ``max_unpacked_mb`` in ``max_entries`` entries, and an upload may hold ``max_statements`` statements (413); the
    pages of an uploaded PDF must be read within ``max_read_seconds`` (413; None: no limit).
    ``keep_token``: True uses the token kept in the data folder (stored first when there is none), False stores
    ``token`` in its place (a new one), None leaves the folder alone."""
    from ..themes.store import default_model_path

    data_dir = Path(data_dir) if data_dir else default_data_dir()
    with contextlib.suppress(OSError):  # (a folder that cannot be made is Store's error to tell)
        data_dir.mkdir(parents=True, exist_ok=True)
    lock_data_folder(data_dir)  # one server per folder: before anything of it is resumed or changed
    store = Store(data_dir)
    if not is_loopback(host) and token is None:
        token = secrets.token_urlsafe(24)
    worker = ModelWorker(store, Path(model_path) if model_path else default_model_path())
    try:  # QA 49a D6: a model file replaced on disk since the last start is a new version, not the old number
        model_notes = worker.notice_replaced()
    except sqlite3.Error:  # a read-only database (warned at start): the versions stay as recorded
        model_notes = []
    labeller = Labeller(store, worker)
    trainer = Trainer(store, worker, candidate=train_candidate)
    with contextlib.suppress(sqlite3.Error):  # read-only: the documents stay as they are
        labeller.resume()  # jobs a stopped (or killed) server left unfinished
    sections = Sections()
    uploads = data_dir / "uploads"
    uploads.mkdir(parents=True, exist_ok=True)
    remove_leftovers(data_dir)

    env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=True, trim_blocks=True,
                      lstrip_blocks=True)
    from ..themes.headings import heading_chapter, label_chapter

    env.filters["local_time"] = local_time
    env.globals.update(section_title=sections.title, highlight=highlight, heading_chapter=heading_chapter,
                       label_chapter=label_chapter, section_chapter=sections.chapter,
                       not_dutch=not_dutch, shown_probability=shown_probability, uncertain_below=UNCERTAIN_BELOW,
                       shown_similarity=shown_similarity, learnt_words=learnt_words,
                       has_quote=lambda section: section in quoted_sections(), entity_kinds=ENTITY_KINDS)

    @contextlib.asynccontextmanager
    async def lifespan(_app):
        yield
        labeller.shutdown()
        worker.shutdown()

    app = FastAPI(title="mh-nlp review screen", docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan)
    if keep_token and token is not None:  # `serve`: the folder's token once made, so bookmarks and tabs survive
        kept = store.setting(TOKEN_SETTING)
        if isinstance(kept, str) and re.fullmatch(r"[A-Za-z0-9_-]{24,100}", kept):
            token = kept
        else:
            try:
                store.set_setting(TOKEN_SETTING, token)
            except sqlite3.Error:  # a read-only database (warned at start): the token lives as long as the process
                pass
    elif keep_token is False and token is not None:  # a new one asked for (`serve --new-token`): replaces the kept one
        try:
            store.set_setting(TOKEN_SETTING, token)
        except sqlite3.Error:  # the old token would come back at the next start: said, not done halfway
            raise RuntimeError("cannot keep a new token: the data folder's database cannot be written (read-only?); "
                               "the old token stays valid") from None
    app.state.token = token
    app.state.store, app.state.worker, app.state.labeller, app.state.trainer = store, worker, labeller, trainer
    app.state.data_dir = data_dir
    app.state.model_notes = model_notes  # said by `serve` at start
    secret = store.setting(CSRF_SETTING)
    if not secret:
        secret = secrets.token_hex(32)
        try:
            store.set_setting(CSRF_SETTING, secret)
        except sqlite3.Error:  # a read-only database (warned at start): the secret lives as long as the process
            pass
    csrf = CsrfTokens(bytes.fromhex(secret))
    app.add_middleware(Guard, token=token, max_body=max_upload, host=host, allow_hosts=tuple(allow_hosts), csrf=csrf)
    # an upload's parts stay in memory up to the upload limit, as the Guard counts them: Starlette spooled a part over
    # 1 MB into a file in the system's temporary folder, the note's text outside the data folder (QA 52b S5)
    from starlette.formparsers import MultiPartParser

    MultiPartParser.spool_max_size = max(MultiPartParser.spool_max_size, max_upload + 1)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    if warm_up:
        start_warm_up(worker)

    # -------------------------------------------------------- errors: JSON, never a traceback
    def _error(request: Request, status: int, message: str):
        """JSON for the API and for scripts; a page with the message and a way back for a browser's page request
        (a refused upload, a stale link to a removed document), so an analyst never lands on raw JSON."""
        if browser_page(request.method, request.url.path, request.headers.get("accept", "")):
            try:
                what = {400: "Refused", 404: "Not found", 409: "Not now", 413: "Too large"}.get(status, "Not done")
                short = message if len(message) <= 80 else message[:79] + "…"  # the title says what (QA 47b L6)
                title = what if short.strip(" .").lower() == what.lower() else f"{what} — {short}"  # not "Not found — Not Found"
                out = page("error.html", request, message=message, back=_local_back(request), page_title=title)
                out.status_code = status
                return out
            except Exception:  # noqa: BLE001 - the page itself failed: the message still reaches the user
                pass
        return _json_error(status, message)

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError):
        return _error(request, exc.status, exc.message)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException):
        return _error(request, exc.status_code, str(exc.detail))

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError):
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()) if p not in ("body", "query", "path"))
        return _json_error(400, f"{where}: {first.get('msg', 'invalid input')}" if where else "invalid input")

    @app.exception_handler(NoModel)
    async def _no_model(request: Request, exc: NoModel):
        return _json_error(503, str(exc))

    @app.exception_handler(CannotReadInOrder)
    async def _not_in_order(request: Request, exc: CannotReadInOrder):
        return _json_error(409, str(exc))

    @app.exception_handler(sqlite3.Error)
    @app.exception_handler(OSError)
    async def _storage(request: Request, exc: Exception):  # a full disk, a read-only folder: said in words
        problem = storage_problem(exc, data_dir)
        if problem is None:
            return _json_error(500, f"internal error ({exc.__class__.__name__})")
        return _json_error(*problem)

    @app.exception_handler(Exception)
    async def _internal(request: Request, exc: Exception):  # pragma: no cover - a bug: say so, in JSON
        return _json_error(500, f"internal error ({exc.__class__.__name__})")

    def page(name: str, request: Request, **ctx) -> HTMLResponse:
        mv = store.model_version(worker.version)
        html = env.get_template(name).render(request=request, who=_who(request), model=mv,
                                             csrf=request.scope.get("mh_csrf", ""),
                                             training=_training_status(), nav=name.split(".")[0], **ctx)
        return HTMLResponse(html)

    async def json_body(request: Request) -> Any:
        length = request.headers.get("content-length", "")
        if length.isdigit() and int(length) > MAX_JSON_BODY:  # refused before it is read
            raise ApiError(413, f"a JSON body of more than {MAX_JSON_BODY // 1_000_000} MB")
        raw = await request.body()
        if len(raw) > MAX_JSON_BODY:  # sent in chunks, without a length
            raise ApiError(413, f"a JSON body of more than {MAX_JSON_BODY // 1_000_000} MB")
        def parse(data: bytes) -> tuple[Any, bool]:
            value = json.loads(data)
            return value, _has_lone_surrogate(value)

        try:  # a large body is parsed (and checked) beside the event loop, so the other pages are not held up meanwhile
            body, surrogate = parse(raw) if len(raw) < 65_536 else await run_in_threadpool(parse, raw)
        except RecursionError:
            raise ApiError(400, "the JSON is nested too deeply") from None
        except (ValueError, UnicodeDecodeError) as exc:
            if "integer string conversion" in str(exc):
                raise ApiError(400, "a number in the JSON has too many digits") from None
            raise ApiError(400, "the body must be JSON") from None
        if surrogate:
            raise ApiError(400, "the JSON holds a lone surrogate (\\ud800-\\udfff without its pair): not text")
        return body

    async def no_body_or_json(request: Request) -> None:
        """An endpoint that takes no body still refuses a body that is not JSON (a client's mistake, not ignored), and
        one of more than a few KB (it would be read and parsed for nothing)."""
        length = request.headers.get("content-length", "")
        if length.isdigit() and int(length) > NO_BODY_LIMIT:
            raise ApiError(413, "this request takes no body")
        body = await request.body()
        if len(body) > NO_BODY_LIMIT:
            raise ApiError(413, "this request takes no body")
        if body:
            await json_body(request)

    def check_section(section: Any) -> str:
        if not isinstance(section, str) or not section.strip():
            raise ApiError(400, "section must be a section number such as \"4.7\"")
        section = section.strip()
        if section not in sections.tax.sections:
            raise ApiError(400, f"unknown section {section!r} (sections are 1.1-4.14)")
        if section not in sections.titled:
            raise ApiError(400, f"section {section} has no known title; choose a titled section")
        return section

    # -------------------------------------------------------- JSON API
    @app.get("/api/sections")
    def api_sections():
        return {"chapters": [{"chapter": c, "title": ch.title} for c, ch in sorted(sections.tax.chapters.items())],
                "sections": sections.as_json()}

    @app.post("/api/classify")
    async def api_classify(request: Request):
        body = await json_body(request)
        texts = body.get("texts") if isinstance(body, dict) else None
        if not isinstance(texts, list) or not texts:
            raise ApiError(400, "expected {\"texts\": [\"...\", ...]} with at least one text")
        if len(texts) > MAX_TEXTS:
            raise ApiError(413, f"{len(texts):,} texts in one request (limit {MAX_TEXTS:,}): send fewer texts per request")
        if not all(isinstance(t, str) for t in texts):
            raise ApiError(400, "every text must be a string")
        in_order = body.get("in_order", False)
        if not isinstance(in_order, bool):
            raise ApiError(400, "in_order must be true or false")
        headings = body.get("headings")
        if headings is not None and (not isinstance(headings, list) or len(headings) != len(texts)
                                     or not all(h is None or isinstance(h, str) for h in headings)):
            raise ApiError(400, "headings must be a list with a heading (a string, or null) for every text")
        given = [t.strip() for t in texts]
        if headings is not None and any(h is not None and len(h) > MAX_HEADING for h in headings):
            raise ApiError(400, f"a heading is longer than {MAX_HEADING} characters: a heading, not a text")
        # as mh-nlp classify, text by text (QA 48b D11: one word-less text made the whole batch a 400): an empty text
        # is skipped, with an error that names its index; a meta or chatter line ("Ja.", "12 maart 2026") gets its
        # kind and no section (QA 48b D4), and so does one whose first MAX_CHARS characters hold no word ("42" is
        # meta, "?!" chatter), as in mh-nlp label and classify (QA 48c N7). A request without a word is a 400.
        errors: list[dict] = []
        kinds: list[str | None] = []
        for i, t in enumerate(given):
            if not t:
                errors.append({"index": i, "error": f"text {i + 1} is empty; not classified"})
                kinds.append(None)
            else:
                kinds.append(read_kind(t, MAX_CHARS))
        if not any(t and has_words(t[:MAX_CHARS]) for t in given):
            said = [f"text {i + 1} " + ("is empty" if not t else "holds no words") for i, t in enumerate(given)]
            raise ApiError(400, "nothing to classify: " + "; ".join(said[:5]) + ("; ..." if len(said) > 5 else ""))
        said = [i for i, k in enumerate(kinds) if k == "statement"]
        texts = [given[i] for i in said]
        if headings is not None:
            given_headings, headings = headings, [headings[i] for i in said]
        chars = sum(min(len(t), MAX_CHARS) for t in texts)
        if chars > MAX_REQUEST_CHARS:
            raise ApiError(413, f"{chars:,} characters in one request (limit {MAX_REQUEST_CHARS:,}): "
                                "send fewer or shorter texts per request")
        preds: list[dict] = []
        version = worker.version
        # slice by slice on the model thread; stop when the client has gone. A note read in order is one piece, read
        # after its statements were embedded slice by slice (the embeddings are cached), so that a note whose client
        # has gone stops within a slice too instead of holding the model thread for half a minute.
        warm = [(a, b, False) for a, b in slices(texts)] if in_order and len(slices(texts)) > 1 else []
        results: list = []
        for a, b, reading in warm + ([(0, len(texts), True)] if in_order and texts else
                                     [(a, b, True) for a, b in slices(texts)]):
            future = worker.submit_analyse(texts[a:b], in_order=in_order and reading,
                                           headings=None if headings is None else headings[a:b])
            if not reading:  # embedding ahead of the note's reading: only the cache is wanted
                waiting = asyncio.wrap_future(future)
                while not waiting.done():
                    await asyncio.wait([waiting], timeout=0.2)
                    if not waiting.done() and await request.is_disconnected():
                        future.cancel()
                        return Response(status_code=499)
                if await request.is_disconnected():
                    return Response(status_code=499)
                continue
            waiting = asyncio.wrap_future(future)
            while not waiting.done():
                await asyncio.wait([waiting], timeout=0.2)
                if not waiting.done() and await request.is_disconnected():
                    future.cancel()  # if it has not started; a running slice ends on its own (about a second)
                    return Response(status_code=499)
            results, version = waiting.result()
            # a text longer than MAX_CHARS is classified on its start: the answer echoes that start, not the whole
            # and a heading given for a text is echoed with its answer, as classify --json does
            preds += [prediction_json(t[:MAX_CHARS], p, e) | ({"truncated_from": len(t)} if len(t) > MAX_CHARS else {})
                      | ({"heading": headings[i]} if headings is not None and headings[i] else {})
                      for i, t, (p, e) in zip(range(a, b), texts[a:b], results)]
            if b < len(texts) and await request.is_disconnected():
                return Response(status_code=499)
        if any(str(q.get("id", "")).startswith("added-") for pr in preds for q in pr.get("similar_quotes") or []):
            # a reviewed statement among the evidence: said so, with its document; one of a removed document left
            # out (QA 46b D8), as on the review page
            told = await run_in_threadpool(_evidence, [{"similar": pr["similar_quotes"]} for pr in preds], version)
            preds = [{**pr, "similar_quotes": [{k: v for k, v in q.items() if k != "where"} for q in t["similar"]]}
                     for pr, t in zip(preds, told)]
        out = {"model_version": version, "predictions": preds}
        if len(said) < len(given):  # every text in its place: a skipped one with its error, a meta or chatter line
            answers = iter(preds)  # with its kind
            preds = [next(answers) if k == "statement" else
                     {**nonstatement_json(given[i][:MAX_CHARS], k),
                      **({"heading": given_headings[i]} if headings is not None and given_headings[i] else {}),
                      **({"error": next(e["error"] for e in errors if e["index"] == i)} if k is None else {})}
                     for i, k in enumerate(kinds)]
            out["predictions"] = preds
        if errors:
            out["errors"] = errors
        if in_order:  # how the note was read: the stay it chose (every statement of the note has the same)
            from ..themes.context import note_reading

            stay = getattr(results[0][0], "note_stay", None) if results else None
            out["read_in_order"] = {"stay": None if stay is None else round(stay, 4), "reading": note_reading(stay)}
        return out

    @app.post("/api/corrections", status_code=201)
    async def api_add_correction(request: Request):
        body = await json_body(request)
        if not isinstance(body, dict):
            raise ApiError(400, "expected {\"text\": ..., \"section\": ...}")
        text = body.get("text")
        if not isinstance(text, str) or not text.strip():
            raise ApiError(400, "text must be a non-empty string")
        if len(text) > MAX_CHARS:
            raise ApiError(400, f"text longer than {MAX_CHARS:,} characters")
        if CONTROL_CHARS.search(text):
            raise ApiError(400, "text holds control characters (such as NUL or ESC): not text")
        if not has_words(text):
            raise ApiError(400, "text holds no words: nothing to learn from")
        if formula(text):  # refused as `train --add` refuses it (QA 47a D2), in a request's words (QA 47c N3)
            raise ApiError(400, f"the text is a spreadsheet formula ({text.strip()[:40]!r}), not a statement: send the "
                                "statement itself")
        section = check_section(body.get("section"))
        if body.get("who") is not None and not isinstance(body.get("who"), str):
            raise ApiError(400, "who must be a name (a string)")
        who = _clean_who(body.get("who"))
        return JSONResponse(store.add_correction(text.strip(), section, who or _who(request)), status_code=201)

    @app.get("/api/decisions/undone")
    def api_undone_decisions(document: str | None = None):
        """Every undone decision (of ``document``), oldest undo first: statement, document, section, action, who
        decided and when, who undid it and when (QA 46b D14: undo kept no trace)."""
        number = _document_filter(document)
        rows = store.undone_decisions()
        return {"undone": [{**u, "section_title": sections.title(u["section"]) if u["section"] else ""}
                           for u in rows if number is None or u["document_id"] == number]}

    @app.get("/api/corrections")
    def api_corrections():
        return {"corrections": [{**r, "section_title": sections.title(r["section"])} for r in store.reviewed()]}

    @app.post("/api/statements/{statement_id}/decision", status_code=201)
    async def api_decide(statement_id: str, request: Request):
        body = await json_body(request)
        if not isinstance(body, dict):
            raise ApiError(400, "expected {\"section\": ...} or {\"action\": \"not_statement\"}")
        action = body.get("action")
        if action is not None and action != NOT_STATEMENT:
            raise ApiError(400, f"action must be \"{NOT_STATEMENT}\" (or leave it out and give a section)")
        if action == NOT_STATEMENT:
            if body.get("section") is not None:
                raise ApiError(400, "a \"not a statement\" decision has no section: send one or the other")
            section = None
        else:
            section = check_section(body.get("section"))
        statement_id = _row_id(statement_id, "statement")
        extra = {}
        if "seen" in body:  # the decision the screen showed on the row (null: none), to tell a stale tab
            seen = body["seen"]
            if seen is not None and (isinstance(seen, bool) or not isinstance(seen, int) or not 0 < seen <= MAX_ID):
                raise ApiError(400, "seen must be the id of the decision shown on the row, or null")
            extra["seen"] = seen
        who = body.get("who")  # the name the screen's analyst field shows (QA 46b D1: typed, not yet saved)
        if who is not None and not isinstance(who, str):
            raise ApiError(400, "who must be a name (a string)")
        who = _clean_who(who) or _who(request)
        try:
            decision = store.decide(statement_id, section, who, **extra)
        except KeyError:
            raise ApiError(404, f"no statement {statement_id}: its document was removed, or the id is wrong (reload the page)") from None
        if "replaced" in decision:
            replaced = decision["replaced"]
            replaced["section_title"] = sections.title(replaced["section"])
        response = JSONResponse({**decision, "section_title": sections.title(section),
                                 "chapter": sections.chapter(section)}, status_code=201)
        if who != _who(request):  # the name typed is this browser's name from now on, as /who would save it
            _set_who_cookie(response, who)
        return response

    @app.delete("/api/statements/{statement_id}/decision")
    async def api_undecide(statement_id: str, request: Request, decision: str | None = None):
        """Undo the latest decision (one made by mistake): the one before it counts again, else not reviewed.
        ``?decision=ID``: undo only if that is still the latest (a stale tab must not undo someone else's). An optional
        body ``{"who": NAME}`` names who undoes it (else the ``mh_who`` cookie's name): the undone decision is kept,
        with that name and the time (QA 46b D14)."""
        await no_body_or_json(request)
        body = await json_body(request) if await request.body() else None
        if body is not None and not (isinstance(body, dict) and set(body) <= {"who"}):
            raise ApiError(400, 'expected no body, or {"who": NAME}: the name of whoever undoes the decision')
        who = (body or {}).get("who")
        if who is not None and not isinstance(who, str):
            raise ApiError(400, "who must be a name (a string)")
        who = _clean_who(who) or _who(request)
        statement_id = _row_id(statement_id, "statement")
        seen = _int_param(decision)
        if seen is not None and seen < 1:
            raise ApiError(400, "decision must be the id of the decision to undo")
        try:
            out = await run_in_threadpool(store.undecide, statement_id, seen, who)
            out.pop("undone_decision")  # the answer as before; the undone decision is listed by /api/decisions/undone
        except KeyError:
            raise ApiError(404, f"no statement {statement_id}: its document was removed, or the id is wrong (reload the page)") from None
        except LookupError as exc:  # (KeyError is one too, above)
            raise ApiError(400, str(exc)) from None
        except ValueError as exc:
            raise ApiError(409, str(exc)) from None
        if out["decision"] is not None:  # the decision that counts again, as a decision's answer has it
            section = out["decision"]["section"]
            out["decision"] |= {"section_title": sections.title(section), "chapter": sections.chapter(section)}
        elif out["kind"] == "statement":  # not reviewed again: what the same text was given elsewhere, as the page shows
            row = await run_in_threadpool(store.statement, statement_id)  # it (also after a reload: QA 44c)
            earlier = (await run_in_threadpool(store.earlier_decisions, [row])).get(statement_id) if row else None
            if earlier:
                out["earlier"] = {**earlier, "section_title": sections.title(earlier["section"])}
        return out

    def _sheet_choice(form, suffix: str) -> tuple[list[str] | None, int | None]:
        """The optional ``sheet`` (repeatable; .xlsx only) and ``header_row`` (.csv/.xlsx) fields of a form."""
        sheets = [v.strip() for v in form.getlist("sheet") if isinstance(v, str) and v.strip()]
        raw = form.get("header_row")
        header_row = None
        if isinstance(raw, str) and raw.strip():
            raw = raw.strip()
            if not (raw.isascii() and raw.isdigit() and 0 < int(raw) <= 1_048_576):
                raise ApiError(400, f"header_row must be a row number (1 or more), not {raw[:20]!r}")
            header_row = int(raw)
        if sheets and suffix != ".xlsx":
            raise ApiError(400, "a sheet can be chosen for an .xlsx workbook only")
        if header_row is not None and suffix not in (".csv", ".xlsx"):
            raise ApiError(400, "a header row can be chosen for a .csv or .xlsx table only")
        return sheets or None, header_row

    @app.get("/api/documents")
    def api_documents():
        return {"documents": labeller.documents()}

    @app.get("/api/documents/{doc_id}")
    def api_document(doc_id: str):
        doc_id = _row_id(doc_id, "document")
        doc = store.document(doc_id)
        if doc is None or doc["kind"] == "api":  # as in the list: the API's corrections are no document of the JSON
            raise ApiError(404, f"no document {doc_id}")  # API (the screen's pages show them: QA 46b D11)
        # with the counts the list gives (statements, other_lines, reviewed, decided), as the docs say
        return next((d for d in labeller.documents() if d["id"] == doc_id), doc)

    def _remove_document(doc_id: str) -> dict:
        """Remove a document, its statements and their decisions, and its uploaded file."""
        doc_id = _row_id(doc_id, "document")
        found = store.document(doc_id)
        if found is None or found["kind"] == "api":  # the API's corrections are no document a user brought in: each
            raise ApiError(404, f"no document {doc_id}")  # is undone, or marked not a statement, on its row
        try:
            doc = store.delete_document(doc_id)
        except ValueError as exc:
            raise ApiError(409, str(exc)) from None
        if doc is None:
            raise ApiError(404, f"no document {doc_id}")
        if doc["file"]:
            with contextlib.suppress(OSError):
                Path(doc["file"]).unlink()
        return {"removed": doc_id, "name": doc["name"]}

    @app.delete("/api/documents/{doc_id}")
    async def api_remove_document(doc_id: str, request: Request):
        await no_body_or_json(request)
        return await run_in_threadpool(_remove_document, doc_id)

    @app.post("/documents/{doc_id}/remove")
    async def remove_document(doc_id: str, request: Request):
        await _form(request)
        await run_in_threadpool(_remove_document, doc_id)
        return RedirectResponse("/", status_code=303)

    @app.get("/api/statements")
    def api_statements(document: str | None = None, limit: int | None = None, offset: int | None = None):
        """Every statement (of a document), or one page of them with ``limit`` (and ``offset``) and the total.
        ``document`` is plain digits (``3.0`` or ``+3`` is a 400, never document 3)."""
        if document is not None:
            document = _digits(document)
            if document is None:
                raise ApiError(400, "document must be a document id (a whole number)")
        if limit is None and offset is not None:  # a client paging by offset alone would get everything each time
            raise ApiError(400, "offset pages with limit: give both (limit 1-10,000)")
        if document is not None and not 0 < document <= MAX_ID:
            return {"statements": []} if limit is None else {"statements": [], "total": 0}
        offset = offset or 0
        if limit is None:
            return {"statements": _marked(store.statements(document=document))}
        if not 1 <= limit <= 10_000 or not 0 <= offset <= MAX_ID:
            raise ApiError(400, "limit must be 1-10,000 and offset 0 or more")
        # the corrections sent through the API only when their document is asked for, as without limit
        return {"statements": _marked(store.page_filtered(limit, offset, document=document, include_api=False)),
                "total": store.count_filtered(document=document, include_api=False)}

    def _marked(rows: list[dict]) -> list[dict]:
        """Stored statements with ``uncertain`` and ``not_dutch`` as ``classify --json`` gives them (QA 48c N2): the
        suggestion's confidence below the screen's threshold, and a text that does not read as Dutch; None for a
        meta or chatter line, which has no suggestion."""
        for r in rows:
            statement = r.get("kind") == "statement" and r.get("confidence") is not None
            r["uncertain"] = bool(r["confidence"] < UNCERTAIN_BELOW) if statement else None
            r["not_dutch"] = not_dutch(r["text"]) if statement else None
        return rows

    @app.get("/api/models")
    def api_models():
        return {"in_use": worker.version, "versions": _summaries(), "training": _training_status()}

    def _versions() -> tuple[list[dict], dict | None]:
        """Every model version's record, and the record of the one in use (what an offer is judged against)."""
        versions = store.model_versions()
        return versions, next((m for m in versions if m["version"] == worker.version), None)

    def _summaries() -> list[dict]:
        """Every model version as the page and the API show it, offered or not against the model in use."""
        (versions, in_use), checking = _versions(), _checking()
        return [_model_summary(m, checking, in_use, versions) for m in versions]

    def _training_status() -> dict:
        """The trainer's status, its verdict on a finished version judged against the model in use *now*: the
        model in use may have changed since (QA 42c: "v5 is ready: Use v5" in green beside a v5 not offered)."""
        status = trainer.snapshot()
        version = status.get("version")
        if status.get("state") != "done" or version is None:
            return status
        versions, in_use = _versions()
        mv = next((m for m in versions if m["version"] == version), None)
        if mv is None:  # removed meanwhile
            return status
        if version == worker.version:
            return {**status, "offered": True, "message": f"model v{version} is in use"}
        reason = not_offered_reason(mv, in_use=in_use, versions=versions)
        if reason is None:  # the message made at the end of the training, unless it was not offered then
            return status if status.get("offered") else {**status, "offered": True, "message": ready_message(version)}
        # not offered: always said anew, naming the model in use now and the reason the row gives (QA 42d)
        return {**status, "offered": False, "message": not_offered_message(version, reason, worker.version)}

    def _checking() -> int | None:
        """The version a running training is checking now (trained, not yet evaluated), else None."""
        status = trainer.snapshot()
        return status.get("version") if trainer.running else None

    @app.post("/api/models/{version}/use")
    async def api_use_model(version: str, request: Request):
        await no_body_or_json(request)
        body = await json_body(request) if await request.body() else None
        if body is not None and not (isinstance(body, dict) and set(body) <= {"back"}
                                     and isinstance(body.get("back", False), bool)):
            raise ApiError(400, 'expected no body, or {"back": true} to go back to a model that learnt from no '
                                'reviewed statement')
        back = bool(body and body.get("back"))
        return await run_in_threadpool(_use_model, _row_id(version, "model version"), back)

    def _use_model(version: int, back: bool = False):
        if trainer.running and trainer.snapshot().get("version") == version:
            raise ApiError(409, f"model v{version} is still being evaluated")
        mv = store.model_version(version)
        if mv is None:
            raise ApiError(404, f"no model version {version}")
        versions, in_use = _versions()
        reason = None if version == worker.version else not_offered_reason(mv, in_use=in_use, versions=versions)
        if reason is not None and not (back and _way_back(mv)):
            raise ApiError(409, f"model v{version} is not offered for use: it {reason}"
                           + (' (to go back to it anyway, as a model that learnt from none of your reviewed '
                              'statements, confirm on the models page, or send {"back": true})'
                              if _way_back(mv) else ""))
        try:
            mv = worker.use(version)
        except KeyError:
            raise ApiError(404, f"no model version {version}") from None
        return {"in_use": mv["version"]}

    def _way_back(mv: dict) -> bool:
        """QA 46b D8: a model that learnt from no reviewed statement (v1, the anthology-only model) can always be used
        again, after a confirmation, even when it scored lower: going back to the base model presents no new model as
        better, and it is the way to stop using one that learnt from a removed document (or was a mistake)."""
        return not mv.get("corrections") and not _file_missing(mv)

    @app.get("/api/train")
    def api_train_status():
        return _training_status()

    @app.post("/api/train", status_code=202)
    async def api_train(request: Request):
        await no_body_or_json(request)
        return await run_in_threadpool(_train, request)

    def _train(request: Request):
        try:
            return JSONResponse(trainer.start(_who(request)), status_code=202)
        except RuntimeError as exc:
            raise ApiError(409, str(exc)) from None
        except ValueError as exc:
            raise ApiError(400, str(exc)) from None

    # -------------------------------------------------------- pages
    @app.get("/favicon.ico", include_in_schema=False)
    def favicon():  # browsers ask for it on every page: no icon, and no 404 in their console
        return Response(status_code=204)

    @app.get("/", response_class=HTMLResponse)
    def index(request: Request):
        docs = labeller.documents(include_api=True)  # with the corrections sent through the API (QA 46b D11)
        return page("index.html", request, documents=docs, suffixes=sorted(SUFFIXES), listed=SUFFIX_LIST,
                    max_mb=max_upload // (1024 * 1024), busy=any(d["status"] in ("labelling", "queued") for d in docs))

    async def _form(request: Request):
        """The posted form, after its CSRF token: the ``csrf`` field must be the session's signed ``mh_csrf``
        cookie (double submit; the cookie is SameSite=Strict, so another site's form cannot carry it)."""
        try:
            form = await request.form(max_files=5, max_fields=20, max_part_size=max_upload)
        except ApiError:
            raise
        except Exception as exc:  # noqa: BLE001 - a malformed multipart body is the client's problem
            chain = [str(getattr(e, "detail", "") or e) for e in exception_chain(exc)]  # starlette wraps it twice
            cause = chain[-1]
            if any("header size" in c for c in chain):  # a file name of thousands of characters, in the part's header
                raise ApiError(400, "the form could not be read: a part's header is over 4 KB (a file name that "
                                    "long?); rename the file and upload it again") from None
            raise ApiError(400, f"malformed form ({cause or exc.__class__.__name__})") from None
        given, cookie = form.get("csrf"), request.cookies.get(CSRF_COOKIE)
        if not (isinstance(given, str) and csrf.valid(cookie) and _same_token(given, cookie)):
            raise ApiError(403, "the form's CSRF token is missing or stale: reload the page and try again")
        return form

    def _count(path: Path, column: str | None, split: str, sheets: list[str] | None = None,
               header_row: int | None = None, strict: bool = False, source: str | None = None) -> PreRead | None:
        """Refuse a file of more statements than the limit (``TooLarge``); ``strict``: one that cannot be read too
        (``ReadError``: an upload not yet stored, QA 46b D5), else it fails when it is labelled. The statements read
        (as the document named ``source``) and what the reader said of them, for the labeller to use instead of
        reading the file a second time (QA 49c N1: a slow PDF was read twice); None when it could not be read."""
        statements: list = []
        said: list[str] = []
        try:
            with read_time_limit(max_read_seconds):  # a PDF of heavy pages holds every other upload (QA 49c N1)
                for st in read_statements(path, column=column, split=split, sheets=sheets, header_row=header_row,
                                          source=source, warn=said.append):
                    statements.append(st)
                    if len(statements) > max_statements:
                        raise TooLarge(f"more than {max_statements:,} statements (the limit per upload; "
                                       "split the file, or start the server with a higher --max-statements)")
        except TooBig as exc:  # a PDF page that unpacks past the limit: refused as a .docx bomb is
            raise TooLarge(str(exc)) from None
        except ReadError:
            if strict:
                raise
            return None  # an unreadable file fails when it is labelled, with the reason on the documents page
        finally:
            give_back_memory()
        return PreRead(statements, said)

    reading = asyncio.Semaphore(1)  # uploads are read one at a time: a large document's tree is in memory once
    app.state.reading = reading

    async def _take_turn(request: Request) -> None:
        """Wait for the turn to read an upload or paste (:data:`reading`), in the order they came. A client that goes
        away meanwhile (looked at every :data:`READING_POLL` s) drops its upload: 499 to no one, nothing stored (QA
        49b D7: an upload abandoned while it waited was stored and labelled 25 minutes later). After
        :data:`READING_WAIT` s, a 503 that says the screen is busy."""
        turn = asyncio.ensure_future(reading.acquire())
        deadline = time.monotonic() + READING_WAIT
        try:
            while not turn.done():
                await asyncio.wait({turn}, timeout=READING_POLL)
                if turn.done():
                    break
                if await request.is_disconnected():
                    raise ApiError(499, "the upload was dropped: its sender went away while it waited to be read")
                if time.monotonic() > deadline:
                    raise ApiError(503, f"busy: another upload is being read (waited {READING_WAIT:.0f} s); try again "
                                        "in a minute")
        except BaseException:
            if turn.done():
                if not turn.cancelled() and turn.exception() is None:
                    reading.release()
            else:
                turn.cancel()  # (the semaphore gives back a turn it handed to a cancelled waiter)
            raise

    @contextlib.asynccontextmanager
    async def _reading_turn(request: Request):
        """The turn to read an upload or paste (:func:`_take_turn`); it is given up when its client is gone by then, or
        when it went away while the file was read (nothing is stored for no one)."""
        await _take_turn(request)
        try:
            if await request.is_disconnected():
                raise ApiError(499, "the upload was dropped: its sender went away before it was read")
            yield
            if await request.is_disconnected():
                raise ApiError(499, "the upload was dropped: its sender went away while it was read")
        finally:
            reading.release()

    async def _check_count(path: Path, column: str | None, split: str, sheets: list[str] | None = None,
                           header_row: int | None = None, strict: bool = False,
                           source: str | None = None) -> PreRead | None:
        """:func:`_count` off the event loop (the caller holds the reading turn)."""
        return await run_in_threadpool(_count, path, column, split, sheets, header_row, strict, source)

    async def _check_table_count(request: Request, doc: dict, column: str) -> PreRead | None:
        """A table waiting for its column (the column page) counted in that column: one over the limit is refused as
        any upload is, 413 and nothing kept (QA 49b D6: it stayed as a failed document, its file in uploads/)."""
        try:
            async with _reading_turn(request):
                return await _check_count(Path(doc["file"]), column, "paragraph", doc.get("sheets"),
                                          doc.get("header_row"), source=doc.get("name"))
        except TooLarge as exc:
            with contextlib.suppress(ApiError):  # (gone already: a second post of the page)
                await run_in_threadpool(_remove_document, doc["id"])
            raise ApiError(413, f"{doc['name']}: {exc}; the file is not kept") from None

    def _in_order(form) -> bool:
        """The form's "read in order as one note" box (a checkbox sends its value only when ticked); another value is
        a 400, not silently "no"."""
        value = form.get("in_order")
        if value is not None and value not in ("1", "on", "true", "0", "off", "false", ""):
            raise ApiError(400, f"in_order must be on or off (1 or 0), not {str(value)[:20]!r}")
        return value in ("1", "on", "true")

    def _split(form) -> str:
        """The form's way to split a text into statements: paragraph (the default) or sentence; another is a 400."""
        value = form.get("split")
        if value in (None, ""):
            return "paragraph"
        if value not in ("paragraph", "sentence"):
            raise ApiError(400, f"split must be paragraph or sentence, not {str(value)[:20]!r}")
        return value

    def _note_column(form, in_order: bool, columns: list[str] | None, text_column: str | None = None) -> str | None:
        """The form's "one note per value of" column of a table read in order (``label --note-column``); None when
        not given. A 400 unless the document is read in order, is a table and has the column (not its text column)."""
        name = form.get("note_column")
        if not isinstance(name, str) or not name.strip():
            return None
        if not in_order:
            raise ApiError(400, "a note column says which rows are one note read in order: tick "
                                "\"one note, read in order\" too")
        if columns is None:
            raise ApiError(400, "only a table (.csv or .xlsx) has a column to split its notes by")
        if name not in columns or name == text_column:
            others = [c for c in columns if c != text_column]
            raise ApiError(400, f"no column {name!r} to split the notes by (" + (
                f"columns: {', '.join(others)})" if others else "the table has no column besides its text)"))
        return name

    def _start(doc_id: int, path: Path, column: str | None, split: str, read: PreRead | None = None) -> None:
        store.update_document(doc_id, status="queued", text_column=column, split=split)  # the labeller says when it starts
        labeller.submit(doc_id, path, column, split, read=read)

    @app.get("/upload", include_in_schema=False)
    def upload_page(request: Request):  # an upload over the limit is answered here (see _too_large); else home
        message = request.scope.get("mh_too_large")
        if message:
            raise ApiError(413, message)
        return RedirectResponse("/", status_code=303)

    @app.post("/upload")
    async def upload(request: Request):
        form = await _form(request)
        upload = form.get("file")
        split = _split(form)
        if len(form.getlist("file")) > 1:  # only the last would be stored, the others dropped without a word
            raise ApiError(400, "one file per upload: send the others one by one")
        if upload is None or isinstance(upload, str) or not upload.filename:
            raise ApiError(400, "no file chosen")
        name = _document_name(upload.filename)
        suffix = Path(name).suffix.lower()
        if suffix not in SUFFIXES:
            hint = f"; {SAVE_AS[suffix]}" if suffix in SAVE_AS else ""
            raise ApiError(400, f"unsupported file type {suffix or '(none)'!r}{hint} (use {SUFFIX_LIST})")
        kind = reads_as(suffix)  # a .xlsm is read as a .xlsx, a .docm as a .docx
        sheets, header_row = _sheet_choice(form, kind)
        incoming = uploads / f".incoming-{secrets.token_hex(8)}{suffix}"
        try:  # checked before it becomes a document: a refused file leaves nothing behind
            with open(incoming, "wb") as fh:
                shutil.copyfileobj(upload.file, fh)
            if not incoming.stat().st_size:  # refused at once, as other files that cannot be read (QA 46b D5)
                raise ApiError(400, f"{name} is empty: nothing to label")
            read = None  # the statements as the check read them: the labeller does not read the file again
            async with _reading_turn(request):  # one upload or paste is read at a time, for a client still there
                columns_read = None  # a table's columns, read once here
                if suffix in PACKAGE_SUFFIXES:  # off the event loop, as every read of the file: the screen stays live
                    try:
                        await run_in_threadpool(check_zip, incoming, max_unpacked_mb, max_entries, error=TooLarge,
                                                whole_parts=kind != ".xlsx")  # openpyxl streams; the others do not
                    except ReadError as exc:  # not too large, but not to be read (a part in UTF-32: QA 49c N6)
                        raise ApiError(400, f"{name}: {screen_words(str(exc))}") from None
                try:  # a file that cannot be read (binary, not really a workbook) is refused before it is stored
                    if kind not in (".csv", ".xlsx"):  # a table is counted once its column is chosen
                        read = await _check_count(incoming, None, split, strict=True, source=name)
                    else:  # and a sheet or header row that is not there is said at once
                        columns_read = await run_in_threadpool(table_columns, incoming, sheets, header_row)
                except TooBig as exc:  # a table wider than any (QA 49b D2: 3 million columns), refused as a bomb is
                    raise TooLarge(str(exc)) from None
                except ReadError as exc:
                    raise ApiError(400, f"{name}: {screen_words(str(exc))}") from None
                note_column = None
                if isinstance(form.get("note_column"), str) and form.get("note_column").strip():
                    note_column = _note_column(form, _in_order(form), columns_read,
                                               form.get("column") if isinstance(form.get("column"), str) else None)
                column = form.get("column") if isinstance(form.get("column"), str) and form.get("column") else None
                if columns_read is not None and column in columns_read:  # counted before it is stored (QA 49b D6)
                    read = await _check_count(incoming, column, "paragraph", sheets, header_row, source=name)
            doc_id = store.add_document(name, kind.lstrip("."), None, status="queued", sheets=sheets,
                                        header_row=header_row, in_order=_in_order(form), note_column=note_column)
            path = uploads / f"{doc_id}{suffix}"
            os.replace(incoming, path)
        except TooLarge as exc:
            raise ApiError(413, f"{name}: {screen_words(str(exc))}") from None
        finally:
            incoming.unlink(missing_ok=True)
        store._write("UPDATE documents SET file = ? WHERE id = ?", (str(path), doc_id))
        if kind in (".csv", ".xlsx"):
            if column is None or column not in columns_read:
                store.update_document(doc_id, status="column")
                return RedirectResponse(f"/documents/{doc_id}/column", status_code=303)
            _start(doc_id, path, column, split, read)
        else:
            _start(doc_id, path, None, split, read)
        return RedirectResponse("/", status_code=303)

    @app.post("/paste")
    async def paste(request: Request):
        form = await _form(request)
        text = form.get("text")
        if not isinstance(text, str) or not text.strip():
            raise ApiError(400, "nothing pasted")
        if not has_words(text):  # "...", "---", "???": no statement to label (a file of them fails as a document)
            raise ApiError(400, "the pasted text holds no words: nothing to label")
        if "\x00" in text:  # (read as a file it would be "binary file, not text", an odd thing to say of a paste)
            raise ApiError(400, "the pasted text holds a NUL character: paste text only")
        name = (form.get("name") if isinstance(form.get("name"), str) else "") or "pasted text"
        name = _plain_name(name)[:200] or "pasted text"  # as the documents table shows it
        split = _split(form)
        incoming = uploads / f".incoming-{secrets.token_hex(8)}.txt"
        try:
            incoming.write_text(text, encoding="utf-8", errors="replace")
            async with _reading_turn(request):
                read = await _check_count(incoming, None, split, source=name)
            doc_id = store.add_document(name, "text", None, status="queued", in_order=_in_order(form))
            path = uploads / f"{doc_id}.txt"
            os.replace(incoming, path)
        except TooLarge as exc:
            raise ApiError(413, f"pasted text: {exc}") from None
        finally:
            incoming.unlink(missing_ok=True)
        store._write("UPDATE documents SET file = ? WHERE id = ?", (str(path), doc_id))
        _start(doc_id, path, None, split, read)
        return RedirectResponse("/", status_code=303)

    def _table_document(doc_id: int | str) -> dict:
        doc_id = _row_id(doc_id, "document")
        doc = store.document(doc_id)
        if doc is None or not doc["file"]:
            raise ApiError(404, f"no document {doc_id}: it was removed, or the link is old")
        if doc["kind"] not in ("csv", "xlsx"):
            raise ApiError(400, f"document {doc_id} is not a table (.csv or .xlsx): it has no columns to choose")
        return doc

    def _columns(doc: dict) -> list[str]:
        try:
            return table_columns(Path(doc["file"]), doc.get("sheets"), doc.get("header_row"))
        except ReadError as exc:
            raise ApiError(400, f"cannot read the table: {screen_words(str(exc))}") from None

    column_reads: dict[tuple, tuple] = {}  # a table's columns and samples, read once per file (QA 52b S4)
    column_lock = threading.Lock()  # one table read at a time: four views of a big sheet took 60-70 s each at once

    def _column_view(doc: dict) -> tuple:
        path = Path(doc["file"])
        try:
            st = path.stat()
        except OSError:
            raise ApiError(400, "cannot read the table: its file is gone") from None
        key = (doc["id"], str(path), st.st_mtime_ns, st.st_size, tuple(doc.get("sheets") or ()), doc.get("header_row"))
        with column_lock:
            if key not in column_reads:
                columns = _columns(doc)
                column_reads[key] = (columns, *column_samples(path, columns, doc.get("sheets"), doc.get("header_row")))
                while len(column_reads) > 8:  # the latest tables only
                    column_reads.pop(next(iter(column_reads)))
            return column_reads[key]

    @app.get("/documents/{doc_id}/column", response_class=HTMLResponse)
    def column_page(doc_id: str, request: Request):
        doc_id = _row_id(doc_id, "document")
        doc = _table_document(doc_id)
        columns, samples, words, sheets_of = _column_view(doc)
        guess = guess_column(columns, words)
        several = len({s for names in sheets_of.values() for s in names}) > 1
        # the list names every column (a survey tool's export may have its text in column 300); the table of their
        # values shows the first ones and the guess (QA 49b D2: a page of 200,000 columns was 23 MB of HTML)
        shown = columns[:COLUMN_PAGE_SAMPLES] + ([guess] if guess in columns[COLUMN_PAGE_SAMPLES:] else [])
        return page("column.html", request, doc=doc, columns=columns, guess=guess, samples=samples,
                    sheets_of=sheets_of if several else {}, shown_columns=shown,
                    more_columns=len(columns) - len(shown))

    @app.post("/documents/{doc_id}/column")
    async def column_pick(doc_id: str, request: Request):
        doc_id = _row_id(doc_id, "document")
        doc = _table_document(doc_id)
        if doc["status"] != "column":  # chosen once: a second post (a double click, the back button) would read it again
            raise ApiError(409, f"document {doc_id} is already read (status {doc['status']}): upload it again to read "
                                "another column")
        form = await _form(request)
        column = form.get("column")
        columns = await run_in_threadpool(_columns, doc)  # a workbook is read off the event loop
        if not isinstance(column, str) or column not in columns:
            raise ApiError(400, "choose one of the table's columns")
        if "note_column" in form:  # the column page asks again for a document read in order
            store.update_document(doc_id, note_column=_note_column(form, bool(doc["in_order"]), columns, column))
        elif doc.get("note_column") == column:
            raise ApiError(400, f"the notes are split by {column!r}: it cannot be the statements' column too")
        read = await _check_table_count(request, doc, column)
        if not store.claim_document(doc_id, "column", "labelling"):  # two posts at once: only the first reads it
            raise ApiError(409, f"document {doc_id} is already being read: upload it again to read another column")
        _start(doc_id, Path(doc["file"]), column, "paragraph", read)
        return RedirectResponse("/", status_code=303)

    def _document_filter(value: str | None) -> int | None:
        """The ``doc`` filter of a page or an export: None for none; a 400 when it is not a document number and a
        404 when no such document is there (removed, or an old link), so that a filter never silently shows or
        exports nothing, nor everything."""
        number = _int_param(value)
        if number is None:
            return None
        if number < 1:
            raise ApiError(400, f"doc must be a document number, not {value[:40]!r}")
        found = store.document(number)  # the API's corrections' pseudo-document is one too (QA 46b D11)
        if found is None:
            raise ApiError(404, f"no document {number}: it was removed, or the link is old")
        return number

    def _filters(params) -> tuple[dict, dict]:
        """The review filters from the query (for the page) and as arguments of the store's SQL queries. A value
        that is not one of the filter's is a 400 naming it (QA 42b: ``state=reviewed`` showed, and exported,
        everything), as the document filter is."""
        f = {"doc": params.get("doc") or "", "section": params.get("section") or "",
             "chapter": params.get("chapter") or "", "q": (params.get("q") or "").strip(),
             "uncertain": _flag(params, "uncertain"), "state": params.get("state") or "",
             "kind": params.get("kind") or "", "check": params.get("check") or ""}
        for name, allowed in (("state", ("open", "done")), ("kind", tuple(KIND_FILTERS)),
                              ("check", tuple(CHECK_FILTERS))):
            if f[name] and f[name] not in allowed:
                raise ApiError(400, f"{name} must be {' or '.join(allowed)} (or left out), not {f[name][:40]!r}")
        if f["section"] and f["section"] not in sections.numbers:
            raise ApiError(400, f"no section {f['section'][:40]!r} in the taxonomy (a number such as 4.7)")
        if f["chapter"] and _int_param(f["chapter"]) not in sections.tax.chapters:
            raise ApiError(400, f"chapter must be one of {', '.join(map(str, sorted(sections.tax.chapters)))}, "
                                f"not {f['chapter'][:40]!r}")
        try:
            threshold = float((params.get("threshold") or str(UNCERTAIN_BELOW)).replace(",", "."))  # 0,5 as Dutch writes it
        except ValueError:
            threshold = float("nan")
        if not 0.0 <= threshold <= 1.0:  # nan as well
            raise ApiError(400, f"threshold must be a number from 0 to 1, not {params.get('threshold', '')[:40]!r}")
        f["threshold"] = threshold
        sql: dict[str, Any] = {"document": _document_filter(f["doc"]), "q": f["q"],
                               "state": f["state"], "check": f["check"],
                               "below": f["threshold"] if f["uncertain"] else None}
        finals = None
        if f["section"]:
            finals = {f["section"]}
        chapter = _int_param(f["chapter"])
        if chapter is not None:
            in_chapter = {s for s in sections.numbers if sections.chapter(s) == chapter}
            finals = in_chapter if finals is None else finals & in_chapter
        sql["final_sections"] = sorted(finals) if finals is not None else None
        sql["kinds"] = KIND_FILTERS[f["kind"]] if f["kind"] else None
        return f, sql

    def _evidence(rows: list[dict], version: int | None = None, for_export: bool = False) -> list[dict]:
        """The rows with their evidence (``similar``) told apart (QA 46b D8): an ``added-N`` entry is a statement an
        analyst reviewed, not an anthology quote: it gets ``reviewed`` and, when the version that labelled the row
        (``version``: else the row's own) records what it learnt from, its document; one whose document was removed
        is left out, even though that model still holds it. An export names the document by number only."""
        learnt = None
        wanted: dict[int, None] = {}
        plan = []
        for r in rows:
            items = []
            quote = r.get("section_quote")  # the section's own nearest quote (QA 48b D9) may be a reviewed one too
            for q in [*(r.get("similar") or []), *([quote] if quote else [])]:
                m = re.fullmatch(r"added-(\d+)", str(q.get("id", "")))
                if not m:
                    items.append((q, None))
                    continue
                if learnt is None:
                    learnt = {v["version"]: (v.get("evaluation") or {}).get("statements")
                              if isinstance(v.get("evaluation"), dict) else None for v in store.model_versions()}
                ids = learnt.get(version if version is not None else r.get("model_version")) or []
                n = int(m.group(1))
                sid = ids[n - 1] if 1 <= n <= len(ids) and isinstance(ids[n - 1], int) else None
                if sid is not None:
                    wanted[sid] = None
                items.append((q, sid if sid is not None else 0))
            plan.append(items)
        sources = store.statement_sources(wanted) if wanted else {}

        def shown(q: dict, sid: int | None) -> dict | None:
            if sid is None:  # an anthology quote (or a written example)
                return q
            if sid and sid not in sources:  # its document was removed: not shown as evidence any more
                return None
            src = sources.get(sid) or {}
            where = ("added through the API" if src.get("document_kind") == "api"
                     else f"doc {src['document_id']}" if src else "document not known")
            if for_export:
                return {**q, "id": f"reviewed statement ({where})", "page": None, "reviewed": True,
                        "document_id": src.get("document_id")}
            return {**q, "reviewed": True, "document_id": src.get("document_id"),
                    "document": None if src.get("document_kind") == "api" else src.get("document"), "where": where}

        out = []
        for r, items in zip(rows, plan):
            if not items:
                out.append(r)
                continue
            quote = None
            if r.get("section_quote"):  # the last item (None when a reviewed statement of a removed document)
                items, quote = items[:-1], shown(*items[-1])
            similar = [q for q in (shown(q, sid) for q, sid in items) if q is not None]
            out.append({**r, "similar": similar, **({"section_quote": quote} if r.get("section_quote") else {})})
        return out

    def _still_labelling(number: int | None) -> list[dict]:
        """The documents (of ``number``, else all) whose labelling has not finished (QA 46b D10)."""
        return [d for d in labeller.documents() if d["status"] in ("queued", "labelling") and d.get("kind") != "api"
                and (number is None or d["id"] == number)]

    def _labelling_words(docs: list[dict]) -> str:
        """"doc 45 (middel3.txt, 366 of 500)": what is still being labelled, as the overview and an export say it."""
        parts = [f"doc {d['id']} ({d['name']}, " + (f"{d.get('done') or 0} of {d['total']})" if d.get("total")
                                                   else "waiting to be labelled)") for d in docs[:5]]
        return ", ".join(parts) + (f" and {len(docs) - 5} more" if len(docs) > 5 else "")

    @app.get("/review", response_class=HTMLResponse)
    def review(request: Request):
        params = request.query_params
        f, sql = _filters(params)
        try:
            page_no = max(1, min(int(params.get("page") or 1), MAX_ID))
        except ValueError:
            raise ApiError(400, f"page must be a page number, not {params.get('page', '')[:40]!r}") from None
        total = store.count_filtered(**sql)  # filtered, counted and paged in SQL
        # without a kind filter the list also holds meta lines and chatter: said apart in the count
        others = store.count_filtered(**{**sql, "kinds": KIND_FILTERS["other"]}) if not f["kind"] else 0
        pages = max(1, (total + PAGE_SIZE - 1) // PAGE_SIZE)
        page_no = min(page_no, pages)
        shown = _evidence(store.page_filtered(PAGE_SIZE, (page_no - 1) * PAGE_SIZE, **sql))
        # with a check filter: the statements it cannot know, labelled before the checks were kept (QA 48c N1)
        unknown = store.count_filtered(**{**sql, "check": "unknown"}) if f["check"] else 0
        query = {k: v for k, v in params.items() if k not in ("page", "token")}  # no link carries the token
        undone: dict[int, list[dict]] = {}  # the decisions undone on these rows, said beside them (QA 46b D14)
        for u in store.undone_decisions(r["id"] for r in shown):
            undone.setdefault(u["statement_id"], []).append(u)
        return page("review.html", request, rows=shown, total=total, others=others, f=f, unknown=unknown,
                    earlier=store.earlier_decisions(shown), undone=undone, undone_words=undone_words,
                    documents=labeller.documents(include_api=True),
                    grouped=sections.grouped(), chapters=sorted(sections.tax.chapters.items()),
                    page_no=page_no, pages=pages, query=urlencode(query),
                    chapter_title=lambda c: sections.tax.chapters[c].title if c in sections.tax.chapters else "")

    @app.get("/overview", response_class=HTMLResponse)
    def overview(request: Request):
        params = request.query_params
        doc = params.get("doc") or ""
        number = _document_filter(doc)
        per_section, reviewed, total, reviewed_total = store.final_counts(number)  # aggregated in SQL
        kinds = store.kind_counts(number)
        apart = [(k, kinds[k]) for k in ("meta", "chatter", NOT_A_STATEMENT) if kinds.get(k)]
        per_section, reviewed = Counter(per_section), Counter(reviewed)
        chapters = []
        for c, ch in sorted(sections.tax.chapters.items()):
            secs = [{"section": s, "title": sections.title(s), "n": per_section[s], "reviewed": reviewed[s]}
                    for s in sections.numbers if sections.chapter(s) == c and per_section[s]]
            chapters.append({"chapter": c, "title": ch.title, "n": sum(s["n"] for s in secs),
                             "reviewed": sum(s["reviewed"] for s in secs), "sections": secs})  # said in text (QA 47b M8)
        top = max([c["n"] for c in chapters] + [1])
        return page("overview.html", request, chapters=chapters, total=total, top=top,
                    reviewed_total=reviewed_total, documents=labeller.documents(include_api=True), doc=doc, apart=apart,
                    labelling=_labelling_words(_still_labelling(number)) if _still_labelling(number) else "")

    @app.get("/models", response_class=HTMLResponse)
    def models(request: Request):
        rows = store.reviewed()
        learnable = [r for r in rows if r["section"] in sections.tax.sections
                     and not sections.tax.sections[r["section"]].title.startswith("Onbekend")]
        api_doc = store.api_document_id()
        return page("models.html", request, versions=_summaries(), in_use=worker.version, reviewed=len(rows),
                    texts=len(one_per_text(learnable)),  # what a training learns from (QA 46b D12)
                    through_api=sum(r.get("document_kind") == "api" for r in rows),  # on their own review page (D11)
                    api_doc=api_doc)

    @app.post("/who")
    async def set_who(request: Request):
        form = await _form(request)
        who = _clean_who(form.get("who")) or DEFAULT_WHO
        response = RedirectResponse(_local_back(request), status_code=303)
        _set_who_cookie(response, who)
        return response

    @app.get("/export")
    def export(request: Request):
        fmt = request.query_params.get("format", "xlsx")
        if fmt not in ("xlsx", "csv", "jsonl"):
            raise ApiError(400, "format must be xlsx, csv or jsonl")
        f, sql = _filters(request.query_params)
        partial = _flag(request.query_params, "partial")
        busy = _still_labelling(sql.get("document"))
        if busy and not partial:  # a partial file that looks complete is worse than none (QA 46b D10)
            raise ApiError(409, f"still being labelled: {_labelling_words(busy)}; export when it is done (the "
                                "documents page shows the progress), or tick “export what is labelled so far” "
                                "(partial=1) for a partial file")
        partial = bool(busy)
        from ..io.writers import open_writer

        pseudonymiser = None
        if _flag(request.query_params, "pseudonymise"):
            pseudonymiser = learnt_pseudonymiser(lambda: store.iter_filtered(**sql))  # first passes learn the names

        extras: dict[str, None] = dict.fromkeys(EXPORT_EXTRAS)
        extras.update((k, None) for k in store.extra_keys(**sql))

        def write(where: Path | None) -> tuple[Path, Path]:
            tmp = Path(tempfile.mkdtemp(dir=where, prefix=EXPORT_PREFIX))  # 0700: this user's only
            path = tmp / export_name(fmt, store.document(sql["document"]) if sql.get("document") else None,
                                     pseudonymiser is not None, partial)
            writer = open_writer(path, list(extras))
            try:
                rows = iter(store.iter_filtered(**sql))  # 1,000 statements at a time
                while batch := list(itertools.islice(rows, 1000)):
                    undone: dict[int, list[dict]] = {}  # the trace of every undo on these rows (QA 46b D14)
                    for u in store.undone_decisions(r["id"] for r in batch):
                        undone.setdefault(u["statement_id"], []).append(u)
                    for r in _evidence(batch, for_export=True):
                        r = {**r, "undone": undone.get(r["id"], [])}
                        if pseudonymiser is not None:
                            r = pseudonymised(pseudonymiser, r)
                        writer.write(export_record(r, sections, f["threshold"]))
                writer.commit()
            except BaseException:
                writer.abort()
                shutil.rmtree(tmp, ignore_errors=True)
                raise
            return tmp, path

        try:  # staged beside the data; an export is a read, so a read-only or full data folder stages it elsewhere
            tmp, path = write(data_dir)
        except OSError:
            tmp, path = write(None)  # the system's temporary folder, on this machine
        return FileResponse(path, filename=path.name, background=BackgroundTask(shutil.rmtree, tmp, True))

    return app


PLAIN_LETTERS = str.maketrans({"ø": "o", "Ø": "O", "ß": "ss", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE",
                               "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "þ": "th", "Þ": "Th", "ı": "i"})


def export_name(fmt: str, doc: dict | None = None, pseudonymised: bool = False, partial: bool = False) -> str:
    """The export's file name: ``mh-nlp-labels-<name>-doc<N>-<date>.<fmt>`` for one document (its name left out
    when pseudonymised, as a name may hold a person's; only letters, digits, ``.``, ``_`` and ``-``, accented
    letters plain), else ``mh-nlp-labels-<date>.<fmt>``, so that two exports are told apart in the downloads folder."""
    import datetime as _dt

    parts = ["mh-nlp-labels"]
    if doc is not None:
        name = "" if pseudonymised else Path(str(doc["name"])).stem.translate(PLAIN_LETTERS)
        name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()  # één -> een
        name = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-.")[:60]
        parts += [name, f"doc{doc['id']}"] if name else [f"doc{doc['id']}"]
    if partial:  # exported while a document was still being labelled (QA 46b D10)
        parts.append("PARTIAL")
    parts.append(_dt.date.today().isoformat())
    return "-".join(parts) + f".{fmt}"


EXPORT_PREFIX = ".export-"
LEFTOVER_SECONDS = 3600  # an export or upload this old was left by a server that was killed


def remove_leftovers(data_dir: Path) -> None:
    """Remove what a killed server left half-written in the data folder: staged exports and uploads being
    checked (an hour old or more, so that another server's work in progress on the same folder stays)."""
    import time

    old = time.time() - LEFTOVER_SECONDS
    for pattern in (f"{EXPORT_PREFIX}*", "uploads/.incoming-*"):
        for path in data_dir.glob(pattern):
            with contextlib.suppress(OSError):
                if path.lstat().st_mtime < old:
                    shutil.rmtree(path) if path.is_dir() and not path.is_symlink() else path.unlink()


def _as_statement(r: dict):
    from ..io.readers import Statement

    return Statement(str(r["document"]), r["position"], r["text"] or "", dict(r["extra"] or {}))


def learnt_pseudonymiser(rows_twice):
    """A :class:`mh_nlp.io.privacy.PseudonymRegister` that has learnt the names of every row, document by document;
    ``rows_twice``: a callable giving the rows (streamed) each time it is called (they are read twice)."""
    from ..io.privacy import PseudonymRegister

    p = PseudonymRegister()
    for r in rows_twice():
        p.see(_as_statement(r))
    for r in rows_twice():
        p.learn(_document_key(r), _as_statement(r))
    return p


def _document_key(r: dict):
    return r.get("document_id", r.get("document"))


def pseudonymised(pp, r: dict) -> dict:
    """A statement row with person names replaced by Spreker 1, 2 ... consistently over the export (text,
    speaker and speaker-like columns, attendee-like columns, e-mail addresses; see :mod:`mh_nlp.io.privacy`), and
    in the document's name the names learnt from the statements ("Gesprek met Fatima el Amrani.txt")."""
    p = pp.of(_document_key(r))
    out = p.apply(_as_statement(r))
    similar = [{**q, "text": p.text(str(q.get("text") or ""))} if q.get("reviewed") else q  # an analyst's statement
               for q in r.get("similar") or []]  # may name people too (QA 46b D8); anthology quotes are public
    quote = r.get("section_quote")
    if quote and quote.get("reviewed"):
        quote = {**quote, "text": p.text(str(quote.get("text") or ""))}
    return {**r, "text": out.text, "extra": out.extra, "document": p.text(str(r["document"])), "similar": similar,
            "section_quote": quote}


EXPORT_EXTRAS = ("suggested_section", "suggested_confidence", "decision", "decided_by", "decided_at", "model_version",
                 "undone_decisions")


def undone_words(undone: Sequence[dict]) -> str:
    """The ``undone_decisions`` cell (QA 46b D14): every undone decision of a statement, oldest undo first, as
    "2.19 (corrected by Marloes, 2026-12-06T21:40:00+00:00) undone by Jan, 2026-12-06T21:41:05+00:00", joined by " | "."""
    parts = []
    for u in undone:
        what = "not a statement" if u["action"] == NOT_STATEMENT else u["section"]
        how = "marked" if u["action"] == NOT_STATEMENT else "accepted" if u["action"] == "accept" else "corrected"
        parts.append(f"{what} ({how} by {u['who']}, {u['at']}) undone by {u['undone_by']}, {u['undone_at']}")
    return " | ".join(parts)


def export_record(r: dict, sections: Sections, threshold: float | None = None) -> dict:
    """A statement in the nested row form of :mod:`mh_nlp.io.writers`, with the final label as its section.
    ``confidence`` and ``chapter_confidence`` are the model's for the section exported: the suggestion's, or for a
    corrected row the model's score of the analyst's section when it was among its top three (else empty); the
    suggestion's own stay in ``suggested_confidence``. ``uncertain``: not reviewed and the suggestion's confidence
    below ``threshold`` (the review page's *uncertain* filter), never for a row an analyst decided; empty (None) for a
    line that is no statement, as ``mh-nlp label`` writes it."""
    final = r["final_section"] or ""  # none for meta, chatter and "not a statement" rows
    chapter = sections.chapter(final)
    confidence, chapter_confidence = r["confidence"], r["chapter_confidence"]
    if final != (r["section"] or ""):  # the analyst's section, not the suggestion: the model's score for it
        confidence = next((t.get("score") for t in r["top"] or [] if t.get("section") == final), None) if final else None
        if not final or chapter != sections.chapter(r["section"] or ""):
            chapter_confidence = None
    uncertain = bool(threshold is not None and not r["decision"] and final and r["confidence"] is not None
                     and r["confidence"] < threshold)
    if (r.get("final_kind") or "statement") != "statement":
        uncertain = None  # a meta or chatter line (or one decided not a statement): empty, as label writes it (QA 51a D8)
    extra = {"suggested_section": r["section"] or "", "suggested_confidence": r["confidence"],
             "decision": r["decision"] or "", "decided_by": r["decided_by"] or "", "decided_at": r["decided_at"] or "",
             "model_version": r["model_version"], "undone_decisions": undone_words(r.get("undone") or [])}
    for k, v in r["extra"].items():
        extra.setdefault(k, v)
    ids: dict[str, None] = {}
    for e in r["entities"]:
        if e.get("id"):
            ids.setdefault(str(e["id"]), None)
    return {"source": r["document"], "position": r["position"], "statement": r["text"],
            "kind": r.get("final_kind") or "statement", "section": final,
            "section_title": sections.title(final), "chapter": chapter,
            "chapter_title": sections.tax.chapters[chapter].title if chapter in sections.tax.chapters else "",
            "confidence": confidence, "chapter_confidence": chapter_confidence, "uncertain": uncertain,
            "top": r["top"], "entity_ids": list(ids), "similar_quotes": r["similar"],
            "not_dutch": not_dutch(r["text"]) if r.get("kind") == "statement" else None,
            # as mh-nlp label writes them (QA 48b D5, D1, D9): the model's reading of the suggestion; a statement
            # labelled before the screen kept them (schema 12) has null for off_subject (not known), and so has a
            # meta or chatter line (QA 48c N1, N4: an empty cell, not False)
            "off_subject": r.get("off_subject") if r.get("kind") == "statement" and r.get("section") else None,
            "subject_similarity": r.get("subject_similarity") if r.get("kind") == "statement" and r.get("section")
            else None,
            "read_alone": r.get("read_alone"), "section_quote": r.get("section_quote"), "extra": extra}


def learnt_words(m: dict | None) -> str:
    """What a model version learnt beyond the anthology, in the screen's words (QA 51a D5): ``22 reviewed statements``
    for a version trained here; for a model given with ``serve --model`` that was trained with corrections elsewhere
    (``train --add``), ``22 corrections from corr.csv``, as nobody reviewed them on this screen."""
    if not m or not m.get("corrections"):
        return ""
    meta = m.get("metadata") or {}
    source = str(meta.get("corrections_file") or "")
    if source and not source.startswith("review screen"):  # trained elsewhere with a file of corrections
        agreed = meta.get("confirmations") or 0  # rows that kept the model's suggestion (QA 51b N7)
        if agreed:
            return (f"{m['corrections']} statements from {Path(source).name} ({m['corrections'] - agreed} corrected, "
                    f"{agreed} confirmed)")
        return f"{m['corrections']} corrections from {Path(source).name}"
    return f"{m['corrections']} reviewed statements"


def _model_summary(m: dict, checking: int | None = None, in_use: dict | None = None, versions: Sequence[dict] = ()
                   ) -> dict:
    """A model version as the page and the API show it; ``in_use``: the record of the version in use, against
    which it is offered or not (``versions``: every version's record)."""
    meta = m.get("metadata") or {}
    reason = not_offered_reason(m, checking=checking, in_use=in_use, versions=versions)
    return {"version": m["version"], "path": m["path"], "created_at": meta.get("trained_at") or m["created_at"],
            "corrections": m["corrections"], "learnt": learnt_words(m), "candidate": meta.get("candidate"),
            "evaluation": m.get("evaluation"),
            "given": meta.get("given_with") == "--model", "offered": reason is None, "not_offered": reason,
            "removed": m.get("removed", 0),
            # QA 49a D6: the version whose file a newer model replaced on disk, and the version that replaced it
            "replaced_by": _replaced_by(m), "replaces": meta.get("replaces"),
            "way_back": reason is not None and not m.get("corrections") and not _file_missing(m)}


def _document_name(filename: str, limit: int = 200) -> str:
    """An uploaded file's name as the screen keeps it: the last part of the path as a plain name (:func:`_plain_name`;
    a direction override can make ``a\\u202egnp.txt`` look like ``atxt.png``), at most ``limit`` characters with its
    extension kept."""
    name = _plain_name(Path(filename.replace("\\", "/")).name)
    if name.startswith(".") and "." not in name[1:]:  # nothing left before the extension: '.txt' is not a dot file
        name = "upload" + name
    if len(name) > limit:
        suffix = Path(name).suffix[:20]
        name = name[:limit - len(suffix)] + suffix
    return name


def _sheet_headers(wb, sheets: list[str] | None, header_row: int | None, problems: list[str]):
    """(title, header, the rows under it) of each sheet of an open workbook that is read (``sheets``, default all),
    its header found as :func:`mh_nlp.io.readers.read_statements` finds it, or ``header_row``. A sheet whose header
    cannot be found is said in ``problems`` and passed over, unless sheets were named: then ReadError."""
    from ..io import readers

    for ws in readers._xlsx_sheets(wb, sheets):
        try:
            _n, header, _above, rest = readers._split_header(readers.shown_rows(wb, ws, header_row), None, header_row,
                                                             f"sheet {ws.title!r}: ")
        except TooBig:  # wider than any table (QA 49b D2): the file is refused, not the sheet passed over
            raise
        except ReadError as exc:
            if sheets:
                raise
            problems.append(str(exc))
            continue
        yield ws.title, header, rest


def table_columns(path: Path, sheets: list[str] | None = None, header_row: int | None = None) -> list[str]:
    """The header of a .csv or .xlsx file (column names as the readers name them): the header row found as
    :func:`mh_nlp.io.readers.read_statements` finds it (below a title), or ``header_row``; for a workbook the
    columns of every sheet read (``sheets``, default all) in order of first appearance. ReadError for a
    damaged table, a sheet that is not there or a header row past the end."""
    from ..io import readers

    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":  # (not csv_columns, whose [] for a file it cannot read let a binary .csv in: QA 49b D5)
            fh, _n, header, _col, _rest = readers._csv_table(path, readers._ignore, None, header_row, pick=False)
            fh.close()
            return header
        wb = readers._xlsx_open(path)
        try:
            names: dict[str, None] = {}
            notes: list[str] = []  # one cell and nothing under it: an explanation sheet, not a table
            problems: list[str] = []
            for _title, header, rest in _sheet_headers(wb, sheets, header_row, problems):
                if len(header) == 1 and not any(readers._filled(r) for _r, r in itertools.islice(rest, 200)):
                    notes.append(header[0])
                    continue
                names.update((h, None) for h in header)
            if not names and notes:
                names.update((h, None) for h in notes)  # nothing else: it is the table there is
            if not names and problems:
                raise ReadError(problems[0])
            return list(names)
        finally:
            wb.close()
    except ReadError:
        raise
    except Exception as exc:  # noqa: BLE001 - a damaged table
        raise ReadError(f"cannot read the table ({exc.__class__.__name__})") from None


GUESS_WORDS = 4  # a column whose first values run this many words on average reads like statements
READING_WAIT = 120.0  # seconds an upload or paste waits for its turn to be read; then 503 busy (QA 49b D7)
READING_POLL = 1.0  # seconds between two looks whether a waiting upload's client is still there
COLUMN_PAGE_SAMPLES = 200  # columns whose first values the column page shows (its list names them all)
NAMED_WORDS = 2  # a column named "tekst" is taken when its values run at least this many words (not codes)


def column_samples(path: Path, columns: list[str], sheets: list[str] | None = None, header_row: int | None = None,
                   rows: int = 40, scan: int = 400) -> tuple[dict[str, list[str]], dict[str, float], dict[str, list[str]]]:
    """For the column page: up to three values of each column from the first ``rows`` filled rows under each
    sheet's header (at most ``scan`` rows looked at: an empty column never makes it read the whole table), each
    column's mean number of words there (the statements' column is the one that reads like text), and for a
    workbook the sheets that have each column. A table that cannot be read gives nothing: the samples are a help,
    the column is still chosen by name."""
    from ..io import readers

    samples: dict[str, list[str]] = {c: [] for c in columns}
    counts: dict[str, list[int]] = {c: [] for c in columns}
    sheets_of: dict[str, list[str]] = {c: [] for c in columns}

    def take(header: list[str], rest, sheet: str | None) -> None:
        filled = 0
        for looked, (_n, row) in enumerate(rest):
            if looked >= scan or filled >= rows:
                break
            values = [" ".join(readers._cell(v).split()) for v in row]
            if not any(values):
                continue
            filled += 1
            for name, value in zip(header, values):
                if name in samples and value:
                    counts[name].append(len(value.split()))
                    if len(samples[name]) < 3:
                        samples[name].append(value if len(value) <= 80 else value[:79] + "…")
        if sheet is not None:
            for name in header:
                if name in sheets_of and sheet not in sheets_of[name]:
                    sheets_of[name].append(sheet)

    try:
        if path.suffix.lower() == ".csv":
            fh, _n, header, _col, rest = readers._csv_table(path, readers._ignore, None, header_row, pick=False)
            try:
                take(header, rest, None)
            finally:
                fh.close()
        else:
            wb = readers._xlsx_open(path)
            try:  # a sheet without a header (an explanation, a chart) has nothing to show
                for title, header, rest in _sheet_headers(wb, sheets, header_row, []):
                    take(header, rest, title)
            finally:
                wb.close()
    except Exception:  # noqa: BLE001 - a help only: the page still lists the columns
        pass
    return samples, {c: sum(n) / len(n) for c, n in counts.items() if n}, sheets_of


def guess_column(columns: list[str], words: dict[str, float]) -> str | None:
    """The column the page preselects: one named like a text column (``text``, ``tekst`` …) whose values read as
    words, else the column whose values run longest (:data:`GUESS_WORDS` words on average or more), else none. A
    named column that is empty or holds codes (``S-001``) is not taken; without any samples the name decides."""
    named = [c for c in columns if c.strip().lower() in TEXT_COLUMNS]
    guess = next((c for c in named if not words or words.get(c, 0.0) >= NAMED_WORDS), None)
    if guess is None and words and max(words.values()) >= GUESS_WORDS:
        guess = max(columns, key=lambda c: words.get(c, 0.0))
    return guess


def start_warm_up(worker: ModelWorker) -> None:
    """Load the model in use and its encoder in the background, so that the first request is fast."""
    threading.Thread(target=lambda: _safe(worker.warm_up), daemon=True).start()


def _safe(fn) -> None:
    try:
        fn()
    except NoModel as exc:  # the screen runs on: documents can be reviewed and another version chosen
        print(f"mh-nlp: warning: the model in use cannot be loaded ({exc}); restart with --model FILE (a model file "
              "that loads), or choose another version on the screen's model page", file=sys.stderr)
    except Exception as exc:  # noqa: BLE001 - warm-up is best effort; the first request reports the problem
        print(f"mh-nlp: warning: model warm-up failed ({exc.__class__.__name__}: {exc})", file=sys.stderr)
