"""QA 48c: the review screen shows what classify and label already say (QA 48b D1, D5, D9) — a statement whose chapter
the note's context changed (*read on its own: …*), one perhaps not about the subject (*off subject?*) and the section's
own nearest quote where none of the nearest is of it — on the page, in its filter, in GET /api/statements, the
documents' counts and the export; and a database of schema 11 keeps its rows and gains the columns."""
from __future__ import annotations

import csv
import html
import io
import json
import re

import pytest
from fastapi.testclient import TestClient

from mh_nlp.app import db as appdb
from mh_nlp.themes.store import default_model_path

needs_model = pytest.mark.skipif(not default_model_path().exists(),
                                 reason="no trained model (run `make setup` or `mh-nlp train`)")

DEBATE = ["De samenwerking met de NLA gaat goed in onze regio.",
          "Bij ons gaat de samenwerking met de NLA juist niet goed.",
          "De NLA reageert vaak pas na weken op een melding.",
          "De samenwerking met de NLA moet beter worden vastgelegd in afspraken."]
OFF = "Morgen wordt het zonnig en 22 graden."


def test_a_database_of_schema_11_keeps_its_rows_and_gains_the_checks(tmp_path):
    """A data folder of the version before: opened, it is version 12, keeps every statement and decision, and its
    statements have none of the three (not known: labelled before they were kept)."""
    data = tmp_path / "data"
    data.mkdir()
    db = appdb.connect(data / appdb.DB_NAME)
    assert appdb.migrate(db, target=11) == 11
    db.execute("INSERT INTO documents (project_id, name, kind, status, created_at) VALUES (1, 'oud.txt', 'txt', "
               "'done', 'x')")
    for i, text in enumerate(["oud", "ouder"], 1):
        db.execute("INSERT INTO statements (document_id, position, text, section, search) VALUES (1, ?, ?, '2.6', ?)",
                   (i, text, text))
    db.execute("INSERT INTO decisions (statement_id, section, who, at, action) VALUES (2, '4.7', 'anna', 'x', "
               "'correct')")
    before = [tuple(r) for r in db.execute("SELECT * FROM statements ORDER BY id")]
    db.close()
    store = appdb.Store(data)
    assert store.db.execute("SELECT version FROM schema_version").fetchone()[0] == appdb.SCHEMA_VERSION == 12
    after = [tuple(r) for r in store.db.execute("SELECT * FROM statements ORDER BY id")]
    assert [r[:len(before[0])] for r in after] == before  # nothing lost, five columns more, all empty
    assert all(r[len(before[0]):] == (None,) * 5 for r in after)
    rows = store.statements()
    assert [(r["text"], r["final_section"]) for r in rows] == [("oud", "2.6"), ("ouder", "4.7")]
    assert all(r["off_subject"] is None and r["read_alone"] is None and r["section_quote"] is None for r in rows)
    assert "alone_section" not in rows[0]  # said as classify --json says it: read_alone
    assert store.count_filtered(check="any") == 0
    assert store.documents()[0]["to_check"] == 0
