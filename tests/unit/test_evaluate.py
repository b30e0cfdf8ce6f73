"""The evaluation is reproducible: nothing in it depends on Python's per-process string hashing."""
from __future__ import annotations

import json
import os
import subprocess
import sys

from mh_nlp.themes.evaluate import group_ids, macro_f1

PAGES = ["p011", "p013", 15, "p011", "added", "p059", 15]


def test_group_ids_are_the_same_under_every_hash_seed():
    code = f"import json; from mh_nlp.themes.evaluate import group_ids; print(json.dumps(group_ids({PAGES!r}).tolist()))"
    runs = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                           env={**os.environ, "PYTHONHASHSEED": seed}).stdout for seed in ("1", "2", "3")]
    assert len(set(runs)) == 1
    ids = json.loads(runs[0])
    assert ids == group_ids(PAGES).tolist() and min(ids) >= 0
    assert ids[0] == ids[3] and ids[2] == ids[6] and len(set(ids)) == 5  # one id per page, pages kept apart


def test_macro_f1():
    assert macro_f1(["a", "b", "b"], ["a", "b", "a"]) == (2 / 3 + 2 / 3) / 2
