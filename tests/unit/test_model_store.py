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
    with pytest.raises(ModelError, match="no trained model"):
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
