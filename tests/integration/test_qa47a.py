"""QA 47a: corrections (`train --add`) and a model's life cycle through the CLI: what a corrections file may hold,
a screen export's unreviewed rows, `info` on an unusable model, one run per model, a backup of the model replaced."""
from __future__ import annotations

from click.testing import CliRunner

from mh_nlp.cli import main


def test_evaluate_help_names_the_corrections_table_it_writes_not_a_curve():
    res = CliRunner().invoke(main, ["evaluate", "--help"])
    assert res.exit_code == 0
    text = " ".join(res.output.split())
    assert "curve" not in text and "corrections table" in text and "half a page" in text


# ---------------------------------------------------------------- what a corrections file may hold (no training)

import hashlib  # noqa: E402
import io  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import time  # noqa: E402
import zipfile  # noqa: E402

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from mh_nlp.corpus.records import load_quotes  # noqa: E402
from mh_nlp.exceptions import AdditionsError  # noqa: E402
from mh_nlp.io.additions import formula, mis_decoded, read_additions, too_long  # noqa: E402


def _refused(args, needle, written=()):
    """`mh-nlp ARGS` ends with one line `mh-nlp: error: …` holding ``needle``, exit 1, no traceback, and none of
    ``written`` exists."""
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 1, res.output
    lines = [line for line in res.output.splitlines() if line.startswith("mh-nlp: error:")]
    assert len(lines) == 1 and needle in lines[0], res.output
    assert "Traceback" not in res.output
    for path in written:
        assert not os.path.exists(path), path
    return res


def test_a_huge_text_cell_is_one_line_naming_the_row_before_any_training(tmp_path):
    """D1: 50 MB in one cell ended in spaCy's traceback after 15 s; D2: 84,000 characters were learnt silently."""
    huge = tmp_path / "huge.csv"
    with open(huge, "w", encoding="utf-8") as fh:
        fh.write('text,section\n"' + "Er is te weinig opvang voor slachtoffers. " * 50_000 + '",2.16\n'
                 "Meer opvang voor mannen.,4.7\n")
    out = tmp_path / "m.npz"
    t0 = time.monotonic()
    _refused(["train", "--add", str(huge), "--model", str(out)],
             "row 2: the text is 2,100,000 characters long (a correction is one statement, of at most 10,000",
             [out, out.with_suffix(".json")])
    assert time.monotonic() - t0 < 30
    just = tmp_path / "just.csv"  # 10,000 characters pass; 10,001 do not
    just.write_text("text,section\n" + "a" * 9_999 + ".,2.16\n", encoding="utf-8")
    assert len(read_additions(just)) == 1
    just.write_text("text,section\nMeer opvang.,4.7\n" + "a" * 10_000 + ".,2.16\n", encoding="utf-8")
    with pytest.raises(AdditionsError, match=r"row 3: the text is 10,001 characters long"):
        read_additions(just)
    assert too_long("x" * 10_000) is None and "10,001" in too_long("x" * 10_001)


def test_a_spreadsheet_formula_is_no_statement_and_is_refused_naming_its_row(tmp_path):
    """D2: `=HYPERLINK(…)`, `=cmd|…` and `@SUM(…)` became examples of a section."""
    f = tmp_path / "f.csv"
    f.write_text('text,section\nMeer opvang voor mannen.,4.7\n"=HYPERLINK(""http://evil.example/x"",""klik"")",1.3\n',
                 encoding="utf-8")
    out = tmp_path / "m.npz"
    _refused(["train", "--add", str(f), "--model", str(out)],
             "row 3: the text is a spreadsheet formula ('=HYPERLINK(", [out])
    for text in ("=cmd|' /C calc'!A0", "@SUM(1+1)*cmd|' /C calc'!A0", "=2+2", "=A1", "-cmd|' /C calc'!A0"):
        assert formula(text), text
    # what a note holds is no formula: a bullet, a phone number, an arrow, a remark that starts with "="
    for text in ("- Te weinig opvang", "- Opvang (tijdelijk) nodig", "+31 6 1234 5678", "=> actie voor de NLA",
                 "=Meer opvang nodig.", "@Jan: meer opvang", "=10% meer meldingen dan vorig jaar."):  # (QA 47c N4)
        assert formula(text) is None, text


