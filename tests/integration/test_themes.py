"""Themes and entities from one spaCy pass: the mh_themes component, Classifier.analyse, parallel labelling."""
from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import spacy
from click.testing import CliRunner

from mh_nlp.themes.categorizer import THEMES_NAME
from mh_nlp.cli import main
from mh_nlp.nlp.entities import find_entities_batch
from mh_nlp.nlp.pipeline import build_pipeline

TEXTS = [
    "De NLA ziet steeds meer arbeidsuitbuiting in distributiecentra.",
    "Er is te weinig capaciteit bij de politie en het OM om zaken op te pakken.",
    "Wij willen dat ieder slachtoffer snel opvang krijgt, ook zonder aangifte.",
    "De samenwerking tussen CoMensha, Veilig Thuis en het RIEC gaat goed.",
]


@pytest.fixture(scope="module")
def nlp(trained):
    path, _, _ = trained
    nlp = build_pipeline()
    nlp.add_pipe(THEMES_NAME, config={"model": str(path)})
    return nlp


def test_component_fills_cats_and_theme_like_the_classifier(nlp, trained):
    _, _, clf = trained
    docs = list(nlp.pipe(TEXTS, batch_size=3))
    expected = clf.predict_details(TEXTS)
    P = clf.predict_proba(TEXTS)
    for doc, pred, row in zip(docs, expected, P):
        assert set(doc.cats) == set(clf.classes_)
        assert np.isclose(sum(doc.cats.values()), 1.0)
        # the same probabilities up to float32 rounding: the similarities are a float32 product, and BLAS rounds a
        # batch of one (the component's last) differently from a batch of four (about 3e-7 here)
        assert np.allclose([doc.cats[c] for c in clf.classes_], row, rtol=1e-5, atol=1e-6)
        same_prediction(doc._.theme, pred)
    single = nlp(TEXTS[0])
    same_prediction(single._.theme, expected[0])
    assert [e.text for e in single.ents] == ["NLA", "arbeidsuitbuiting"]


def same_prediction(a, b):
    """Equal up to floating-point noise (a batch of 3 and one of 4 sum in a different order)."""
    assert (a.section, a.chapter, [c.section for c in a.top]) == (b.section, b.chapter, [c.section for c in b.top])
    assert np.isclose(a.confidence, b.confidence) and np.isclose(a.chapter_confidence, b.chapter_confidence)
    assert [e.id for e in a.similar_quotes] == [e.id for e in b.similar_quotes]


def test_component_needs_the_mh_nlp_pipeline():
    with pytest.raises(ValueError, match="mh-nlp pipeline"):
        spacy.blank("nl").add_pipe(THEMES_NAME)


def test_component_refuses_a_missing_model(tmp_path):
    nlp = build_pipeline()
    nlp.add_pipe(THEMES_NAME, config={"model": str(tmp_path / "none.npz")})
    with pytest.raises(RuntimeError, match="none.npz: no such model file"):
        nlp("iets")


def test_saved_pipeline_brings_its_model_and_checks_it(nlp, tmp_path):
    nlp.to_disk(tmp_path / "pipe")
    assert (tmp_path / "pipe" / THEMES_NAME / "theme-model.npz").exists()
    script = textwrap.dedent(f"""
        import json, spacy
        nlp = spacy.load({str(tmp_path / 'pipe')!r})
        doc = nlp({TEXTS[1]!r})
        print(json.dumps({{"pipes": nlp.pipe_names, "section": doc._.theme.section, "cats": doc.cats}}))
    """)
    env = {**os.environ, "MH_NLP_MODELS": str(tmp_path / "no-models")}  # the model must come from the saved pipeline
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=180, env=env)
    assert out.returncode == 0, out.stderr
    res = json.loads(out.stdout.strip().splitlines()[-1])
    doc = nlp(TEXTS[1])
    assert res["pipes"] == nlp.pipe_names and res["section"] == doc._.theme.section
    assert np.allclose([res["cats"][k] for k in doc.cats], list(doc.cats.values()))

    model = tmp_path / "pipe" / THEMES_NAME / "theme-model.npz"
    model.write_bytes(model.read_bytes()[:-20])  # truncated: the load must refuse it
    with pytest.raises(RuntimeError, match="SHA-256"):
        spacy.load(tmp_path / "pipe")


def test_analyse_is_predict_details_plus_entities(trained):
    _, _, clf = trained
    pairs = clf.analyse(TEXTS)
    for (p, _), q in zip(pairs, clf.predict_details(TEXTS)):
        same_prediction(p, q)
    assert [e for _, e in pairs] == list(find_entities_batch(TEXTS))
    assert clf.analyse([]) == []


def test_label_with_two_workers_writes_what_one_writes(trained, tmp_path):
    path, _, _ = trained
    src = tmp_path / "notes.txt"
    src.write_text("\n\n".join(f"{t} (punt {i})" for i in range(40) for t in TEXTS), encoding="utf-8")
    runner = CliRunner()
    outs = []
    for workers in ("1", "2"):
        out = tmp_path / f"out{workers}.csv"
        res = runner.invoke(main, ["label", str(src), "-o", str(out), "--model", str(path), "--batch-size", "16",
                                   "--workers", workers, "--quiet"])
        assert res.exit_code == 0, res.stderr
        with open(out, encoding="utf-8", newline="") as fh:
            outs.append(list(csv.DictReader(fh)))
    assert len(outs[0]) == 160 and outs[0] == outs[1]
    assert outs[0][0]["entity_ids"] and outs[0][0]["section"]


def test_the_library_refuses_what_is_not_a_list_of_texts(trained):
    """QA 37: predict("one string") labelled each letter; None and 123 got a section."""
    _, _, trained = trained
    for call in (trained.predict, trained.predict_proba, trained.predict_details, trained.analyse, trained.predict_top):
        with pytest.raises(TypeError, match="a list of texts, not one text"):
            call("Er is te weinig opvang.")
        with pytest.raises(TypeError, match="text 2 is NoneType, not a string"):
            call(["Er is te weinig opvang.", None])
        with pytest.raises(TypeError, match="text 1 is int"):
            call([123])
    for k in (0, -1, 1.5, True):
        with pytest.raises(ValueError, match="k must be"):
            trained.predict_top(["Er is te weinig opvang."], k=k)
    assert len(trained.predict_top(["Er is te weinig opvang."], k=1)[0]) == 1
    assert len(trained.predict_top(["Er is te weinig opvang."], k=np.int64(2))[0]) == 2  # a NumPy integer is whole
    with pytest.raises(TypeError, match="one heading .* per text, not one string"):
        trained.predict_details(["Er is te weinig opvang."] * 9, headings="Problemen")
    assert trained.predict(("Er is te weinig opvang.",)) == trained.predict(["Er is te weinig opvang."])
