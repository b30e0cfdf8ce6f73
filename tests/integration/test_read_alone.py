"""Read in order, a statement whose note's context gives it another chapter than its own reading keeps that reading
beside the answer (QA 48b D1): a complaint among praise ("gaat juist niet goed") is pulled to what goes well by its
neighbours, and the reviewer must be able to see that."""
from __future__ import annotations

import json

from click.testing import CliRunner

from mh_nlp.cli import main

NOTE = ["De samenwerking met de NLA gaat goed in onze regio.",
        "Bij ons gaat de samenwerking met de NLA juist niet goed.",
        "De NLA reageert vaak pas na weken op een melding.",
        "De samenwerking met de NLA moet beter worden vastgelegd in afspraken."]


def test_a_statement_whose_chapter_the_context_changed_keeps_its_own_reading(trained):
    _, _, clf = trained
    alone = clf.predict_details(NOTE)
    ordered = clf.predict_details(NOTE, in_order=True)
    changed = [a.chapter != o.chapter for a, o in zip(alone, ordered)]
    assert any(changed)  # the note's context moves at least one of them to another chapter
    sections = clf.taxonomy.sections
    for a, o, c in zip(alone, ordered, changed):
        if c:
            assert (o.alone_section, o.alone_confidence) == (a.section, a.confidence)
            assert sections[o.alone_section].chapter != o.chapter
        else:
            assert o.alone_section is None and o.alone_confidence is None
    assert all(a.alone_section is None for a in alone)  # read on their own: nothing to add


def test_classify_json_gives_the_reading_alone_where_the_chapter_changed(trained):
    path, _, clf = trained
    res = CliRunner().invoke(main, ["classify", "--json", "--in-order", "--model", str(path), *NOTE])
    assert res.exit_code == 0, res.output
    rows = [json.loads(line) for line in res.stdout.splitlines() if line.startswith("{")]
    assert len(rows) == len(NOTE)
    alone = clf.predict_details(NOTE)
    for row, a in zip(rows, alone):
        if row["chapter"] != a.chapter:
            assert row["read_alone"] == {"section": a.section, "confidence": round(a.confidence, 4)}
        else:
            assert "read_alone" not in row
    assert any("read_alone" in r for r in rows)


def test_label_outputs_give_the_reading_alone_and_the_sections_own_quote(trained, tmp_path):
    """``label --in-order`` writes the columns read_alone and section_quote, as classify's JSON has them."""
    import csv

    path, _, clf = trained
    note = tmp_path / "note.txt"
    note.write_text("\n".join(NOTE) + "\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    res = CliRunner().invoke(main, ["label", str(note), "-o", str(out), "--in-order", "--model", str(path)])
    assert res.exit_code == 0, res.output
    rows = list(csv.DictReader(out.open(encoding="utf-8-sig")))
    want = clf.predict_details(NOTE, in_order=True)
    assert [r["statement"] for r in rows] == NOTE
    for r, p in zip(rows, want):
        assert r["read_alone"] == ("" if p.alone_section is None else f"{p.alone_section} ({p.alone_confidence:.2f})")
        assert r["section_quote"] == ("" if p.section_quote is None else
                                      f"{p.section_quote.id} ({p.section_quote.section}, {p.section_quote.similarity:.2f})")
        assert r["off_subject"] == str(p.off_subject)
    assert any(r["read_alone"] for r in rows)


def test_the_overview_counts_what_to_check(trained, tmp_path):
    """QA 48c (48b D5, D1): label's overview counts the statements perhaps off the subject and those whose chapter the
    note's context changed, as its columns mark them."""
    import json as _json

    path, _, clf = trained
    note = tmp_path / "note.txt"
    note.write_text("\n".join(NOTE + ["Morgen wordt het zonnig en 22 graden."]) + "\n", encoding="utf-8")
    out, summary = tmp_path / "out.csv", tmp_path / "s.json"
    res = CliRunner().invoke(main, ["label", str(note), "-o", str(out), "--in-order", "--model", str(path),
                                    "--summary", str(summary)])
    assert res.exit_code == 0, res.output
    want = clf.predict_details(NOTE + ["Morgen wordt het zonnig en 22 graden."], in_order=True)
    total = _json.loads(summary.read_text(encoding="utf-8"))["total"]
    assert total["off_subject"] == sum(p.off_subject for p in want) >= 1
    assert total["context_changed"] == sum(p.alone_section is not None for p in want) >= 1
    again = CliRunner().invoke(main, ["label", str(note), "-o", str(tmp_path / "again.csv"), "--in-order", "--model",
                                      str(path)])  # without --summary the overview is printed
    assert again.exit_code == 0, again.output
    assert f"{total['off_subject']} perhaps off the subject" in again.output
