"""``mh-nlp classify`` and ``mh-nlp label`` end to end, with a keyword test classifier: I/O and robustness."""
from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from conftest_label import (EXAMPLES, SLOW_LABEL_SCRIPT, TESTS_DIR, KeywordClassifier, read_csv, run,  # noqa: E402
                            use_fakes)

from mh_nlp.cli import label as cli_label
from mh_nlp.cli import main  # noqa: E402

EXAMPLE_FILES = [EXAMPLES / n for n in ("rondetafel_utrecht.md", "transcript_gemeente.txt", "notities.csv",
                                         "verslag.docx")]


def error_lines(result) -> list[str]:
    return [ln for ln in result.stderr.splitlines() if ln.startswith("mh-nlp: error:")]


@pytest.fixture
def clf(monkeypatch) -> KeywordClassifier:
    return use_fakes(monkeypatch)


@pytest.fixture
def note(tmp_path) -> Path:
    p = tmp_path / "note.txt"
    p.write_text("De IND mag gegevens niet delen met de gemeente.\n\nMeer voorlichting op scholen.\n",
                 encoding="utf-8")
    return p


# ---------------------------------------------------------------- classify

def test_classify_given_a_file_name_says_how_to_label_a_file(clf, note):
    r = run("classify", str(note))
    assert r.exit_code == 1 and error_lines(r) == [
        f"mh-nlp: error: {note} is a file, and classify takes statements: `mh-nlp label {note} -o labels.csv` "
        f"labels its statements, `mh-nlp classify < {note}` classifies its lines"]
    assert r.stdout == ""


def test_classify_given_a_folder_says_how_to_label_its_files(clf, tmp_path, monkeypatch):
    """QA 52a D12: `classify ./map/` classified the path as a statement (exit 0)."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "map").mkdir()
    for given in ("./map/", "map/", str(tmp_path / "map")):
        r = run("classify", given)
        assert r.exit_code == 1 and error_lines(r) == [
            f"mh-nlp: error: {given} is a folder, and classify takes statements: `mh-nlp label {given} -o labels.csv` "
            "labels the statements of the files in it"], given
    assert run("classify", "De opvang / nazorg is vol.").exit_code == 0  # a slash in a statement is no folder


def test_a_file_name_with_spaces_is_a_file_and_a_word_is_a_statement(clf, tmp_path, monkeypatch):
    """QA 37: "my notes.txt" was classified as words, and a statement that is also a file's name (Politie) was
    refused as a file."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "my notes.txt").write_text("De politie en CoMensha.\n", encoding="utf-8")
    (tmp_path / "Politie").write_text("x\n", encoding="utf-8")
    for cmd in (["classify"], ["entities", "find", "--base", "blank"]):
        r = run(*cmd, "my notes.txt")
        assert r.exit_code == 1 and "my notes.txt is a file" in r.stderr, r.output
        r = run(*cmd, "Politie")
        assert r.exit_code == 0 and "is a file" not in r.stderr, r.output


def test_classify_json_arguments(clf):
    r = run("classify", "--json", "De NLA kan gegevens niet delen met het RIEC.", "Iets anders.")
    assert r.exit_code == 0
    first, second = [json.loads(x) for x in r.stdout.splitlines()]
    assert first["section"] == "2.11" and first["chapter"] == 2 and first["confidence"] == 0.8
    assert first["chapter_title"] == "Problemen en oorzaken" and len(first["top"]) == 3
    assert [(e["id"], first["text"][e["start"]:e["end"]]) for e in first["entities"]] == [("nla", "NLA"),
                                                                                        ("riec", "RIEC")]
    assert second["section"] == "1.1" and second["entities"] == []


def test_classify_stdin_lines_human(clf):
    r = run("classify", input="Te weinig capaciteit bij de politie.\n\n   \nMeer samenwerking met CoMensha.\n")
    assert r.exit_code == 0
    assert "section 2.16 Gebrek aan middelen en capaciteit" in r.stdout
    assert "section 3.9 Meer samenwerking" in r.stdout
    assert "organisations: CoMensha [comensha]" in r.stdout
    assert clf.batches == [2]  # blank lines skipped


def test_classify_stdin_cp1252_is_warned(clf):
    r = CliRunner().invoke(main, ["classify", "--json"], input="Eén slachtoffer.\n".encode("cp1252"))
    assert r.exit_code == 0
    assert json.loads(r.stdout)["text"] == "Eén slachtoffer."
    assert "mh-nlp: warning: <stdin>: not UTF-8" in r.stderr


def test_classify_without_text_is_an_error(clf):
    r = run("classify", input="\n\n")
    assert r.exit_code == 1 and r.stderr.startswith("mh-nlp: error: no text given")


def test_missing_classifier_is_one_line_error(monkeypatch, note, tmp_path):
    def broken(model):
        raise cli_label.UserError(f"{model}: no trained model (run `mh-nlp train`)")
    monkeypatch.setattr(cli_label, "_load_classifier", broken)
    r = run("label", note, "-o", tmp_path / "o.csv", "--model", tmp_path / "x.npz")
    assert r.exit_code == 1 and len(r.stderr.splitlines()) == 1 and "no trained model" in r.stderr
    assert not (tmp_path / "o.csv").exists()


def test_real_loader_reports_a_missing_model(tmp_path):
    pytest.importorskip("mh_nlp.themes.train")
    with pytest.raises(cli_label.UserError):
        cli_label._load_classifier(tmp_path / "nope.npz")


# ---------------------------------------------------------------- label: the normal path

def test_label_examples_to_csv_with_summary(clf, tmp_path):
    out, summ = tmp_path / "labels.csv", tmp_path / "overzicht.json"
    r = run("label", *EXAMPLE_FILES, "-o", out, "--summary", summ)
    assert r.exit_code == 0, r.output
    rows = read_csv(out)
    sources = {Path(row["source"]).name for row in rows}
    assert sources == {p.name for p in EXAMPLE_FILES}
    by_src = {name: [row for row in rows if Path(row["source"]).name == name] for name in sources}
    assert len(by_src["notities.csv"]) == 9 and by_src["notities.csv"][0]["spreker"] == "NLA"
    assert by_src["notities.csv"][0]["datum"] == "2025-02-03" and by_src["notities.csv"][0]["position"] == "2"
    rt = by_src["rondetafel_utrecht.md"]
    assert any("vastloopt op de AVG" in row["statement"] for row in rt)  # hyphen break rejoined
    assert {row["heading"] for row in rt} >= {"Trends", "Problemen", "Wat gaat goed", "Ambities"}
    tr = by_src["transcript_gemeente.txt"]
    assert tr[1]["speaker"] == "Voorzitter" and tr[0]["speaker"] == ""
    assert tr[2]["speaker"] == "Ingrid (Veilig Thuis)" and tr[2]["entity_ids"] == ""  # the label is not the text
    assert any(row["entity_ids"] == "riec" for row in tr)
    overview = json.loads(summ.read_text(encoding="utf-8"))
    statements = [row for row in rows if row["kind"] == "statement"]
    assert overview["total"]["statements"] == len(statements) and overview["total"]["inputs_ok"] == 4
    # two attendee paragraphs; the transcript's title and the chair's three questions that open a chapter (QA 46a
    # #14: they were statements), and the chair's welcome of two sentences of small talk
    assert overview["total"]["non_statements"] == {"meta": 6, "chatter": 1}
    assert [row["statement"] for row in tr if row["kind"] != "statement"] == [
        "Transcript overleg ketenaanpak mensenhandel, gemeente Amersfoort (ingekort)",
        "Welkom allemaal. Laten we beginnen met wat jullie de afgelopen tijd zien.", "Waar lopen jullie vooral tegenaan?",
        "En wat gaat er goed?", "Tot slot: wat willen jullie over twee jaar bereikt hebben?"]
    assert len(rows) == len(statements) + 7 and all(row["section"] == "" for row in rows if row["kind"] != "statement")
    assert sum(s["statements"] for i in overview["inputs"] for s in i["sections"]) == len(statements)
    assert "written:" in r.stdout


