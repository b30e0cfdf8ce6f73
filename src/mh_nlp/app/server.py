"""The web application: server-rendered pages (Jinja2, autoescaped), a small JSON API, and the security layer.

``create_app(data_dir, host=...)`` builds it; ``mh-nlp serve`` runs it with uvicorn.
"""
from __future__ import annotations

import contextlib
import ipaddress
import json
import os
import re
import secrets
import shutil
import tempfile
import threading
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader
from starlette.background import BackgroundTask
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..corpus.records import load_taxonomy, section_key
from ..io.readers import MAX_CHARS, SUFFIXES, ReadError, TEXT_COLUMNS
from .db import Store
from .engine import Labeller, ModelWorker, NoModel, Trainer

HERE = Path(__file__).parent
MAX_UPLOAD = 20 * 1024 * 1024
MAX_TEXTS = 1000
TOKEN_COOKIE = "mh_token"
WHO_COOKIE = "mh_who"
DEFAULT_WHO = "analyst"
PAGE_SIZE = 200


def default_data_dir() -> Path:
    """``$MH_NLP_DATA_HOME``, else ``$XDG_DATA_HOME/mh-nlp``, else ``~/.local/share/mh-nlp``."""
    env = os.environ.get("MH_NLP_DATA_HOME")
    if env:
        return Path(env)
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "mh-nlp"


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class ApiError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


def _json_error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


# ---------------------------------------------------------------- security: token, size limit, origin

class Guard:
    """ASGI middleware: token on every request when not on loopback; a request body limit (413); cross-site
    writes refused (a page elsewhere may not post to the analyst's screen)."""

    def __init__(self, app, token: str | None, max_body: int):
        self.app = app
        self.token = token
        self.max_body = max_body

    async def _reply(self, send, status: int, message: str, headers: list | None = None) -> None:
        body = json.dumps({"error": message}).encode()
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
                    + (headers or [])})
        await send({"type": "http.response.body", "body": body})

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        if self.token is not None:
            from urllib.parse import parse_qs

            query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
            cookies = {}
            for part in headers.get("cookie", "").split(";"):
                if "=" in part:
                    k, v = part.strip().split("=", 1)
                    cookies[k] = v
            auth = headers.get("authorization", "")
            given = (query.get("token") or [None])[0] or cookies.get(TOKEN_COOKIE) or \
                (auth[7:] if auth.lower().startswith("bearer ") else None)
            if not given or not secrets.compare_digest(given, self.token):
                return await self._reply(send, 403, "a token is required: open the address with ?token=... that "
                                                    "`mh-nlp serve` printed")
            if (query.get("token") or [None])[0]:  # first visit: keep the token in a cookie
                inner_send = send

                async def send(message, _send=inner_send):
                    if message["type"] == "http.response.start":
                        message = dict(message)
                        message["headers"] = list(message.get("headers", [])) + [
                            (b"set-cookie", f"{TOKEN_COOKIE}={self.token}; HttpOnly; SameSite=Strict; Path=/".encode())]
                    await _send(message)
        if scope["method"] not in ("GET", "HEAD", "OPTIONS"):
            origin = headers.get("origin")
            if origin and origin != "null" and urlsplit(origin).netloc != headers.get("host", ""):
                return await self._reply(send, 403, "cross-site request refused")
        length = headers.get("content-length")
        if length is not None and length.isdigit() and int(length) > self.max_body:
            return await self._reply(send, 413, f"upload too large (limit {self.max_body // (1024 * 1024)} MB)")
        received = 0
        too_large = False
        started = False

        async def counted_receive():
            nonlocal received, too_large
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body:
                    too_large = True
                    raise ApiError(413, "upload too large")
            return message

        async def tracked_send(message):
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted_receive, tracked_send)
        except ApiError:
            if too_large and not started:
                return await self._reply(send, 413, f"upload too large (limit {self.max_body // (1024 * 1024)} MB)")
            raise


# ---------------------------------------------------------------- helpers for the pages

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


def _who(request: Request) -> str:
    who = (request.cookies.get(WHO_COOKIE) or "").strip()
    return who[:60] if who else DEFAULT_WHO


# ---------------------------------------------------------------- the application

