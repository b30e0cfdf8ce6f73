"""Model files: arrays and JSON only, checked against their metadata; pickles are never loaded."""
from __future__ import annotations

import json
import pickle

import numpy as np
import pytest

from mh_nlp.themes.store import ModelError, load_arrays, metadata_path, save_model, sha256_file


@pytest.fixture
def saved(tmp_path):
    path = tmp_path / "m.npz"
    save_model({"w": np.arange(5.0), "names": np.array(["a", "b"])}, {"params": {"x": 1}}, path, {"candidate": "t"})
    return path


def test_round_trip(saved):
    arrays, state, meta = load_arrays(saved)
    assert np.array_equal(arrays["w"], np.arange(5.0)) and arrays["names"].tolist() == ["a", "b"]
    assert state == {"params": {"x": 1}} and meta["candidate"] == "t" and meta["model_sha256"] == sha256_file(saved)


def test_tampered_or_truncated_file_is_refused(saved):
    saved.write_bytes(saved.read_bytes()[:-10])
    with pytest.raises(ModelError, match="SHA-256"):
        load_arrays(saved)


def test_other_mh_nlp_version_is_refused(saved):
    meta = json.loads(metadata_path(saved).read_text())
    meta["versions"]["mh_nlp"] = "0.0.1"
    metadata_path(saved).write_text(json.dumps(meta))
    with pytest.raises(ModelError, match="mh-nlp 0.0.1"):
        load_arrays(saved)


def test_missing_metadata_or_model(saved, tmp_path):
    with pytest.raises(ModelError, match="none.npz: no such model file"):  # a path given: a typo, most likely
        load_arrays(tmp_path / "none.npz")
    metadata_path(saved).unlink()
    with pytest.raises(ModelError, match="metadata file missing"):
        load_arrays(saved)


def match_metadata(path):
    """What an attacker who hands over a model also does: record the new file's SHA-256 in its metadata."""
    meta = json.loads(metadata_path(path).read_text())
    meta["model_sha256"] = sha256_file(path)
    metadata_path(path).write_text(json.dumps(meta))


class _Evil:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):  # unpickling this object creates the marker file
        return (open, (self.marker, "w"))


def test_a_malicious_pickle_in_place_of_the_model_never_runs(saved, tmp_path):
    marker = tmp_path / "pwned"
    payload = pickle.dumps(_Evil(str(marker)))
    pickle.loads(payload).close()  # proof that the payload works when unpickled...
    assert marker.exists()
    marker.unlink()
    saved.write_bytes(payload)  # ...and an attacker who also rewrites the metadata to match
    match_metadata(saved)
    with pytest.raises(ModelError, match="not a .npz model file"):
        load_arrays(saved)
    assert not marker.exists()


def test_a_pickle_inside_an_npz_is_refused(saved, tmp_path):
    marker = tmp_path / "pwned"
    np.savez(saved, evil=np.array([_Evil(str(marker))], dtype=object), __state_json__=np.array("{}"))
    match_metadata(saved)
    with pytest.raises(ModelError, match="cannot be loaded safely"):
        load_arrays(saved)
    assert not marker.exists()


def test_old_joblib_models_are_refused_with_advice(tmp_path):
    old = tmp_path / "theme-model.joblib"
    old.write_bytes(b"\x80\x04junk")
    with pytest.raises(ModelError, match="mh-nlp train"):
        load_arrays(old)


def test_object_arrays_are_never_written(tmp_path):
    with pytest.raises(ModelError, match="Python objects"):
        save_model({"x": np.array([{}], dtype=object)}, {}, tmp_path / "m.npz", {})


def test_metadata_holding_a_file_name_that_is_not_utf8_is_stored_and_read_back(tmp_path):
    """A corrections file named in no known encoding (Python keeps such bytes as lone surrogates) used to fail after
    the model file was written, leaving it beside the old metadata."""
    import os

    path = tmp_path / "m.npz"
    name = os.fsdecode(b"/tmp/ronde\xe9.csv")
    meta = save_model({"w": np.arange(3.0)}, {}, path, {"candidate": "t", "corrections_file": name})
    assert load_arrays(path)[2]["corrections_file"] == name == meta["corrections_file"]
    assert "\\udce9" in metadata_path(path).read_text(encoding="utf-8")  # an escape in plain UTF-8 JSON


def test_metadata_json_cannot_hold_fails_before_anything_is_written(tmp_path):
    path = tmp_path / "m.npz"
    with pytest.raises(TypeError):
        save_model({"w": np.arange(3.0)}, {}, path, {"candidate": "t", "when": object()})
    assert not path.exists() and not metadata_path(path).exists()


