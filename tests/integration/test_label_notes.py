"""Notes as analysts have them, end to end through ``mh-nlp label`` (keyword test classifier): meta lines
and small talk are kept apart and never labelled, the gold sets meet their bar."""
from __future__ import annotations

import csv
import json
import re
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from conftest_label import REPO, KeywordClassifier, use_fakes  # noqa: E402

from mh_nlp.cli import main  # noqa: E402
from mh_nlp.io.notes_eval import evaluate, evaluate_names, read_gold  # noqa: E402

NOTES = """\
Datum: 14 maart 2026
Aanwezig: Sanne Verhoeven (gemeente Utrecht), Jan de Vries (NLA), Fatima El Amrani (CoMensha),
Pieter Bakker (politie)
Notulist: Sanne Verhoeven

Goedemorgen allemaal.

Jan de Vries (NLA): Wij zien meer arbeidsuitbuiting in distributiecentra, vaak via uitzendbureaus.
Fatima El Amrani: De opvang zit vol en gegevens delen met de gemeente lukt niet.
RIEC's zijn aan tafel.
Oplossing taalbarrières.

Koffiepauze

Pieter Bakker (politie): Er is te weinig capaciteit voor mensenhandelzaken.
Voorzitter: Dank, dan gaan we naar het volgende agendapunt.
Actiepunt: Sanne belt CoMensha over voorlichting op scholen.
Dank jullie wel voor jullie komst.
"""
STATEMENTS = {  # position -> (text, speaker)
    8: ("Wij zien meer arbeidsuitbuiting in distributiecentra, vaak via uitzendbureaus.", "Jan de Vries (NLA)"),
    9: ("De opvang zit vol en gegevens delen met de gemeente lukt niet.", "Fatima El Amrani"),
    10: ("RIEC's zijn aan tafel.", "Fatima El Amrani"),  # the lines below a speaker's label, in its paragraph,
    11: ("Oplossing taalbarrières.", "Fatima El Amrani"),  # are its turn (QA 44a D11)
    15: ("Er is te weinig capaciteit voor mensenhandelzaken.", "Pieter Bakker (politie)"),
    17: ("Actiepunt: Sanne belt CoMensha over voorlichting op scholen.", ""),
}
NON_STATEMENTS = {1: "meta", 2: "meta", 4: "meta", 6: "chatter", 13: "chatter", 16: "chatter", 18: "chatter"}


def run(*args):
    result = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    assert "Traceback" not in result.output
    return result


@pytest.fixture
def clf(monkeypatch) -> KeywordClassifier:
    return use_fakes(monkeypatch)


@pytest.fixture
def notes(tmp_path) -> Path:
    p = tmp_path / "notulen.txt"
    p.write_text(NOTES, encoding="utf-8")
    return p


def read_rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def test_meta_and_chatter_are_kept_apart_and_never_labelled(clf, notes, tmp_path):
    out, summ = tmp_path / "o.csv", tmp_path / "o.json"
    r = run("label", notes, "-o", out, "--summary", summ, "--quiet")
    assert r.exit_code == 0, r.output
    rows = read_rows(out)
    got = {int(row["position"]): row for row in rows}
    assert set(got) == set(STATEMENTS) | set(NON_STATEMENTS)  # nothing lost
    for pos, (text, speaker) in STATEMENTS.items():
        assert (got[pos]["kind"], got[pos]["statement"], got[pos]["speaker"]) == ("statement", text, speaker)
        assert got[pos]["section"] != ""
    for pos, kind in NON_STATEMENTS.items():
        row = got[pos]
        assert row["kind"] == kind, row
        assert (row["section"], row["chapter"], row["confidence"], row["top1"]) == ("", "", "", "")
    # Datum, Aanwezig and Notulist are never speakers: the line stays whole
    assert got[1]["statement"] == "Datum: 14 maart 2026" and got[1]["speaker"] == ""
    assert got[2]["statement"].startswith("Aanwezig: Sanne Verhoeven") and "Pieter Bakker" in got[2]["statement"]
    assert got[4]["speaker"] == ""
    # the classifier never saw a non-statement
    assert sum(clf.batches) == len(STATEMENTS)
    overview = json.loads(summ.read_text(encoding="utf-8"))
    assert overview["total"]["statements"] == len(STATEMENTS)
    assert overview["total"]["non_statements"] == {"meta": 3, "chatter": 4}
    assert sum(s["statements"] for s in overview["inputs"][0]["sections"]) == len(STATEMENTS)


