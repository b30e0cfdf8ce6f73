"""The theme model trained on the gold corpus: API, agreement of chapter and section, evidence, determinism,
learning from corrections (train --add) and the embedding cache."""
from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from click.testing import CliRunner

from mh_nlp.cli import main
from mh_nlp.corpus.records import load_quotes, load_taxonomy, training_quotes
from mh_nlp.themes.embeddings import E5Encoder
from mh_nlp.io.additions import read_additions
from mh_nlp.exceptions import ModelError
from mh_nlp.themes.train import AdditionsError, load_classifier, train_model


@pytest.fixture(scope="module")
def quotes():
    return training_quotes(load_quotes())


def test_metadata_records_provenance(trained, quotes):
    path, meta, _ = trained
    assert meta["training_quotes"] == len(quotes) and meta["corrections"] == 0 and meta["written_statements"] >= 2600
    assert set(meta["training_data_sha256"]) == {"quotes.jsonl", "sections.json", "stance_cues.json",
                                                 "synthetic/statements.jsonl", "synthetic/stance.jsonl",
                                                 "synthetic/lexicon.jsonl"}
    assert meta["stance_statements"] >= 2000
    assert meta["encoder"] == "e5" and meta["candidate"] == "examples_e5" and meta["format"] == 1
    assert meta["base_pipeline"] and meta["trained_at"] and meta["labels"] and 0.1 < meta["temperature"] < 10
    assert json.loads(path.with_suffix(".json").read_text())["model_sha256"] == meta["model_sha256"]


def test_chapter_and_section_agree_and_probabilities_add_up(trained, quotes):
    _, _, clf = trained
    texts = [q.text for q in quotes[::9]]
    P = clf.predict_proba(texts)
    assert np.allclose(P.sum(axis=1), 1.0)
    tax = load_taxonomy()
    # sections without a title (Onbekend) are never predicted: the model's columns are the 52 titled sections
    assert len(clf.classes_) == 52 and not any(tax.sections[s].title.startswith("Onbekend") for s in clf.classes_)
    for d in clf.predict_details(texts):
        assert tax.sections[d.section].chapter == d.chapter
        assert len(d.top) == 3 and d.top[0].score >= d.top[1].score >= d.top[2].score
        assert 0.0 < d.confidence <= d.chapter_confidence <= 1.0


def test_evidence_is_the_nearest_anthology_quotes(trained, quotes):
    _, _, clf = trained
    by_id = {q.id: q for q in quotes}
    q = quotes[42]
    d = clf.predict_details([q.text])[0]
    assert len(d.similar_quotes) == 3
    first = d.similar_quotes[0]
    assert first.id == q.id and first.similarity > 0.99  # a quote of the anthology finds itself first
    for e in d.similar_quotes:
        assert by_id[e.id].section == e.section and by_id[e.id].page == e.page and e.text
    sims = [e.similarity for e in d.similar_quotes]
    assert sims == sorted(sims, reverse=True)


def test_classify_json_and_human_output_show_the_evidence(trained):
    path, _, _ = trained
    runner = CliRunner()
    res = runner.invoke(main, ["classify", "--json", "--model", str(path), "Er is te weinig opvang voor mannen."])
    assert res.exit_code == 0, res.output
    rec = json.loads(res.output.strip().splitlines()[0])
    assert len(rec["similar_quotes"]) == 3
    assert set(rec["similar_quotes"][0]) == {"id", "page", "section", "similarity", "text"}
    res = runner.invoke(main, ["classify", "--model", str(path), "Er is te weinig opvang voor mannen."])
    assert res.exit_code == 0 and "nearest anthology quotes" in res.output


def test_training_is_deterministic(trained, tmp_path, quotes):
    path, meta, clf = trained
    meta2 = train_model(tmp_path / "again.npz")
    assert meta2["weights"] == meta["weights"] and meta2["temperature"] == meta["temperature"]
    assert meta2["model_sha256"] == meta["model_sha256"]  # the same bytes
    texts = [q.text for q in quotes[:30]]
    assert np.allclose(load_classifier(tmp_path / "again.npz").predict_proba(texts), clf.predict_proba(texts))


