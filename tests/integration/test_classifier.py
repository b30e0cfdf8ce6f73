"""The theme classifier trained on the gold corpus: API, agreement of chapter and section, persistence."""
from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner

from mh_nlp.classify import section_pseudo_docs
from mh_nlp.cli import main
from mh_nlp.corpus import load_quotes, load_taxonomy, training_quotes
from mh_nlp.train import load_classifier, train_model


@pytest.fixture(scope="module")
def quotes():
    return training_quotes(load_quotes())


def test_metadata_records_provenance(trained):
    path, meta, _ = trained
    assert meta["training_quotes"] == len(training_quotes(load_quotes()))
    assert set(meta["training_data_sha256"]) == {"quotes.jsonl", "sections.json", "stance_cues.json"}
    assert {"scikit-learn", "spacy", "mh_nlp"} <= set(meta["versions"])
    assert meta["base_pipeline"] and meta["trained_at"] and meta["labels"]
    assert meta["evaluation"]["candidate"] == "hierarchical" and meta["evaluation"]["chapter_accuracy"] > 0
    assert json.loads(path.with_suffix(".json").read_text())["model_sha256"] == meta["model_sha256"]


def test_every_section_with_a_title_or_quotes_is_a_label(trained):
    _, meta, clf = trained
    tax = load_taxonomy()
    _, titled = section_pseudo_docs(tax)
    assert set(titled) <= set(meta["labels"])
    assert set(clf.classes_) == set(tax.sections)  # probabilities are spread over the whole taxonomy


def test_chapter_and_section_agree_and_probabilities_add_up(trained, quotes):
    _, _, clf = trained
    texts = [q.text for q in quotes[::7]]
    P = clf.predict_proba(texts)
    assert np.allclose(P.sum(axis=1), 1.0)
    tax = load_taxonomy()
    for d in clf.predict_details(texts):
        assert tax.sections[d.section].chapter == d.chapter
        assert d.section_title == tax.sections[d.section].title
        assert len(d.top) == 3 and d.top[0].score >= d.top[1].score >= d.top[2].score
        assert 0.0 < d.confidence <= d.chapter_confidence <= 1.0


def test_it_learns_the_corpus(trained, quotes):
    _, _, clf = trained
    pred = clf.predict([q.text for q in quotes])
    acc = np.mean([p in q.accepted_sections for p, q in zip(pred, quotes)])
    assert acc >= 0.9  # resubstitution: a model that cannot fit its own data is broken


def test_section_titles_reach_sections_without_quotes(trained):
    _, _, clf = trained
    assert not any(q.section == "4.11" for q in load_quotes())
    # the default model learns from titles only (keywords helped only the embedding models in grouped CV)
    top = clf.predict_top(["Wij willen betere internationale samenwerking."], k=3)[0]
    assert "4.11" in [s for s, _ in top]
    assert clf.predict(["De training van professionals gaat goed."]) == ["3.15"]  # 3.15 has no quotes either


def test_training_is_deterministic(trained, tmp_path, quotes):
    path, meta, clf = trained
    meta2 = train_model(tmp_path / "again.joblib")
    assert meta2["chosen_params"] == meta["chosen_params"]
    texts = [q.text for q in quotes[:40]]
    assert np.allclose(load_classifier(tmp_path / "again.joblib").predict_proba(texts), clf.predict_proba(texts))


def test_classify_cli_json_with_the_trained_model(trained):
    path, _, _ = trained
    res = CliRunner().invoke(main, ["classify", "--json", "--model", str(path),
                                    "De NLA en de AVIM werken samen bij controles."])
    assert res.exit_code == 0, res.output
    obj = json.loads(res.output.strip().splitlines()[-1])
    assert {"text", "section", "section_title", "chapter", "chapter_title", "confidence", "top", "entities"} <= set(obj)
    assert {(e["id"], e["text"]) for e in obj["entities"]} >= {("nla", "NLA"), ("avim", "AVIM")}


def test_tampered_model_is_refused_by_the_cli(trained, tmp_path):
    path, _, _ = trained
    bad = tmp_path / "bad.joblib"
    data = bytearray(path.read_bytes())
    data[-10] ^= 0xFF
    bad.write_bytes(bytes(data))
    bad.with_suffix(".json").write_text(path.with_suffix(".json").read_text())
    res = CliRunner().invoke(main, ["classify", "--model", str(bad), "iets"])
    assert res.exit_code != 0
    assert "SHA-256" in res.output and "Traceback" not in res.output


def test_a_model_is_current_only_for_the_same_data_and_code(trained, monkeypatch):
    import mh_nlp.train as train_mod

    path, meta, _ = trained
    assert meta["code_sha256"] == train_mod.code_sha256()
    assert train_mod.model_is_current(path)
    monkeypatch.setattr(train_mod, "code_sha256", lambda: "0" * 64)  # as after an update of the model's code
    assert not train_mod.model_is_current(path)


def test_a_model_that_needs_a_missing_extra_is_refused_in_one_line(trained, tmp_path, monkeypatch):
    import shutil

    import mh_nlp.features as features
    import mh_nlp.train as train_mod
    from mh_nlp.model_store import ModelError

    path, _, _ = trained
    copy = tmp_path / "e5.joblib"
    shutil.copyfile(path, copy)
    meta = json.loads(path.with_suffix(".json").read_text())
    copy.with_suffix(".json").write_text(json.dumps({**meta, "extra": "embeddings"}))
    monkeypatch.setattr(features, "embeddings_available", lambda: False)
    with pytest.raises(ModelError, match="optional extra 'embeddings'"):
        load_classifier(copy)
    assert not train_mod.model_is_current(copy)  # so `make setup` retrains the default model
    res = CliRunner().invoke(main, ["classify", "--model", str(copy), "iets"])
    assert res.exit_code == 1 and "embeddings" in res.output and "Traceback" not in res.output


def test_train_embeddings_without_the_extra_is_a_clear_error(tmp_path, monkeypatch):
    import mh_nlp.features as features

    monkeypatch.setattr(features, "embeddings_available", lambda: False)
    res = CliRunner().invoke(main, ["train", "--embeddings", "--model", str(tmp_path / "m.joblib")])
    assert res.exit_code == 1 and "pip install" in res.output
    assert not (tmp_path / "m.joblib").exists()