def test_a_note_s_line_that_is_a_formula_and_nothing_else_is_meta_not_a_statement():
    """QA 47c N4: '=HYPERLINK(…)' pasted with the notes was a statement on the screen, so the screen's training learnt
    it while `train --add` of the same export refused the file. A line that is a formula and nothing more is meta now,
    in every reader (kind_of); one that says more after it, or starts with '=' as a remark, stays a statement."""
    from mh_nlp.io.kinds import kind_of

    for text in ('=HYPERLINK("http://evil.example/x","klik")', "=2+2", "=10%", "=A1", "@SUM(A1:A2)",
                 "=cmd|' /C calc'!A0"):
        assert kind_of(text) == "meta", text
    for text in ("=10% meer meldingen dan vorig jaar.", "=Meer opvang nodig.", "=SOM(A1:A3) als voorbeeld van een "
                 "formule in de notulen.", "De NLA ziet meer uitbuiting (=HYPERLINK niet)."):
        assert kind_of(text) == "statement", text


def test_text_that_looks_mis_decoded_is_learnt_with_a_warning_naming_its_rows(tmp_path):
    """D2: a Mac Roman or Shift-JIS file read as Windows-1252 was learnt as mojibake with only a generic warning."""
    f = tmp_path / "mac.csv"
    f.write_bytes("text,section\nMeer opvang voor mannen.,4.7\nSlachtoffers krijgen geen cliëntondersteuning.,4.7\n"
                  .encode("mac_roman"))
    said: list[str] = []
    got = read_additions(f, warn=said.append)
    assert len(got) == 2
    assert any("row 3 looks mis-decoded (a wrong encoding:" in w and "save the file as UTF-8" in w for w in said), said
    assert not any("row 2 " in w for w in said)
    for bad in ("CoÃ¶rdinatie ontbreekt", "Het is â€œniet genoegâ€", "Opvang \ufffd nodig", "日本語テキスト".encode(
            "shift_jis").decode("cp1252", errors="replace")):
        assert mis_decoded(bad), bad
    for good in ("De auto’s van de politie", "Cliëntondersteuning voor Dušan", "„Te weinig” opvang", "Café – bar"):
        assert mis_decoded(good) is None, good


def test_a_screen_export_leaves_out_the_rows_nobody_reviewed(tmp_path):
    """D8: the CLI learnt the 11 undecided rows of 20 that the screen's own training leaves out."""
    export = tmp_path / "export.csv"
    export.write_text("statement,kind,section,top1,suggested_section,decision\n"
                      "Meer opvang.,statement,4.7,4.7,4.7,accept\n"
                      "Minder capaciteit.,statement,2.16,2.16,2.16,\n"
                      "Nagelstudio's zijn een blinde vlek.,statement,1.3,2.6,2.6,correct\n"
                      "Geen zicht op uitbuiting.,statement,2.6,2.6,2.6,\n", encoding="utf-8")
    said: list[str] = []
    got = read_additions(export, warn=said.append)
    assert [a.text for a in got] == ["Meer opvang.", "Nagelstudio's zijn een blinde vlek."]
    assert said == [f"{export}: 2 of 4 rows were not reviewed on the screen (no decision): left out, as the screen's "
                    "own training leaves them out; to learn one, accept or correct it on the screen and export again "
                    "(or write accept or correct in its decision cell)"]
    jl = tmp_path / "export.jsonl"  # the same in JSON lines
    jl.write_text('{"statement": "Meer opvang.", "kind": "statement", "section": "4.7", "decision": "accept"}\n'
                  '{"statement": "Minder.", "kind": "statement", "section": "2.16", "decision": null}\n',
                  encoding="utf-8")
    assert [a.text for a in read_additions(jl)] == ["Meer opvang."]
    none = tmp_path / "none.csv"
    none.write_text("statement,kind,section,decision\nMeer opvang.,statement,4.7,\n", encoding="utf-8")
    _refused(["train", "--add", str(none), "--model", str(tmp_path / "n.npz")],
             "none of its rows was reviewed on the screen (no decision): nothing to learn")


def test_a_label_output_given_back_unchanged_is_refused_unless_asked_for(tmp_path):
    """D8: a label output given back untouched trained a model on nothing but its own guesses, at weight 6."""
    out = tmp_path / "labels.csv"
    out.write_text("source,statement,kind,section,top1\nn.txt,Meer opvang.,statement,4.7,4.7\n"
                   "n.txt,Minder capaciteit.,statement,2.16,2.16\nn.txt,Dag allemaal,chatter,,\n", encoding="utf-8")
    model = tmp_path / "m.npz"
    res = _refused(["train", "--add", str(out), "--model", str(model)],
                   "every one of its 2 rows still has the section the model suggested (top1)", [model])
    assert "--learn-suggestions" in res.output
    said: list[str] = []
    assert len(read_additions(out, warn=said.append, learn_suggestions=True)) == 2  # the flag: learnt, still said
    assert any("2 of 2 rows keep the section the model suggested" in w for w in said)
    jl = tmp_path / "labels.jsonl"
    jl.write_text('{"statement": "Meer opvang.", "kind": "statement", "section": "4.7", "top": [{"section": "4.7"}]}\n',
                  encoding="utf-8")
    with pytest.raises(AdditionsError, match="every one of its 1 row still has"):
        read_additions(jl)
    res = CliRunner().invoke(main, ["train", "--help"])
    assert "--learn-suggestions" in res.output


