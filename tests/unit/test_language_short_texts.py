"""QA 48b D7: short English and German statements were taken for Dutch ("We need more shelters.", "Die Polizei
arbeitet gut mit den Gemeinden zusammen."), while Dutch notes full of English loan words and acronyms must stay Dutch.

Every sentence below was **written for this test** (2026-12-07, not taken from notes, quotes or any corpus): the
foreign ones as an analyst might receive them from an international partner, the Dutch ones in the mixed style of
round-table notes. The first eight foreign ones are QA 48b's probes; the French ones were added for QA 55."""
from __future__ import annotations

import pytest

from mh_nlp.nlp.language import has_real_words, reads_as_dutch

FOREIGN = [  # written for this test
    # QA 48b's probes (5 of these 8 were missed)
    "Human trafficking victims need better shelter.",
    "Labour exploitation is increasing in distribution centres.",
    "Opfer von Menschenhandel brauchen mehr Schutz.",
    "Die Polizei arbeitet gut mit den Gemeinden zusammen.",
    "We need more shelters.",
    "There is not enough shelter for male victims.",
    "Victims of trafficking are often afraid of the police.",
    "Es gibt zu wenig Unterkünfte für männliche Opfer.",
    # English
    "Shelters are full.",
    "We see more labour exploitation.",
    "Cooperation with the police works well.",
    "Municipalities should share information.",
    "More training is needed for frontline staff.",
    "Victims do not trust the authorities.",
    "Exploitation happens in agriculture and logistics.",
    "The waiting lists are too long.",
    "We want better protection for victims.",
    "Reporting is still too difficult.",
    "Young people are recruited online.",
    "Labour inspectors need more capacity.",
    "Nobody feels responsible for male victims.",
    "Care coordinators are overloaded.",
    "Awareness among employers is growing.",
    "Information sharing between agencies is poor.",
    "Criminal exploitation is rising among minors.",
    "Sexual exploitation moves to private homes.",
    "Every region needs a care coordinator.",
    "We lack interpreters.",
    # German
    "Die Opfer haben Angst vor der Polizei.",
    "Wir brauchen mehr Unterkünfte.",
    "Die Zusammenarbeit funktioniert gut.",
    "Arbeitsausbeutung nimmt zu.",
    "Es fehlt an Dolmetschern.",
    "Die Wartezeiten sind zu lang.",
    "Minderjährige werden online angeworben.",
    "Die Kommunen tauschen zu wenig Informationen aus.",
    "Betroffene werden schlecht geschützt.",
    "Jede Region braucht einen Koordinator.",
    "Die Arbeitsinspektion kontrolliert zu selten.",
    "Sexuelle Ausbeutung verlagert sich in Privatwohnungen.",
    "Wir sehen immer mehr Fälle von Zwangsarbeit.",
    "Die Beratungsstellen sind überlastet.",
    "Opfer bekommen zu spät Hilfe.",
    "Die Staatsanwaltschaft verfolgt zu wenige Täter.",
    # French (QA 55: the first, its Dutch-looking "de" outweighing "les", "des" and "dans", read as Dutch)
    "Les victimes de la traite des êtres humains ont besoin de plus de places dans les foyers.",
    "Il faut plus de places d'accueil pour les hommes.",
    "La police et les communes travaillent bien ensemble.",
    "Les mineurs sont recrutés en ligne.",
    "Nous voulons une meilleure protection des victimes.",
    "Les listes d'attente sont trop longues.",
    "L'exploitation sexuelle se déplace vers les logements privés.",
    "Chaque région a besoin d'un coordinateur.",
]

DUTCH_WITH_LOANS = [  # written for this test: Dutch notes with English words, acronyms and names
    "De NLA doet een screening van uitzendbureaus.",
    "Loverboys werven via social media.",
    "Er is een taskforce voor labour exploitation opgericht.",
    "Meer awareness bij HR-afdelingen.",
    "Case management via Fier loopt goed.",
    "Quick scan bij de gemeente.",
    "Lessons learned delen met het RIEC.",
    "Follow-up met de GGD en Veilig Thuis.",
    "Best practices uit Brabant overnemen.",
    "Training voor frontline workers van de gemeente.",
    "Het dashboard van CoMensha geeft een goed beeld.",
    "Webinar over human trafficking voor HR-managers.",
    "Sexting en grooming nemen toe onder jongeren.",
    "Online recruitment via TikTok en Snapchat.",
    "Hotspots in de logistiek: distributiecentra.",
    "Meldingen via de app van Fier.",
    "De politie heeft een flex-team ingezet.",
    "Outreachend werken werkt.",
    "Zorgcoördinatoren zijn overbelast.",
    "Shelter voor mannen ontbreekt nog steeds.",
]


@pytest.mark.parametrize("text", FOREIGN)
def test_short_english_german_and_french_statements_do_not_read_as_dutch(text):
    assert not reads_as_dutch(text)


@pytest.mark.parametrize("text", DUTCH_WITH_LOANS)
def test_dutch_with_english_loan_words_and_acronyms_reads_as_dutch(text):
    assert reads_as_dutch(text)


@pytest.mark.parametrize("text", ["xxxxxxxxxxxx", "xxx xxx", "asdf qwer zxcv hjkl", "aaaa bbbb", "12345 !!!"])
def test_runs_of_letters_have_no_words(text):
    assert not has_real_words(text)


@pytest.mark.parametrize("text", ["NLA AVIM RIEC", "Loverboyproblematiek.", "Zorgcoördinatie.", "Mensenhandelaanpak",
                                  "Ja.", "We need more shelters.", "lorem ipsum dolor sit amet"])
def test_words_acronyms_and_compounds_are_words(text):
    assert has_real_words(text)


def test_every_text_of_the_project_has_a_word():
    """The mark is for text without words (QA 51a D10): none of the quotes, written and stance statements and outside
    sentences lacks one."""
    import json

    from mh_nlp.paths import data_dir

    texts = []
    for name in ("quotes.jsonl", "synthetic/statements.jsonl", "synthetic/stance.jsonl",
                 "development/sentences.jsonl", "external/sentences.jsonl"):
        texts += [json.loads(line)["text"] for line in (data_dir() / name).read_text(encoding="utf-8").splitlines()
                  if line.strip()]
    assert len(texts) > 7000
    assert [t for t in texts if not has_real_words(t)] == []
