"""The Python library used as a developer uses it (QA 41b): themed Docs that serialise, saved pipelines that
travel, arguments that fail clearly, model files that are checked when loaded, one home for the errors."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest

import mh_nlp
from mh_nlp import exceptions
from mh_nlp.themes.store import ModelError, load_arrays, save_model

TEXTS = ["Er is te weinig opvang voor mannen.", "De NLA ziet meer arbeidsuitbuiting in distributiecentra."]


@pytest.fixture(scope="module")
def nlp():
    return mh_nlp.load_pipeline(themes=True)


@pytest.fixture(scope="module")
def clf():
    return mh_nlp.load_classifier()


def test_a_themed_doc_serialises_like_any_doc(nlp):
    from spacy.tokens import Doc, DocBin

    doc = nlp(TEXTS[0])
    assert doc._.theme.section == doc._.theme.top[0].section
    again = Doc(nlp.vocab).from_bytes(doc.to_bytes())
    assert again._.theme == doc._.theme and again.cats == doc.cats
    bin_ = DocBin(store_user_data=True)
    bin_.add(doc)
    assert next(DocBin().from_bytes(bin_.to_bytes()).get_docs(nlp.vocab))._.theme == doc._.theme


def test_a_used_themed_pipeline_can_be_pickled_and_copied(nlp):
    """QA 41e: once it had classified, the pipeline held the embedding cache's open SQLite connection, which
    neither pickle nor copy.deepcopy can take."""
    import copy
    import pickle

    theme = nlp(TEXTS[1])._.theme
    for again in (pickle.loads(pickle.dumps(nlp)), copy.deepcopy(nlp)):
        assert again(TEXTS[1])._.theme == theme


def test_nlp_pipe_on_two_processes_gives_the_same_themes(nlp):
    one = [d._.theme.section for d in nlp.pipe(TEXTS * 2)]
    two = [d._.theme.section for d in nlp.pipe(TEXTS * 2, n_process=2, batch_size=2)]
    assert one == two


def test_a_saved_pipeline_loads_with_its_own_model_and_saves_again_in_place(nlp, tmp_path):
    folder = tmp_path / "mijn-pipeline"
    nlp.to_disk(folder)
    code = ("import spacy, sys; n = spacy.load(sys.argv[1]); print(n(sys.argv[2])._.theme.section); "
            "n.to_disk(sys.argv[1]); print(spacy.load(sys.argv[1])(sys.argv[2])._.theme.section)")
    env = {**os.environ, "MH_NLP_MODELS": str(tmp_path / "no-models-here")}  # no default model on this "machine"
    res = subprocess.run([sys.executable, "-c", code, str(folder), TEXTS[0]], env=env, capture_output=True, text=True)
    assert res.returncode == 0, res.stderr[-2000:]
    assert res.stdout.split() == [nlp(TEXTS[0])._.theme.section] * 2


def test_to_bytes_names_the_model_and_from_bytes_refuses_where_it_is_missing(nlp, tmp_path):
    from mh_nlp.nlp.pipeline import build_pipeline

    other = build_pipeline("blank")
    other.add_pipe("mh_themes")
    other.from_bytes(nlp.to_bytes())  # the same machine: the named model is here and unchanged
    assert other(TEXTS[0])._.theme == nlp(TEXTS[0])._.theme
    part = nlp.get_pipe("mh_themes").to_bytes().replace(b"theme-model.npz", b"theme-model-gone.npz")
    with pytest.raises(ModelError, match="to_disk"):
        other.get_pipe("mh_themes").from_bytes(part)


def test_the_component_refuses_bad_batch_sizes_and_a_place_before_the_lemmatizer(nlp):
    from mh_nlp.nlp.pipeline import build_pipeline

    with pytest.raises(ValueError, match="batch_size"):
        list(nlp.pipe(TEXTS, batch_size=0))
    early = build_pipeline("blank")
    early.add_pipe("mh_themes", before="lemmatizer")
    with pytest.raises(ValueError, match="after the lemmatizer"):
        early(TEXTS[0])


def test_an_empty_text_gets_no_theme_and_the_classifier_refuses_it(nlp, clf):
    docs = list(nlp.pipe(["", TEXTS[0], "   ", "?! 12345", "\u200b"]))
    assert [d._.theme is None for d in docs] == [True, False, True, True, True] and docs[0].cats == docs[3].cats == {}
    with pytest.raises(ValueError, match="text 2 is empty"):
        clf.predict([TEXTS[0], " \n"])
    for wordless in ("?!", "12345", "\u200b"):  # QA 41e: the CLI, label and the API refused these, the library not
        with pytest.raises(ValueError, match="text 2 holds no words"):
            clf.predict([TEXTS[0], wordless])
    with pytest.raises(ValueError, match="1,000,000"):
        clf.predict_details(["a " * 600_000])


def test_load_pipeline_gives_a_pipeline_of_your_own(clf, nlp):
    mine = mh_nlp.load_pipeline()
    assert mine is not mh_nlp.load_pipeline()
    other = mh_nlp.load_pipeline(themes=True)  # its own pipeline, but the model loaded once (some 70 MB)
    assert other is not nlp and other(TEXTS[0])._.theme == nlp(TEXTS[0])._.theme
    assert other.get_pipe("mh_themes").classifier is nlp.get_pipe("mh_themes").classifier
    before = mh_nlp.find_entities(TEXTS[1])
    mine.remove_pipe("mh_entity_ruler")  # changing mine changes nothing of the library's own
    assert mh_nlp.find_entities(TEXTS[1]) == before and before
    assert [e["text"] for _, ents in clf.analyse([TEXTS[1]]) for e in ents] == [e["text"] for e in before]


def test_one_text_where_a_list_is_expected_is_a_type_error(clf):
    from mh_nlp.io.label import label_files

    with pytest.raises(TypeError, match="list of paths"):
        list(label_files("examples/notities.csv", clf))
    with pytest.raises(TypeError, match="list of texts"):
        list(mh_nlp.find_entities_batch("De NLA"))
    with pytest.raises(TypeError, match="not int"):
        list(label_files(["examples/notities.csv"], 123))
    with pytest.raises(ValueError, match="min_confidence"):
        list(label_files(["examples/notities.csv"], clf, min_confidence="x"))
    with pytest.raises(ValueError, match="in_order"):
        list(label_files(["examples/notities.csv"], clf, note_column="datum"))
    with pytest.raises(ModelError, match="no model path"):
        mh_nlp.load_classifier("")
    with pytest.raises(ValueError, match="batch_size"):
        clf.analyse(TEXTS, batch_size=0)
    with pytest.raises(TypeError, match="heading 1 is int"):
        clf.predict_details(TEXTS, headings=[1, None])
    assert [p.heading_chapter for p in clf.predict_details(TEXTS, headings=(h for h in ["Problemen", None]))] == [2, None]


def test_the_scikit_learn_pipeline_predicts_and_checks_its_arguments():
    from mh_nlp.corpus.records import training_quotes
    from mh_nlp.themes.examples import ExampleRanker
    from mh_nlp.themes.model import make_pipeline

    quotes = training_quotes()[:30]
    pipe = make_pipeline(estimator=ExampleRanker())
    pipe.fit([q.text for q in quotes], [q.section for q in quotes])
    P = pipe.predict_proba(TEXTS)
    assert P.shape == (2, len(pipe[-1].classes_)) and np.allclose(P.sum(axis=1), 1)
    assert list(pipe.predict(TEXTS)) == list(pipe[-1].classes_[P.argmax(axis=1)])
    with pytest.raises(ValueError, match="invalid parameter"):
        pipe.set_params(themes__bogus=1)
    with pytest.raises(ValueError, match="one section per statement"):
        pipe.fit(TEXTS + ["Nog een."], ["1.1", "1.2"])
    with pytest.raises(TypeError, match="NoneType"):
        pipe.fit([None, TEXTS[0]], ["1.1", "1.2"])


def _resealed(tmp_path, change):
    """The default model with one thing changed, and its metadata made to match (as anyone who can write both can)."""
    from mh_nlp.themes.store import default_model_path

    arrays, state, meta = load_arrays(default_model_path())
    arrays, state = dict(arrays), dict(state)
    change(arrays, state)
    path = tmp_path / "changed.npz"
    save_model(arrays, state, path, {k: v for k, v in meta.items() if k not in ("model_file", "model_sha256", "format")})
    return path


@pytest.mark.parametrize("change", [
    lambda a, s: s.update(temperature=0.0),
    lambda a, s: s.update(temperature=float("nan")),
    lambda a, s: a.update(weights_=a["weights_"][:3]),
    lambda a, s: a.update(examples_y_=a["examples_y_"] + 1000),
    lambda a, s: a.update(examples_E_=a["examples_E_"][:, :10]),
    lambda a, s: a.update(weights_=a["weights_"].astype("U5")),
    lambda a, s: a.update(evidence_rows_=a["evidence_rows_"] + 10 ** 6),
    lambda a, s: s.update(evidence=[{"x": 1}]),
    lambda a, s: s.update(params={**s["params"], "memory_weight": "8"}),
    lambda a, s: s.update(params={**s["params"], "taxonomy_path": "/nonexistent/sections.json"}),
    lambda a, s: a.update(design_scale_=a["design_scale_"] * 0),
    lambda a, s: a.update(weights_=a["weights_"] * 0 + 1e308),
    lambda a, s: a.update(examples_E_=a["examples_E_"].astype("int64")),
    lambda a, s: s.update(temperature=1e-320),
    lambda a, s: s.update(params={**s["params"], "encoder": "os.system"}),
], ids=["temperature0", "temperature-nan", "weights-short", "labels-out-of-range", "embeddings-narrow",
        "weights-text", "evidence-rows-out-of-range", "evidence-records", "param-text", "taxonomy-missing",
        "design-scale-zero", "weights-huge", "embeddings-integers", "temperature-tiny", "encoder-unknown"])
def test_a_resealed_model_that_does_not_fit_together_is_refused_when_loaded(tmp_path, change):
    with pytest.raises(ModelError, match="unusable model state|state names the encoder"):
        mh_nlp.load_classifier(_resealed(tmp_path, change))


def test_a_model_whose_state_names_another_encoder_than_its_metadata_is_refused(tmp_path):
    path = _resealed(tmp_path, lambda a, s: s.update(params={**s["params"], "encoder": "static"}))
    with pytest.raises(ModelError, match="state names the encoder 'static'"):
        mh_nlp.load_classifier(path)


def test_every_error_has_one_home_and_keeps_its_builtin_class():
    from mh_nlp.io.readers import ReadError, TooBig
    from mh_nlp.paths import DataNotFound
    from mh_nlp.themes.train import AdditionsError

    assert (ReadError, TooBig, DataNotFound, AdditionsError, ModelError) == (
        exceptions.ReadError, exceptions.TooBig, exceptions.DataNotFound, exceptions.AdditionsError,
        exceptions.ModelError)
    for name in exceptions.__all__:
        assert issubclass(getattr(exceptions, name), exceptions.MhNlpError)
    assert issubclass(ModelError, RuntimeError) and issubclass(DataNotFound, FileNotFoundError)
    assert issubclass(exceptions.CorpusError, ValueError)


def test_an_acronym_before_a_dash_at_a_line_end_is_not_glued_to_the_next_word():
    from mh_nlp.nlp.normalize import normalize_with_map

    assert mh_nlp.normalize("Samen met het RIEC -\ndat werkt.") == "Samen met het RIEC - dat werkt."
    assert mh_nlp.normalize("De NLA-\nmedewerkers en slach-\ntoffers") == "De NLA-medewerkers en slachtoffers"
    assert [e["text"] for e in mh_nlp.find_entities("Samen met het RIEC -\ndat werkt.")] == ["RIEC"]
    for text, clean in (("CoMensha -\ndat", "CoMensha - dat"), ("de Riec -\ndat", "de Riec - dat"),
                        ("FairWork-\nmedewerkers", "FairWork-medewerkers"), ("koudwa-\ntervrees", "koudwatervrees"),
                        ("Mensen -\nhandel", "Mensenhandel"), ("Veroor -\ndelingen", "Veroordelingen")):
        assert mh_nlp.normalize(text) == clean
    for text in ("De -\u2028NLA en het OM", "De -\nNLA en het OM"):
        offsets = normalize_with_map(text)[1]
        assert offsets == sorted(offsets)  # the space made from the line break maps to the line break


def test_a_saved_pipeline_without_data_warns_only_when_its_ruler_is_really_empty(tmp_path):
    folder = tmp_path / "basis"
    mh_nlp.load_pipeline().to_disk(folder)
    code = ("import warnings, spacy, sys; warnings.simplefilter('error'); n = spacy.load(sys.argv[1]); "
            "print([e.text for e in n('Het RIEC en de NLA.').ents])")
    env = {**os.environ, "MH_NLP_DATA": str(tmp_path / "no-data")}
    res = subprocess.run([sys.executable, "-c", code, str(folder)], env=env, capture_output=True, text=True)
    assert res.returncode == 0 and res.stdout.strip() == "['RIEC', 'NLA']", res.stderr[-2000:]
    from mh_nlp.nlp.pipeline import build_pipeline

    os.environ["MH_NLP_DATA"], old = str(tmp_path / "no-data"), os.environ.get("MH_NLP_DATA")
    try:
        # a new pipeline has nothing to fill its ruler: an error, not an empty answer (QA 45a E1)
        with pytest.raises(exceptions.DataNotFound, match="organisations.jsonl"):
            build_pipeline("blank")
    finally:
        os.environ.pop("MH_NLP_DATA") if old is None else os.environ.__setitem__("MH_NLP_DATA", old)


def test_a_worker_forked_after_the_encoder_ran_refuses_instead_of_hanging(tmp_path):
    code = """
