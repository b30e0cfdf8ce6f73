"""Models are loaded only when their SHA-256 and library versions match the metadata beside them."""
from __future__ import annotations

import json

import pytest
from sklearn.linear_model import LogisticRegression

from mh_nlp.model_store import ModelError, check_model, load_model, metadata_path, save_model


@pytest.fixture
def saved(tmp_path):
    model = LogisticRegression().fit([[0.0], [1.0]], [0, 1])
    path = tmp_path / "m.joblib"
    meta = save_model(model, path, {"labels": ["0", "1"]})
    return path, meta


def test_round_trip(saved):
    path, meta = saved
    model, meta2 = load_model(path)
    assert list(model.predict([[0.0], [1.0]])) == [0, 1]
    assert meta2["model_sha256"] == meta["model_sha256"] and meta2["labels"] == ["0", "1"]
    assert not list(path.parent.glob("*.tmp"))


def test_tampered_file_is_refused(saved):
    path, _ = saved
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(ModelError, match="SHA-256"):
        load_model(path)


def test_truncated_file_is_refused(saved):
    path, _ = saved
    path.write_bytes(path.read_bytes()[:100])
    with pytest.raises(ModelError, match="SHA-256"):
        check_model(path)


def test_other_library_versions_are_refused(saved):
    path, _ = saved
    mp = metadata_path(path)
    meta = json.loads(mp.read_text())
    meta["versions"]["scikit-learn"] = "0.0.1"
    mp.write_text(json.dumps(meta))
    with pytest.raises(ModelError, match="scikit-learn 0.0.1"):
        load_model(path)


def test_missing_metadata_or_model(saved, tmp_path):
    path, _ = saved
    metadata_path(path).unlink()
    with pytest.raises(ModelError, match="metadata file missing"):
        load_model(path)
    with pytest.raises(ModelError, match="no trained model"):
        load_model(tmp_path / "absent.joblib")