def test_a_correction_that_relabels_an_anthology_quote_is_said_naming_the_quote(tmp_path):
    """D10: a quote word for word with another section took the quote out of its own section without a word."""
    q = load_quotes()[0]
    other = "4.4" if q.section != "4.4" else "4.7"
    f = tmp_path / "q.csv"
    # compared as corrections are (normal form): other case and spacing are the same quote
    f.write_text(f'text,section\n"{q.text.upper()}  ",{other}\n"{q.text}",{other}\nMeer opvang.,4.7\n',
                 encoding="utf-8")
    said: list[str] = []
    read_additions(f, warn=said.append)
    clash = [w for w in said if "anthology quote" in w]
    assert clash == [f"{f}: row 2 is anthology quote {q.id}, in section {q.section} there, labelled {other} here: the "
                     f"model learns it as {other} and no longer gives the quote its own section; correct the row if "
                     "that is not meant"], said
    f.write_text(f'text,section\n"{q.text}",{q.section}\n', encoding="utf-8")  # its own section: nothing to say
    said.clear()
    read_additions(f, warn=said.append)
    assert not any("anthology quote" in w for w in said)


def test_a_formula_without_a_value_and_a_wrong_json_key_say_what_is_wrong(tmp_path):
    """D12: 'empty or missing text' for a formula cell never saved in Excel; 'no section' for a wrong JSON key."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["text", "section"])
    ws.append(["Meer opvang voor mannen.", "4.7"])
    ws.append(['=CONCATENATE("Er is te ","weinig opvang")', "2.16"])
    wb.save(tmp_path / "f.xlsx")
    _refused(["train", "--add", str(tmp_path / "f.xlsx"), "--model", str(tmp_path / "m.npz")],
             "row 3 (sheet 'Sheet'): the text is a formula with no saved value")
    ws["B2"] = "=A9"  # a section that is a formula without a value
    ws["A3"] = "Minder capaciteit."
    wb.save(tmp_path / "f.xlsx")
    with pytest.raises(AdditionsError, match=r"row 2 \(sheet 'Sheet'\): the section is a formula with no saved"):
        read_additions(tmp_path / "f.xlsx")
    jl = tmp_path / "k.jsonl"
    jl.write_text('{"text": "Meer opvang.", "label": "2.16"}\n', encoding="utf-8")
    _refused(["train", "--add", str(jl), "--model", str(tmp_path / "m.npz")],
             "line 1: needs a text key (text, tekst, statement, uitspraak) and a section key (section, sectie) "
             "(found: 'text', 'label')")


# ---------------------------------------------------------------- a model's life cycle

def _tampered(src, out, change):
    """A copy of the model ``src`` at ``out`` whose arrays/state ``change(arrays, state)`` altered, with its
    metadata's SHA-256 fixed to match (a model received from someone else, or damaged before its metadata was
    written)."""
    with np.load(src, allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
    state = json.loads(str(arrays.pop("__state_json__")))
    change(arrays, state)
    buf = io.BytesIO()
    np.savez_compressed(buf, **arrays, __state_json__=np.array(json.dumps(state, ensure_ascii=False)))
    out.write_bytes(buf.getvalue())
    meta = json.loads(src.with_suffix(".json").read_text(encoding="utf-8"))
    meta.update(model_file=out.name, model_sha256=hashlib.sha256(out.read_bytes()).hexdigest())
    out.with_suffix(".json").write_text(json.dumps(meta), encoding="utf-8")
    return out


def _nan(arrays, state):
    arrays["section_E_"] = arrays["section_E_"].copy()
    arrays["section_E_"][0, 0] = np.nan


def _short(arrays, state):
    arrays["section_E_"] = arrays["section_E_"][:-5]


def _cold(arrays, state):
    state["temperature"] = 1e-9


def _kind(arrays, state):
    state["kind"] = "ranker_v2"


@pytest.mark.parametrize("change, why", [(_nan, "unusable model state"), (_short, "unusable model state"),
                                         (_cold, "temperature 1e-09 is not a usable positive number"),
                                         (_kind, "its kind 'ranker_v2' is not one mh-nlp knows")])
def test_info_says_a_model_is_unusable_when_classify_refuses_it(trained, tmp_path, change, why):
    """D6: `info --model` printed a healthy model's description, exit 0, for models that classify and serve refuse."""
    from mh_nlp.themes.classifier import load_classifier
    from mh_nlp.themes.store import ModelError

    bad = _tampered(trained[0], tmp_path / "sent.npz", change)
    with pytest.raises(ModelError) as err:
        load_classifier(bad)
    res = _refused(["info", "--model", str(bad)], f"{bad}: unusable model, classify and serve refuse it: ")
    assert why in res.output and str(err.value).split(": ", 1)[1] in res.output  # the loader's own reason
    assert "theme model:" in res.output  # the metadata it could read is still shown
    res = CliRunner().invoke(main, ["classify", "--model", str(bad), "Meer opvang voor mannen."])
    assert res.exit_code == 1 and why in res.output
    ok = _tampered(trained[0], tmp_path / "ok.npz", lambda a, s: None)  # the same file unchanged: usable
    res = CliRunner().invoke(main, ["info", "--model", str(ok)])
    assert res.exit_code == 0 and "unusable" not in res.output, res.output


