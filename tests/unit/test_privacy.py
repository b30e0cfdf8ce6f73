"""The pseudonymiser on its own: a surname that starts with a particle (De Boer, Van Dijk) is one person's name,
and the particle alone ("De opvang", "Van de gemeente") is never taken for a name."""
from __future__ import annotations

from mh_nlp.io.privacy import Pseudonymiser
from mh_nlp.io.readers import Statement


def _run(lines: list[str]) -> list[str]:
    p = Pseudonymiser()
    statements = [Statement("note.txt", i + 1, t) for i, t in enumerate(lines)]
    for st in statements:
        p.learn(st)
    return [p.text(st.text) for st in statements]


def test_a_surname_with_a_particle_does_not_make_the_particle_a_name():
    out = _run(["De opvang is vol.", "De Boer vindt dat ook.", "De politie heeft te weinig capaciteit.",
                "Volgens Van Dijk is het erger.", "Van de gemeente horen we weinig.",
                "Ik sprak met de Boer en met Van der Meer.", "Van der Meer zegt dat het goed gaat."])
    assert out[0] == "De opvang is vol."
    assert out[2] == "De politie heeft te weinig capaciteit."
    assert out[4] == "Van de gemeente horen we weinig."
    boer, dijk = out[1].split()[:2], out[3].split()[1:3]
    assert " ".join(boer).startswith("Spreker") and " ".join(dijk).startswith("Spreker") and boer != dijk
    assert "Boer" not in " ".join(out) and "Dijk" not in " ".join(out) and "Meer" not in " ".join(out)
    meer = out[6].split(" zegt")[0]
    assert out[5] == f"Ik sprak met {' '.join(boer)} en met {meer}."  # the same person, however it is written


def test_a_speaker_whose_surname_begins_with_an_ordinary_word_does_not_make_that_word_a_name():
    """QA 38 re-test: speakers 't Hooft, Uit den Bogaard, Aan de Stegge, Bij de Vaate and Onder de Linden turned
    "'t", "Uit", "Aan", "Bij" and "Onder" in everyone's text into pseudonyms."""
    p = Pseudonymiser()
    speakers = ["'t Hooft", "Uit den Bogaard", "Aan de Stegge", "Bij de Vaate", "Onder de Linden"]
    for name in speakers:
        p.learn_speaker(name)
    texts = ["Het is 't zelfde verhaal.", "Uit angst doen ze niets.", "Aan de telefoon zei ze niets.",
             "Bij de politie is geen capaciteit.", "Onder druk gaat het mis."]
    assert [p.text(t) for t in texts] == texts
    aliases = [p.speaker(name) for name in speakers]
    assert aliases == [f"Spreker {i}" for i in range(1, 6)]
    assert p.text("Volgens 't Hooft en Bij de Vaate is het erger.") == "Volgens Spreker 1 en Spreker 4 is het erger."


def test_an_organisation_among_the_attendees_stays():
    """QA 44a D8: "Aanwezig: politie Zeeland-West-Brabant, Watch Nederland, CoMensha, Fier" made Watch Nederland a
    person ("Spreker 10") there and in every statement; it is an organisation of data/entities/ now, and those stay."""
    out = _run(["Aanwezig: politie Zeeland-West-Brabant, Watch Nederland, CoMensha, Fier, Pieter de Vries",
                "Watch Nederland patrouilleert online.", "De DT&V en de DJI zien dat ook, zegt Pieter de Vries."])
    assert "Watch Nederland" in out[0] and out[1] == "Watch Nederland patrouilleert online."
    assert "Pieter" not in " ".join(out) and out[2].startswith("De DT&V en de DJI zien dat ook, zegt Spreker")


