"""Base selection: nl_core_news_sm when installed, else spacy.blank("nl") with sentencizer and lookup lemmas."""
from __future__ import annotations

import spacy

from mh_nlp.nlp import pipeline as P
from mh_nlp.nlp.entities import find_entities


def test_select_base_follows_what_is_installed(monkeypatch) -> None:
    monkeypatch.setattr(spacy.util, "is_package", lambda name: name == P.SM_MODEL)
    assert P.select_base() == P.SM_MODEL
    monkeypatch.setattr(spacy.util, "is_package", lambda name: False)
    assert P.select_base() == "blank"


def test_blank_base() -> None:
    nlp = P.build_pipeline("blank")
    assert nlp.pipe_names == ["sentencizer", "lemmatizer", P.RULER_NAME]
    assert isinstance(nlp.tokenizer, P.NormalizingTokenizer)
    doc = nlp("De slachtoffers werden uitgebuit. Het RIEC helpt.")
    assert [t.lemma_ for t in doc][:4] == ["de", "slachtoffers", "werden", "uitbuiten"]
    assert len(list(doc.sents)) == 2
    assert doc._.normalized.startswith("de slachtoffers werden uitbuiten het riec")


def test_package_base_is_loaded_and_extended(tmp_path, monkeypatch) -> None:
    """Stand-in for nl_core_news_sm (not installable here): a saved pipeline the loader is pointed to."""
    fake = spacy.blank("nl")
    fake.add_pipe("sentencizer")
    fake.add_pipe("entity_ruler", name="ner").add_patterns([{"label": "LOC", "pattern": "Utrecht"}])
    fake.to_disk(tmp_path / "fake_sm")
    real_load = spacy.load
    calls = []

    def load(name, **kwargs):
        calls.append(name)
        return real_load(tmp_path / "fake_sm" if name == P.SM_MODEL else name, **kwargs)

    monkeypatch.setattr(spacy.util, "is_package", lambda name: name == P.SM_MODEL)
    monkeypatch.setattr(spacy, "load", load)
    nlp = P.build_pipeline()
    assert calls == [P.SM_MODEL]
    assert nlp.meta["mh_nlp_base"] == P.SM_MODEL
    assert nlp.pipe_names == ["sentencizer", P.RULER_NAME, "ner"]  # our rules go before the statistical NER
    assert isinstance(nlp.tokenizer, P.NormalizingTokenizer)
    found = find_entities("De NLA in Utrecht en de slach-\ntoffers", nlp=nlp)
    assert [(e["text"], e["label"], e["id"]) for e in found] == [("NLA", "ORG", "nla"), ("Utrecht", "LOC", None)]
    info = P.pipeline_info(nlp)
    assert info["base"] == P.SM_MODEL and (P.RULER_NAME, P.RULER_NAME) in info["components"]


def test_load_pipeline_is_cached() -> None:
    assert P.load_pipeline("blank") is P.load_pipeline("blank")


def test_doc_text_is_the_normalised_text_and_falls_back_when_the_tokens_change() -> None:
    from spacy.tokens import Doc

    nlp = P.build_pipeline("blank")
    texts = ["Het  RIEC\u00a0helpt — echt!", "De NLA en de AVIM. Steeds meer zaken.", ""]
    docs = list(nlp.pipe(texts))
    assert [P.doc_text(d) for d in docs] == [d.text for d in docs]
    assert P.doc_text(docs[0]) != texts[0]  # the normalised text, not the raw one
    joined = Doc.from_docs(docs[:2])  # copies user data from the first doc; its text is both texts
    assert P.doc_text(joined) == joined.text != docs[0].text
    with docs[1].retokenize() as retok:
        retok.merge(docs[1][0:2])
    assert P.doc_text(docs[1]) == docs[1].text