def test_a_second_run_on_a_model_being_trained_is_refused_in_one_line(tmp_path):
    """D4: two `train --force` runs on one model both said "saved"; one silently replaced the other."""
    from mh_nlp.io.writers import OutputLock

    add = tmp_path / "c.csv"
    add.write_text("text,section\nMeer opvang voor mannen.,4.7\n", encoding="utf-8")
    model = tmp_path / "m.npz"
    with OutputLock(model):  # what the first run holds while it trains
        _refused(["train", "--add", str(add), "--model", str(model), "--force"],
                 f"{model}: the model is being trained by another run now (.m.npz.lock is locked)", [model])
    assert not (tmp_path / ".m.npz.lock").exists()


def test_stale_temporaries_are_only_those_of_this_model_left_by_a_run_that_is_gone(tmp_path):
    """D3: a save killed with kill -9 left `.NAME.npz.XXXXXXXX.tmp` files that no later run removed."""
    from mh_nlp.themes.store import STALE_SECONDS, stale_temporaries

    model = tmp_path / "m.npz"
    old = time.time() - STALE_SECONDS - 60
    dead = 2 ** 22 + 12345  # above any pid_max of a test machine: no such process
    while True:
        try:
            os.kill(dead, 0)
            dead += 1
        except ProcessLookupError:
            break
        except PermissionError:
            dead += 1
    names = {".m.npz.cs05lv3x.tmp": old,  # the name before 47b, old: left over
             ".m.json.vul8wogq.tmp": old,
             f".m.npz.mh-nlp-{dead}-abcd1234.tmp": None,  # its process is gone: left over, however new
             f".m.npz.mh-nlp-{os.getpid()}-abcd1234.tmp": None,  # a live run's, new: kept
             ".m.npz.zzzzzzzz.tmp": None,  # the old name, new: kept (it may be being written)
             ".other.npz.cs05lv3x.tmp": old,  # another model's
             ".m.previous.npz.cs05lv3x.tmp": old,  # of the copy of the model this save replaces: ours
             ".m.previous.previous.npz.cs05lv3x.tmp": old,  # another model's
             ".m.npz.notours.tmp.bak": old, "m.npz.cs05lv3x.tmp": old}  # not our names
    for name, mtime in names.items():
        (tmp_path / name).write_bytes(b"partly written")
        if mtime:
            os.utime(tmp_path / name, (mtime, mtime))
    assert [p.name for p in stale_temporaries(model)] == sorted(
        [".m.json.vul8wogq.tmp", ".m.npz.cs05lv3x.tmp", f".m.npz.mh-nlp-{dead}-abcd1234.tmp",
         ".m.previous.npz.cs05lv3x.tmp"])


