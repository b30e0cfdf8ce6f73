"""Inputs a hostile (or unlucky) file holds (QA 41a): lines whose reading took minutes with backtracking patterns,
JSON lines that are valid JSON but no text, runs of one mark that spaCy's tokenizer reads in quadratic time."""
from __future__ import annotations

import subprocess
import sys
import textwrap

from mh_nlp.io.readers import markdown_heading, read_statements
from mh_nlp.nlp.normalize import MAX_MARK_RUN, normalize, normalize_with_map


def _finishes(code: str, timeout: float = 60.0) -> str:
    """Run ``code`` in a fresh interpreter and return what it printed; a pattern that backtracks for minutes (the
    inputs below took 100 s to hours before) fails here instead of hanging the run."""
    res = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=timeout)
    assert res.returncode == 0, res.stderr[-2000:]
    return res.stdout


def test_a_heading_line_with_a_long_run_of_spaces_is_read_at_once(tmp_path):
    note = tmp_path / "note.md"
    note.write_text("# a" + " " * 30_000 + "b\n\nDe wachtlijsten zijn te lang.\n", encoding="utf-8")
    out = _finishes(f"""
        from mh_nlp.io.readers import read_statements
        print([s.text for s in read_statements({str(note)!r})])""")
    assert "De wachtlijsten zijn te lang." in out
    assert [markdown_heading(x) for x in ("## Problemen", "# Titel ##", "#geen", "   ### Wat gaat goed?  ", "##",
                                          "    # vier spaties", "## A\nB")] == [
        "Problemen", "Titel", None, "Wat gaat goed?", None, None, None]


def test_a_transcript_cue_of_repeated_voice_tags_is_read_at_once(tmp_path):
    vtt = tmp_path / "t.vtt"
    vtt.write_text("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n" + "<v " * 30_000 + "De zorg is te versnipperd.\n\n"
                   "00:00:03.000 --> 00:00:04.000\n<v Jan de Vries>Er is te weinig opvang.</v>\n", encoding="utf-8")
    out = _finishes(f"""
        from mh_nlp.io.readers import read_statements
        for s in read_statements({str(vtt)!r}):
            print(s.extra.get("speaker", ""), "|", s.text[-30:])""")
    assert "Jan de Vries | Er is te weinig opvang." in out and "De zorg is te versnipperd." in out


def test_a_json_line_with_an_overlong_number_is_skipped_and_a_lone_surrogate_replaced(tmp_path):
    lines = tmp_path / "notes.jsonl"
    lines.write_text('{"text": "Het onderwijs moet beter.", "n": 1' + "0" * 5000 + "}\n"
                     '{"text": "De wachtlijsten \\ud800 zijn lang.", "\\udc80": "Jan \\udc80"}\n'
                     '{"text": "Meer opvang voor mannen."}\n', encoding="utf-8")
    warnings: list[str] = []
    got = [(s.text, s.extra) for s in read_statements(lines, warn=warnings.append)]
    assert got == [("De wachtlijsten \ufffd zijn lang.", {"\ufffd": "Jan \ufffd"}), ("Meer opvang voor mannen.", {})]
    assert any("line 1" in w and "number too long" in w for w in warnings)
    assert any("line 2" in w and "lone surrogate" in w for w in warnings)
    "".join(t for t, _ in got).encode("utf-8")  # storable and writable as UTF-8


def test_a_long_run_of_one_mark_is_cut_and_the_offsets_still_point_into_the_text():
    text = "Jan " + "_" * 9000 + " wil betere zorg " + ")" * 5000 + "."
    clean, offsets = normalize_with_map(text)
    assert clean == "Jan " + "_" * MAX_MARK_RUN + " wil betere zorg " + ")" * MAX_MARK_RUN  # the "." is in the run
    assert offsets == sorted(offsets) and all(text[o] == c for c, o in zip(clean, offsets))
    assert normalize("Wat?!!! ---- ok ...... ja") == "Wat?!!! ---- ok ...... ja"  # short runs stay as they are
    assert normalize(clean) == clean
