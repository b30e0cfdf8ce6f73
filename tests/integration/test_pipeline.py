"""The pipeline end to end: save/load round trip, multiprocessing, the command line."""
from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from mh_nlp.cli import main
from mh_nlp.nlp.entities import find_entities, find_entities_batch
from mh_nlp.nlp.pipeline import load_pipeline

TEXT = "De NLA hanteert andere defi-\nnities dan de AVIM’s en het RIEC; zie art. 273f Sr en arbeidsuitbuiting."


def test_to_disk_then_spacy_load_in_a_fresh_process(tmp_path) -> None:
    nlp = load_pipeline("blank")
    nlp.to_disk(tmp_path / "pipe")
    script = textwrap.dedent(f"""
        import json, spacy, mh_nlp
        from mh_nlp.nlp.entities import doc_entities
        nlp = spacy.load({str(tmp_path / 'pipe')!r})
        doc = nlp({TEXT!r})
        print(json.dumps({{"pipes": nlp.pipe_names, "tok": type(nlp.tokenizer).__name__,
                          "text": doc.text, "ents": doc_entities(doc)}}))
    """)
    env_data = {"MH_NLP_DATA": str(tmp_path / "no-data")}  # the saved pipeline must not need data/
    import os

    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
                         env={**os.environ, **env_data})
    assert out.returncode == 0, out.stderr
    res = json.loads(out.stdout.strip().splitlines()[-1])
    assert res["pipes"] == nlp.pipe_names and res["tok"] == "NormalizingTokenizer"
    assert "definities" in res["text"]
    assert res["ents"] == find_entities(TEXT, nlp=nlp)


def test_two_processes_give_the_same_entities() -> None:
    nlp = load_pipeline("blank")
    texts = [TEXT, "Bij Veilig Thuis.", "om die reden", "Het RIEC-convenant en de B8 procedure."] * 5
    one = list(find_entities_batch(texts, batch_size=4, n_process=1, nlp=nlp))
    two = list(find_entities_batch(texts, batch_size=4, n_process=2, nlp=nlp))
    assert one == two and one[0][0]["text"] == "NLA"


def test_cli_info_and_entities() -> None:
    runner = CliRunner()
    res = runner.invoke(main, ["info", "--base", "blank"])
    assert res.exit_code == 0, res.output
    assert "base pipeline: blank" in res.output and "mh_entity_ruler" in res.output and "organisations.jsonl" in res.output
    res = runner.invoke(main, ["entities", "find", "--base", "blank"], input="Gemeld bij CoMensha.")
    assert res.exit_code == 0 and json.loads(res.output.splitlines()[0])["id"] == "comensha"
    res = runner.invoke(main, ["entities", "evaluate", "--base", "blank"])
    assert res.exit_code == 0 and res.output.splitlines()[1].split() == ["label", "P", "R", "F1", "tp", "fp", "fn"]
    res = runner.invoke(main, ["info", "--base", "no_such_model"])
    assert res.exit_code == 1 and "cannot load pipeline" in res.output


def test_entities_find_reads_stdin_as_classify_does():
    """Standard input was read in the console's encoding: a UTF-8 file piped in on a cp1252 console lost its
    entities and its offsets pointed into garbled text."""
    runner = CliRunner()
    text = "Het Coördinatiecentrum tegen Mensenhandel ziet meer."
    for data, warned in ((text.encode("utf-8"), False), (text.encode("utf-16"), False), (text.encode("cp1252"), True)):
        res = runner.invoke(main, ["entities", "find", "--base", "blank"], input=data)
        assert res.exit_code == 0, res.output
        ent = json.loads(res.stdout.splitlines()[0])
        assert ent["id"] == "comensha" and text[ent["start"]:ent["end"]] == "Coördinatiecentrum tegen Mensenhandel"
        assert ("not UTF-8; read as Windows-1252" in res.stderr) == warned
    res = runner.invoke(main, ["entities", "find", "--base", "blank"], input=b"\x00\x01\x02binary")
    assert res.exit_code == 1 and res.stderr == "mh-nlp: error: <stdin>: binary data (a NUL byte), not text\n"
    late = ("Gemeld bij CoMensha.\n" * 1000).encode("utf-8") + b"\x00\x01binary"  # past the first 8 KB (QA 37)
    res = runner.invoke(main, ["entities", "find", "--base", "blank"], input=late)
    assert res.exit_code == 1 and "binary data" in res.stderr and res.stdout == ""
    here = Path(__file__)
    res = runner.invoke(main, ["entities", "find", "--base", "blank", str(here)])
    assert res.exit_code == 1 and res.stderr.startswith(f"mh-nlp: error: {here} is a file, and entities find takes text")