@pytest.mark.parametrize("suffix", [".jsonl", ".xlsx"])
def test_label_other_output_formats(clf, tmp_path, note, suffix):
    out = tmp_path / f"o{suffix}"
    r = run("label", note, "-o", out, "--quiet")
    assert r.exit_code == 0 and r.stdout == ""
    if suffix == ".jsonl":
        rows = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
        assert [(x["position"], x["section"]) for x in rows] == [(1, "2.11"), (3, "4.3")]
        assert rows[0]["entity_ids"] == ["ind"]
    else:
        import openpyxl

        ws = openpyxl.load_workbook(out, read_only=True).worksheets[0]
        table = list(ws.iter_rows(values_only=True))
        assert len(table) == 3 and table[2][3:5] == ("statement", "4.3")


def test_formula_in_a_statement_is_written_as_text(clf, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    line = '=HYPERLINK("http://x","klik") De NLA ziet meer uitbuiting.'
    note = tmp_path / "note.txt"
    note.write_text(line + "\n", encoding="utf-8")
    xlsx, ours, back = tmp_path / "o.xlsx", tmp_path / "ours.csv", tmp_path / "back.jsonl"
    for out in (xlsx, ours):
        assert run("label", note, "-o", out, "--quiet").exit_code == 0
    with zipfile.ZipFile(xlsx) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode("utf-8")
    assert "<f>" not in sheet and "<f " not in sheet and 't="inlineStr"' in sheet
    ws = openpyxl.load_workbook(xlsx).worksheets[0]
    cell = ws.cell(row=2, column=[c.value for c in ws[1]].index("statement") + 1)
    assert (cell.value, cell.data_type, cell.quotePrefix) == (line, "s", True)
    row = read_csv(ours)[0]
    assert row["statement"] == "'" + line and row["section"] == "1.1"
    assert run("label", "--column", "statement", ours, "-o", back, "--quiet").exit_code == 0
    assert json.loads(back.read_text(encoding="utf-8"))["statement"] == line  # the original text again


def test_min_confidence_marks_uncertain(clf, tmp_path, note):
    note.write_text("Gegevens delen lukt niet.\nIets heel anders.\n", encoding="utf-8")
    out = tmp_path / "o.csv"
    r = run("label", note, "-o", out, "--min-confidence", "0.5")
    assert r.exit_code == 0
    rows = read_csv(out)
    assert [(x["section"], x["uncertain"]) for x in rows] == [("2.11", "False"), ("", "True")]
    assert rows[1]["top1"] == "1.1" and rows[1]["top3"] != ""
    assert "1 uncertain" in r.stdout


def test_sentence_split_and_batches(clf, tmp_path):
    p = tmp_path / "lang.txt"
    p.write_text(" ".join(f"Zin {i} over samenwerking." for i in range(25)) + "\n", encoding="utf-8")
    out = tmp_path / "o.csv"
    r = run("label", p, "-o", out, "--split", "sentence", "--batch-size", "10", "--workers", "1")
    assert r.exit_code == 0
    assert len(read_csv(out)) == 25 and clf.batches == [10, 10, 5]  # the batches all ran in this process


# ---------------------------------------------------------------- outputs are protected

def test_existing_output_refused_before_any_work(monkeypatch, tmp_path, note):
    def must_not_load(model):
        raise AssertionError("classifier loaded before the output check")
    monkeypatch.setattr(cli_label, "_load_classifier", must_not_load)
    out = tmp_path / "o.csv"
    out.write_text("oud\n", encoding="utf-8")
    r = run("label", note, "-o", out)
    assert r.exit_code == 1 and r.stderr == f"mh-nlp: error: {out}: exists; use --force to overwrite it\n"
    assert out.read_text(encoding="utf-8") == "oud\n"


def test_force_overwrites(clf, tmp_path, note):
    out = tmp_path / "o.csv"
    out.write_text("oud\n", encoding="utf-8")
    assert run("label", note, "-o", out, "--force").exit_code == 0
    assert len(read_csv(out)) == 2


def test_output_over_an_input_refused(clf, tmp_path):
    inp = tmp_path / "n.csv"
    inp.write_text("tekst\nDelen van gegevens.\n", encoding="utf-8")
    before = inp.read_bytes()
    r = run("label", inp, "-o", inp, "--force")
    assert r.exit_code == 1 and "is also an input" in r.stderr
    assert inp.read_bytes() == before


def test_bad_output_type_and_summary_type(clf, tmp_path, note):
    r = run("label", note, "-o", tmp_path / "o.txt")
    assert r.exit_code == 1 and "unsupported output type '.txt'" in r.stderr
    r = run("label", note, "-o", tmp_path / "o.csv", "--summary", tmp_path / "s.html")
    assert r.exit_code == 1 and "unsupported output type '.html'" in r.stderr
    assert "error: --summary " in r.stderr  # named as the summary (QA 43b), not mistaken for -o
    assert not (tmp_path / "o.csv").exists()


def test_small_usage_points_of_qa_43b(tmp_path):
    """evaluate --folds 1 is a usage error (exit 2); an empty text says so; dir(mh_nlp) lists the public names."""
    import mh_nlp

    r = CliRunner().invoke(main, ["evaluate", "--folds", "1", "--out", str(tmp_path / "r")], prog_name="mh-nlp")
    assert r.exit_code == 2 and "--folds" in r.stderr and not (tmp_path / "r").exists()
    r = CliRunner().invoke(main, ["classify", ""], prog_name="mh-nlp")
    assert r.exit_code == 1 and "the text is empty" in r.stderr
    assert {"load_classifier", "label_files", "find_entities", "read_statements"} <= set(dir(mh_nlp))


# ---------------------------------------------------------------- robustness, one problem at a time

def _bad_inputs(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    d = tmp_path / "in"
    d.mkdir()
    (d / "map.txt").mkdir()
    (d / "leeg.txt").write_bytes(b"")
    (d / "bin.txt").write_bytes(b"\x00\x01\x02\xffELF" * 100)
    (d / "dia.ppt").write_bytes(b"\xd0\xcf\x11\xe0")
    (d / "kapot.pdf").write_bytes(b"%PDF-1.4 kapot")
    (d / "kapot.docx").write_bytes(b"PK\x03\x04kapot")
    (d / "kapot.xlsx").write_bytes(b"geen zip")
    (d / "geenkolom.csv").write_text("datum,notitie\n2025-01-01,iets\n", encoding="utf-8")
    return {
        "missing": (d / "nergens.md", "no such file"),
        "directory": (d / "map.txt", "a folder without notes or transcripts"),  # a folder with notes: every one
        "empty": (d / "leeg.txt", "empty file"),
        "binary": (d / "bin.txt", "binary file"),
        "unsupported": (d / "dia.ppt", "unsupported file type '.ppt'; an old PowerPoint deck"),
        "pdf": (d / "kapot.pdf", "not a valid .pdf file"),
        "docx": (d / "kapot.docx", "not a valid .docx file"),
        "xlsx": (d / "kapot.xlsx", "not a valid .xlsx file"),
        "column": (d / "geenkolom.csv", "no text column"),
    }


@pytest.mark.parametrize("case", ["missing", "directory", "empty", "binary", "unsupported", "docx", "pdf", "xlsx",
                                  "column"])
def test_one_bad_file_alone_fails_without_output(clf, tmp_path, case):
    path, message = _bad_inputs(tmp_path)[case]
    out = tmp_path / "o.csv"
    r = run("label", path, "-o", out)
    assert r.exit_code == 1
    errs = error_lines(r)
    assert errs[0].startswith(f"mh-nlp: error: {path}: {message}")
    assert not out.exists() and [p.name for p in tmp_path.iterdir()] == ["in"]


def test_bad_files_in_a_batch_do_not_lose_the_good_ones(clf, tmp_path, note):
    bad = _bad_inputs(tmp_path)
    out = tmp_path / "o.csv"
    r = run("label", bad["docx"][0], note, bad["missing"][0], bad["column"][0], "-o", out,
            "--summary", tmp_path / "s.md")
    assert r.exit_code == cli_label.EXIT_PARTIAL == 3
    assert [Path(x["source"]).name for x in read_csv(out)] == ["note.txt", "note.txt"]
    assert len(error_lines(r)) == 3
    assert "3 of 4 inputs could not be (fully) labelled; exit status 3" in r.stderr
    md = (tmp_path / "s.md").read_text(encoding="utf-8")
    assert "**error:** not a valid .docx file" in md and "2 statements from 1 of 4 inputs" in md


def test_windows_1252_input_warns_naming_the_file(clf, tmp_path):
    p = tmp_path / "oud.txt"
    p.write_bytes("Eén probleem: gegevens delen met de gemeente kan niet.\n".encode("cp1252"))
    out = tmp_path / "o.csv"
    r = run("label", p, "-o", out)
    assert r.exit_code == 0
    assert f"mh-nlp: warning: {p}: not UTF-8; read as Windows-1252 (cp1252)" in r.stderr
    assert read_csv(out)[0]["statement"].startswith("Eén probleem")


def test_an_option_for_tables_that_applies_to_no_input_is_warned(clf, tmp_path, note):
    """--sheet on a .txt, --column / --header-row on a note: ignored as before, but no longer without a word."""
    out = tmp_path / "o.csv"
    r = run("label", note, "--sheet", "Blad1", "--column", "tekst", "--header-row", "2", "-o", out)
    assert r.exit_code == 0 and len(read_csv(out)) == 2
    for option in ("--sheet", "--column", "--header-row"):
        assert f"mh-nlp: warning: {option} applies to " in r.stderr and "so it is ignored" in r.stderr, option
    table = tmp_path / "t.csv"
    table.write_text("tekst\nMeer voorlichting op scholen.\n", encoding="utf-8")
    r = run("label", table, "--column", "tekst", "-o", out, "--force")
    assert r.exit_code == 0 and "ignored" not in r.stderr


def test_empty_statements_are_skipped(clf, tmp_path):
    p = tmp_path / "n.csv"
    p.write_text("tekst,x\n,1\n   ,2\nDelen van gegevens.,3\n", encoding="utf-8")
    out = tmp_path / "o.csv"
    assert run("label", p, "-o", out).exit_code == 0
    assert [(x["position"], x["x"]) for x in read_csv(out)] == [("4", "3")]


def test_one_megabyte_line(clf, tmp_path):
    p = tmp_path / "groot.txt"
    p.write_text("gegevens " * 120_000 + "\n", encoding="utf-8")  # ~1 MB, one line, no sentence end
    out = tmp_path / "o.jsonl"
    r = run("label", p, "-o", out)
    assert r.exit_code == 0
    rows = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert len(rows) > 100 and all(len(x["statement"]) <= 10_000 for x in rows)
    assert sum(len(x["statement"]) + 1 for x in rows) == len("gegevens " * 120_000)
    assert r.stderr.count("mh-nlp: warning:") == 1 and "split into pieces" in r.stderr


def test_failing_entity_recogniser_warns_once(monkeypatch, tmp_path, note):
    clf = KeywordClassifier()
    monkeypatch.setattr(cli_label, "_load_classifier", lambda model: clf)

    def broken(texts):
        raise OSError("spaCy model nl_core_news_sm not found")
    monkeypatch.setattr(cli_label, "_find_entities", broken)
    out = tmp_path / "o.csv"
    r = run("label", note, "-o", out, "--batch-size", "1")
    assert r.exit_code == 0 and len(read_csv(out)) == 2
    assert r.stderr.count("entity recognition unavailable") == 1


def test_keyboard_interrupt_leaves_no_output(monkeypatch, tmp_path, note):
    class Interrupting(KeywordClassifier):
        def predict_details(self, texts):
            if self.batches:
                raise KeyboardInterrupt
            return super().predict_details(texts)

    use_fakes(monkeypatch, Interrupting())
    out = tmp_path / "o.xlsx"
    r = run("label", note, "-o", out, "--batch-size", "1")
    assert r.exit_code == 130
    assert r.stderr == "mh-nlp: error: interrupted; no output written\n"
    assert [p.name for p in tmp_path.iterdir()] == ["note.txt"]


def test_no_progress_output_when_stderr_is_not_a_tty(clf, tmp_path, note):
    r = run("label", note, "-o", tmp_path / "o.csv")
    assert "\r" not in r.stderr and "labelled" not in r.stderr


SIGINT_SCRIPT = """
import signal
signal.signal(signal.SIGINT, signal.default_int_handler)  # as in a terminal, even when started in the background
""" + SLOW_LABEL_SCRIPT


@pytest.mark.skipif(os.name != "posix", reason="sends SIGINT")
@pytest.mark.parametrize("workers", ["1", "2"])
def test_ctrl_c_in_a_real_process(tmp_path, workers):
    inp = tmp_path / "veel.txt"
    inp.write_text("".join(f"Regel {i} over gegevens delen.\n" for i in range(5000)), encoding="utf-8")
    out = tmp_path / "o.csv"
    script = SIGINT_SCRIPT.format(tests=str(TESTS_DIR), inp=str(inp), out=str(out), workers=workers)
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    deadline = time.monotonic() + 30
    while not any(p.name.startswith(".o.csv.") for p in tmp_path.iterdir()):  # the temporary output exists
        assert time.monotonic() < deadline and proc.poll() is None, proc.communicate()
        time.sleep(0.05)
    time.sleep(0.3)
    proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=30)
    assert proc.returncode == 130, stderr
    assert stderr == "mh-nlp: error: interrupted; no output written\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["veel.txt"]


def test_progress_counter_on_a_terminal_and_quiet_silences_it(clf, monkeypatch, tmp_path, note):
    monkeypatch.setattr(cli_label, "_stderr_is_tty", lambda: True)
    r = run("label", note, "-o", tmp_path / "a.csv")
    assert "labelled 1 statement (" in r.stderr and "\r" in r.stderr
    r = run("label", note, "-o", tmp_path / "b.csv", "--quiet")
    assert r.stderr == "" and r.stdout == ""


def test_progress_shows_the_run_is_alive_before_the_first_batch_and_the_count_after_it(monkeypatch, tmp_path, note):
    """QA 38: rows come a batch at a time; on a cold cache nothing was shown for a minute and a half, and then the
    counter stopped at the first row of the burst ("labelled 1 statements" with 1,024 written)."""
    class Slow(KeywordClassifier):
        def predict_details(self, texts, *a, **k):
            time.sleep(0.6)
            return super().predict_details(texts, *a, **k)

    use_fakes(monkeypatch, Slow())
    monkeypatch.setattr(cli_label, "_stderr_is_tty", lambda: True)
    monkeypatch.setattr(cli_label._Progress, "TICK", 0.1)
    note.write_text("Meer voorlichting.\n\nMeer opvang.\n\nMinder uitbuiting.\n\nBetere zorg.\n", encoding="utf-8")
    r = run("label", note, "-o", tmp_path / "a.csv", "--batch-size", "2", "--workers", "1")
    lines = r.stderr.split("\r")  # (click drops the line-erasing escape when stderr is not a real terminal)
    first = next(i for i, ln in enumerate(lines) if "labelled" in ln)
    assert any(ln.startswith("  labelling... 0 s; rows come a batch of up to 2 statements at a time")
               for ln in lines[:first])
    assert any(ln.startswith("  labelled 2 statements (") for ln in lines[first:])  # the count after the burst


def test_progress_reaches_the_count_of_the_last_burst(monkeypatch, tmp_path, note):
    """QA 52a D5: 600 statements in one batch showed "labelled 1 statement" as the last count: the burst's rows came
    faster than the line was drawn, and the run ended before the ticker drew again."""
    use_fakes(monkeypatch, KeywordClassifier())
    monkeypatch.setattr(cli_label, "_stderr_is_tty", lambda: True)
    note.write_text("".join(f"Meer opvang nummer {i}.\n\n" for i in range(60)), encoding="utf-8")
    r = run("label", note, "-o", tmp_path / "a.csv", "--batch-size", "100", "--workers", "1")
    counts = [ln for ln in r.stderr.split("\r") if "labelled" in ln and "statement" in ln and "(" in ln]
    assert counts and counts[-1].startswith("  labelled 60 statements ("), counts


def test_unexpected_classifier_failure_is_one_line_and_leaves_no_file(monkeypatch, tmp_path, note):
    class Buggy(KeywordClassifier):
        def predict_details(self, texts):
            raise TypeError("unexpected input")

    use_fakes(monkeypatch, Buggy())
    monkeypatch.delenv("MH_NLP_DEBUG", raising=False)
    r = run("label", note, "-o", tmp_path / "o.csv")
    assert r.exit_code == 1
    assert r.stderr.startswith("mh-nlp: error: internal error (TypeError: unexpected input)")
    assert len(r.stderr.splitlines()) == 1
    assert [p.name for p in tmp_path.iterdir()] == ["note.txt"]


def test_real_classifier_and_entities_when_a_model_exists(tmp_path):
    pytest.importorskip("mh_nlp.themes.train")
    from mh_nlp.corpus.records import load_taxonomy
    from mh_nlp.themes.store import default_model_path

    model = Path(os.environ.get("MH_NLP_TEST_MODEL") or default_model_path())
    if not model.exists():
        pytest.skip(f"no trained model at {model} (run `mh-nlp train`)")
    out = tmp_path / "o.jsonl"
    r = run("label", EXAMPLES / "notities.csv", "-o", out, "--quiet", "--model", model)
    assert r.exit_code == 0, r.stderr
    rows = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    sections = load_taxonomy().sections
    assert len(rows) == 9 and all(x["section"] in sections for x in rows)
    assert "ind" in rows[7]["entity_ids"]  # "... medewerkers van de IND ..."


def test_a_folder_is_every_note_in_it_and_its_subfolders(clf, tmp_path):
    folder = tmp_path / "rondetafels"
    (folder / "utrecht").mkdir(parents=True)
    (folder / ".git").mkdir()
    (folder / "a.txt").write_text("De NLA ziet meer uitbuiting.\n", encoding="utf-8")
    (folder / "utrecht" / "b.md").write_text("Meer voorlichting op scholen.\n", encoding="utf-8")
    (folder / "utrecht" / "~$verslag.docx").write_bytes(b"Word's owner file of an open document")
    (folder / ".git" / "c.txt").write_text("Niet dit.\n", encoding="utf-8")
    (folder / "foto.jpg").write_bytes(b"\xff\xd8\xff")
    out = folder / "labels.csv"  # the output inside the folder is never read as an input, on a second run too
    for extra in ([], ["--force"]):
        r = run("label", folder, "-o", out, *extra)
        assert r.exit_code == 0, r.output
        assert f"{folder}: 2 files" in r.stderr
        left = "4 files left out (hidden 1, other type 1, output 1" if extra else "3 files left out (hidden 1, other type 1"
        assert f"mh-nlp: warning: {folder}: {left}, owner file 1)" in r.stderr  # the second run finds its output
        assert [Path(row["source"]).relative_to(folder).as_posix() for row in read_csv(out)] == ["a.txt", "utrecht/b.md"]
    empty = tmp_path / "leeg"
    empty.mkdir()
    r = run("label", empty, "-o", tmp_path / "x.csv")
    assert r.exit_code == 1 and error_lines(r)[0].startswith(f"mh-nlp: error: {empty}: a folder without notes")
    assert not (tmp_path / "x.csv").exists()


def test_an_earlier_output_in_a_folder_is_not_labelled_again(clf, tmp_path):
    """QA 40: an earlier labels.xlsx beside the notes was read back as notes (its `statement` column is a text
    column): every statement counted twice, without a word. Given by name, it is labelled."""
    folder = tmp_path / "notities"
    folder.mkdir()
    (folder / "a.txt").write_text("De NLA ziet meer uitbuiting.\n\nMeer voorlichting op scholen.\n", encoding="utf-8")
    first = folder / "labels.xlsx"
    assert run("label", folder, "-o", first).exit_code == 0
    for out in (folder / "labels-2.csv", folder / "labels-3.jsonl"):
        r = run("label", folder, "-o", out)
        assert r.exit_code == 0, r.output
        assert "earlier mh-nlp output" in r.stderr and "give it by name" in r.stderr
        assert [row["statement"] for row in (read_csv(out) if out.suffix == ".csv" else
                                             [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()])] == [
            "De NLA ziet meer uitbuiting.", "Meer voorlichting op scholen."]
    again = tmp_path / "again.csv"
    assert run("label", first, "-o", again).exit_code == 0 and len(read_csv(again)) == 2


def test_an_earlier_overview_in_a_folder_is_not_labelled_as_notes(clf, tmp_path):
    """QA 43b: the overview of an earlier run (`--summary overzicht.md`, as the user guide shows) was labelled as
    notes, 184 rows of its table lines. An mh-nlp report (its first line says so) is left out with a warning."""
    folder = tmp_path / "notities"
    folder.mkdir()
    (folder / "a.txt").write_text("De NLA ziet meer uitbuiting.\n\nMeer voorlichting op scholen.\n", encoding="utf-8")
    (folder / "eigen.md").write_text("# Theme overview van ons team\n\nOnze eigen notitie over opvang.\n",
                                     encoding="utf-8")  # a user's own note with a similar title stays a note
    assert run("label", folder, "-o", tmp_path / "first.csv", "--summary", folder / "overzicht.md").exit_code == 0
    r = run("label", folder, "-o", tmp_path / "second.csv")
    assert r.exit_code == 0, r.output
    assert "mh-nlp report 1" in r.stderr and "Markdown overview or evaluation that mh-nlp wrote" in r.stderr
    assert {row["source"].split("/")[-1].split("\\")[-1] for row in read_csv(tmp_path / "second.csv")} == {
        "a.txt", "eigen.md"}


def test_the_reports_begin_as_the_folder_reader_expects():
    """is_report knows mh-nlp's reports by their first line: the writers must keep it."""
    from mh_nlp.io.readers import REPORT_TITLES
    from mh_nlp.io.writers import summary_markdown

    summary = {"total": {"statements": 0, "inputs_ok": 0, "inputs": 0, "uncertain": 0}, "inputs": []}
    assert summary_markdown(summary).splitlines()[0] in REPORT_TITLES
    source = (Path(__file__).parents[2] / "src/mh_nlp/themes/evaluate.py").read_text(encoding="utf-8")
    assert 'lines = ["# Evaluation of the theme model"' in source and "# Evaluation of the theme model" in REPORT_TITLES


def _unreadable(monkeypatch, *paths: Path) -> None:
    """Make ``paths`` unreadable as for a user without permission (the tests may run as root, for whom
    chmod 000 changes nothing): opening such a file, or listing such a folder, raises PermissionError."""
    import builtins
    import io

    locked = {str(p) for p in paths}

    def guard(real):
        def wrapper(file, *a, **k):
            if str(file) in locked:
                raise PermissionError(13, "Permission denied", str(file))
            return real(file, *a, **k)
        return wrapper

    monkeypatch.setattr(builtins, "open", guard(builtins.open))
    monkeypatch.setattr(io, "open", guard(io.open))
    monkeypatch.setattr(os, "scandir", guard(os.scandir))
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, mode, *a, **k: str(p) not in locked and real_access(p, mode, *a, **k))


