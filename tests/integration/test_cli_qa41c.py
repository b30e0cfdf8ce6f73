"""The command line as a demanding analyst uses it (QA 41c): bad data files are one line, a cache that cannot be
written is done without, partial reports say what they are, edited metadata does not fool `info`, two trainings to
one new model do not overwrite each other."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from mh_nlp.paths import data_dir
from mh_nlp.themes.store import ModelError, default_model_path, load_arrays, save_model

ROOT = Path(__file__).resolve().parents[2]


def mh(*args: str, env: dict | None = None, stdin: bytes | None = None, timeout: float = 600,
       prefix: tuple[str, ...] = ()) -> subprocess.CompletedProcess:
    return subprocess.run([*prefix, sys.executable, "-c", "from mh_nlp.cli import main; main(prog_name='mh-nlp')", *args],
                          cwd=ROOT, env={**os.environ, **(env or {})}, input=stdin, capture_output=True,
                          timeout=timeout)


def test_a_bad_row_of_the_written_statements_stops_train_in_one_line(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(data_dir(), data)
    with open(data / "synthetic" / "statements.jsonl", "a", encoding="utf-8") as fh:
        fh.write(json.dumps({"id": "w-qa-001", "section": "9.9", "text": "Een nieuwe geschreven uitspraak over opvang.",
                             "written_from": "taxonomy", "batch": "qa"}) + "\n")
    res = mh("train", "--model", str(tmp_path / "m.npz"), env={"MH_NLP_DATA": str(data)})
    err = res.stderr.decode()
    assert res.returncode == 1 and "Traceback" not in err and "unknown section '9.9'" in err
    assert len(err.strip().splitlines()) == 1 and not (tmp_path / "m.npz").exists()


SETPRIV = shutil.which("setpriv")


@pytest.mark.skipif(SETPRIV is None, reason="setpriv (util-linux) is needed to read as a user without DAC override")
def test_a_cache_that_cannot_be_written_is_read_or_done_without_never_called_damaged(tmp_path):
    drop = (SETPRIV, "--bounding-set", "-dac_override,-dac_read_search")
    folder, shared = tmp_path / "ro", tmp_path / "shared"
    folder.mkdir()
    shared.mkdir()
    first = mh("classify", "Er is te weinig opvang voor mannen.", env={"MH_NLP_CACHE": str(shared)})
    assert first.returncode == 0
    (shared / "embeddings-e5.sqlite").chmod(0o444)
    for path in (folder, shared):
        path.chmod(0o555)
    try:
        for cache, said in ((folder, "no embedding cache"), (shared, "is read-only: used for reading")):
            res = mh("classify", "Er is te weinig opvang voor mannen.", env={"MH_NLP_CACHE": str(cache)}, prefix=drop)
            err = res.stderr.decode()
            assert res.returncode == 0 and "Traceback" not in err and said in err and "damaged" not in err
            assert "section 2.16" in res.stdout.decode()
        assert (shared / "embeddings-e5.sqlite").exists() and not list(shared.glob("*.corrupt"))  # nothing moved aside
    finally:
        for path in (folder, shared):
            path.chmod(0o755)


def test_a_partial_evaluation_says_how_it_was_run_cites_only_its_own_plots_and_leaves_no_stale_ones(tmp_path):
    out = tmp_path / "rep"
    out.mkdir()
    for proto in ("new_pages", "external"):  # a replaced report's plots
        (out / f"reliability_{proto}.png").write_bytes(b"old")
    (out / "reliability_mine.png").write_bytes(b"a user's own")  # not a name of the report: kept
    (out / "evaluation.json").write_text(json.dumps({"protocols": {}}), encoding="utf-8")
    res = mh("evaluate", "--candidate", "majority", "--no-corrections", "--folds", "24", "--out", str(out), "--force",
             "--quiet")
    assert res.returncode == 0, res.stderr.decode()[-2000:]  # 20-24 folds: the made-up notes of some folds left out
    md = (out / "evaluation.md").read_text(encoding="utf-8")
    # QA 55 #11: with the folder it was written to (the default reports/ may hold another report)
    assert f"Reproduce with `mh-nlp evaluate --folds 24 --candidate majority --no-corrections --out {out}`" in md
    assert "Reliability plot" not in md and [p.name for p in out.glob("reliability_*.png")] == ["reliability_mine.png"]


def test_a_non_utf8_argument_is_read_as_windows_1252_and_the_json_stays_utf8():
    res = subprocess.run([sys.executable, "-c", "from mh_nlp.cli import main; main(prog_name='mh-nlp')", "classify",
                          "--json", os.fsdecode(b"Er is te weinig opvang voor co\xf6rdinatoren.")], cwd=ROOT,
                         capture_output=True)
    assert res.returncode == 0 and "not UTF-8; its other bytes read as Windows-1252" in res.stderr.decode()
    assert json.loads(res.stdout.decode("utf-8"))["text"] == "Er is te weinig opvang voor coördinatoren."
    mixed = subprocess.run([sys.executable, "-c", "from mh_nlp.cli import main; main(prog_name='mh-nlp')", "classify",
                            "--json", os.fsdecode("Coördinatie co".encode() + b"\xf6rdinatoren")], cwd=ROOT,
                           capture_output=True)
    assert json.loads(mixed.stdout.decode("utf-8"))["text"] == "Coördinatie coördinatoren"  # the UTF-8 part kept


def test_info_shows_what_the_model_holds_and_warns_about_edited_metadata(tmp_path):
    model = tmp_path / "m.npz"
    shutil.copyfile(default_model_path(), model)
    meta = json.loads(default_model_path().with_suffix(".json").read_text(encoding="utf-8"))
    meta.update(model_file="m.npz", corrections=99, corrections_sections=["9.9"], sequence_stay=1.5,
                candidate="examples_static")
    model.with_suffix(".json").write_text(json.dumps(meta), encoding="utf-8")
    res = mh("info", "--model", str(model))
    out, err = res.stdout.decode(), res.stderr.decode()
    assert res.returncode == 0 and "corrections: 0" in out and "probability 0.959" in out
    assert "says corrections 99, the model file itself 0" in err and "says sequence_stay 1.5" in err
    assert "(examples_e5, trained" in out and "says candidate 'examples_static', the model file itself" in err


def test_a_model_that_appears_meanwhile_at_a_new_path_is_not_replaced(tmp_path):
    arrays, state, meta = load_arrays(default_model_path())
    path = tmp_path / "mine.npz"
    path.write_bytes(b"another run's model")  # saved there by another run while this one trained
    keep = {k: v for k, v in meta.items() if k not in ("model_file", "model_sha256", "format")}
    with pytest.raises(ModelError, match="appeared while this model was trained"):
        save_model(dict(arrays), dict(state), path, keep, new_only=True)
    assert path.read_bytes() == b"another run's model" and not list(tmp_path.glob(".*"))


def test_smaller_messages_say_what_is_the_matter(tmp_path):
    res = mh("classify", stdin=b"## Problemen\n")
    assert res.returncode == 1 and "only headings or captions" in res.stderr.decode()
    res = mh("entities", "find", "")
    assert res.returncode == 1 and "no text given" in res.stderr.decode()
    res = mh("train", "--add", "/dev/null", "--model", str(tmp_path / "x.npz"))
    assert res.returncode == 1 and "not a regular file" in res.stderr.decode()
    corrections = tmp_path / "c.jsonl"
    corrections.write_text('{"text": ["a", "b"], "section": "4.7"}\n', encoding="utf-8")
    res = mh("train", "--add", str(corrections), "--model", str(tmp_path / "x.npz"))
    assert res.returncode == 1 and "the text is a JSON list, not a string" in res.stderr.decode()
    found = mh("entities", "find", "Gebeld met comensha over de aanpak malafide uitzendbureaus.")
    assert [json.loads(x)["id"] for x in found.stdout.decode().splitlines()] == ["comensha"]


def test_a_cache_variable_that_names_a_file_is_said_once_and_plainly(tmp_path):
    """QA 42a: $MH_NLP_CACHE pointing at a file gave "no embedding cache (FileExistsError: [Errno 17] ...)" three
    times; it names the folder the cache is kept in."""
    f = tmp_path / "cache.sqlite"
    f.write_bytes(b"")
    res = mh("classify", "--json", "Er is te weinig opvang voor mannen.", env={"MH_NLP_CACHE": str(f)})
    err = res.stderr.decode()
    assert res.returncode == 0 and json.loads(res.stdout)["section"]
    assert err.count("warning: no embedding cache") == 1 and "is a file, not a folder ($MH_NLP_CACHE names" in err
    assert "Error" not in err