import uuid, mh_nlp
nlp = mh_nlp.load_pipeline(themes=True)
nlp("Er is te weinig opvang voor mannen " + uuid.uuid4().hex[:6] + ".")  # the encoder runs here, threads and all
try:
    list(nlp.pipe(["Nieuwe uitspraak " + uuid.uuid4().hex[:6] + " over opvang." for _ in range(4)], n_process=2,
                  batch_size=2))
except ValueError as exc:
    print("refused" if "EncoderError" in str(exc) and "n_process=1" in str(exc) else exc)
"""
    env = {**os.environ, "MH_NLP_CACHE": str(tmp_path / "cache")}  # new statements: the workers must embed
    env.pop("OMP_NUM_THREADS", None)
    res = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300)
    assert res.stdout.strip() == "refused", (res.stdout[-1000:], res.stderr[-2000:])


def test_a_damaged_data_file_is_one_error_naming_it(tmp_path):
    import shutil

    from mh_nlp.paths import data_dir

    note = tmp_path / "note.md"  # a heading: the chapter headings are read too
    note.write_text("## Problemen\n\nEr is te weinig opvang voor mannen.\n", encoding="utf-8")
    bad_alias = json.dumps({"id": "x", "label": "ORG", "aliases": [{"text": 5}]})
    for i, (name, content) in enumerate((("stance_cues.json", "{broken"), ("chapter_headings.json", "{broken"),
                                         ("entities/organisations.jsonl", "{broken"),
                                         ("entities/organisations.jsonl", bad_alias), ("sections.json", "{broken"))):
        data = tmp_path / f"data{i}"
        shutil.copytree(data_dir(), data)
        (data / name).write_text(content, encoding="utf-8")
        for args in (["classify", "--heading", "Problemen", "Er is te weinig opvang voor mannen."],
                     ["label", str(note), "-o", str(tmp_path / f"out{i}.csv")]):
            res = subprocess.run([sys.executable, "-c", "from mh_nlp.cli import main; main(prog_name='mh-nlp')", *args],
                                 env={**os.environ, "MH_NLP_DATA": str(data)}, capture_output=True, text=True,
                                 timeout=300)
            assert res.returncode == 1 and "Traceback" not in res.stderr, res.stderr[-2000:]
            assert f"mh-nlp: error: {data / name}" in res.stderr and "internal error" not in res.stderr, res.stderr
            assert "mh-nlp train" not in res.stderr  # the data is at fault, not the model


def test_a_blank_themed_pipeline_reads_a_text_over_a_million_characters():
    """QA 41b/41e: spaCy's own limit (E088, "the parser and NER models require …") stopped a pipeline that has
    neither; the theme is that of the text's first characters, as the classifier embeds them."""
    nlp = mh_nlp.load_pipeline("blank", themes=True)
    head = "Er is te weinig opvang voor mannelijke slachtoffers van arbeidsuitbuiting."
    doc = nlp(head + " " + "a " * 600_000)
    assert len(doc) > 600_000 and doc._.theme.embedded_chars == 2000
    assert doc._.theme.section == doc._.theme.top[0].section