def test_an_unreadable_file_or_subfolder_fails_as_one_input_and_the_others_are_labelled(clf, note, tmp_path,
                                                                                        monkeypatch):
    """QA 38: an unreadable file named on the command line stopped the whole run (click's usage error, exit 2),
    and an unreadable subfolder of a folder was skipped without a word (exit 0)."""
    locked_file = tmp_path / "geheim.txt"
    locked_file.write_text("Meer voorlichting op scholen.\n", encoding="utf-8")
    folder = tmp_path / "map"
    (folder / "dicht").mkdir(parents=True)
    (folder / "a.txt").write_text("De NLA ziet meer uitbuiting.\n", encoding="utf-8")
    (folder / "dicht" / "b.md").write_text("Meer voorlichting.\n", encoding="utf-8")
    (folder / "oud.doc").write_bytes(b"\xd0\xcf\x11\xe0")
    (folder / "weg.txt").symlink_to(tmp_path / "bestaat-niet.txt")
    _unreadable(monkeypatch, locked_file, folder / "dicht")
    out = tmp_path / "o.csv"
    r = run("label", note, locked_file, folder, "-o", out)
    assert r.exit_code == 3, r.output
    assert sorted(error_lines(r)) == [f"mh-nlp: error: {locked_file}: Permission denied",
                                      f"mh-nlp: error: {folder / 'dicht'}: a folder that cannot be read "
                                      "(Permission denied)"]
    assert f"mh-nlp: warning: {folder}: 2 files left out (.doc 1, broken link 1)" in r.stderr
    assert f"mh-nlp: warning: {folder}: .doc files are not read: an old Word document: save it as .docx" in r.stderr
    assert {Path(row["source"]).name for row in read_csv(out)} == {"note.txt", "a.txt"}



