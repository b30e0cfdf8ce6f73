"""The theme model's view of a statement (:func:`mh_nlp.themes.features.prepare`) made without the entity ruler,
sentencizer and spaCy's lemmatizer (``entities=False``, as theme model v3 reads it) is exactly the view the full
pipeline gives, and the shared pipeline is left as it was."""
from __future__ import annotations

import json

from mh_nlp.corpus.records import load_quotes
from mh_nlp.nlp.pipeline import load_pipeline
from mh_nlp.paths import data_dir
from mh_nlp.themes.features import _lookup_table, prepare

EDGE = ["", "   ", "a", "Dr. ir. Jansen (NLA) zei: 'z.s.m.!'", "BIJV. o.a. Mevr. Z.S.M. etc.",
        "€ 5,- per uur... art. 273f Sr.\n\nNieuwe alinea. Nog een zin!", "Ik ben, jij bent, wij zijn geweest; de kinderen liepen.",
        "slach-\ntoffers van CoMensha en Veilig Thuis", "ÉÉN TWEE drie", "x" * 3000]


def _texts() -> list[str]:
    written = [json.loads(line)["text"] for line in
               (data_dir() / "synthetic" / "statements.jsonl").read_text(encoding="utf-8").splitlines()]
    return [q.text for q in load_quotes()] + written[::3] + EDGE


def test_the_fast_view_equals_the_full_pipeline():
    texts = _texts()
    full, fast = prepare(texts), prepare(texts, entities=False)
    assert [(x.norm, x.lemmas) for x in full] == [(x.norm, x.lemmas) for x in fast]
    assert any(x.entities for x in full) and not any(x.entities for x in fast)


def test_the_fast_view_equals_spacy_token_by_token():
    """The lemmas as spaCy's own ``Token`` objects give them (lower-case lemma, else word; no punctuation)."""
    nlp = load_pipeline()
    texts = [q.text for q in load_quotes()[:150]] + EDGE
    expected = [" ".join(t.lemma_.lower() or t.lower_ for t in doc if not (t.is_punct or t.is_space))
                for doc in nlp.pipe(texts)]
    assert [x.lemmas for x in prepare(texts, entities=False)] == expected
    assert [x.lemmas for x in prepare(texts)] == expected


def test_the_shared_pipeline_is_unchanged_and_still_finds_entities():
    nlp = load_pipeline()
    names = list(nlp.pipe_names)
    prepare(["De NLA en het RIEC werken samen."], entities=False)
    assert list(nlp.pipe_names) == names
    doc = nlp("De NLA en het RIEC werken samen.")
    assert {e.text for e in doc.ents} >= {"NLA", "RIEC"}
    assert list(doc.sents)


def test_the_word_lookup_is_used_only_for_a_lookup_lemmatizer():
    nlp = load_pipeline()
    table = _lookup_table(nlp)
    lem = nlp.get_pipe("lemmatizer") if "lemmatizer" in nlp.pipe_names else None
    if lem is not None and lem.mode == "lookup":
        assert table is not None and table.get("liepen") == lem.lookups.get_table("lemma_lookup").get("liepen", "liepen")
    else:  # a trained pipeline's rule lemmatizer runs as it is
        assert table is None
