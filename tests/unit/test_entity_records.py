"""The entity data files (``data/entities/*.jsonl``) are checked record by record as
``docs/corpus-and-pipeline.md`` documents them (QA 49a D5, D9): each bad record is one line naming ``file:line``, a
duplicate id or an alias of two entities names both lines. Each test edits a copy in a temporary folder."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from mh_nlp.cli import main
from mh_nlp.exceptions import CorpusError
from mh_nlp.nlp.pipeline import ENTITY_FILES, ENTITY_LABELS, ENTITY_SOURCES, entity_records, load_entity_patterns
from mh_nlp.paths import data_dir

LEU = {"id": "leu", "label": "ORG", "name": "Landelijk Expertisecentrum Uitbuiting", "source": "domain",
       "aliases": [{"text": "LEU", "case": "exact"}, {"text": "Landelijk Expertisecentrum Uitbuiting",
                                                      "case": "insensitive"}]}
NEW = {"id": "nieuw", "label": "ORG", "name": "Stichting Nieuw", "source": "domain",
       "aliases": [{"text": "Stichting Nieuw", "case": "insensitive"}]}


def _entities(tmp_path: Path, *extra: dict | str, file: str = "organisations.jsonl") -> Path:
    """A copy of data/entities with ``extra`` records appended to ``file``: the first at line ``N + 1``."""
    folder = tmp_path / "entities"
    shutil.copytree(data_dir() / "entities", folder)
    with open(folder / file, "a", encoding="utf-8") as fh:
        for rec in extra:
            fh.write((rec if isinstance(rec, str) else json.dumps(rec, ensure_ascii=False)) + "\n")
    return folder


def _lines(name: str) -> int:
    return len((data_dir() / "entities" / name).read_text(encoding="utf-8").splitlines())



def test_the_real_files_pass_unchanged_and_the_docs_list_the_labels_and_sources():
    records = entity_records()
    assert len(records) == sum(_lines(n) for n in ENTITY_FILES) == 458
    assert {r["label"] for _, _, r in records} == set(ENTITY_LABELS)
    assert {r["source"] for _, _, r in records} == set(ENTITY_SOURCES)
    docs = (Path(__file__).resolve().parents[2] / "docs" / "corpus-and-pipeline.md").read_text(encoding="utf-8")
    assert all(f"`{x}`" in docs for x in ENTITY_LABELS + ENTITY_SOURCES)


def test_a_valid_new_record_is_read(tmp_path):
    folder = _entities(tmp_path, LEU)
    assert {"label": "ORG", "id": "leu#exact", "pattern": "LEU"} in load_entity_patterns(folder)


@pytest.mark.parametrize("record, expected", [
    ({**NEW, "id": ""}, 'no "id"'),
    ({k: v for k, v in NEW.items() if k != "id"}, 'no "id"'),
    ({**NEW, "id": "nieuw#2"}, "id 'nieuw#2' must be one word without spaces or '#'"),
    ({**NEW, "label": "org"}, "label 'org' is not one of ORG, UITBUITING, WET"),
    ({**NEW, "label": "ORGANISATIE"}, "label 'ORGANISATIE' is not one of ORG, UITBUITING, WET"),
    ({k: v for k, v in NEW.items() if k != "name"}, 'no "name"'),
    ({**NEW, "name": " "}, 'no "name"'),
    ({k: v for k, v in NEW.items() if k != "source"}, "source is not one of anthology, appendix, domain, web"),
    ({**NEW, "source": "internet"}, "source 'internet' is not one of anthology, appendix, domain, web"),
    ({**NEW, "source": "web"}, 'a "web" record needs "seen_at"'),
    ({**NEW, "source": "web", "seen_at": "op een website"}, 'a "web" record needs "seen_at"'),
    ({**NEW, "aliases": []}, '"aliases" must be a non-empty list'),
    ({**NEW, "aliases": ["Stichting Nieuw"]}, "alias 'Stichting Nieuw' must be an object"),
    ({**NEW, "aliases": [{"text": "Stichting Nieuw"}]}, "alias 'Stichting Nieuw' has no \"case\""),
    ({**NEW, "aliases": [{"text": "Stichting Nieuw", "case": "Exact"}]}, "case 'Exact' is not exact or insensitive"),
    ({**NEW, "aliases": [{"text": " ", "case": "exact"}]}, 'an alias needs a "text" that is not empty'),
    ({**NEW, "aliases": [{"text": "Nieuw", "case": "exact", "alone": "ja"}]}, 'alias \'Nieuw\' has "alone": "ja": write true'),
    # D9: was "Invalid token patterns for matcher rule '('ORG', 'nieuw#pattern')'", no file or line
    ({**NEW, "aliases": [{"pattern": [{"FOO": "x"}]}]}, 'alias pattern [{"FOO": "x"}] is not a spaCy token pattern'),
    ({**NEW, "aliases": [{"pattern": "stichting"}]}, 'an alias\'s "pattern" must be a list of token patterns'),
    ("[1, 2]", "not an entity record (a JSON object with aliases): TypeError"),
    ("{broken", "not an entity record (a JSON object with aliases): JSONDecodeError"),
])
def test_a_bad_record_is_one_line_naming_file_and_line(tmp_path, record, expected):
    folder = _entities(tmp_path, record)
    with pytest.raises(CorpusError) as err:
        entity_records(folder)
    message = str(err.value)
    assert message.startswith(f"{folder / 'organisations.jsonl'}:{_lines('organisations.jsonl') + 1}: ")
    assert expected in message and "\n" not in message, message


def test_a_duplicate_id_names_both_lines(tmp_path):
    n = _lines("organisations.jsonl")
    folder = _entities(tmp_path, LEU, {**NEW, "id": "leu", "aliases": [{"text": "XYZ", "case": "exact"}]})
    with pytest.raises(CorpusError, match=rf"organisations.jsonl:{n + 2}: id 'leu' is already the id of the record "
                                          rf"at line {n + 1}: two records with one id are merged"):
        entity_records(folder)


def test_an_id_of_another_file_is_named_with_its_file(tmp_path):
    folder = _entities(tmp_path, {**NEW, "id": "avg", "label": "WET"}, file="legal.jsonl")
    with pytest.raises(CorpusError, match=rf"legal.jsonl:{_lines('legal.jsonl') + 1}: id 'avg' is already the id"):
        entity_records(folder)
    folder = _entities(tmp_path / "2", {**NEW, "id": "nla"}, file="legal.jsonl")
    with pytest.raises(CorpusError, match=rf"at {folder / 'organisations.jsonl'}:1: "):
        entity_records(folder)


@pytest.mark.parametrize("alias", [{"text": "NLA", "case": "exact"}, {"text": "nla", "case": "insensitive"},
                                   {"text": "Arbeidsinspectie", "case": "exact"},
                                   {"text": "ARBEIDSINSPECTIE", "case": "insensitive"}])
def test_an_alias_of_another_entity_names_both_lines(tmp_path, alias):
    """QA 49a D5: an alias already used by another organisation was dropped without a word."""
    folder = _entities(tmp_path, {**NEW, "aliases": [{"text": "Stichting Nieuw", "case": "insensitive"}, alias]})
    with pytest.raises(CorpusError) as err:
        entity_records(folder)
    assert f"organisations.jsonl:{_lines('organisations.jsonl') + 1}: alias {alias['text']!r}" in str(err.value)
    assert "is already an alias of 'nla' at line 1" in str(err.value)


def test_exact_aliases_that_differ_in_case_name_two_entities(tmp_path):
    """Under the case rules "Fier" (exact) and "FIER" (exact) never match the same text: no clash."""
    fier = [r for _, _, r in entity_records() if r["id"] == "fier"]
    assert fier and {"text": "Fier", "case": "exact"} in fier[0]["aliases"]
    folder = _entities(tmp_path, {**NEW, "aliases": [{"text": "FIER", "case": "exact"}]})
    assert len(entity_records(folder)) == len(entity_records()) + 1


def test_the_same_alias_twice_in_one_record_is_no_clash():
    """The real file has "AVIM's" twice in one record: harmless, and kept."""
    avim = [r for _, _, r in entity_records() if r["id"] == "avim"][0]
    assert [a["text"] for a in avim["aliases"]].count("AVIM's") == 2


def test_a_valid_token_pattern_is_read(tmp_path):
    folder = _entities(tmp_path, {**NEW, "aliases": [{"pattern": [{"LOWER": "stichting"}, {"LOWER": "nieuw"}]}]})
    assert {"label": "ORG", "id": "nieuw#pattern", "pattern": [{"LOWER": "stichting"}, {"LOWER": "nieuw"}]} in \
        load_entity_patterns(folder)


def _data_with(tmp_path: Path, monkeypatch, *extra: dict) -> Path:
    data = tmp_path / "data"
    shutil.copytree(data_dir(), data)
    with open(data / "entities" / "organisations.jsonl", "a", encoding="utf-8") as fh:
        for rec in extra:
            fh.write(json.dumps(rec) + "\n")
    monkeypatch.setenv("MH_NLP_DATA", str(data))
    return data


def test_entities_find_refuses_a_bad_record_in_one_line(tmp_path, monkeypatch):
    from mh_nlp.nlp import pipeline

    monkeypatch.setattr(pipeline, "_DEFAULT", {})  # a pipeline built from the copy, not a cached one
    data = _data_with(tmp_path, monkeypatch, {**NEW, "label": "org"})
    res = CliRunner().invoke(main, ["entities", "find", "Stichting Nieuw en de NLA"])
    assert res.exit_code == 1 and isinstance(res.exception, SystemExit), (res.output, res.exception)
    lines = res.output.strip().splitlines()
    assert len(lines) == 1 and f"{data / 'entities' / 'organisations.jsonl'}:" in lines[0] and "label 'org'" in lines[0]


def test_corpus_check_checks_the_entity_files(tmp_path, monkeypatch):
    res = CliRunner().invoke(main, ["corpus", "check", "--no-written", "--page", "11"])
    assert res.exit_code == 0 and "entities: 458 records, 736 aliases in" in res.output, res.output
    assert "entities" in res.output.split("entities: ")[1].split("; ok")[0]
    data = _data_with(tmp_path, monkeypatch, {**NEW, "id": "nla"})
    res = CliRunner().invoke(main, ["corpus", "check", "--no-written", "--page", "11"])
    assert res.exit_code == 1 and isinstance(res.exception, SystemExit), (res.output, res.exception)
    assert f"entities: {data / 'entities' / 'organisations.jsonl'}:" in res.output
    assert "id 'nla' is already the id of the record at line 1" in res.output and "; FAILED" in res.output
    assert "page 11: coverage 100.0% ok" in res.output  # the checks that do not read the entities still run