def test_a_link_to_a_folder_is_counted_and_named_not_skipped_without_a_word(clf, tmp_path):
    """QA 45a E3: the 24 notes under a linked subfolder were left out with exit 0 and no warning."""
    (tmp_path / "elders").mkdir()
    (tmp_path / "elders" / "b.txt").write_text("Te weinig opvang voor mannen.\n", encoding="utf-8")
    folder = tmp_path / "map"
    folder.mkdir()
    (folder / "a.txt").write_text("De NLA ziet meer uitbuiting.\n", encoding="utf-8")
    (folder / "link").symlink_to(tmp_path / "elders", target_is_directory=True)
    (folder / ".verborgen").symlink_to(tmp_path / "elders", target_is_directory=True)
    out = tmp_path / "o.csv"
    r = run("label", folder, "-o", out)
    assert r.exit_code == 0, r.output
    assert f"mh-nlp: warning: {folder}: 2 files left out (hidden 1, linked folder 1)" in r.stderr
    assert (f"mh-nlp: warning: {folder}: a link to a folder is not followed ({folder / 'link'}); give the folder "
            "itself") in r.stderr
    assert {Path(row["source"]).name for row in read_csv(out)} == {"a.txt"}


def test_a_file_in_a_folder_that_cannot_be_searched_fails_as_one_input(clf, note, tmp_path, monkeypatch):
    """QA 38 re-test: a file named inside such a folder ended the run in a PermissionError traceback (is_dir)."""
    hidden = tmp_path / "dicht" / "c.txt"
    hidden.parent.mkdir()
    hidden.write_text("Meer voorlichting.\n", encoding="utf-8")
    real_stat = os.stat

    def stat(p, *a, **k):
        if str(p) == str(hidden):
            raise PermissionError(13, "Permission denied", str(p))
        return real_stat(p, *a, **k)

    monkeypatch.setattr(os, "stat", stat)
    out = tmp_path / "o.csv"
    r = run("label", hidden, note, "-o", out)
    assert r.exit_code == 3, r.output
    assert error_lines(r) == [f"mh-nlp: error: {hidden}: Permission denied"]
    assert [Path(row["source"]).name for row in read_csv(out)] == ["note.txt", "note.txt"]