def test_force_keeps_the_model_it_replaces_and_removes_what_a_killed_save_left(tmp_path):
    """D5: `--force` replaced a corrected model with no way back; D3: leftovers of a killed save stayed forever."""
    from mh_nlp.themes.classifier import load_classifier

    first = tmp_path / "first.csv"
    first.write_text("text,section\nIn nagelstudio's werken Vietnamese minderjarigen.,1.3\n"
                     "Nagelsalons zijn een blinde vlek.,1.3\n", encoding="utf-8")
    second = tmp_path / "second.csv"
    second.write_text("text,section\nMeer opvang voor mannen in het noorden.,4.7\n", encoding="utf-8")
    model = tmp_path / "mine.npz"
    res = CliRunner().invoke(main, ["train", "--add", str(first), "--model", str(model)])
    assert res.exit_code == 0 and "kept as" not in res.output, res.output  # nothing replaced, nothing kept
    assert not (tmp_path / "mine.previous.npz").exists()
    before = model.read_bytes()
    stale = tmp_path / ".mine.npz.cs05lv3x.tmp"  # as `kill -9` during a save left it
    stale.write_bytes(b"partly written")
    os.utime(stale, (time.time() - 3600, time.time() - 3600))
    res = CliRunner().invoke(main, ["train", "--add", str(second), "--model", str(model), "--force"])
    assert res.exit_code == 0, res.output
    assert "removed 1 temporary file that an interrupted save of mine.npz left: .mine.npz.cs05lv3x.tmp" in res.output
    prev = tmp_path / "mine.previous.npz"
    assert f"the model it replaced is kept as {prev} (and its .json)" in res.output
    assert not stale.exists() and prev.read_bytes() == before
    assert not [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp") or p.name.endswith(".lock")]
    kept = load_classifier(prev)  # usable as it is, with the first file's corrections
    assert kept.metadata["corrections"] == 2 and kept.metadata["corrections_sections"] == ["1.3"]
    assert load_classifier(model).metadata["corrections_sections"] == ["4.7"]
    res = CliRunner().invoke(main, ["info", "--model", str(model)])
    assert res.exit_code == 0 and f"previous:    {prev}" in res.output and "2 corrections" in res.output, res.output
    # going back: the two renamed are the model again, and a later train sees its metadata as the model's own
    prev.replace(model)
    prev.with_suffix(".json").replace(model.with_suffix(".json"))
    assert load_classifier(model).metadata["corrections"] == 2
    res = CliRunner().invoke(main, ["train", "--add", str(first), "--model", str(model), "--if-needed"])
    assert res.exit_code == 0 and res.output.startswith(f"model is up to date: {model}"), res.output
    # QA 47c N5: the rebuild advice for a damaged model (`train --add … --force`) kept the damaged file as the
    # previous model and threw away the intact one kept before
    res = CliRunner().invoke(main, ["train", "--add", str(second), "--model", str(model), "--force"])
    assert res.exit_code == 0 and f"kept as {prev}" in res.output, res.output
    intact = prev.read_bytes()
    model.write_bytes(model.read_bytes()[:100_000])  # damaged: cut off
    res = CliRunner().invoke(main, ["train", "--add", str(first), "--model", str(model), "--force"])
    assert res.exit_code == 0, res.output
    assert ("the model it replaced was damaged (its checksum did not match) and is not kept; the one kept before "
            f"stays as {prev}") in res.output
    assert prev.read_bytes() == intact and load_classifier(prev).metadata["corrections"] == 2
    assert load_classifier(model).metadata["corrections"] == 2
    # QA 55 #5: the next --force lets the model kept before go, and says which it was
    res = CliRunner().invoke(main, ["train", "--add", str(second), "--model", str(model), "--force"])
    assert res.exit_code == 0, res.output
    assert f"the model kept there before (trained with 2 corrections from {first.resolve()}, trained 20" in res.output
    assert res.output.rstrip().endswith(") is replaced"), res.output


def test_qa55_what_label_calls_a_statement_is_no_formula_to_train_add(tmp_path):
    """QA 55 #1: `label` read '@SUM(A1:A2) opvang is vol' as a statement (a formula followed by words), and `train
    --add` refused that row of its output as a formula. One rule now: a correction is refused as a formula exactly
    when a note's line is read as one (meta)."""
    from mh_nlp.io.kinds import kind_of

    said = ["@SUM(A1:A2) opvang is vol", '=HYPERLINK("http://voorbeeld.invalid","klik hier") voor het rapport',
            "=SOM(A1:A3) als voorbeeld van de telling"]
    formulas = ['=HYPERLINK("http://e.x/x","klik")', "=cmd|' /C calc'!A0", "@SUM(1+1)*cmd|' /C calc'!A0", "=2+2",
                "=A1", "-cmd|' /C calc'!A0", "@SUM(A1:A2)"]
    for text in said:
        assert kind_of(text) == "statement" and formula(text) is None, text
    for text in formulas:
        assert kind_of(text) == "meta" and formula(text), text
    f = tmp_path / "f.csv"
    f.write_text('text,section\n"@SUM(A1:A2) opvang is vol",2.16\n', encoding="utf-8")
    [row] = read_additions(f)
    assert (row.text, row.section) == ("@SUM(A1:A2) opvang is vol", "2.16")