def test_an_array_that_would_unpack_to_gigabytes_is_refused_before_it_is_read(saved):
    """QA 37: a 1 KB model whose array header declared 50 GiB ended `classify` in a MemoryError traceback."""
    import io
    import zipfile

    with zipfile.ZipFile(saved, "w", zipfile.ZIP_DEFLATED) as z:
        with z.open("big.npy", "w", force_zip64=True) as f:
            hdr = io.BytesIO()
            np.lib.format.write_array_header_1_0(hdr, {"descr": "<f8", "fortran_order": False,
                                                       "shape": (50 * 2 ** 30 // 8,)})
            f.write(hdr.getvalue() + b"\0" * 1024)
        z.writestr("__state_json__.npy", b"")
    match_metadata(saved)
    assert saved.stat().st_size < 10_000
    with pytest.raises(ModelError, match="cannot be loaded safely .*would take more than"):
        load_arrays(saved)


@pytest.mark.parametrize("state", ["[1, 2, 3]", "[" * 100_000 + "]" * 100_000, '"text"'])
def test_a_state_that_is_no_json_object_is_refused(saved, state):
    np.savez(saved, __state_json__=np.array(state))
    match_metadata(saved)
    with pytest.raises(ModelError, match="cannot be loaded safely"):
        load_arrays(saved)


def test_model_files_are_made_as_the_umask_says(tmp_path):
    """They were always 0600 (mkstemp), so a model trained for a team could not be read by the team."""
    import os

    old = os.umask(0o022)
    try:
        path = tmp_path / "m.npz"
        save_model({"w": np.arange(3.0)}, {}, path, {})
    finally:
        os.umask(old)
    assert path.stat().st_mode & 0o777 == 0o644 and metadata_path(path).stat().st_mode & 0o777 == 0o644


def test_info_reads_the_model_file_itself_not_only_its_metadata(saved, tmp_path):
    """QA 37: `mh-nlp info` described a .npz holding a pickle, with metadata to match, as a normal model."""
    from click.testing import CliRunner

    from mh_nlp.cli import main

    marker = tmp_path / "pwned"
    np.savez(saved, evil=np.array([_Evil(str(marker))], dtype=object), __state_json__=np.array("{}"))
    match_metadata(saved)
    res = CliRunner().invoke(main, ["info", "--base", "blank", "--model", str(saved)])
    assert res.exit_code == 1 and "cannot be loaded safely" in res.output and "Traceback" not in res.output
    assert not marker.exists()


def test_a_fast_model_without_its_static_vectors_says_they_are_missing(tmp_path, monkeypatch):
    """QA 37: the error said the vectors were *other* ones and advised plain `mh-nlp train` (the default model)."""
    from mh_nlp.themes.classifier import load_classifier

    monkeypatch.setenv("MH_NLP_MODELS", str(tmp_path))
    path = tmp_path / "fast.npz"
    save_model({"w": np.arange(3.0)}, {}, path, {"encoder": "static", "encoder_sha256": "0" * 64})
    with pytest.raises(ModelError, match="static-nl.npz, which are missing; `mh-nlp train --fast` builds them"):
        load_classifier(path)
    (tmp_path / "static-nl.npz").write_bytes(b"other vectors")
    with pytest.raises(ModelError, match="trained with other static word vectors .* `mh-nlp train --fast`"):
        load_classifier(path)


def test_an_interrupted_save_leaves_the_previous_model_and_metadata(saved, monkeypatch):
    """QA 37: Ctrl-C after the new .npz was in place but before its .json left a model that failed its checksum."""
    import mh_nlp.themes.store as store

    def interrupted(path):
        raise KeyboardInterrupt

    monkeypatch.setattr(store, "sha256_file", interrupted)  # while the new model's checksum is computed
    with pytest.raises(KeyboardInterrupt):
        save_model({"w": np.arange(9.0)}, {"params": {"x": 2}}, saved, {"candidate": "t"})
    monkeypatch.undo()
    arrays, state, _ = load_arrays(saved)
    assert arrays["w"].tolist() == [0.0, 1.0, 2.0, 3.0, 4.0] and state == {"params": {"x": 1}}
    assert sorted(p.name for p in saved.parent.iterdir()) == ["m.json", "m.npz"]  # nothing staged left behind


@pytest.mark.parametrize("damage", ["versions list", "versions null", "deep", "folder"])
def test_damaged_metadata_is_one_error_naming_the_file(saved, damage):
    """QA 37: these ended `classify` or `info` in AttributeError, RecursionError or IsADirectoryError tracebacks."""
    mpath = metadata_path(saved)
    meta = json.loads(mpath.read_text())
    if damage == "deep":
        mpath.write_text("[" * 100_000 + "]" * 100_000)
    elif damage == "folder":
        mpath.unlink()
        mpath.mkdir()
    else:
        meta["versions"] = [1] if damage == "versions list" else None
        mpath.write_text(json.dumps(meta))
    with pytest.raises(ModelError, match=f"{mpath.name}: unreadable metadata"):
        load_arrays(saved)


def test_a_zip_method_numpy_cannot_read_is_one_line(saved):
    data = bytearray(saved.read_bytes())
    i = data.find(b"PK\x03\x04")
    data[i + 8:i + 10] = (99).to_bytes(2, "little")  # the first member's compression method: 99 (AES)
    j = data.find(b"PK\x01\x02")
    data[j + 10:j + 12] = (99).to_bytes(2, "little")
    saved.write_bytes(bytes(data))
    match_metadata(saved)
    with pytest.raises(ModelError, match="cannot be loaded safely") as err:
        load_arrays(saved)
    assert "\n" not in str(err.value)


def test_naming_the_metadata_instead_of_the_model_file_says_so(tmp_path):
    """QA 38 re-test 2: --model theme-model.json was called damaged (a SHA-256 mismatch)."""
    from mh_nlp.themes.store import ModelError, check_model

    (tmp_path / "m.npz").write_bytes(b"x")
    (tmp_path / "m.json").write_text("{}", encoding="utf-8")
    with pytest.raises(ModelError, match="m.json: the model's metadata; name the model file itself, m.npz"):
        check_model(tmp_path / "m.json")


def test_the_advice_for_a_damaged_model_elsewhere_rebuilds_that_model(tmp_path):
    """QA 43b: a damaged model at a path of the user's own said "run `mh-nlp train`", which builds the default."""
    import shutil

    from mh_nlp.themes.store import check_model, default_model_path, retrain_command

    assert retrain_command(default_model_path()) == "`mh-nlp train`"
    mine = tmp_path / "mine.npz"
    assert retrain_command(mine) == f"`mh-nlp train --model {mine} --force`"
    corr = tmp_path / "c.csv"
    corr.write_text("text,section\n", encoding="utf-8")
    assert retrain_command(mine, {"corrections": 3, "corrections_file": str(corr)}) == (
        f"`mh-nlp train --add {corr} --model {mine} --force`")
    # QA 47a D6: a model received from someone else names a corrections file of their machine
    gone = retrain_command(mine, {"corrections": 3, "corrections_file": "/elsewhere/c.csv"})
    assert gone.startswith(f"`mh-nlp train --add CORRECTIONS --model {mine} --force`") and "not found here" in gone
    if not default_model_path().exists():
        return
    shutil.copy(default_model_path(), mine)
    with pytest.raises(ModelError, match=f"metadata file missing.*--model {mine} --force"):
        check_model(mine)


def test_a_file_that_is_no_model_draws_no_advice_to_write_over_it(tmp_path):
    """QA 45a E10: `--model garbage.npz` (no .json beside it) advised `mh-nlp train --model garbage.npz --force`,
    which would replace the user's file; a model that only lost its metadata still gets that advice (above)."""
    from mh_nlp.themes.store import check_model

    garbage = tmp_path / "garbage.npz"
    garbage.write_bytes(b"not a model at all" * 10)
    with pytest.raises(ModelError, match="holds no mh-nlp model") as err:
        check_model(garbage)
    assert "--force" not in str(err.value)


def test_the_sections_a_model_lacks_or_has_too_many_are_named_a_few_at_a_time():
    """QA 49a D8: which sections differ between a model and the taxonomy, in words."""
    from mh_nlp.themes.store import sections_changed

    assert sections_changed(["1.1", "2.16"], ["1.1", "2.16"]) is None
    assert sections_changed(["1.1", "2.16"], ["1.1", "2.28"]) == "2.28 added; 2.16 gone"
    assert sections_changed(["1.1"], ["1.1", *[f"5.{i}" for i in range(1, 7)]]) == "5.1, 5.2, 5.3, 5.4 and 2 more added"
    assert sections_changed(["1.2", "1.1"], ["1.1", "1.2"]) == "the same sections in another order"


def test_the_data_files_changed_since_a_model_was_trained_are_named(tmp_path, monkeypatch):
    """QA 49a D4: the data files whose SHA-256 differs from the one a model's metadata recorded, gone ones too."""
    import shutil

    from mh_nlp.paths import data_dir
    from mh_nlp.themes.store import data_changed, data_sha256

    data = tmp_path / "data"
    (data / "synthetic").mkdir(parents=True)
    for name in ("quotes.jsonl", "sections.json", "stance_cues.json", "synthetic/statements.jsonl"):
        shutil.copyfile(data_dir() / name, data / name)
    monkeypatch.setenv("MH_NLP_DATA", str(data))
    meta = {"training_data_sha256": data_sha256()}
    assert data_changed(meta) == [] and data_changed({}) == []  # no record: nothing to compare
    (data / "sections.json").write_text((data / "sections.json").read_text() + " ", encoding="utf-8")
    (data / "synthetic" / "statements.jsonl").unlink()
    assert data_changed(meta) == ["sections.json", "synthetic/statements.jsonl"]


def test_a_data_file_saved_again_with_the_same_records_is_the_same_data(tmp_path, monkeypatch):
    """QA 49c N2: re-indenting sections.json or re-writing a .jsonl file's records with other spacing and key order
    made every command say "trained on other data" (and ``train --if-needed`` retrain) although the model would be
    the same; what a file says is compared now. Records in another order, a changed value and a damaged file still
    count as changed, and a model that recorded only the files' bytes is still compared by them."""
    import json
    import shutil

    from mh_nlp.paths import data_dir
    from mh_nlp.themes.store import content_sha256, data_changed, data_sha256

    data = tmp_path / "data"
    (data / "synthetic").mkdir(parents=True)
    for name in ("quotes.jsonl", "sections.json", "stance_cues.json", "synthetic/statements.jsonl"):
        shutil.copyfile(data_dir() / name, data / name)
    monkeypatch.setenv("MH_NLP_DATA", str(data))
    meta = {"training_data_sha256": data_sha256(), "training_data_content_sha256": data_sha256(content=True)}
    bytes_only = {"training_data_sha256": meta["training_data_sha256"]}
    sections = data / "sections.json"
    sections.write_text(json.dumps(json.loads(sections.read_text(encoding="utf-8")), indent=4, ensure_ascii=True)
                        + "\n\n", encoding="utf-8")
    statements = data / "synthetic" / "statements.jsonl"
    rows = [json.loads(line) for line in statements.read_text(encoding="utf-8").splitlines() if line.strip()]
    statements.write_text("\n".join(json.dumps(dict(reversed(list(r.items())))) for r in rows) + "\n\n",
                          encoding="utf-8")
    assert data_changed(meta) == []  # the same records: the same data
    assert data_changed(bytes_only) == ["sections.json", "synthetic/statements.jsonl"]  # an older model: the bytes
    statements.write_text("\n".join(json.dumps(r) for r in reversed(rows)) + "\n", encoding="utf-8")
    assert data_changed(meta) == ["synthetic/statements.jsonl"]  # another order trains other numbers
    statements.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    assert data_changed(meta) == []
    rows[0]["text"] += " Ook online."
    statements.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    assert data_changed(meta) == ["synthetic/statements.jsonl"]
    cues = data / "stance_cues.json"
    plain = cues.read_text(encoding="utf-8")
    cues.write_text("\ufeff" + plain, encoding="utf-8")  # Notepad's byte-order mark: the loaders refuse it (QA 50a N1)
    assert content_sha256(cues).startswith("raw:") and "stance_cues.json" in data_changed(meta)
    cues.write_text(plain + "{broken", encoding="utf-8")
    assert content_sha256(cues).startswith("raw:")  # a damaged file is never "the same"
    assert data_changed(meta) == ["stance_cues.json", "synthetic/statements.jsonl"]


def test_a_model_that_records_only_the_content_checksums_is_compared_by_them(tmp_path, monkeypatch):
    """QA 50a N6: ``train --if-needed`` said a model "records no checksums of its training data" when its metadata
    held the content checksums alone, while ``info`` called it current."""
    import json

    from mh_nlp.themes import train
    from mh_nlp.themes.store import data_sha256

    meta = {"training_data_content_sha256": data_sha256(content=True)}
    monkeypatch.setattr(train, "check_model", lambda path: meta)
    why = train.out_of_date(tmp_path / "m.npz")
    assert not any("records no checksums" in w for w in why) and not any("data changed" in w for w in why), why
    meta["training_data_content_sha256"] = {**meta["training_data_content_sha256"], "sections.json": "0" * 64}
    assert any(w.startswith("the data changed since it was trained: ") and "sections.json" in w
               for w in train.out_of_date(tmp_path / "m.npz")), json.dumps(meta)[:200]
