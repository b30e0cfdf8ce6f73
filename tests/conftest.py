"""Test-wide set-up: the embedding cache of a test run lives in a temporary directory, not in the user's."""
from __future__ import annotations

import os
import tempfile


def pytest_configure(config):
    os.environ.setdefault("MH_NLP_CACHE", tempfile.mkdtemp(prefix="mh-nlp-test-cache-"))
