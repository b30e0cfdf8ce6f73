"""The tokenizer adds spaCy's abbreviation special cases (``bijv.``, ``o.a.``) only when a text contains them: the
tokens must be exactly those of a tokenizer that loaded every special case up front."""
from __future__ import annotations

import json
import random

import spacy

from mh_nlp.nlp import pipeline as P
from mh_nlp.nlp.normalize import normalize_with_map
from mh_nlp.paths import data_dir


def _tokenizers():
    nlp = spacy.blank("nl")
    eager = P.NormalizingTokenizer(nlp.vocab, P._rule_tokenizer(nlp, lazy=False))
    lazy_nlp = spacy.blank("nl", config={"nlp": {"tokenizer": {"@tokenizers": P.TOKENIZER_NAME}}})
    return eager, lazy_nlp.tokenizer, nlp.Defaults.tokenizer_exceptions


def _texts(exceptions) -> list[str]:
    dotted = sorted(k for k in exceptions if "." in k)
    rng = random.Random(0)
    texts = []
    for k in dotted:
        texts += [f"Zie {k} hier", f"({k})", f"{k}, en {k.upper()}.", f"Eind {k}"]
    for _ in range(300):  # several abbreviations, punctuation and ordinary words in one text
        words = rng.sample(dotted, 4) + ["De", "NLA", "ziet", "meer", "uitbuiting", "(", ")", ",", ".", "RIEC-convenant"]
        rng.shuffle(words)
        texts.append(" ".join(words) + rng.choice(["", ".", "!", "?"]))
    with open(data_dir() / "quotes.jsonl", encoding="utf-8") as f:
        texts += [json.loads(line)["text"] for line in f]
    return texts


def test_lazy_special_cases_tokenize_like_all_loaded_up_front() -> None:
    eager, lazy, exceptions = _tokenizers()
    assert isinstance(lazy, P.NormalizingTokenizer)
    assert len(lazy.inner.rules) < 400 < len(lazy.pending)  # it really starts without the abbreviations
    texts = _texts(exceptions)
    for text in texts:
        assert [t.text for t in lazy(text)] == [t.text for t in eager(text)], text
    # every abbreviation the (normalised) texts contain has been added; what is still pending occurs in none
    joined = "\n".join(normalize_with_map(t)[0] for t in texts)
    assert all(k not in joined for k in lazy.pending)


def test_a_text_with_an_abbreviation_keeps_it_whole() -> None:
    _, lazy, _ = _tokenizers()
    assert "bijv." in lazy.pending
    assert [t.text for t in lazy("Zie bijv. het RIEC.")] == ["Zie", "bijv.", "het", "RIEC", "."]
    assert "bijv." not in lazy.pending


def test_abbreviations_first_met_inside_a_memory_zone_stay_whole_and_usable_afterwards(monkeypatch) -> None:
    """What is made inside ``nlp.memory_zone()`` is freed at its end: special cases are added before it, so the
    abbreviations stay whole there and the tokenizer still works on them after the zone (it used to fail with
    spaCy's E031 'empty string' when a special case had been added inside a zone)."""
    from mh_nlp.themes.features import prepare

    monkeypatch.setattr(P, "PERMANENT_WORDS", 0)  # every batch in a memory zone
    eager, _, _ = _tokenizers()
    texts = ["Zie bijv. het RIEC.", "Er zijn o.a. meldingen bij de NLA m.b.t. uitbuiting.", "Dhr. Jansen e.a."]
    for _ in range(3):
        got = prepare(texts)
        assert [p.lemmas.split()[:2] for p in got][:1] == [["zie", "bijv."]]
    nlp = P.load_pipeline()
    assert [t.text for t in nlp(texts[1])] == [t.text for t in eager(texts[1])]
    assert "bijv." in [t.text for t in nlp(texts[0])]
    with nlp.memory_zone():  # a caller's own zone, after the special cases were added: still whole
        assert [t.text for t in nlp(texts[2])] == [t.text for t in eager(texts[2])]