def test_a_named_municipality_and_the_aanjaagteam_are_no_people():
    """QA 51b N1: a speaker 'gemeente Den Haag' was taken for a person and its words pseudonymised everywhere ('De
    Spreker 1 moet meer doen'); 'Volgens Gemeente Capelle …', 'Volgens Den Haag …' and 'Het Aanjaagteam (Roemer)' lost
    their place or body. People are still found beside them."""
    p = Pseudonymiser()
    for speaker in ("gemeente Den Haag", "gemeente Utrecht", "Petra de Boer"):
        p.learn_speaker(speaker)
    lines = ["De gemeente moet meer doen en de gemeente Utrecht ook.",
             "Volgens Gemeente Capelle aan den IJssel is de opvang vol.",
             "Volgens gemeente Den Haag zijn er te weinig plekken.", "Volgens Den Haag is de opvang vol.",
             "Volgens Capelle aan den IJssel is de opvang vol.",
             "Het Aanjaagteam (Roemer) benadrukt dat huisvesting slecht is.",
             "Volgens Politie Utrecht is het druk.", "Volgens Het Aanjaagteam Ondermijning gaat het goed.",
             "Volgens Stichting Fairwork klopt dat.", "Petra de Boer zegt dat het beter gaat."]
    statements = [Statement("note.txt", i + 1, t) for i, t in enumerate(lines)]
    for st in statements:
        p.learn(st)
    out = [p.text(st.text) for st in statements]
    assert out[:-1] == lines[:-1], out
    assert p.speaker("gemeente Den Haag") == "gemeente Den Haag" and p.speaker("gemeente Utrecht") == "gemeente Utrecht"
    assert p.speaker("Petra de Boer").startswith("Spreker") and "Boer" not in out[-1], out[-1]


def test_qa52a_speakers_with_particles_titles_initials_and_context_words():
    """QA 52a D1, D2, D10: a speaker 'Ali bin Said:' was no speaker and kept his name; 'De heer Mohammed Bouzid van
    FairWork' kept 'Bouzid' ('FairWork' was read as 'Fair'); 'Dhr. P. Hendriks' kept 'P.'; 'Wethouder Van der Laan'
    was not found; 'Zoals Jan de Vries zegt' made 'Zoals' a first name, so 'Zoals bekend …' lost its first word; a
    line 'Contact: … 06-12345678' made 'Contact' a person and kept the phone number."""
    from mh_nlp.io.readers import take_speaker

    for label in ("Ali bin Said", "Karim ben Salah", "Fatima el Idrissi", "Dirk-Jan op den Akker", "Ahmed el Amrani"):
        assert take_speaker(f"{label}: De NLA controleert te weinig.") == (label, "De NLA controleert te weinig.")
    for line in ("Inzetten op: meer opvang.", "Aldus Jan de Vries: de opvang is vol.", "Focus op: preventie."):
        assert take_speaker(line) == ("", line)

    p = Pseudonymiser()
    lines = ["De heer Mohammed Bouzid van FairWork meldt veel signalen uit de bouw.",
             "Dhr. P. Hendriks (Leger des Heils) vindt de samenwerking goed.",
             "Wethouder Van der Laan wil meer geld.", "Mevrouw Yilmaz van CoMensha zegt dat de opvang vol zit.",
             "Zoals bekend is de opvang vol.", "Zoals Jan de Vries zegt, hebben slachtoffers nazorg nodig.",
             "Zoals gezegd moet de NLA meer inspecteurs krijgen.", "Aldus de NLA is er meer uitbuiting.",
             "Bel mij op 06-12345678 of 030 1234567; in 2019-2023 waren er 1.204 meldingen."]
    statements = [Statement("note.txt", i + 1, t) for i, t in enumerate(lines)]
    for st in statements:
        p.learn(st)
    out = [p.apply(st).text for st in statements]
    for name in ("Mohammed", "Bouzid", "Hendriks", "P.", "Laan", "Yilmaz", "Jan", "Vries", "06-", "030"):
        assert name not in " ".join(out), (name, out)
    assert out[0].startswith("De heer Spreker ") and out[0].endswith("van FairWork meldt veel signalen uit de bouw.")
    assert "CoMensha" in out[3]
    assert out[4] == lines[4] and out[6] == lines[6] and out[7] == lines[7]
    assert out[5].startswith("Zoals Spreker ")
    assert out[8] == "Bel mij op [telefoon] of [telefoon]; in 2019-2023 waren er 1.204 meldingen."


