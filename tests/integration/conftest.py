"""A theme model trained once per test session on the gold corpus (about half a minute)."""
from __future__ import annotations

import pytest

from mh_nlp.themes.train import load_classifier, train_model


@pytest.fixture(scope="session")
def trained(tmp_path_factory):
    """(model path, metadata, classifier) of a freshly trained model, independent of models/."""
    path = tmp_path_factory.mktemp("model") / "theme-model.npz"
    meta = train_model(path)
    return path, meta, load_classifier(path)