def test_entities_find_reads_a_text_longer_than_spacy_takes_in_pieces():
    """QA 37: 1.3 MB piped into `entities find` ended in spaCy's E088 traceback (max_length 1,000,000)."""
    line = "Gemeld bij CoMensha en de NLA.\n"
    text = line * 36_000  # 1.1 million characters
    res = CliRunner().invoke(main, ["entities", "find", "--base", "blank"], input=text)
    assert res.exit_code == 0, res.output[-300:]
    ents = [json.loads(x) for x in res.output.splitlines()]
    assert len(ents) == 72_000 and all(text[e["start"]:e["end"]] == e["text"] for e in ents)
    assert ents[-1]["end"] == len(text) - 2 and ents[-1]["id"] == "nla"


@pytest.mark.parametrize("record", ['{"text": "NLA", "spans": [[0, 3]]}', "[1]", '{"text": "NLA"}', "{", '"x"',
                                    '{"text": "NLA", "spans": [{"start": "0", "end": 3, "label": "ORG", "text": "NLA"}]}',
                                    '{"text": "NLA", "spans": [{"start": -3, "end": 3, "label": "ORG", "text": "NLA"}]}',
                                    '{"text": "NLA", "spans": [{"start": 3, "end": 0, "label": "ORG", "text": ""}]}',
                                    '{"text": "NLA", "spans": [{"start": 0, "end": 3, "label": "ORG", "text": "NLA"}, '
                                    '{"start": 0, "end": 3, "label": "ORG", "text": "NLA"}]}'])
def test_entities_evaluate_names_the_line_of_a_malformed_gold_record(tmp_path, record):
    """QA 37: a span given as a list ended in a TypeError traceback."""
    gold = tmp_path / "gold.jsonl"
    gold.write_text('{"text": "Bij de NLA.", "spans": [{"start": 7, "end": 10, "label": "ORG", "id": "nla", '
                    '"text": "NLA"}]}\n' + record + "\n", encoding="utf-8")
    res = CliRunner().invoke(main, ["entities", "evaluate", "--base", "blank", "--gold", str(gold)])
    assert res.exit_code == 1 and "Traceback" not in res.output
    assert res.output.startswith("mh-nlp: error: cannot evaluate: ") and f"{gold}:2: " in res.output
    assert len(res.output.strip().splitlines()) == 1


def test_a_name_across_the_cut_between_pieces_is_found_whole():
    """QA 37: on a line longer than a piece, 'Veilig Thuis' with its space at the cut was missed, and 'Koninklijke
    Marechaussee' came out as 'Marechaussee'."""
    from mh_nlp.nlp.entities import PIECE_CHARS, find_entities
    from mh_nlp.nlp.pipeline import load_pipeline

    nlp = load_pipeline(base="blank")
    for name, wanted in (("Veilig Thuis", "veilig-thuis"), ("Koninklijke Marechaussee", "kmar")):
        for shift in range(-len(name), 3):  # the cut anywhere in and around the name
            head = "woord " * ((PIECE_CHARS + shift) // 6)
            text = head + name + " en" + " woord" * 300
            found = [e for e in find_entities(text, nlp=nlp) if e["label"] == "ORG"]
            assert [(e["text"], e["start"]) for e in found] == [(name, len(head))], (name, shift, found)
            assert found[0]["id"] == wanted


def test_entities_gold_with_a_byte_order_mark_is_read_and_an_empty_one_refused(tmp_path):
    gold = tmp_path / "gold.jsonl"
    gold.write_bytes(b"\xef\xbb\xbf" + '{"text": "Bij de NLA.", "spans": [{"start": 7, "end": 10, "label": "ORG", '
                     '"id": "nla", "text": "NLA"}]}\n'.encode("utf-8"))
    res = CliRunner().invoke(main, ["entities", "evaluate", "--base", "blank", "--gold", str(gold)])
    assert res.exit_code == 0 and "gold: 1 sentences, 1 spans" in res.output, res.output
    gold.write_text("\n", encoding="utf-8")
    res = CliRunner().invoke(main, ["entities", "evaluate", "--base", "blank", "--gold", str(gold)])
    assert res.exit_code == 1 and "no gold sentences" in res.output
    gold.write_bytes(b"\xff\xfe\x00garbage")
    res = CliRunner().invoke(main, ["entities", "evaluate", "--base", "blank", "--gold", str(gold)])
    assert res.exit_code == 1 and f"{gold}: not UTF-8" in res.output


def test_entities_evaluate_says_a_missing_gold_file_as_other_commands_do(tmp_path):
    """QA 46a #6: a missing --gold file gave Python's "[Errno 2] No such file or directory: '…'"."""
    for path, says in ((tmp_path / "nonexist.jsonl", "nonexist.jsonl: no such file"),
                       (tmp_path, "is a folder; give the gold file (.jsonl)")):
        res = CliRunner().invoke(main, ["entities", "evaluate", "--base", "blank", "--gold", str(path)])
        assert res.exit_code == 1 and says in res.output and "Errno" not in res.output, res.output
        assert len(res.output.strip().splitlines()) == 1