def test_names_in_letters_beyond_latin_1_are_speakers_and_names():
    """A name's capital was [A-ZÀ-Ý]: 'Łukasz Nowak:' and 'Олена Коваленко:' were no speaker labels, so the name stayed
    in the statement under --pseudonymise, and 'Zoals Đorđe Đorđević zegt' kept the name — the names of labour migrants
    and refugees from Poland, Romania, the Balkans, Turkey and Ukraine, whom these notes are often about."""
    from mh_nlp.io.privacy import find_names
    from mh_nlp.io.readers import take_speaker

    for label in ("Łukasz Nowak", "Ionuț Popescu", "Олена Коваленко", "Dilan Yeşilgöz", "Şükrü Çelik"):
        assert take_speaker(f"{label}: De NLA controleert te weinig.") == (label, "De NLA controleert te weinig.")
    p = Pseudonymiser()
    lines = ["Zoals Đorđe Đorđević zegt moeten de gemeenten meer doen.", "Volgens mevrouw Yeşilgöz is de opvang vol.",
             "Dhr. Ł. Wiśniewski vindt de samenwerking goed.", "Öztürk, Çelik en Šimić: de opvang is vol."]
    statements = [Statement("note.txt", i + 1, t) for i, t in enumerate(lines)]
    for st in statements:
        p.learn(st)
    out = " ".join(p.apply(st).text for st in statements)
    for name in ("Đorđe", "Đorđević", "Yeşilgöz", "Wiśniewski", "Ł."):
        assert name not in out, (name, out)
    assert "moeten de gemeenten meer doen" in out and "×" not in find_names("A × B zegt")


def test_bodies_by_their_form_and_titles_after_a_context_word_are_no_people():
    """QA 52a D11: 'Volgens Bureau Clara Wichmann …' and 'Volgens Jade Zorggroep …' became speakers; and (found
    with it) 'Volgens Mevrouw Sanne Verhoeven' made 'Mevrouw' a first name, 'Volgens Dhr. Jansen' made 'Dhr' a
    person, so every 'Mevrouw' or 'Dhr' of the run would have been replaced."""
    from mh_nlp.io.privacy import find_names

    for line in ("Volgens Bureau Clara Wichmann is de B8-regeling te streng.",
                 "Volgens Jade Zorggroep werkt de zorgcoördinatie goed.", "Volgens Stichting Ilse moet er meer komen."):
        assert find_names(line) == [], line
    assert set(find_names("Volgens Mevrouw Sanne Verhoeven werkt het goed.")) == {"Sanne Verhoeven"}
    assert find_names("Volgens Dhr. Jansen klopt dat.") == ["Jansen"]
    assert find_names("Volgens Jan Oldenhuis gaat het goed.") == ["Jan Oldenhuis"]  # a surname ending in -huis
    out = _run(["Volgens Mevrouw Sanne Verhoeven werkt het goed.", "Mevrouw de Wit is het eens."])
    assert out[0].startswith("Volgens Mevrouw Spreker ") and out[1].startswith("Mevrouw Spreker "), out


def test_qa52c_captions_portfolios_and_phone_forms():
    """QA 52c R1 (a regression of the particle fix): 'Focus op Preventie:' and 'Meer op Maat:' became speakers, so
    'Focus' and 'Meer' were replaced in other sentences; R9: 'Kortom:', 'Ook de NLA:', 'Rol van de GGD:' were speakers;
    R7: 'Wethouder Jeugd en Onderwijs' gave the person 'Jeugd', 'minister van Justitie' the person 'van Justitie'; R8:
    '(030) 123 45 67' was not masked; R10: 'Amnesty International' was a person."""
    from mh_nlp.io.privacy import find_names, mask_contacts
    from mh_nlp.io.readers import take_speaker

    for line in ("Focus op Preventie: meer voorlichting.", "Meer op Maat: zorg per slachtoffer.",
                 "Kortom: te weinig opvang.", "Ook de NLA: meer controles.", "Rol van de GGD: signaleren."):
        assert take_speaker(line) == ("", line), line
    assert take_speaker("Dirk-Jan op den Akker: Ja.")[0] == "Dirk-Jan op den Akker"
    for line in ("Wethouder Jeugd en Onderwijs wil meer geld.", "De minister van Justitie en Veiligheid zegt dat.",
                 "Volgens Amnesty International is dat zo."):
        assert find_names(line) == [], line
    assert find_names("Wethouder Van der Laan wil meer geld.") == ["Van der Laan"]
    assert mask_contacts("Bel (030) 123 45 67.") == "Bel [telefoon]."