def create_app(data_dir: str | Path | None = None, *, host: str = "127.0.0.1", token: str | None = None,
               max_upload: int = MAX_UPLOAD, model_path: str | Path | None = None, warm_up: bool = False,
               train_candidate: str | None = None) -> FastAPI:
    """The review screen on ``data_dir`` (default :func:`default_data_dir`). Off loopback a token is required
    (``token``, or a new random one in ``app.state.token``)."""
    from ..themes.store import default_model_path

    data_dir = Path(data_dir) if data_dir else default_data_dir()
    store = Store(data_dir)
    if not is_loopback(host) and token is None:
        token = secrets.token_urlsafe(24)
    worker = ModelWorker(store, Path(model_path) if model_path else default_model_path())
    labeller = Labeller(store, worker)
    trainer = Trainer(store, worker, candidate=train_candidate)
    sections = Sections()
    uploads = data_dir / "uploads"
    uploads.mkdir(parents=True, exist_ok=True)

    env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=True, trim_blocks=True,
                      lstrip_blocks=True)
    env.globals.update(section_title=sections.title, highlight=highlight)

    @contextlib.asynccontextmanager
    async def lifespan(_app):
        yield
        labeller.shutdown()
        worker.shutdown()

    app = FastAPI(title="mh-nlp review screen", docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan)
    app.state.token = token
    app.state.store, app.state.worker, app.state.labeller, app.state.trainer = store, worker, labeller, trainer
    app.state.data_dir = data_dir
    app.add_middleware(Guard, token=token, max_body=max_upload)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    if warm_up:
        threading.Thread(target=lambda: _safe(worker.warm_up), daemon=True).start()

    # -------------------------------------------------------- errors: JSON, never a traceback
    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError):
        return _json_error(exc.status, exc.message)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException):
        return _json_error(exc.status_code, str(exc.detail))

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError):
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()) if p not in ("body", "query", "path"))
        return _json_error(400, f"{where}: {first.get('msg', 'invalid input')}" if where else "invalid input")

    @app.exception_handler(NoModel)
    async def _no_model(request: Request, exc: NoModel):
        return _json_error(503, str(exc))

    @app.exception_handler(Exception)
    async def _internal(request: Request, exc: Exception):  # pragma: no cover - a bug: say so, in JSON
        return _json_error(500, f"internal error ({exc.__class__.__name__})")

    def page(name: str, request: Request, **ctx) -> HTMLResponse:
        mv = store.model_version(worker.version)
        html = env.get_template(name).render(request=request, who=_who(request), model=mv,
                                             training=trainer.snapshot(), nav=name.split(".")[0], **ctx)
        return HTMLResponse(html)

    async def json_body(request: Request) -> Any:
        try:
            return await request.json()
        except (ValueError, UnicodeDecodeError):
            raise ApiError(400, "the body must be JSON") from None

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
            raise ApiError(400, f"at most {MAX_TEXTS} texts per request")
        if not all(isinstance(t, str) for t in texts):
            raise ApiError(400, "every text must be a string")
        texts = [t.strip() for t in texts]
        if not all(texts):
            raise ApiError(400, "empty text")
        from starlette.concurrency import run_in_threadpool

        preds = await run_in_threadpool(worker.classify_json, texts)
        return {"model_version": worker.version, "predictions": preds}

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
        section = check_section(body.get("section"))
        who = body.get("who") if isinstance(body.get("who"), str) and body.get("who").strip() else _who(request)
        return JSONResponse(store.add_correction(text.strip(), section, who.strip()[:60]), status_code=201)

    @app.get("/api/corrections")
    def api_corrections():
        return {"corrections": [{**r, "section_title": sections.title(r["section"])} for r in store.reviewed()]}

    @app.post("/api/statements/{statement_id}/decision", status_code=201)
    async def api_decide(statement_id: int, request: Request):
        body = await json_body(request)
        if not isinstance(body, dict):
            raise ApiError(400, "expected {\"section\": ...}")
        section = check_section(body.get("section"))
        try:
            decision = store.decide(statement_id, section, _who(request))
        except KeyError:
            raise ApiError(404, f"no statement {statement_id}") from None
        return JSONResponse({**decision, "section_title": sections.title(section),
                             "chapter": sections.chapter(section)}, status_code=201)

    @app.get("/api/documents")
    def api_documents():
        return {"documents": store.documents()}

    @app.get("/api/documents/{doc_id}")
    def api_document(doc_id: int):
        doc = store.document(doc_id)
        if doc is None:
            raise ApiError(404, f"no document {doc_id}")
        return doc

    @app.get("/api/statements")
    def api_statements(document: int | None = None):
        return {"statements": store.statements(document=document)}

    @app.get("/api/models")
    def api_models():
        return {"in_use": worker.version, "versions": [_model_summary(m) for m in store.model_versions()],
                "training": trainer.snapshot()}

    @app.post("/api/models/{version}/use")
    def api_use_model(version: int):
        if trainer.running and trainer.snapshot().get("version") == version:
            raise ApiError(409, f"model v{version} is still being evaluated")
        try:
            mv = worker.use(version)
        except KeyError:
            raise ApiError(404, f"no model version {version}") from None
        return {"in_use": mv["version"]}

    @app.get("/api/train")
    def api_train_status():
        return trainer.snapshot()

    @app.post("/api/train", status_code=202)
    def api_train(request: Request):
        try:
            return JSONResponse(trainer.start(_who(request)), status_code=202)
        except RuntimeError as exc:
            raise ApiError(409, str(exc)) from None
        except ValueError as exc:
            raise ApiError(400, str(exc)) from None

    # -------------------------------------------------------- pages
    @app.get("/", response_class=HTMLResponse)
    def index(request: Request):
        docs = store.documents()
        return page("index.html", request, documents=docs, suffixes=sorted(SUFFIXES),
                    max_mb=max_upload // (1024 * 1024), busy=any(d["status"] in ("labelling", "queued") for d in docs))

    async def _form(request: Request):
        try:
            return await request.form(max_files=5, max_fields=20, max_part_size=max_upload)
        except ApiError:
            raise
        except Exception as exc:  # noqa: BLE001 - a malformed multipart body is the client's problem
            raise ApiError(400, f"malformed form ({exc.__class__.__name__})") from None

    def _start(doc_id: int, path: Path, column: str | None, split: str) -> None:
        store.update_document(doc_id, status="labelling", text_column=column)
        labeller.submit(doc_id, path, column, split)

    @app.post("/upload")
    async def upload(request: Request):
        form = await _form(request)
        upload = form.get("file")
        split = form.get("split") if form.get("split") in ("paragraph", "sentence") else "paragraph"
        if upload is None or isinstance(upload, str) or not upload.filename:
            raise ApiError(400, "no file chosen")
        name = Path(upload.filename).name[:200]
        suffix = Path(name).suffix.lower()
        if suffix not in SUFFIXES:
            raise ApiError(400, f"unsupported file type {suffix or '(none)'!r} (use {', '.join(sorted(SUFFIXES))})")
        doc_id = store.add_document(name, suffix.lstrip("."), None, status="queued")
        path = uploads / f"{doc_id}{suffix}"
        with open(path, "wb") as fh:
            shutil.copyfileobj(upload.file, fh)
        store._write("UPDATE documents SET file = ? WHERE id = ?", (str(path), doc_id))
        if path.stat().st_size == 0:
            store.update_document(doc_id, status="failed", error="empty file")
            return RedirectResponse("/", status_code=303)
        if suffix in (".csv", ".xlsx"):
            try:
                columns = table_columns(path)
            except ReadError as exc:
                store.update_document(doc_id, status="failed", error=str(exc))
                return RedirectResponse("/", status_code=303)
            column = form.get("column") if isinstance(form.get("column"), str) and form.get("column") else None
            if column is None or column not in columns:
                store.update_document(doc_id, status="column")
                return RedirectResponse(f"/documents/{doc_id}/column", status_code=303)
            _start(doc_id, path, column, split)
        else:
            _start(doc_id, path, None, split)
        return RedirectResponse("/", status_code=303)

    @app.post("/paste")
    async def paste(request: Request):
        form = await _form(request)
        text = form.get("text")
        if not isinstance(text, str) or not text.strip():
            raise ApiError(400, "nothing pasted")
        name = (form.get("name") if isinstance(form.get("name"), str) else "") or "pasted text"
        split = form.get("split") if form.get("split") in ("paragraph", "sentence") else "paragraph"
        doc_id = store.add_document(name.strip()[:200] or "pasted text", "text", None, status="queued")
        path = uploads / f"{doc_id}.txt"
        path.write_text(text, encoding="utf-8")
        store._write("UPDATE documents SET file = ? WHERE id = ?", (str(path), doc_id))
        _start(doc_id, path, None, split)
        return RedirectResponse("/", status_code=303)

    @app.get("/documents/{doc_id}/column", response_class=HTMLResponse)
    def column_page(doc_id: int, request: Request):
        doc = store.document(doc_id)
        if doc is None or not doc["file"]:
            raise ApiError(404, f"no document {doc_id}")
        columns = table_columns(Path(doc["file"]))
        guess = next((c for c in columns if c.strip().lower() in TEXT_COLUMNS), columns[0] if columns else None)
        return page("column.html", request, doc=doc, columns=columns, guess=guess)

    @app.post("/documents/{doc_id}/column")
    async def column_pick(doc_id: int, request: Request):
        doc = store.document(doc_id)
        if doc is None or not doc["file"]:
            raise ApiError(404, f"no document {doc_id}")
        form = await _form(request)
        column = form.get("column")
        if not isinstance(column, str) or column not in table_columns(Path(doc["file"])):
            raise ApiError(400, "choose one of the table's columns")
        _start(doc_id, Path(doc["file"]), column, "paragraph")
        return RedirectResponse("/", status_code=303)

    def _filtered(params) -> tuple[list[dict], dict]:
        rows = store.statements()
        f = {"doc": params.get("doc") or "", "section": params.get("section") or "",
             "chapter": params.get("chapter") or "", "q": (params.get("q") or "").strip(),
             "uncertain": params.get("uncertain") == "1", "state": params.get("state") or ""}
        try:
            f["threshold"] = min(1.0, max(0.0, float(params.get("threshold") or 0.5)))
        except ValueError:
            f["threshold"] = 0.5
        if f["doc"].isdigit():
            rows = [r for r in rows if r["document_id"] == int(f["doc"])]
        if f["section"]:
            rows = [r for r in rows if r["final_section"] == f["section"]]
        if f["chapter"].isdigit():
            rows = [r for r in rows if sections.chapter(r["final_section"]) == int(f["chapter"])]
        if f["uncertain"]:
            rows = [r for r in rows if (r["confidence"] or 0) < f["threshold"]]
        if f["state"] == "open":
            rows = [r for r in rows if not r["decided_section"]]
        elif f["state"] == "done":
            rows = [r for r in rows if r["decided_section"]]
        if f["q"]:
            q = f["q"].lower()
            rows = [r for r in rows if q in r["text"].lower()]
        return rows, f

    @app.get("/review", response_class=HTMLResponse)
    def review(request: Request):
        params = request.query_params
        rows, f = _filtered(params)
        try:
            page_no = max(1, int(params.get("page") or 1))
        except ValueError:
            page_no = 1
        pages = max(1, (len(rows) + PAGE_SIZE - 1) // PAGE_SIZE)
        page_no = min(page_no, pages)
        shown = rows[(page_no - 1) * PAGE_SIZE: page_no * PAGE_SIZE]
        query = {k: v for k, v in params.items() if k != "page"}
        return page("review.html", request, rows=shown, total=len(rows), f=f, documents=store.documents(),
                    grouped=sections.grouped(), chapters=sorted(sections.tax.chapters.items()),
                    page_no=page_no, pages=pages, query=urlencode(query),
                    chapter_title=lambda c: sections.tax.chapters[c].title if c in sections.tax.chapters else "")

    @app.get("/overview", response_class=HTMLResponse)
    def overview(request: Request):
        params = request.query_params
        rows = store.statements()
        doc = params.get("doc") or ""
        if doc.isdigit():
            rows = [r for r in rows if r["document_id"] == int(doc)]
        per_section = Counter(r["final_section"] for r in rows if r["final_section"])
        reviewed = Counter(r["final_section"] for r in rows if r["decided_section"])
        chapters = []
        for c, ch in sorted(sections.tax.chapters.items()):
            secs = [{"section": s, "title": sections.title(s), "n": per_section[s], "reviewed": reviewed[s]}
                    for s in sections.numbers if sections.chapter(s) == c and per_section[s]]
            chapters.append({"chapter": c, "title": ch.title, "n": sum(s["n"] for s in secs), "sections": secs})
        top = max([c["n"] for c in chapters] + [1])
        top_s = max([s["n"] for c in chapters for s in c["sections"]] + [1])
        return page("overview.html", request, chapters=chapters, total=len(rows), top=top, top_s=top_s,
                    reviewed_total=sum(1 for r in rows if r["decided_section"]), documents=store.documents(), doc=doc)

    @app.get("/models", response_class=HTMLResponse)
    def models(request: Request):
        versions = [_model_summary(m) for m in store.model_versions()]
        return page("models.html", request, versions=versions, in_use=worker.version,
                    reviewed=len(store.reviewed()))

    @app.post("/who")
    async def set_who(request: Request):
        form = await _form(request)
        who = form.get("who")
        who = who.strip()[:60] if isinstance(who, str) and who.strip() else DEFAULT_WHO
        back = request.headers.get("referer") or "/"
        back = urlsplit(back)
        response = RedirectResponse((back.path or "/") + (f"?{back.query}" if back.query else ""), status_code=303)
        response.set_cookie(WHO_COOKIE, who, max_age=365 * 24 * 3600, samesite="strict", httponly=True)
        return response

    @app.get("/export")
    def export(request: Request):
        fmt = request.query_params.get("format", "xlsx")
        if fmt not in ("xlsx", "csv", "jsonl"):
            raise ApiError(400, "format must be xlsx, csv or jsonl")
        rows, _f = _filtered(request.query_params)
        from ..io.writers import open_writer

        if request.query_params.get("pseudonymise", "") in ("1", "true", "yes", "on"):
            rows = pseudonymised(rows)

        extras: dict[str, None] = dict.fromkeys(EXPORT_EXTRAS)
        for r in rows:
            extras.update((k, None) for k in r["extra"])
        tmp = Path(tempfile.mkdtemp(dir=data_dir, prefix=".export-"))
        path = tmp / f"mh-nlp-labels.{fmt}"
        writer = open_writer(path, list(extras))
        try:
            for r in rows:
                writer.write(export_record(r, sections))
            writer.commit()
        except BaseException:
            writer.abort()
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        return FileResponse(path, filename=path.name, background=BackgroundTask(shutil.rmtree, tmp, True))

    return app


def pseudonymised(rows: list[dict]) -> list[dict]:
    """Statement rows with person names replaced by Spreker 1, 2 ... consistently over the export (text, speaker
    and speaker-like columns; see :mod:`mh_nlp.io.privacy`)."""
    from ..io.privacy import Pseudonymiser
    from ..io.readers import Statement

    p = Pseudonymiser()
    sts = [Statement(str(r["document"]), r["position"], r["text"] or "", dict(r["extra"] or {})) for r in rows]
    for st in sts:
        p.learn(st)
    return [{**r, "text": out.text, "extra": out.extra} for r, out in zip(rows, map(p.apply, sts))]


EXPORT_EXTRAS = ("suggested_section", "suggested_confidence", "decision", "decided_by", "decided_at", "model_version")


def export_record(r: dict, sections: Sections) -> dict:
    """A statement in the nested row form of :mod:`mh_nlp.io.writers`, with the final label as its section."""
    final = r["final_section"] or ""
    chapter = sections.chapter(final)
    extra = {"suggested_section": r["section"] or "", "suggested_confidence": r["confidence"],
             "decision": r["decision"] or "", "decided_by": r["decided_by"] or "", "decided_at": r["decided_at"] or "",
             "model_version": r["model_version"]}
    for k, v in r["extra"].items():
        extra.setdefault(k, v)
    ids: dict[str, None] = {}
    for e in r["entities"]:
        if e.get("id"):
            ids.setdefault(str(e["id"]), None)
    return {"source": r["document"], "position": r["position"], "statement": r["text"], "section": final,
            "section_title": sections.title(final), "chapter": chapter,
            "chapter_title": sections.tax.chapters[chapter].title if chapter in sections.tax.chapters else "",
            "confidence": r["confidence"], "chapter_confidence": r["chapter_confidence"], "uncertain": False,
            "top": r["top"], "entity_ids": list(ids), "similar_quotes": r["similar"], "extra": extra}


def _model_summary(m: dict) -> dict:
    meta = m.get("metadata") or {}
    return {"version": m["version"], "path": m["path"], "created_at": meta.get("trained_at") or m["created_at"],
            "corrections": m["corrections"], "candidate": meta.get("candidate"), "evaluation": m.get("evaluation")}


def table_columns(path: Path) -> list[str]:
    """The header of a .csv or .xlsx file (column names as the readers name them)."""
    from ..io import readers

    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            return readers.csv_columns(path)
        import openpyxl

        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
        try:
            row = next(wb.worksheets[0].iter_rows(values_only=True), None) if wb.worksheets else None
        finally:
            wb.close()
        return readers._header_names(row) if row else []
    except ReadError:
        raise
    except Exception as exc:  # noqa: BLE001 - a damaged table
        raise ReadError(f"cannot read the table ({exc.__class__.__name__})") from None


def _safe(fn) -> None:
    try:
        fn()
    except Exception as exc:  # noqa: BLE001 - warm-up is best effort; the first request reports the problem
        print(f"mh-nlp: warning: model warm-up failed ({exc.__class__.__name__}: {exc})")