def test_the_vocabulary_stops_growing_at_its_bound(monkeypatch) -> None:
    """Below ``PERMANENT_WORDS`` a batch's words stay (the next batch need not make them anew); from there on every
    batch is processed in a memory zone, so new words no longer add up on a long run."""
    from mh_nlp.themes.features import prepare

    nlp = P.load_pipeline()
    bound = len(nlp.vocab) + 500  # the lexemes ever made: the zone frees them, the count stays
    monkeypatch.setattr(P, "PERMANENT_WORDS", bound)
    rng = random.Random(1)
    batches = [[" ".join(f"woord{rng.randrange(10**9)}" for _ in range(20)) + "." for _ in range(10)] for _ in range(12)]
    sizes = []
    for batch in batches:
        got = prepare(batch)
        assert [p.norm for p in got] == batch  # processed all the same
        sizes.append(len(nlp.vocab.strings))  # the strings kept
    assert sizes[1] >= sizes[0] + 200  # below the bound, the batch's words stayed
    assert sizes[-1] == sizes[-2] == sizes[-3]  # past it, a batch of new words leaves nothing behind


def test_an_acronym_ending_a_sentence_is_a_token_of_its_own() -> None:
    """QA 44a: spaCy's special cases hold every Dutch abbreviation in capitals too ("IND." for *industrie*), so
    "… bij de IND." kept the full stop on the acronym and the entity ruler missed the IND; abbreviations in small
    letters (and with a capital first) stay whole."""
    from mh_nlp.nlp.pipeline import load_pipeline

    nlp = load_pipeline()
    doc = nlp("De aanvragen duren te lang bij de IND. Zie bijv. de AFD. Bijv. ook.")
    assert [t.text for t in doc][6:9] == ["de", "IND", "."]
    assert "bijv." in [t.text for t in doc] and "Bijv." in [t.text for t in doc]
    assert [(e.text, e.ent_id_) for e in doc.ents if e.label_ == "ORG"] == [("IND", "ind")]
    assert not any(P._ACRONYM_STOP.fullmatch(k) for k in P._exceptions(nlp))


def test_a_name_with_an_ampersand_ending_a_sentence_is_found() -> None:
    """QA 44b: "… bij de DT&V." and "Ministerie van J&V." kept the full stop on the name, so it was not found."""
    from mh_nlp.nlp.pipeline import load_pipeline

    nlp = load_pipeline()
    assert [(e.text, e.ent_id_) for e in nlp("Het dossier ligt bij de DT&V.").ents] == [("DT&V", "dtv")]
    assert [(e.text, e.ent_id_) for e in nlp("Ministerie van J&V.").ents] == [("Ministerie van J&V", "min-jenv")]


def test_a_handle_with_an_at_sign_is_found() -> None:
    """QA 45a E9: "@CoMensha" stayed one token, so the organisation was not found (a hashtag's # was split off
    already); an e-mail address stays one token."""
    from mh_nlp.nlp.pipeline import load_pipeline

    nlp = load_pipeline()
    doc = nlp("@CoMensha gaf aan dat het beter moet; mail jan@comensha.nl of bel om @ 3 uur.")
    assert [(e.text, e.ent_id_) for e in doc.ents] == [("CoMensha", "comensha")]
    assert "jan@comensha.nl" in [t.text for t in doc]


def test_a_handle_with_an_underscore_is_found() -> None:
    """A stop-45 leftover: "@RIEC_Zeeland" and "@NLA_nl" stayed one token after the @ was split off, so the
    organisation was not found; a word's underscore between letters is split as a slash is. Digits keep theirs."""
    from mh_nlp.nlp.pipeline import load_pipeline

    nlp = load_pipeline()
    doc = nlp("Volgens @RIEC_Zeeland en @NLA_nl stijgt het aantal meldingen; zie bestand verslag_2026.")
    assert [(e.text, e.ent_id_) for e in doc.ents] == [("RIEC", "riec"), ("NLA", "nla")]
    assert "verslag_2026" in [t.text for t in doc]