@pytest.mark.parametrize("name", ["~$verslag.docx", "~$opbrengst.pptx"])
def test_words_owner_file_of_an_open_document_is_skipped_with_a_warning(clf, note, tmp_path, name):
    owner = tmp_path / name
    owner.write_bytes(b"\x05Sanne\x00" * 20)  # what Word (PowerPoint) writes beside a document it has open
    r = run("label", note, owner, "-o", tmp_path / "o.csv")
    assert r.exit_code == 0, r.output  # not a partial run: nothing the user meant to label failed
    assert "owner file" in r.stderr and not error_lines(r)
    assert {row["source"] for row in read_csv(tmp_path / "o.csv")} == {str(note)}


def test_a_folder_without_notes_beside_a_good_file_is_a_partial_run(clf, tmp_path, note):
    empty = tmp_path / "leeg"
    empty.mkdir()
    r = run("label", note, empty, "-o", tmp_path / "o.csv")
    assert r.exit_code == 3 and error_lines(r) == [f"mh-nlp: error: {empty}: a folder without notes or transcripts "
                                                   "(.csv, .docx, .jsonl, .markdown, .md, .odt, .pdf, .pptx, .srt, .txt, .vtt, .xlsx)"]
    assert {row["source"] for row in read_csv(tmp_path / "o.csv")} == {str(note)}


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-32"])
def test_classify_stdin_in_utf16_or_32_is_read_as_such(clf, encoding):
    """PowerShell pipes and Notepad files are UTF-16: read as text, not as Windows-1252 garbage."""
    text = "Eén slachtoffer.\n\nTe weinig opvang.\n"
    r = CliRunner().invoke(main, ["classify", "--json"], input=text.encode(encoding))
    assert r.exit_code == 0, r.output
    assert [json.loads(line)["text"] for line in r.stdout.splitlines()] == ["Eén slachtoffer.", "Te weinig opvang."]
    assert "not UTF-8" not in r.stderr