def test_drop_nonstatements_and_overview_text(clf, notes, tmp_path):
    out = tmp_path / "o.jsonl"
    r = run("label", notes, "-o", out, "--drop-nonstatements")
    assert r.exit_code == 0, r.output
    rows = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert [x["position"] for x in rows] == sorted(STATEMENTS) and {x["kind"] for x in rows} == {"statement"}
    # the keyword classifier's 0.2 is below the screen's 0.5: uncertain, as everywhere (QA 48b D2)
    assert "6 statements, 3 uncertain; 3 meta and 4 chatter lines not labelled (dropped)" in r.stdout


def test_table_inputs_get_kinds_too(clf, tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.append(["spreker", "uitspraak"])
    wb.active.append(["", "Datum: 3 februari 2026"])
    wb.active.append(["Jan", "Goedemiddag iedereen."])
    wb.active.append(["Els", "Te weinig capaciteit bij de NLA."])
    p = tmp_path / "n.xlsx"
    wb.save(p)
    out = tmp_path / "o.csv"
    assert run("label", p, "-o", out, "-q").exit_code == 0
    assert [(r["position"], r["kind"], r["section"]) for r in read_rows(out)] == [
        ("2", "meta", ""), ("3", "chatter", ""), ("4", "statement", "2.16")]


@pytest.mark.parametrize("name", ["gold.tsv", "heldout.tsv", "fresh.tsv", "names_fresh.tsv"])
def test_gold_sets_meet_the_bar(name):
    path = REPO / "data" / "notes" / name
    result = evaluate(path)
    assert result["statements_kept"] >= 0.98, result["statements_lost"]
    assert result["non_statements_caught"] >= 0.90, result["non_statements_missed"]


def test_gold_set_is_big_enough_and_has_every_kind():
    rows = read_gold(REPO / "data" / "notes" / "gold.tsv")
    assert len(rows) >= 150
    kinds = {r["kind"] for r in rows}
    assert kinds == {"statement", "meta", "chatter"}


# ---------------------------------------------------------------- --pseudonymise, --drop-columns

PEOPLE = ["Sanne Verhoeven", "Jan de Vries", "Fatima El Amrani", "Pieter Bakker"]
ORGANISATIONS = ["NLA", "CoMensha", "politie", "gemeente Utrecht", "RIEC"]


def test_pseudonymise_leaves_no_name_and_keeps_organisations(clf, notes, tmp_path):
    table = tmp_path / "tabel.csv"
    table.write_text("spreker;uitspraak;telefoon\nFatima El Amrani;Volgens Jan moet CoMensha meer opvang regelen.;0612345678\n"
                     "Marco Rossi;Dhr. Bakker benadrukt dat de NLA vaker controleert.;0687654321\n", encoding="utf-8")
    out, summ = tmp_path / "o.jsonl", tmp_path / "o.json"
    r = run("label", notes, table, "-o", out, "--pseudonymise", "--drop-columns", "Telefoon", "--summary", summ, "-q")
    assert r.exit_code == 0, r.output
    rows = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    written = out.read_text(encoding="utf-8") + summ.read_text(encoding="utf-8")
    for person in PEOPLE + ["Marco Rossi"]:
        for word in person.split():
            if word[0].isupper():
                assert not re.search(rf"\b{word}\b", written), (word, written)
    assert "0612345678" not in written and all("telefoon" not in x["extra"] for x in rows)
    text = " ".join(x["statement"] for x in rows)
    for org in ORGANISATIONS:
        assert org in text, org
    by_pos = {(Path(x["source"]).name, x["position"]): x for x in rows}
    # one person, one pseudonym, over both files: speaker, attendee line, text and speaker column
    fatima = by_pos[("notulen.txt", 9)]["extra"]["speaker"]
    assert re.fullmatch(r"Spreker \d+", fatima)
    assert f"{fatima} (CoMensha)" in by_pos[("notulen.txt", 2)]["statement"]
    assert by_pos[("tabel.csv", 2)]["extra"]["spreker"] == fatima
    jan = by_pos[("notulen.txt", 8)]["extra"]["speaker"]
    assert jan.endswith("(NLA)") and by_pos[("tabel.csv", 2)]["statement"].startswith(f"Volgens {jan[:-6]} moet")
    assert by_pos[("notulen.txt", 17)]["statement"].startswith("Actiepunt: Spreker ")
    speakers = {x["extra"].get("speaker") for x in rows if x["extra"].get("speaker")}
    assert len(speakers - {"Voorzitter"}) == 3 and "Voorzitter" in speakers  # Jan, Fatima, Pieter; a role stays


def test_pseudonyms_do_not_collide_with_a_transcripts_own_speaker_numbers(clf, tmp_path):
    note = tmp_path / "transcript.txt"
    note.write_text("Spreker 1: Wij zien meer signalen van uitbuiting.\nSanne de Vries (Fier): De opvang ontbreekt.\n"
                    "Spreker 2 00:01:10\nDe NLA inspecteert vaker.\nMarco Rossi [FNV]: Uitzendbureaus blijven buiten "
                    "beeld.\n", encoding="utf-8")
    out = tmp_path / "o.jsonl"
    r = run("label", note, "-o", out, "--pseudonymise", "-q")
    assert r.exit_code == 0, r.output
    written = out.read_text(encoding="utf-8")
    assert not re.search(r"Sanne|Vries|Marco|Rossi", written), written
    speakers = [json.loads(x)["extra"]["speaker"] for x in written.splitlines()]
    assert speakers[0] == "Spreker 1" and speakers[2] == "Spreker 2"  # the transcript's own, kept
    assert speakers[1].endswith(" (Fier)") and speakers[3].endswith(" [FNV]")
    people = {speakers[1][:-len(" (Fier)")], speakers[3][:-len(" [FNV]")]}
    assert len(people) == 2 and not people & {"Spreker 1", "Spreker 2"}, speakers
    # the named people keep the order in which they first appear over the free numbers (QA 36: Fatima, first
    # named after Jan, became Spreker 5 after Piet and Kees once her number 2 turned out to be the transcript's)
    assert [speakers[1], speakers[3]] == ["Spreker 3 (Fier)", "Spreker 4 [FNV]"], speakers
    note.write_text("Aanwezig: Jan de Vries (NLA), Fatima El Amrani (gemeente), Piet Jansen\nNotulist: Kees Bakker\n\n"
                    "Fatima El Amrani: Volgens Piet Jansen is er te weinig opvang.\n"
                    "Spreker 2: De samenwerking met CoMensha gaat goed.\n", encoding="utf-8")
    r = run("label", note, "-o", out, "--pseudonymise", "-q", "--force")
    assert r.exit_code == 0, r.output
    first = json.loads(out.read_text(encoding="utf-8").splitlines()[0])["statement"]
    assert first == "Aanwezig: Spreker 1 (NLA), Spreker 3 (gemeente), Spreker 4", first


def test_pseudonymise_recall_on_the_gold_names():
    caught = total = 0
    for name in ("gold.tsv", "heldout.tsv", "fresh.tsv", "names_fresh.tsv"):
        result = evaluate_names(REPO / "data" / "notes" / name)
        assert result["lines_without_names_changed"] == []  # no organisation or word taken for a name
        total += result["names"]
        caught += round(result["recall"] * result["names"])
        if name != "names_fresh.tsv":
            assert result["recall"] >= 0.95, result["missed"]
        else:  # written after the rules: two names in running text without a cue are missed (see the README)
            assert result["recall"] >= 0.85, result["missed"]
    assert total >= 90 and caught / total >= 0.95


def test_drop_columns_without_pseudonymise(clf, tmp_path):
    table = tmp_path / "t.csv"
    table.write_text("tekst,naam,datum\nTe weinig capaciteit.,Jan,2026-03-14\n", encoding="utf-8")
    out = tmp_path / "o.csv"
    r = run("label", table, "-o", out, "--drop-columns", "naam,bestaatniet", "-q")
    assert r.exit_code == 0 and "no input has a column 'bestaatniet'" in r.stderr
    rows = read_rows(out)
    assert "naam" not in rows[0] and rows[0]["datum"] == "2026-03-14" and rows[0]["statement"] == "Te weinig capaciteit."


def test_name_finder_deduce_is_one_line_when_missing_or_without_pseudonymise(clf, notes, tmp_path):
    r = run("label", notes, "-o", tmp_path / "o.csv", "--name-finder", "deduce")
    assert r.exit_code == 1 and r.stderr == "mh-nlp: error: --name-finder is used with --pseudonymise only\n"
    try:
        import deduce  # noqa: F401
    except ImportError:
        r = run("label", notes, "-o", tmp_path / "o.csv", "--pseudonymise", "--name-finder", "deduce")
        assert r.exit_code == 1 and "pip install 'mh-nlp[privacy]'" in r.stderr and len(r.stderr.splitlines()) == 1
        assert not (tmp_path / "o.csv").exists()
        return
    out = tmp_path / "d.csv"  # deduce installed: the same guarantees
    assert run("label", notes, "-o", out, "--pseudonymise", "--name-finder", "deduce", "-q").exit_code == 0
    written = out.read_text(encoding="utf-8-sig")
    assert not any(w in written for p in PEOPLE for w in p.split() if w[0].isupper())


def test_author_and_contact_columns_and_lines_are_pseudonymised(clf, tmp_path):
    """QA 36/37: names only in an 'auteur' or 'contactpersoon' column (or an 'Opgesteld door:' line) stayed."""
    table = tmp_path / "t.csv"
    table.write_text("tekst;auteur;contactpersoon\nEr is te weinig opvang voor mannen.;Ilse Vermeulen;Ruud Hoekstra\n"
                     "De samenwerking met het RIEC gaat goed.;Ilse Vermeulen;\n", encoding="utf-8")
    note = tmp_path / "n.txt"
    note.write_text("Opgesteld door: Bram Kuipers\n\nEr zijn te weinig rechercheurs bij de AVIM.\n", encoding="utf-8")
    out = tmp_path / "o.jsonl"
    r = run("label", table, note, "--column", "tekst", "-o", out, "--pseudonymise", "-q")
    assert r.exit_code == 0, r.output
    written = out.read_text(encoding="utf-8")
    assert not re.search(r"Ilse|Vermeulen|Ruud|Hoekstra|Bram|Kuipers", written), written
    assert "RIEC" in written and "AVIM" in written


@pytest.mark.parametrize("line, kind", [
    ("Dank jullie wel, we sluiten af om twaalf uur.", "chatter"),  # QA 43a: it became a statement (4.8)
    ("We sluiten af om vijf uur, dank allemaal.", "chatter"),
    ("Twaalf slachtoffers in één week.", "statement"),  # a number word with a subject stays a statement
    ("Tot volgende week, we zien elkaar om negen uur.", "chatter"),  # QA 43c
    ("We sluiten af om tien over elf.", "chatter"),
    ("Dank allen, tot de volgende keer om tien uur.", "chatter"),
    ("Voorlichting over loverboys.", "statement"),
    ("Ketenpartners spreken elkaar te weinig.", "statement"),
])
def test_a_closing_line_with_a_time_is_chatter(line, kind):
    from mh_nlp.io.kinds import kind_of

    assert kind_of(line) == kind


@pytest.mark.parametrize("line", ["Rotterdam, 24 september 2026", "12 november 2026, 10:02",
                                  "Dinsdag 3 oktober 2026, 14.00 uur",
                                  "Aantekeningen overleg ketenpartners Venlo 3 oktober",
                                  "Verslag casusoverleg mensenhandel – Tilburg",
                                  "Overleg mensenhandel regio Utrecht-transcript"])
def test_datelines_and_titles_of_notes_are_meta(line):
    """QA 44a D14: a letter's dateline, a Teams transcript's date and time, and titles of notes named by what they are
    were labelled as statements (3.1, 4.12, 3.8)."""
    from mh_nlp.io.kinds import kind_of

    assert kind_of(line) == "meta"


@pytest.mark.parametrize("line,kind", [("Je staat op mute, Pieter.", "chatter"), ("Goedemorgen, Anna.", "chatter"),
                                       ("De opvang is vol, Pieter.", "statement"),
                                       ("In Venlo, 24 september 2026 ging het mis bij de opvang.", "statement"),
                                       ("Het verslag van het overleg was te laat klaar.", "statement"),
                                       ("De transcriptie duurt lang bij de politie.", "statement")])
def test_a_procedural_line_said_to_someone_is_chatter_and_statements_stay(line, kind):
    """QA 44a D14: "Je staat op mute, Pieter." was a statement because of the name (the line alone is chatter)."""
    from mh_nlp.io.kinds import kind_of

    assert kind_of(line) == kind


def test_the_label_of_a_box_in_a_report_is_no_speaker():
    """QA 44b N9: a text box "Kader: de NLA vindt …" gave the speaker "Kader"."""
    from mh_nlp.io.readers import text_blocks

    got = [(t, e.get("speaker")) for _, t, e in text_blocks(["Kader: de NLA vindt steeds vaker uitbuiting.", "",
                                                               "Jan de Vries: de opvang is vol."])]
    assert got == [("Kader: de NLA vindt steeds vaker uitbuiting.", ""), ("de opvang is vol.", "Jan de Vries")]


@pytest.mark.parametrize("line,kind", [("Venlo, 3 oktober", "meta"), ("Den Haag, juni 2026", "meta"),
                                       ("Agenda overleg mensenhandel Venlo", "meta"),
                                       ("Uitnodiging rondetafel arbeidsuitbuiting", "meta"),
                                       ("Beste collega's,", "chatter"), ("Met vriendelijke groet,", "chatter"),
                                       ("Groet, Anna", "chatter"), ("Pieter, je staat nog op mute.", "chatter"),
                                       ("Kun je je camera aanzetten, Anna?", "chatter"),
                                       ("Uitnodiging aan alle gemeenten voor overleg.", "statement"),
                                       ("In juni, juli en augustus is er meer werk.", "statement"),
                                       ("Beste praktijken delen tussen gemeenten.", "statement"),
                                       ("Groet van de NLA aan alle partners.", "statement")])
def test_more_datelines_titles_and_an_e_mails_greetings_are_no_statements(line, kind):
    """QA 44b N10: datelines without a year, agenda and invitation titles, an e-mail's salutation and closing and
    procedural lines said to someone by name were labelled as statements; look-alike statements stay statements."""
    from mh_nlp.io.kinds import kind_of

    assert kind_of(line) == kind


def test_a_first_name_alone_is_the_person_of_its_own_file(clf, tmp_path):
    """QA 46b D3, in label as on the screen: with one pseudonymiser for all files, "Sanne heeft gelijk" in an
    interview of Sanne de Vries took the pseudonym of another transcript's Sanne. A file's own names come first; a
    name only another file knows still takes that file's pseudonym, so no known name is left."""
    a = tmp_path / "a_transcript.txt"
    a.write_text("Sanne (CoMensha): Loverboys benaderen meisjes vaker online.\n", encoding="utf-8")
    b = tmp_path / "b_interview.txt"
    b.write_text("Aanwezig: Sanne de Vries (Fier), Fatima El Amrani\n\nSanne de Vries: De opvang ontbreekt.\n\n"
                 "Fatima El Amrani: Sanne heeft gelijk dat slachtoffers te lang wachten op een plek.\n", encoding="utf-8")
    c = tmp_path / "c_tabel.csv"
    c.write_text("tekst\nVolgens Fatima moet CoMensha meer opvang regelen.\n", encoding="utf-8")
    out = tmp_path / "o.jsonl"
    r = run("label", a, b, c, "-o", out, "--pseudonymise", "-q")
    assert r.exit_code == 0, r.output
    written = out.read_text(encoding="utf-8")
    assert not re.search(r"Sanne|Vries|Fatima|Amrani", written), written
    rows = [json.loads(x) for x in written.splitlines()]
    by = {(Path(x["source"]).name, x["position"]): x for x in rows}
    sanne_a = by[("a_transcript.txt", 1)]["extra"]["speaker"].removesuffix(" (CoMensha)")
    sanne_b = by[("b_interview.txt", 3)]["extra"]["speaker"]
    fatima = by[("b_interview.txt", 5)]["extra"]["speaker"]
    assert sanne_a != sanne_b and by[("b_interview.txt", 5)]["statement"].startswith(f"{sanne_b} heeft gelijk")
    assert by[("c_tabel.csv", 2)]["statement"].startswith(f"Volgens {fatima} moet")
