"""A statement that plainly is not Dutch is said to be so (it is still classified): no Dutch text of the project is
taken for another language, and English or another script is caught (QA 37: they were classified without a word)."""
from __future__ import annotations

import json

import pytest

from mh_nlp.nlp.language import reads_as_dutch
from mh_nlp.paths import data_dir


def _dutch_texts() -> list[str]:
    d = data_dir()
    texts = []
    for name in ("quotes.jsonl", "synthetic/statements.jsonl", "synthetic/stance.jsonl", "external/sentences.jsonl",
                 "development/sentences.jsonl"):
        texts += [json.loads(line)["text"] for line in (d / name).read_text(encoding="utf-8").splitlines()]
    for name in ("gold.tsv", "heldout.tsv", "fresh.tsv"):
        texts += [line.split("\t")[-1] for line in (d / "notes" / name).read_text(encoding="utf-8").splitlines()]
    return texts


def test_no_dutch_text_of_the_project_is_taken_for_another_language():
    texts = _dutch_texts()
    assert len(texts) > 7000
    assert [t for t in texts if not reads_as_dutch(t)] == []


@pytest.mark.parametrize("text", [
    "There are not enough shelters for male victims of trafficking in the region.",
    "The police should work more closely with municipalities on labour exploitation cases.",
    "Victims are often afraid to report to the police because of their residence status.",
    "Human trafficking is a serious crime that affects many vulnerable people.",  # QA 42b: few English function words
    "Labour exploitation is increasing in many sectors, especially agriculture and logistics.",
    "Les victimes de la traite des êtres humains ont besoin d'un hébergement sûr et adapté.",  # QA 43a
    "Menschenhandel ist ein Verbrechen, das in ganz Europa stärker verfolgt werden muss.",
    "Nous devons faire plus contre la traite des êtres humains.",  # QA 43c
    "Жертвы часто боятся обращаться в полицию из-за своего статуса проживания.",
    "人口贩运的受害者往往不敢向警方报案，因为他们担心自己的居留身份。",
])
def test_english_and_other_scripts_do_not_read_as_dutch(text):
    assert not reads_as_dutch(text)


@pytest.mark.parametrize("text", ["Maatwerk in plaats van one size fits all.", "Meer opvang.", "The end.",
                                  "Loverboys zoeken contact via social media en gaming platforms.",
                                  "De les in Den Haag was goed.", "Les over loverboys in Den Bosch gegeven.",  # QA 43c
                                  "Awareness campaign for the hospitality sector, samen met de gemeente.",
                                  "Samenwerking met de NLA, het RIEC en Veilig Thuis gaat goed."])
def test_short_texts_and_dutch_with_an_english_phrase_read_as_dutch(text):
    assert reads_as_dutch(text)