def test_classify_stdin_binary_is_a_one_line_error(clf):
    r = CliRunner().invoke(main, ["classify"], input=b"\x00\x01\x02\xff\x00\x00\x07abc")
    assert r.exit_code == 1 and r.stderr == "mh-nlp: error: <stdin>: binary data, not text\n"
    # a NUL byte past the first 8 KB that were looked at: refused at its line, not classified (QA 37)
    late = ("Te weinig opvang.\n" * 600).encode("utf-8") + b"Iets\x00\x01\x02binairs\n"
    r = CliRunner().invoke(main, ["classify", "--json"], input=late)
    assert r.exit_code == 1 and r.stderr.strip().splitlines()[-1] == (
        "mh-nlp: error: <stdin>: line 601 holds a NUL byte: binary data, not text")
    assert "\\u0000" not in r.stdout and "\\x00" not in r.stdout



def test_classify_stdin_with_a_stray_nul_byte_reads_it_as_a_space(clf):
    """QA 45a E5: one NUL byte in UTF-8 text (an export tool's leftover) refused all of stdin; it is a space now,
    with a warning naming its line. Many of them, or one beside other control bytes, are still binary data."""
    r = CliRunner().invoke(main, ["classify", "--json"],
                           input=b"Te weinig opvang\x00 voor mannen.\nDe NLA ziet meer uitbuiting.\n")
    assert r.exit_code == 0, r.output
    assert [json.loads(line)["text"] for line in r.stdout.splitlines()] == ["Te weinig opvang voor mannen.",
                                                                          "De NLA ziet meer uitbuiting."]
    assert r.stderr == "mh-nlp: warning: <stdin>: line 1 holds a NUL byte (binary zero): read as a space\n"
    r = CliRunner().invoke(main, ["classify", "--json"], input=b"Te\x00weinig" * 20 + b"\n")
    assert r.exit_code == 1 and r.stderr.strip().endswith("binary data, not text")


def test_classify_stdin_ending_in_nul_padding_reads_the_text_before_it(clf):
    """QA 45c R8: a note padded with NUL bytes at its end (an editor's or a copy's leftover) was refused as binary.
    The run that ends the input is padding: left out with a warning. NUL bytes with text after them, or nothing but
    NUL bytes, are still binary data."""
    text = b"Te weinig opvang voor mannen.\nDe NLA ziet meer uitbuiting.\n"
    for tail in (b"", b"Nog een zin zonder einde."):
        r = CliRunner().invoke(main, ["classify", "--json"], input=text + tail + b"\x00" * 200)
        assert r.exit_code == 0, r.output
        assert [json.loads(line)["text"] for line in r.stdout.splitlines()] == [
            "Te weinig opvang voor mannen.", "De NLA ziet meer uitbuiting."] + (["Nog een zin zonder einde."] if tail else [])
        assert r.stderr == "mh-nlp: warning: <stdin>: ends in 200 NUL bytes (binary zero, padding): left out\n"
    r = CliRunner().invoke(main, ["classify", "--json"], input=text + b"\x00" * 200 + b"\nNog een zin.\n")
    assert r.exit_code == 1 and r.stderr.strip().endswith("binary data, not text") and r.stdout == ""
    r = CliRunner().invoke(main, ["classify", "--json"], input=b"\x00" * 200)
    assert r.exit_code == 1 and r.stderr.strip().endswith("binary data, not text")


def test_classify_skips_texts_without_words(clf):
    """'12345', '?!' or emoji hold nothing to sort into a theme: warned and not given a section, but kept in their
    place with their kind, as label and the API keep them (QA 48c N7); an input of nothing else is an error."""
    r = CliRunner().invoke(main, ["classify", "--json", "...!!!???", "Meer opvang nodig.", "😀😀", "42"])
    assert r.exit_code == 0, r.output
    got = [json.loads(line) for line in r.stdout.splitlines()]
    assert [g["text"] for g in got] == ["...!!!???", "Meer opvang nodig.", "😀😀", "42"]
    assert [g["section"] is None for g in got] == [True, False, True, True]
    assert [g["kind"] for g in got][1:] == ["statement", "chatter", "meta"]
    assert "'...!!!???' holds no words; not classified" in r.stderr and "'😀😀' holds no words" in r.stderr
    r = CliRunner().invoke(main, ["classify", "12345"])
    assert r.exit_code == 1 and r.stderr.endswith("mh-nlp: error: nothing to classify: no text holds a word\n")


def test_a_heading_given_with_ignore_headings_is_warned(clf):
    r = CliRunner().invoke(main, ["classify", "--heading", "Problemen", "--ignore-headings", "Meer opvang."])
    assert r.exit_code == 0 and "--ignore-headings: the --heading given counts for nothing" in r.stderr


def test_a_file_name_that_is_not_utf8_is_labelled_and_named_as_windows_1252(clf, tmp_path, note):
    """A name from a zip made on Windows (bytes that are not UTF-8) used to fail the whole run."""
    odd = tmp_path / os.fsdecode(b"verslag\xe9.txt")
    odd.write_text(Path(note).read_text(encoding="utf-8"), encoding="utf-8")
    for out in (tmp_path / "o.csv", tmp_path / "o.jsonl", tmp_path / "o.xlsx"):
        r = run("label", note, odd, "-o", out, "--summary", tmp_path / f"s{out.suffix}.md")
        assert r.exit_code == 0, r.output
    assert {Path(x["source"]).name for x in read_csv(tmp_path / "o.csv")} == {"note.txt", "verslag\xe9.txt"}
    assert "verslag\xe9.txt" in (tmp_path / "s.csv.md").read_text(encoding="utf-8")


def test_a_statement_starting_with_a_dash_is_told_to_go_after_double_dash(clf):
    r = CliRunner().invoke(main, ["classify", "- de wachtlijsten voor trauma-behandeling zijn lang"])
    assert r.exit_code == 2 and "Traceback" not in r.output
    assert "starts with '-' and is read as an option: put statements that start with '-' after --" in r.output
    r = CliRunner().invoke(main, ["classify", "--", "- de wachtlijsten voor trauma-behandeling zijn lang"])
    assert r.exit_code == 0 and r.stdout.startswith("- de wachtlijsten"), r.output
    r = CliRunner().invoke(main, ["classify", "--jsno", "Meer opvang."])  # a mistyped option stays one
    assert r.exit_code == 2 and "No such option '--jsno'" in r.output


def test_control_characters_reach_the_terminal_escaped(clf):
    r = CliRunner().invoke(main, ["classify", "Te weinig \x1b[2Jopvang\u202e voor mannen."])
    assert r.exit_code == 0 and r.stdout.splitlines()[0] == "Te weinig \\x1b[2Jopvang\\u202e voor mannen."
    assert "\x1b" not in r.stdout and "\u202e" not in r.stdout


def test_an_output_encoding_without_the_character_prints_an_escape_not_a_traceback(monkeypatch):
    """A Windows console (cp1252) cannot show an emoji: classify's human output used to end in a traceback."""
    import io

    from mh_nlp.cli import base

    out = io.TextIOWrapper(io.BytesIO(), encoding="cp1252")
    monkeypatch.setattr(sys, "stdout", out)
    base._printable_streams()
    print("Opvang \U0001f64f voor slachtoffers.")
    out.flush()
    assert out.buffer.getvalue() == b"Opvang \\U0001f64f voor slachtoffers.\n"


