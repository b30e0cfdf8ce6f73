"""Fixtures of the review screen's tests: an app on a temporary data directory, with the default model."""
from __future__ import annotations

import warnings

import pytest

warnings.filterwarnings("ignore", message=".*httpx.*")  # starlette's TestClient still runs on httpx


@pytest.fixture
def make_app(tmp_path):
    """create_app on one data dir under tmp_path (call again for a 'restarted' server on the same data)."""
    from mh_nlp.app.server import create_app

    def make(**kw):
        kw.setdefault("data_dir", tmp_path / "data")
        return create_app(kw.pop("data_dir"), **kw)

    return make


@pytest.fixture
def client(make_app):
    from fastapi.testclient import TestClient

    with TestClient(make_app()) as c:
        yield c


def session_csrf(client) -> str:
    """The CSRF token a page's forms carry: the signed ``mh_csrf`` cookie the server sets on any response."""
    if not client.cookies.get("mh_csrf"):
        client.get("/api/sections")
    token = client.cookies.get("mh_csrf")
    assert token, "the server set no CSRF cookie"
    return token


@pytest.fixture
def csrf():
    return session_csrf


@pytest.fixture
def paste_notes(csrf):
    """Paste one note per name on the screen and wait until each is labelled; the documents by name."""

    def paste(app, c, names, text="Er is te weinig opvang.\n\nMeer voorlichting."):
        for name in names:
            r = c.post("/paste", data={"csrf": csrf(c), "text": text, "name": name}, follow_redirects=False)
            assert r.status_code == 303
            app.state.labeller.wait(120)
        return {d["name"]: d for d in c.get("/api/documents").json()["documents"]}

    return paste


def database_of_version(data, version: int):
    """A data folder ``data`` (made here) whose database stops at schema ``version``, as an older mh-nlp left it, with
    one document, ``oud.txt`` (id 1): the open connection, to add its rows to, commit and close."""
    from mh_nlp.app import db as appdb

    data.mkdir()
    db = appdb.connect(data / appdb.DB_NAME)
    assert appdb.migrate(db, target=version) == version
    db.execute("INSERT INTO documents (project_id, name, kind, status, created_at) VALUES (1, 'oud.txt', 'txt', "
               "'done', 'x')")
    return db


@pytest.fixture
def old_database():
    """:func:`database_of_version`, for the tests of a data folder an older mh-nlp left."""
    return database_of_version
