"""The lemma table kept in the per-user cache is spaCy's own, is rebuilt when damaged, never runs code, and a cache
that cannot be written is done without. The tokenizer made in one go tokenises as spaCy's plus our rules."""
from __future__ import annotations

import pickle

import numpy as np
import pytest
import spacy
from spacy.lookups import load_lookups
from spacy.tokens import Doc
from spacy.util import registry

from mh_nlp.corpus.records import load_quotes
from mh_nlp.nlp import lookups as L
from mh_nlp.nlp import pipeline as P


@pytest.fixture(scope="module")
def spacy_table():
    """The table as spaCy builds it from spacy-lookups-data."""
    return load_lookups("nl", [L.TABLE]).get_table(L.TABLE)


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("MH_NLP_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache"


def test_first_use_writes_the_cache_and_both_routes_give_spacys_table(cache, spacy_table):
    built = L.lemma_lookups("nl").get_table(L.TABLE)  # no file yet: built by spaCy, then saved
    path = L.cache_path("nl")
    assert path.parent == cache and path.exists()
    read = L.lemma_lookups("nl").get_table(L.TABLE)  # from the file
    for table in (built, read):
        assert table.to_bytes() == spacy_table.to_bytes()  # same words, lemmas and Bloom filter
        assert table.get("uitgebuit") == "uitbuiten" and table.get("geenwoordxyz", "x") == "x"
    assert "uitgebuit" in read and "geenwoordxyz" not in read  # the Bloom filter works on the table read back


def test_the_cache_file_names_the_library_versions(cache):
    name = L.cache_path("nl").name
    assert f"spacy{spacy.__version__}" in name and "-data" in name and name.endswith(".npz")


@pytest.mark.parametrize("damage", ["garbage", "truncated", "inconsistent"])
def test_a_damaged_cache_file_is_rebuilt(cache, spacy_table, damage):
    L.lemma_lookups("nl")
    path = L.cache_path("nl")
    if damage == "garbage":
        path.write_bytes(b"not an npz at all")
    elif damage == "truncated":
        path.write_bytes(path.read_bytes()[:1000])
    else:  # a well-formed file whose arrays do not fit together
        with np.load(path) as z:
            np.savez(path.with_suffix(".tmp.npz"), keys=z["keys"][:10], values=z["values"], bloom=z["bloom"])
        path.with_suffix(".tmp.npz").replace(path)
    assert L.lemma_lookups("nl").get_table(L.TABLE).to_bytes() == spacy_table.to_bytes()
    assert L._read(path) is not None  # and the file is good again


class _Evil:
    def __init__(self, marker: str):
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


def test_a_pickle_in_the_cache_never_runs(cache, tmp_path, spacy_table):
    marker = tmp_path / "pwned"
    pickle.loads(pickle.dumps(_Evil(str(marker)))).close()  # the payload works when unpickled
    marker.unlink()
    path = L.cache_path("nl")
    path.parent.mkdir(parents=True)
    np.savez(path, keys=np.array([_Evil(str(marker))], dtype=object), values=np.zeros(1, np.uint8),
             bloom=np.zeros(1, np.uint8))
    assert L.lemma_lookups("nl").get_table(L.TABLE).to_bytes() == spacy_table.to_bytes()
    assert not marker.exists()


def test_a_cache_that_cannot_be_written_is_done_without(tmp_path, monkeypatch, spacy_table):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("MH_NLP_CACHE", str(blocker / "cache"))
    assert L.lemma_lookups("nl").get_table(L.TABLE).to_bytes() == spacy_table.to_bytes()
    assert not (blocker / "cache").exists()


def test_the_pipeline_lemmatises_from_the_cache_as_from_spacy_lookups_data(cache):
    texts = [q.text for q in load_quotes()[:150]]
    first = P.build_pipeline("blank")  # writes the cache
    assert L.cache_path("nl").exists()
    second = P.build_pipeline("blank")  # reads it
    plain = spacy.blank("nl")
    lemmatizer = plain.add_pipe("lemmatizer", config={"mode": "lookup"})
    plain.initialize()  # spaCy's own route, no cache involved
    for a, b in zip(first.pipe(texts), second.pipe(texts)):
        c = lemmatizer(Doc(plain.vocab, words=[t.text for t in a]))  # the same tokens, spaCy's lemmas
        assert [t.lemma_ for t in a] == [t.lemma_ for t in b] == [t.lemma_ for t in c]


def test_the_tokenizer_made_in_one_go_is_spacys_plus_our_rules():
    nlp = spacy.blank("nl")
    reference = registry.tokenizers.get("spacy.Tokenizer.v1")()(nlp)  # spaCy's default ...
    P._add_rules(reference)  # ... with our rules assigned afterwards (reloading its special cases each time)
    ours = P._rule_tokenizer(nlp, lazy=False)  # with every special case (the lazy one: test_tokenizer_specials)
    for attr in ("prefix_search", "suffix_search", "infix_finditer", "url_match"):
        assert getattr(ours, attr).__self__.pattern == getattr(reference, attr).__self__.pattern, attr
    assert ours.rules == reference.rules
    texts = [q.text for q in load_quotes()] + list(nlp.Defaults.tokenizer_exceptions)
    texts += ["politie/OM en het RIEC-convenant", "Zorg- en Veiligheidshuis", "bij JenV. werkt men", "t.a.v. 10-12 u."]
    assert [[t.text for t in ours(x)] for x in texts] == [[t.text for t in reference(x)] for x in texts]
    P._add_rules(ours)  # idempotent: nothing is added twice
    assert ours.suffix_search.__self__.pattern == reference.suffix_search.__self__.pattern