def test_json_on_a_console_without_utf8_is_still_json(monkeypatch):
    """classify --json on a cp1252 console wrote '\\U0001f600' into the JSON (an invalid escape)."""
    import io

    from mh_nlp.cli import base

    for encoding, text in (("cp1252", '{"text": "Zo\\u00eb \\ud83d\\ude00"}'), ("utf-8", '{"text": "Zoë 😀"}')):
        monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(io.BytesIO(), encoding=encoding))
        assert base._json_out({"text": "Zoë 😀"}) == text and json.loads(text) == {"text": "Zoë 😀"}
        # a line or paragraph separator in a statement stays an escape: one prediction, one line (QA 36)
        odd = {"text": "a\u2028b\u2029c\x85d"}
        line = base._json_out(odd)
        assert len(line.splitlines()) == 1 and json.loads(line) == odd, line


def test_a_label_output_of_a_file_with_its_own_section_column_can_be_given_back(clf, tmp_path):
    """An input's 'sectie' rode along unprefixed, beside the model's 'section': train --add refused the output."""
    from mh_nlp.io.additions import read_additions

    src = tmp_path / "in.csv"
    src.write_text("tekst,sectie,Section\nDe politie ziet meer signalen van uitbuiting in de zorg.,2.1,x\n",
                   encoding="utf-8")
    out = tmp_path / "o.csv"
    assert run("label", src, "-o", out).exit_code == 0
    row = read_csv(out)[0]
    assert row["input_sectie"] == "2.1" and row["input_Section"] == "x" and "sectie" not in row
    # given back untouched, every row keeps top1: learnt only when asked for (QA 47a D8)
    assert [(a.text, a.section) for a in read_additions(out, learn_suggestions=True)] == [
        ("De politie ziet meer signalen van uitbuiting in de zorg.", row["section"])]


def test_a_long_text_is_named_by_its_start_not_a_count(clf):
    """QA 37: "text 1 is 13,999 characters" named the third input line when two lines without words came first."""
    long = "Te weinig opvang voor slachtoffers in de regio. " * 300
    r = CliRunner().invoke(main, ["classify", "--json"], input=f"12345\n?!\n{long}\n".encode("utf-8"))
    assert r.exit_code == 0, r.output
    assert f"{long.strip()[:40]!r}... is {len(long.strip()):,} characters long; classified on its first 10,000" in r.stderr


def test_a_statement_that_is_not_dutch_is_classified_and_said_so(clf, tmp_path):
    """QA 37: English or Russian statements were classified without a word."""
    en = "The police should work more closely with municipalities on labour exploitation cases."
    r = CliRunner().invoke(main, ["classify", "--json", en, "Er is te weinig opvang voor mannen."])
    assert r.exit_code == 0 and len(r.stdout.splitlines()) == 2
    assert r.stderr.count("does not read as Dutch") == 1 and repr(en[:40]) in r.stderr
    note = tmp_path / "n.txt"
    note.write_text(f"{en}\n\nEr is te weinig opvang voor mannen.\n\n{en.replace('cases', 'files')}\n", encoding="utf-8")
    r = CliRunner().invoke(main, ["label", str(note), "-o", str(tmp_path / "o.csv")])
    assert r.exit_code == 0, r.output
    assert ("n.txt: 2 statements do not read as Dutch, at 1, 5 (the first: “The police should work more closely…”; "
            "the column not_dutch marks them)") in r.stderr


@pytest.mark.parametrize("args, message", [
    (["label", "--colum", "tekst", "x.txt"], "No such option '--colum'. (Did you mean one of: '--column'"),
    (["label"], "Missing argument 'INPUTS...'."),
    (["corpus"], None),  # a group without its command: the group's help, as asked
    (["label", "x.txt"], "Missing option '-o' / '--output'."),
    (["nosuch"], "No such command 'nosuch'."),
    (["corpus", "nosub"], "No such command 'nosub'."),
    (["--bad"], "No such option '--bad'."),
])
def test_a_usage_error_is_one_line_naming_the_help(args, message):
    """QA 37: click printed three lines (Usage / Try / Error) where every other error is one."""
    r = CliRunner().invoke(main, args, prog_name="mh-nlp")
    assert r.exit_code == 2, r.output
    if message is None:
        assert "Usage: mh-nlp corpus" in r.output and "Commands:" in r.output
        return
    assert r.stderr.count("\n") == 1 and r.stderr.startswith(f"mh-nlp: error: {message}"), r.stderr
    assert "(see `mh-nlp" in r.stderr and "--help`)" in r.stderr


@pytest.mark.parametrize("args, where", [
    (["label", "x.txt", "-o"], "mh-nlp label"),  # QA 43b: an option without its value named `mh-nlp --help`
    (["classify", "--model"], "mh-nlp classify"),
    (["corpus", "stats", "--quotes"], "mh-nlp corpus stats"),
    (["corpus", "nosub"], "mh-nlp corpus"),
    (["nosuch"], "mh-nlp"),
])
def test_a_usage_error_names_the_help_of_its_own_command(args, where):
    r = CliRunner().invoke(main, args, prog_name="mh-nlp")
    assert r.exit_code == 2 and r.stderr.rstrip().endswith(f"(see `{where} --help`)"), r.stderr