def test_an_attendee_line_of_names_with_any_particle_is_names():
    """The notes' rules and the pseudonymiser read one list of name particles: 'Aanwezig: Ali bin Said' was no list
    of names for the attendee rule (its particles lacked 'bin'), while the speaker rule took 'Ali bin Said:'."""
    from mh_nlp.io.kinds import names_only

    assert names_only("Ali bin Said, Anna di Stefano, Fatima el Idrissi")
    out = _run(["Aanwezig: Ali bin Said, Fatima el Idrissi", "Ali bin Said zegt dat de opvang vol is."])
    assert "Said" not in " ".join(out) and "Idrissi" not in " ".join(out), out


def _pseudonymised(statements: list[Statement]) -> list[Statement]:
    p = Pseudonymiser()
    for st in statements:
        p.learn(st)
    return [p.apply(st) for st in statements]


def test_qa53a_speakers_in_capitals_turned_around_or_without_accents_are_the_same_person():
    """QA 53a D1, D10, D11: a speaker in capitals (JAN DE VRIES:, a vtt's <v IONUȚ POPESCU>, a column's ÖZTÜRK, M.)
    was taken for an acronym and kept the name, even a victim's; 'Popescu, Ionuț' and 'Nguyen Van An' were other
    people than 'Ionuț Popescu' and 'Nguyễn Văn An'; a subtitle's '- Ahmed: …' kept the name."""
    rows = [("Aanwezig: Jan de Vries, Ionuț Popescu, Nguyễn Văn An", ""),
            ("Kunt u vertellen hoe u hier kwam?", "JAN DE VRIES"), ("Ik werd via Telegram benaderd.", "OLENA KOVALENKO"),
            ("De kas was koud.", "KOVALENKO"), ("Te weinig inspecteurs.", "Popescu, Ionuț"),
            ("Nguyen Van An zegt dat de huur te hoog is.", ""), ("ÇELIK benadrukt de capaciteit.", "Mehmet Çelik"),
            ("Ik werkte in de kas. - Ahmed: Hoeveel uur per dag?", "Olena"), ("Slecht.", "NLA"),
            ("Vol.", "VOORZITTER"), ("Goed.", "BELANGRIJK")]
    out = _pseudonymised([Statement("t.txt", i + 1, t, extra={"speaker": s}) for i, (t, s) in enumerate(rows)])
    text = " ".join(f"{o.extra['speaker']} {o.text}" for o in out)
    for name in ("VRIES", "KOVALENKO", "Kovalenko", "Popescu", "Nguyen", "Nguyễn", "ÇELIK", "Ahmed", "Olena"):
        assert name not in text, (name, text)
    vries, popescu = out[0].text.split(": ")[1].split(", ")[:2]
    assert out[1].extra["speaker"] == vries and out[4].extra["speaker"] == popescu
    assert out[2].extra["speaker"] == out[3].extra["speaker"]  # KOVALENKO alone: the same person
    assert out[5].text.startswith(out[0].text.split(", ")[2])  # Nguyen Van An without accents: the same person
    assert [o.extra["speaker"] for o in out[8:]] == ["NLA", "VOORZITTER", "BELANGRIJK"]