def test_label_files_says_what_it_cannot_read(clf, tmp_path):
    """QA 43b: without ``error=``, a missing input was dropped without a word, and a wrong ``note_column`` read a
    whole table as one note; without ``warn=``, the readers' warnings were dropped too."""
    from mh_nlp.exceptions import ReadError
    from mh_nlp.io.label import label_files

    with pytest.raises(ReadError, match="nonexist.txt") as raised:
        list(label_files([tmp_path / "nonexist.txt", "examples/notities.csv"], clf))
    assert raised.value.path == tmp_path / "nonexist.txt"  # QA 46a #7: it was None, as the guide did not say
    seen = []
    rows = list(label_files([tmp_path / "nonexist.txt", "examples/notities.csv"], clf,
                            error=lambda src, msg: seen.append(src)))
    assert rows and len(seen) == 1 and seen[0].endswith("nonexist.txt")
    with pytest.raises(ValueError, match="no column 'nope' for note_column"):
        list(label_files(["examples/notities.csv"], clf, in_order=True, note_column="nope"))
    note = tmp_path / "oud.txt"
    note.write_bytes("Co\xf6rdinatie van de opvang schiet tekort.\n".encode("cp1252"))
    with pytest.warns(UserWarning, match="oud.txt"):
        assert len(list(label_files([note], clf))) == 1