def test_a_summary_that_cannot_be_written_is_named_and_leaves_no_output(clf, note, tmp_path, monkeypatch):
    """QA 38: a full disk under --summary was reported as the output file failing (exit 1) while the output had
    been written; now the summary is written first, and the error names it."""
    def full(path, *a, **k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(cli_label, "StagedSummary", full)
    out, summ = tmp_path / "o.csv", tmp_path / "s.md"
    r = run("label", note, "-o", out, "--summary", summ)
    assert r.exit_code == 1 and error_lines(r) == [f"mh-nlp: error: {summ}: cannot write (No space left on device)"]
    assert not out.exists() and not summ.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["note.txt"]  # no temporary file left either


def test_a_cell_cut_to_excels_limit_in_an_xlsx_output_is_warned(clf, tmp_path):
    """QA 38: a carried column of 45,000 characters was cut to 32,767 in the .xlsx without a word."""
    table = tmp_path / "lang.csv"
    with open(table, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([["tekst", "bijlage"], ["Er is te weinig opvang.", "x" * 45_000],
                                  ["Meer voorlichting.", "kort"]])
    r = run("label", table, "-o", tmp_path / "o.xlsx")
    assert r.exit_code == 0, r.output
    assert (f"mh-nlp: warning: {tmp_path / 'o.xlsx'}: 1 cell longer than Excel's 32,767 characters cut to that "
            "length; a .csv or .jsonl output keeps them whole") in r.stderr
    import openpyxl

    wb = openpyxl.load_workbook(tmp_path / "o.xlsx", read_only=True)
    assert wb.sheetnames == ["labels", "notes"]  # the screen's export says it in the workbook
    assert next(wb["notes"].iter_rows(values_only=True))[0].startswith("1 cell longer than Excel's 32,767 characters")
    r = run("label", table, "-o", tmp_path / "o.csv")
    assert r.exit_code == 0 and "32,767" not in r.stderr
    assert read_csv(tmp_path / "o.csv")[0]["bijlage"] == "x" * 45_000


def test_a_partial_output_left_by_a_killed_run_is_removed_by_the_next_run(clf, note, tmp_path):
    """QA 38: after kill -9 the hidden temporary output (statements the user never received) stayed for good."""
    from mh_nlp.io.writers import temp_path_for

    out = tmp_path / "o.csv"
    fd, leftover = temp_path_for(out)
    os.write(fd, b"source,position,statement\nnote.txt,1,De IND mag gegevens niet delen.\n")
    os.close(fd)
    keep = tmp_path / ".o.csv.backup"  # not a temporary output of ours
    keep.write_text("mine", encoding="utf-8")
    own = tmp_path / ".o.csv.backup01.tmp.csv"  # QA 38 re-test: fitted the pattern of mkstemp's names
    own.write_text("mine too", encoding="utf-8")
    r = run("label", note, "-o", out)
    assert r.exit_code == 0, r.output
    assert f"mh-nlp: warning: {out}: removed 1 partial output that a killed run had left beside it" in r.stderr
    assert not leftover.exists() and keep.read_text(encoding="utf-8") == "mine" and out.exists()
    assert own.read_text(encoding="utf-8") == "mine too"



def test_an_earlier_summary_is_kept_when_the_output_cannot_be_written(clf, note, tmp_path, monkeypatch):
    """QA 38 re-test: with --force, the summary was replaced by one describing a run whose output then failed."""
    out, summ = tmp_path / "o.csv", tmp_path / "s.md"
    assert run("label", note, "-o", out, "--summary", summ).exit_code == 0
    before_out, before_summ = out.read_bytes(), summ.read_text(encoding="utf-8")
    real = cli_label.open_writer

    def failing(*a, **k):
        w = real(*a, **k)

        def commit():
            w.abort()
            raise OSError(28, "No space left on device", str(out))

        w.commit = commit
        return w

    monkeypatch.setattr(cli_label, "open_writer", failing)
    note.write_text("Een heel andere notitie.\n", encoding="utf-8")
    r = run("label", note, "-o", out, "--summary", summ, "--force")
    assert r.exit_code == 1 and error_lines(r) == [f"mh-nlp: error: {out}: cannot write (No space left on device)"]
    assert out.read_bytes() == before_out and summ.read_text(encoding="utf-8") == before_summ
    assert sorted(p.name for p in tmp_path.iterdir()) == ["note.txt", "o.csv", "s.md"]  # no temporary file left


def test_the_embedding_caches_warning_takes_the_progress_line_off_first(monkeypatch, tmp_path, note):
    """QA 38 re-test: the cache's warning was printed after the progress line, on the same line."""
    from mh_nlp.themes import embeddings

    class Warns(KeywordClassifier):
        def predict_details(self, texts, *a, **k):
            time.sleep(0.3)  # the ticker draws the line first
            embeddings.WARN("no embedding cache (test)")
            return super().predict_details(texts, *a, **k)

    use_fakes(monkeypatch, Warns())
    monkeypatch.setattr(cli_label, "_stderr_is_tty", lambda: True)
    monkeypatch.setattr(cli_label._Progress, "TICK", 0.1)
    before = embeddings.WARN
    r = run("label", note, "-o", tmp_path / "a.csv", "--workers", "1")
    assert r.exit_code == 0, r.output
    assert "statements at a time\rmh-nlp: warning: no embedding cache (test)\n" in r.stderr, repr(r.stderr)
    assert embeddings.WARN is before  # given back after the run


def test_an_output_folder_and_a_mistyped_model_say_what_is_wrong(note, tmp_path):
    """QA 40: `-o folder` said "unsupported output type '(no extension)'", and a mistyped --model path said to run
    `mh-nlp train`."""
    r = run("label", note, "-o", tmp_path)
    assert r.exit_code == 1 and f"{tmp_path}: is a directory; name the output file" in r.stderr
    r = run("label", note, "-o", tmp_path / "x.csv", "--model", tmp_path / "typo.npz")
    assert r.exit_code == 1 and error_lines(r) == [f"mh-nlp: error: {tmp_path / 'typo.npz'}: no such model file"]
    assert not (tmp_path / "x.csv").exists()


def test_an_interrupt_while_the_output_is_put_in_place_does_not_deny_it(clf, note, tmp_path, monkeypatch):
    """QA 40 re-test: a Ctrl-C or SIGTERM in the milliseconds while the output was put in place said "no output
    written" (exit 130/143) over an output that had been written. From the commit on, they are ignored."""
    from mh_nlp.io import writers

    real = writers.RowWriter.commit

    def commit_interrupted(self):
        real(self)
        os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C just after the output is in place
        os.kill(os.getpid(), signal.SIGTERM)

    monkeypatch.setattr(writers.RowWriter, "commit", commit_interrupted)
    out = tmp_path / "out.csv"
    out.write_text("OUD\n", encoding="utf-8")
    r = run("label", note, "-o", out, "--force")
    assert r.exit_code == 0 and "no output written" not in r.stderr, r.stderr
    assert len(read_csv(out)) == 2
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # given back when the command ends


def test_the_writability_check_leaves_no_folder_behind(tmp_path):
    """QA 43b: an interrupted `evaluate --out NEW` left an empty NEW/ (the check made it before any work)."""
    from mh_nlp.cli.themes import _writable_folder

    _writable_folder(tmp_path / "new" / "deeper", "the report")
    assert not (tmp_path / "new").exists()
    (tmp_path / "kept").mkdir()
    _writable_folder(tmp_path / "kept", "the report")
    assert (tmp_path / "kept").is_dir()


def test_train_add_twice_is_a_usage_error(tmp_path):
    """QA 44a D4: `train --add A --add B` trained on B alone and said nothing of A (click keeps the last value)."""
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    a.write_text("text,section\nEr is te weinig opvang.,2.16\n", encoding="utf-8")
    b.write_text("text,section\nMeer voorlichting op scholen.,4.3\n", encoding="utf-8")
    r = CliRunner().invoke(main, ["train", "--add", str(a), "--add", str(b), "--model", str(tmp_path / "m.npz")],
                           prog_name="mh-nlp")
    assert r.exit_code == 2 and "takes one file, not 2" in r.stderr and "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv", "b.csv"]  # nothing trained, nothing written


def test_warnings_quote_the_input_pseudonymised_under_pseudonymise(tmp_path):
    """QA 53a D13: with --pseudonymise the output was clean, but a reader's warning printed the line it was about as
    it stood, a phone number or a name with it; now the warning quotes it pseudonymised and masked as the output."""
    notes = tmp_path / "notes.txt"
    notes.write_text("Aanwezig: Olena Kovalenko, Piotr Nowak\n\nOlena Kovalenko: De opvang is vol.\n\n"
                     "+48 601 234 567\n\nPiotr Nowak: 06-12345678\n", encoding="utf-8")
    args = ["label", str(notes), "-o", str(tmp_path / "out.csv"), "-q"]
    plain = CliRunner().invoke(main, args)
    masked = CliRunner().invoke(main, [*args, "--force", "--pseudonymise"])
    assert plain.exit_code == masked.exit_code == 0, masked.output
    assert "+48 601 234 567" in plain.stderr  # the warning quotes the line
    assert "hold no words ('[telefoon]', '[telefoon]')" in masked.stderr, masked.stderr
    for secret in ("+48", "601 234", "06-1234", "Nowak", "Olena", "Kovalenko"):
        assert secret not in masked.stderr, masked.stderr