def test_qa53a_who_a_note_is_about_places_and_bodies():
    """QA 53a D3, D7, D8, D9: victims', suspects' and employers' names after 'Slachtoffer', 'De verdachte',
    'genaamd', 'Een zekere', 'werkgever', 'gesproken met' stayed; 'Roos de Wit van La Strada' took the body into the
    name (a second pseudonym, the body lost); 'Polen:' was a speaker and 'Volgens Westland' / 'Eurostat' a person,
    replaced in every text of the run."""
    from mh_nlp.io.kinds import speaker_label
    from mh_nlp.io.privacy import find_names

    lines = ["Aanwezig: Roos de Wit (La Strada)", "Roos de Wit van La Strada vertelde over Boekarest.",
             "Het slachtoffer, een vrouw genaamd Irina Petrova, is opgevangen door Fier.",
             "Een zekere Bogdan regelde het vervoer vanuit Sofia.", "De verdachte Kemal T. is aangehouden.",
             "Mijn werkgever Viktor Sydorenko hield mijn paspoort in.", "Gesproken met Piotr Zieliński.",
             "Volgens Westland is de huisvesting slecht.", "Eurostat meldt meer slachtoffers.",
             "In het Westland wonen veel arbeidsmigranten.", "De verdachte Roemeense man is gevlucht."]
    out = [o.text for o in _pseudonymised([Statement("n.txt", i + 1, t) for i, t in enumerate(lines)])]
    text = " ".join(out)
    for name in ("Roos", "Wit", "Irina", "Petrova", "Bogdan", "Kemal", "Viktor", "Sydorenko", "Piotr", "Zieliński"):
        assert name not in text, (name, text)
    assert out[1].endswith(" van La Strada vertelde over Boekarest.") and out[1].split(" van ")[0] in out[0]
    assert out[7:] == lines[7:] and "Sofia" in out[3]
    assert not speaker_label("Polen") and not speaker_label("Roemenië en Bulgarije") and speaker_label("Jan")
    assert find_names("Volgens Eurostat stijgt het aantal.") == [] and find_names("Volgens Arosa is het erger.") == []


def test_qa53a_foreign_phone_numbers_ibans_and_citizen_numbers_are_masked():
    """QA 53a D5, D6: numbers with a country code other than +31 stayed (the migrants' own numbers), and '070 - 345 67
    89'; a spaced IBAN was half masked as a phone number; years, article numbers, counts and dates stay."""
    from mh_nlp.io.privacy import mask_contacts

    assert mask_contacts("Bel +48 601 234 567, +40721234567, 0040 721 234 567, +380 67 123 4567 of 070 - 345 67 89.") \
        == "Bel [telefoon], [telefoon], [telefoon], [telefoon] of [telefoon]."
    assert mask_contacts("IBAN NL91 ABNA 0417 1643 00 en NL91ABNA0417164300; BSN 123456782, BSN: 111.22.2333.") \
        == "IBAN [iban] en [iban]; BSN [bsn], BSN: [bsn]."
    kept = "In 2019-2023 waren er 1.204 meldingen (artikel 273f), geboren 12-03-1998, 2611 AB Delft, nummer 123456782."
    assert mask_contacts(kept) == kept


def test_qa53a_a_speaker_label_may_begin_with_a_title_in_small_letters():
    """QA 53a D12: 'mevr. Nowak-Lewandowska:' was no speaker label (a name's first word had to be capitalised), so
    the title and the pseudonym stood in the statement; 'Mevr. …' was one. Now the label is the speaker, as the
    capitalised form is, and both are the same person; a caption with a small word stays no speaker."""
    from mh_nlp.io.readers import take_speaker

    assert take_speaker("mevr. Nowak-Lewandowska: De opvang is vol.") == ("mevr. Nowak-Lewandowska",
                                                                           "De opvang is vol.")
    assert take_speaker("prof. dr. Jansen: De keten werkt.") == ("prof. dr. Jansen", "De keten werkt.")
    for line in ("Inzetten op: preventie.", "mr. en mevr.: iets", "dr. is een afkorting: ja"):
        assert take_speaker(line) == ("", line)
    rows = [("De opvang is vol.", "mevr. Nowak-Lewandowska"), ("Klopt.", "Mevr. Nowak-Lewandowska")]
    out = _pseudonymised([Statement("t.txt", i + 1, t, extra={"speaker": s}) for i, (t, s) in enumerate(rows)])
    speakers = [o.extra["speaker"] for o in out]
    assert "Nowak" not in " ".join(speakers) and speakers[0].split(" ", 1)[1] == speakers[1].split(" ", 1)[1]