def test_the_fitted_estimator_and_the_model_loaded_from_its_file_score_alike(trained, quotes):
    """Training scores with the scikit-learn estimator, use with the NumPy-only model read from the file: both
    run the same scoring code (mh_nlp.themes.examples.ExampleScores), so probabilities, confidence and evidence
    agree."""
    from mh_nlp.themes.classifier import Classifier
    from mh_nlp.themes.examples import ExampleRanker
    from mh_nlp.themes.train import fit_pipeline

    _, _, loaded = trained
    fitted = Classifier.from_pipeline(fit_pipeline())
    assert isinstance(fitted.model, ExampleRanker) and not isinstance(loaded.model, ExampleRanker)
    texts = [q.text for q in quotes[::25]] + ["Er is te weinig opvang voor mannelijke slachtoffers."]
    assert np.abs(fitted.predict_proba(texts) - loaded.predict_proba(texts)).max() < 1e-9
    for a, b in zip(fitted.predict_details(texts), loaded.predict_details(texts)):
        assert (a.section, a.chapter, [e.id for e in a.similar_quotes]) == (b.section, b.chapter, [e.id for e in b.similar_quotes])
        assert abs(a.confidence - b.confidence) < 1e-9


def test_classifying_does_not_import_scikit_learn_or_scipy(trained):
    """Loading a model and classifying (API and command line) need NumPy and spaCy only: scikit-learn and SciPy
    (with pandas, which scikit-learn imports) would add a second to every start of ``mh-nlp classify``."""
    path, _, _ = trained
    script = textwrap.dedent(f"""
        import json, sys
        from mh_nlp import load_classifier
        pred, ents = load_classifier({str(path)!r}).analyse(["De NLA ziet meer arbeidsuitbuiting."])[0]
        api = [m for m in ("sklearn", "scipy", "pandas") if m in sys.modules]
        from mh_nlp.cli import main
        sys.argv = ["mh-nlp", "classify", "--json", "--model", {str(path)!r}, "Het RIEC deelt informatie."]
        try:
            main()
        except SystemExit as exc:
            assert not exc.code, exc.code
        print(json.dumps({{"section": pred.section, "api": api,
                          "cli": [m for m in ("sklearn", "scipy", "pandas") if m in sys.modules]}}))
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.strip().splitlines()
    assert json.loads(lines[0])["section"]  # the command's own output came first
    res = json.loads(lines[-1])
    assert res["section"] and res["api"] == [] and res["cli"] == [], res


def test_train_add_learns_an_analysts_corrections(trained, tmp_path):
    path, _, clf = trained
    text = "Het buurthuis organiseert koffieochtenden voor ouderen in de wijk."
    before = clf.predict_details([text])[0].section
    target = "3.14" if before != "3.14" else "4.6"
    add = tmp_path / "corrections.csv"
    add.write_text("text,section\n" + "\n".join(f'"{text} ({i})",{target}' for i in range(3)) + "\n", encoding="utf-8")
    out = tmp_path / "mine.npz"
    res = CliRunner().invoke(main, ["train", "--add", str(add), "--model", str(out)])
    assert res.exit_code == 0, res.output
    mine = load_classifier(out)
    assert mine.metadata["corrections"] == 3
    assert mine.predict_details([text])[0].section == target
    # QA 51a D7: the corrections among the evidence are told apart from the anthology's quotes, as on the screen
    res = CliRunner().invoke(main, ["classify", "--model", str(out), f"{text} (1)"])
    assert res.exit_code == 0, res.output
    assert "nearest anthology quotes and corrections:" in res.output, res.output
    assert "added-3 (a reviewed statement this model learnt)" in res.output, res.output
    res = CliRunner().invoke(main, ["classify", "--json", "--model", str(out), f"{text} (1)"])
    similar = json.loads(res.output.strip().splitlines()[-1])["similar_quotes"]
    assert [q.get("reviewed", False) for q in similar] == [str(q["id"]).startswith("added-") for q in similar]
    assert similar[0]["id"] == "added-3" and similar[0]["reviewed"] is True
    labels = tmp_path / "labels.csv"
    (tmp_path / "note.txt").write_text(f"{text} (1)\n", encoding="utf-8")
    res = CliRunner().invoke(main, ["label", str(tmp_path / "note.txt"), "--model", str(out), "-o", str(labels)])
    assert res.exit_code == 0, res.output
    assert "reviewed added-3 (" + target in labels.read_text(encoding="utf-8")


def test_train_add_validates_every_row_and_writes_nothing(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("text,section\nGoede samenwerking met de gemeente.,3.9\nIets anders.,9.9\n", encoding="utf-8")
    out = tmp_path / "m.npz"
    res = CliRunner().invoke(main, ["train", "--add", str(bad), "--model", str(out)])
    # rows are numbered as a spreadsheet shows them: the header is row 1
    assert res.exit_code == 1 and "row 3" in res.output and "9.9" in res.output and "Traceback" not in res.output
    assert not out.exists() and not out.with_suffix(".json").exists()
    for content, msg in [("zin,thema\na,3.9\n", "needs a text column .* and a section column"),
                         ("text,section\n,3.9\n", "row 2: empty or missing text"),
                         ("text,section\nIets.,\n", "row 2: no section"),
                         ("text,section\nIets.,2.2\n", "row 2: section 2.2 has no known title"),
                         ("text,section\n\nMeer opvang.,4.7\nmeer  opvang,4.13\n",
                          "row 4: the same statement as row 3"),
                         ("text,section\n", "no rows")]:
        bad.write_text(content, encoding="utf-8")
        with pytest.raises(AdditionsError, match=msg):
            read_additions(bad)
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.append(["text", "section"])
    wb.active.append(["Meer opvang voor mannen.", 4.7])
    wb.active.append(["Betere samenwerking over de grens.", 4.1])  # or 4.10: a number cannot tell
    wb.save(tmp_path / "c.xlsx")
    with pytest.raises(AdditionsError, match=r"row 3 \(sheet 'Sheet'\): section 4.1 is stored as a number"):
        read_additions(tmp_path / "c.xlsx")
    fake = tmp_path / "fake.xlsx"
    fake.write_text("text,section\nMeer opvang.,4.7\n", encoding="utf-8")
    with pytest.raises(AdditionsError, match="not a valid .xlsx file"):
        read_additions(fake)
    res = CliRunner().invoke(main, ["train", "--add", str(fake), "--model", str(out)])
    assert res.exit_code == 1 and "Traceback" not in res.output and len(res.output.strip().splitlines()) == 1
    jl = tmp_path / "c.jsonl"
    jl.write_text('{"text": "Meer opvang.", "section": "4.7"}\nnot json\n', encoding="utf-8")
    with pytest.raises(AdditionsError, match="line 2: not valid JSON"):
        read_additions(jl)
    jl.write_text('{"text": "Meer opvang.", "section": "4.7"}\n{"text": "Iets."}\n', encoding="utf-8")
    with pytest.raises(AdditionsError, match=r"line 2: needs a text key .* and a section key .*found: .text.\)"):
        read_additions(jl)
    jl.write_text('{"text": "Meer opvang.", "section": "4.7"}\n', encoding="utf-8")
    assert [(a.text, a.section) for a in read_additions(jl)] == [("Meer opvang.", "4.7")]


def test_corrections_in_hidden_sheets_and_rows_are_left_out_and_said(tmp_path):
    """QA 45b leftover: train --add learnt from hidden sheets and rows, which label and the screen leave out; an
    analyst's draft sheet would have become corrections without a word."""
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.append(["text", "section"])
    wb.active.append(["Meer opvang voor mannen.", "4.7"])
    wb.active.append(["Concept, nog niet zeker.", "2.1"])
    wb.active.append(["Betere samenwerking over de grens.", "4.10"])
    wb.active.row_dimensions[3].hidden = True
    draft = wb.create_sheet("Klad")
    draft.append(["text", "section"])
    draft.append(["Iets wat nog niet klopt.", "1.1"])
    draft.sheet_state = "hidden"
    wb.save(tmp_path / "c.xlsx")
    said: list[str] = []
    rows = read_additions(tmp_path / "c.xlsx", warn=said.append)
    assert [(a.text, a.section) for a in rows] == [("Meer opvang voor mannen.", "4.7"),
                                                   ("Betere samenwerking over de grens.", "4.10")]
    assert said == [f"{tmp_path / 'c.xlsx'}: 1 hidden sheet left out: 'Klad' (hidden); to read it, unhide it in Excel",
                    f"{tmp_path / 'c.xlsx'}: sheet 'Sheet': 1 hidden row left out (row 3); unhide it in Excel to read it"]
    import zipfile  # Excel keeps one sheet visible; a program may not: every sheet hidden, written into the XML

    with zipfile.ZipFile(tmp_path / "c.xlsx") as src, zipfile.ZipFile(tmp_path / "d.xlsx", "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "xl/workbook.xml":
                data = data.replace(b'state="visible"', b'state="hidden"')
            dst.writestr(item, data)
    with pytest.raises(AdditionsError, match=r"every sheet is hidden \('Sheet' \(hidden\), 'Klad' \(hidden\)\); "
                                             r"unhide one in Excel to read it$"):
        read_additions(tmp_path / "d.xlsx")


def test_train_add_refuses_a_ten_section_a_spreadsheet_turned_into_a_one(tmp_path):
    """QA 37: a label .csv opened in Excel and saved again turns 3.10 into 3.1; train --add learnt those rows as
    3.1 (Aandacht/betrokkenheid) though their section_title still said Opsporing/vervolging."""
    f = tmp_path / "labels.csv"
    f.write_text("statement,kind,section,section_title\n"
                 "Meer opvang voor mannen.,statement,4.7,Betere slachtofferbescherming\n"
                 "Zaken worden te vaak geseponeerd.,statement,3.1,Opsporing/vervolging\n", encoding="utf-8")
    with pytest.raises(AdditionsError, match=r"row 3: section 3.1 with the title of 3.10 .*write the section as 3.10"):
        read_additions(f)
    f.write_text(f.read_text(encoding="utf-8").replace("Opsporing/vervolging", "opsporing/vervolging "),
                 encoding="utf-8")  # the title in another case, with a space: still 3.10's
    with pytest.raises(AdditionsError, match=r"row 3: section 3.1 with the title of 3.10"):
        read_additions(f)
    f.write_text(f.read_text(encoding="utf-8").replace(",3.1,", ",3.10,"), encoding="utf-8")
    assert [a.section for a in read_additions(f)] == ["4.7", "3.10"]
    # a row corrected to 3.1 on purpose, its title changed or emptied, is learnt as 3.1; so is one of 2.1 whose
    # title is another section's (the analyst changed the section only)
    f.write_text("statement,section,section_title\nVeel aandacht voor het onderwerp.,3.1,\n"
                 "Weinig aangiftes.,2.1,Betere slachtofferbescherming\n", encoding="utf-8")
    assert [a.section for a in read_additions(f)] == ["3.1", "2.1"]
    jl = tmp_path / "c.jsonl"
    jl.write_text('{"text": "Zaken worden te vaak geseponeerd.", "section": "3.1", '
                  '"section_title": "Opsporing/vervolging"}\n', encoding="utf-8")
    with pytest.raises(AdditionsError, match="line 1: section 3.1 with the title of 3.10"):
        read_additions(jl)


def test_train_add_reads_the_columns_as_label_does(tmp_path):
    """Column names in any case, in Dutch too; a semicolon-separated file as Excel writes it."""
    f = tmp_path / "c.csv"
    f.write_text("Tekst;Sectie;Datum\nMeer opvang voor mannen.;4.7;2026-12-01\n", encoding="utf-8")
    assert [(a.text, a.section, a.row) for a in read_additions(f)] == [("Meer opvang voor mannen.", "4.7", 2)]
    jl = tmp_path / "c.jsonl"
    jl.write_text('{"Uitspraak": "Meer opvang.", "SECTION": "4.7"}\n', encoding="utf-8")
    assert [(a.text, a.section) for a in read_additions(jl)] == [("Meer opvang.", "4.7")]


def test_train_add_refuses_two_columns_for_the_same_thing_and_control_characters(tmp_path):
    """A label output of a file that had its own 'sectie' holds the model's 'section' beside the analyst's: which one
    to learn cannot be told, and taking one silently taught the model its own answers."""
    f = tmp_path / "c.csv"
    for header, row, cols in (("text,section,sectie", "Meer opvang.,2.16,4.7", "'section' and 'sectie'"),
                              ("Text,tekst,section", "Meer opvang.,Iets.,4.7", "'Text' and 'tekst'"),
                              ("text,Section,section", "Meer opvang.,2.16,4.7", "'Section' and 'section'"),
                              ("text,section,section", "Meer opvang.,2.16,4.7", r"'section' and 'section \(2\)'")):
        f.write_text(f"{header}\n{row}\n", encoding="utf-8")
        with pytest.raises(AdditionsError, match=f"c.csv: two columns for the same thing, {cols}: keep the one"):
            read_additions(f)
    jl = tmp_path / "c.jsonl"
    jl.write_text('{"text": "Meer opvang.", "section": "2.16", "Sectie": "4.7"}\n', encoding="utf-8")
    with pytest.raises(AdditionsError, match="line 1: two columns for the same thing, 'section' and 'Sectie'"):
        read_additions(jl)
    # a label output: its 'statement' is the text, whatever text column of the input rode along
    f.write_text("source,statement,kind,section,text\nn.txt,Meer opvang.,statement,4.7,Iets anders.\n",
                 encoding="utf-8")
    assert [(a.text, a.section) for a in read_additions(f)] == [("Meer opvang.", "4.7")]
    # control characters are refused, as the review screen's API does; a line break inside a cell is text
    f.write_text('text,section\n"Meer opvang\nvoor mannen.",4.7\n"Te weinig \x1b[2J zicht.",2.3\n', encoding="utf-8")
    with pytest.raises(AdditionsError, match="row 3: the text holds control characters"):
        read_additions(f)


def test_train_add_reads_what_label_reads(tmp_path):
    """A QA pass found files that `label` reads and `train --add` refused: Windows-1252, a .jsonl with a byte-order
    mark, a title above the header, the corrections on the second sheet, a statement that is a number, and a
    `label` output whose sections the analyst corrected (its meta and chatter rows have no section)."""
    import openpyxl

    warnings: list[str] = []
    f = tmp_path / "c.csv"
    f.write_bytes("text;section\nEén slachtoffer meer in de opvang.;4.7\n".encode("cp1252"))
    assert [a.text for a in read_additions(f, warn=warnings.append)] == ["Eén slachtoffer meer in de opvang."]
    assert "not UTF-8" in warnings[-1] and warnings[-1].startswith(str(f))
    jl = tmp_path / "c.jsonl"
    jl.write_text('\ufeff{"text": "Meer opvang.", "section": "4.7"}\n', encoding="utf-8")
    assert [(a.text, a.section) for a in read_additions(jl)] == [("Meer opvang.", "4.7")]
    wb = openpyxl.Workbook()
    wb.active.title = "Uitleg"
    wb.active.append(["Dit werkblad legt uit wat er in het volgende staat."])
    ws = wb.create_sheet("Correcties")
    ws.append(["Correcties ronde 2"])  # a title above the header
    ws.append([])
    ws.append(["tekst", "sectie"])
    ws.append(["Meer opvang voor mannen.", "4.7"])
    wb.save(tmp_path / "c.xlsx")
    got = read_additions(tmp_path / "c.xlsx", warn=warnings.append)
    assert [(a.text, a.section, a.row) for a in got] == [("Meer opvang voor mannen.", "4.7", "4 (sheet 'Correcties')")]
    assert any("1 row above the header row 3 read as a title, not as statements (row 1)" in w for w in warnings)
    assert any("sheet 'Uitleg' has no text and section columns; left out" in w for w in warnings)
    out = tmp_path / "labels.csv"  # the shape of mh-nlp label's output (with the input's own text column riding
    out.write_text(                # along), the sections corrected by hand, one left empty
        "source,position,statement,kind,section,text\nn.md,1,Datum: 3 maart,meta,,x\n"
        "n.md,2,'=Meer opvang nodig.,statement,4.7,kort\nn.md,3,Dank jullie wel!,chatter,,y\n"
        "n.md,4,Signalen blijven liggen.,statement,,z\nn.md,5,Onduidelijk.,not a statement,,w\n", encoding="utf-8")
    warnings.clear()
    assert [(a.text, a.section, a.row) for a in read_additions(out, warn=warnings.append)] == [
        ("=Meer opvang nodig.", "4.7", 3)]  # the statement column; the formula guard of our own output undone
    assert warnings == [f"{out}: 3 rows left out: not statements (meta, chatter, not a statement)",
                        f"{out}: 1 row left out: statements without a section (uncertain or not decided)"]
    jl = tmp_path / "labels.jsonl"
    jl.write_text('{"statement": "Meer opvang.", "kind": "statement", "section": "4.7", "Tekst": ""}\n'
                  '{"statement": "Dag allemaal", "kind": "chatter", "section": null}\n', encoding="utf-8")
    assert [(a.text, a.section) for a in read_additions(jl)] == [("Meer opvang.", "4.7")]
    with pytest.raises(AdditionsError, match="is a folder; give the file of corrections"):
        read_additions(tmp_path)
    ws.append([2024, "1.1"])  # a number cell is read as text, as label reads it, and holds no word to learn from
    wb.save(tmp_path / "c.xlsx")
    with pytest.raises(AdditionsError, match=r"row 5 \(sheet 'Correcties'\): the text holds no words \('2024'\)"):
        read_additions(tmp_path / "c.xlsx")


def test_train_add_never_replaces_the_default_model(tmp_path, monkeypatch):
    from mh_nlp.themes.store import default_model_path

    add = tmp_path / "c.csv"
    add.write_text("text,section\nMeer opvang voor mannen.,4.7\n", encoding="utf-8")
    default = default_model_path()
    before = default.stat().st_mtime_ns if default.exists() else None
    spelt = default.parent / ".." / default.parent.name / default.name  # models/../models/theme-model.npz
    for model in (default, spelt):
        res = CliRunner().invoke(main, ["train", "--add", str(add), "--model", str(model), "--force"])
        assert res.exit_code == 1 and "is the default model" in res.output, res.output
    assert (default.stat().st_mtime_ns if default.exists() else None) == before


def test_embedding_cache_hit_miss_and_corrupt_file(tmp_path, capsys):
    db = tmp_path / "cache.sqlite"
    enc = E5Encoder(cache=db)
    a = enc.encode(["De NLA controleert.", "Meer opvang."], is_query=True)
    assert enc.cache.misses == 2 and enc.cache.hits == 0
    again = E5Encoder(cache=db)  # a new process would see the same file
    b = again.encode(["De NLA controleert.", "Meer opvang."], is_query=True)
    assert again.cache.hits == 2 and again.cache.misses == 0
    assert np.allclose(a, b, atol=1e-6) and np.allclose(np.linalg.norm(b, axis=1), 1.0)
    assert not np.allclose(again.encode(["Meer opvang."], is_query=False), b[1:])  # the prefix is part of the key
    enc.cache.db.close()
    again.cache.db.close()
    db.write_bytes(b"this is not a database" * 100)  # damaged file: moved aside, a new cache is started
    fresh = E5Encoder(cache=db)
    c = fresh.encode(["Meer opvang."], is_query=True)
    assert fresh.cache.misses == 1 and np.allclose(c, b[1:], atol=1e-6)
    assert db.with_name(db.name + ".corrupt").exists() and "damaged" in capsys.readouterr().err
    with sqlite3.connect(db) as con:
        assert con.execute("SELECT count(*) FROM vectors").fetchone()[0] == 1


def test_train_add_refuses_a_whole_corpus_as_corrections(tmp_path, monkeypatch):
    from mh_nlp.io import additions

    monkeypatch.setattr(additions, "MAX_ADDITIONS", 3)
    f = tmp_path / "c.csv"
    f.write_text("text,section\n" + "".join(f"Meer opvang nummer {i}.,4.7\n" for i in range(4)), encoding="utf-8")
    with pytest.raises(AdditionsError, match="4 rows \\(at most 3 corrections in one file\\)"):
        read_additions(f)


def test_a_label_output_of_a_table_with_a_repeated_section_column_goes_back_to_train_add(tmp_path):
    """QA 39: an input with `section,section` became an output carrying `section (2)`, which `train --add` then
    refused as a second section column."""
    from mh_nlp.io.writers import extra_columns

    assert extra_columns(["section", "section (2)", "Sectie (3)", "kind (2)", "wie (2)"]) == [
        ("section", "input_section"), ("section (2)", "input_section (2)"), ("Sectie (3)", "input_Sectie (3)"),
        ("kind (2)", "input_kind (2)"), ("wie (2)", "wie (2)")]
    out = tmp_path / "out.csv"
    out.write_text("source,statement,kind,section,input_section,input_section (2)\n"
                   "n.csv,Meer opvang.,statement,4.7,2.1,2.2\n", encoding="utf-8")
    assert [(a.text, a.section) for a in read_additions(out)] == [("Meer opvang.", "4.7")]


def test_rows_that_kept_the_models_suggestion_are_said_when_given_back(tmp_path):
    """QA 44a D7: a label output with 13 rows corrected and 65 left as they were taught all 78 as corrections, and
    nothing said so. They are still learnt (an analyst may have agreed with a suggestion), and now counted in a
    warning; a screen export's rows without a decision are left out (QA 47a D8)."""
    said: list[str] = []
    out = tmp_path / "out.csv"
    out.write_text("source,statement,kind,section,top1\n"
                   "n.txt,Meer opvang.,statement,4.7,4.7\n"
                   "n.txt,Te weinig capaciteit bij de AVIM.,statement,2.16,4.5\n"
                   "n.txt,Meer voorlichting op scholen.,statement,4.3,4.3\n", encoding="utf-8")
    got = read_additions(out, warn=said.append)
    assert len(got) == 3
    assert said == [f"{out}: 2 of 3 rows keep the section the model suggested (top1): they are learnt too, as "
                    "confirmations (like an anthology quote, not as corrections); empty the section of the rows you "
                    "did not check (or delete them)"]
    # QA 51a D3: a row that keeps the suggestion is a confirmation, the corrected one a correction
    assert [a.confirmed for a in got] == [True, False, True]
    said.clear()
    jl = tmp_path / "out.jsonl"
    jl.write_text('{"statement": "Meer opvang.", "kind": "statement", "section": "4.7", "top": [{"section": "4.7"}]}\n'
                  '{"statement": "Minder.", "kind": "statement", "section": "2.16", "top": [{"section": "4.5"}]}\n',
                  encoding="utf-8")
    assert [a.confirmed for a in read_additions(jl, warn=said.append)] == [True, False]
    assert said == [f"{jl}: 1 of 2 rows keep the section the model suggested (top1): it is learnt too, as "
                    "confirmations (like an anthology quote, not as corrections); empty the section of the rows you "
                    "did not check (or delete them)"]
    said.clear()
    export = tmp_path / "export.csv"  # the screen's: the decision column tells
    export.write_text("statement,kind,section,suggested_section,decision\n"
                      "Meer opvang.,statement,4.7,4.7,accept\nMinder.,statement,2.16,2.16,\n"
                      "Te weinig.,statement,2.16,4.5,correct\n", encoding="utf-8")
    # QA 47a D8: left out, as the screen's own training leaves them out (agreeing on the screen is *accept*)
    got = read_additions(export, warn=said.append)
    assert [(a.text, a.confirmed) for a in got] == [("Meer opvang.", True), ("Te weinig.", False)]  # accept: confirms
    assert said == [f"{export}: 1 of 3 rows were not reviewed on the screen (no decision): left out, as the screen's "
                    "own training leaves them out; to learn one, accept or correct it on the screen and export again "
                    "(or write accept or correct in its decision cell)"]
    plain = tmp_path / "plain.csv"  # a file of corrections of its own: nothing to say
    plain.write_text("text,section\nMeer opvang.,4.7\n", encoding="utf-8")
    said.clear()
    assert [a.confirmed for a in read_additions(plain, warn=said.append)] == [False]  # corrections, as given
    assert said == []


def test_a_section_written_the_dutch_way_or_with_its_title_gets_a_hint(tmp_path):
    """QA 44a D15: '4,7' (a decimal comma) and '4.7 Betere slachtofferbescherming' (pasted with its title) were
    refused without saying which section was meant; '4.70' stays without a guess (4.7 or 4.10?)."""
    for section, hint in (("4,7", "; did you mean 4.7?"), ("4.7 Betere slachtofferbescherming", "; did you mean 4.7?"),
                          ("betere slachtofferbescherming", "; did you mean 4.7?"),  # QA 55 #13: the title alone
                          ("4.70", ""), ("9.9", "")):
        f = tmp_path / "c.csv"
        f.write_text(f'text,section\nMeer opvang.,"{section}"\n', encoding="utf-8")
        with pytest.raises(AdditionsError) as info:
            read_additions(f)
        assert str(info.value) == (f"{f}: row 2: unknown section {section!r} (sections are 1.1-4.14 of "
                                   f"data/sections.json){hint}")


def test_a_file_that_is_not_a_model_is_said_so(tmp_path):
    """QA 44a D15: `classify --model corrections.xlsx` advised `mh-nlp train --model corrections.xlsx --force`."""
    from mh_nlp.themes.store import check_model

    book = tmp_path / "correcties.xlsx"
    book.write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(ModelError, match=r"correcties.xlsx: not a model file \(mh-nlp's models end in .npz"):
        check_model(book)


def test_the_same_statement_with_the_same_section_is_learnt_once(tmp_path):
    """QA 44b N11: the review screen's export of a transcript brought in twice holds each statement twice, with the
    same section, and `train --add` refused it; such a repeat is learnt once and said. Two sections for one
    statement are still refused."""
    f = tmp_path / "export.csv"
    f.write_text("text,section\nMeer opvang.,4.7\nTe weinig capaciteit.,2.16\nmeer  opvang,4.7\n", encoding="utf-8")
    said: list[str] = []
    assert [(a.text, a.section) for a in read_additions(f, warn=said.append)] == [
        ("Meer opvang.", "4.7"), ("Te weinig capaciteit.", "2.16")]
    assert said == [f"{f}: 1 row repeats the statement and section of an earlier row: each statement is learnt once"]
    f.write_text("text,section\nMeer opvang.,4.7\nmeer  opvang,4.13\n", encoding="utf-8")
    with pytest.raises(AdditionsError, match=r"row 3: the same statement as row 2, with another section \(4.7 there, "
                                             r"4.13 here\); keep one of the two"):
        read_additions(f)


def test_train_add_refuses_a_title_that_names_another_section_than_the_one_learnt(tmp_path):
    """QA 51a D2: an analyst who corrected the section_title of a label output in Excel and left the number (still
    the model's top1) had the number learnt silently; so had a row whose number and title name two sections, neither
    the suggestion. The usual correction (number changed, the suggestion's title left beside it) is learnt."""
    tax = load_taxonomy()
    title = {n: tax.sections[n].title for n in ("2.14", "2.21", "2.18")}
    f = tmp_path / "labels.csv"

    def write(*rows):
        f.write_text("statement,kind,section,section_title,top1\n" + "".join(
            f"{t},statement,{s},{ti},{top}\n" for t, s, ti, top in rows), encoding="utf-8")

    write(("Het OM seponeert veel zaken.", "2.18", title["2.14"], "2.14"))  # the number corrected: the usual
    assert [a.section for a in read_additions(f)] == ["2.18"]
    write(("Het OM seponeert veel zaken.", "2.14", title["2.21"], "2.14"))  # the title corrected, not the number
    with pytest.raises(AdditionsError, match=r"row 2: section 2\.14 is the model's suggestion, but its section_title "
                                             r"was changed to .*the title of 2\.21: write 2\.21 in the section column"):
        read_additions(f)
    write(("Het OM seponeert veel zaken.", "2.14", "Onvoldoende opvolgng", "2.14"))  # a title edited with a typo
    with pytest.raises(AdditionsError, match=r"row 2: section 2\.14 is the model's suggestion, but its section_title "
                                             r"was changed to 'Onvoldoende opvolgng', which is no section's title"):
        read_additions(f)  # QA 51b N4: was learnt as the suggestion with a warning
    write(("Het OM seponeert veel zaken.", "2.18", title["2.21"], "2.14"))  # three sections named
    with pytest.raises(AdditionsError, match=r"row 2: section 2\.18 \(.*\) but its section_title is .*the title of "
                                             r"2\.21: the two name different sections"):
        read_additions(f)
    said = []
    f.write_text(f"statement,section,section_title\nHet OM seponeert veel zaken.,2.18,{title['2.21']}\n"
                 "Meer opvang.,4.7,Een oude titel\n", encoding="utf-8")  # no top1: which was changed is unknown
    assert [a.section for a in read_additions(f, warn=said.append)] == ["2.18", "4.7"]
    assert any("row 2: section 2.18" in w and "of 2.21: learnt as 2.18" in w for w in said), said
    assert any("row 3: section 4.7" in w and "no section's title: learnt as 4.7" in w for w in said), said