def test_none_and_a_string_for_a_flag_are_type_errors_naming_what_was_given(clf):
    """QA 43b: None gave "'NoneType' object is not iterable", and in_order="no" read the texts in order."""
    from mh_nlp.io.label import label_files

    for method in (clf.predict, clf.predict_proba, clf.predict_top, clf.predict_details, clf.analyse):
        with pytest.raises(TypeError, match="give a list of texts, not NoneType"):
            method(None)
    with pytest.raises(TypeError, match="give a list of paths, not NoneType"):
        list(label_files(None, clf))
    with pytest.raises(TypeError, match="in_order must be True or False, not 'no'"):
        clf.predict_details(TEXTS[:2], in_order="no")


def test_odd_arguments_to_the_readers_and_the_entity_finder_name_what_was_given():
    """QA 43b: spaCy's E1041 and os.PathLike's own message named nothing of ours."""
    with pytest.raises(TypeError, match="text 2 is NoneType, not a string"):
        list(mh_nlp.find_entities_batch(["De NLA.", None]))
    for odd in (None, ["a.csv"]):
        with pytest.raises(TypeError, match="read_statements reads one file: give its path"):
            list(mh_nlp.read_statements(odd))


def test_label_partition_refuses_a_text_that_is_not_a_string():
    """QA 43b: a number got empty labels without a word, as a missing text does; it is refused before any model is
    loaded, naming its place."""
    pd = pytest.importorskip("pandas")
    from mh_nlp.io.dataframe import label_partition

    with pytest.raises(TypeError, match="text 2 of the partition is int, not a string"):
        label_partition(pd.Series(["Er is te weinig opvang.", 5, None]), "no-such-model.npz")
