"""training/written_probe.py --curve: the share of the written set it trains with, and its argument checks."""
from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "training" / "written_probe.py"


def _probe():
    spec = importlib.util.spec_from_file_location("written_probe", SCRIPT)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_written_subset_takes_a_share_of_each_section_and_nests():
    probe = _probe()
    sections = ["1.1"] * 10 + ["2.3"] * 4 + ["4.7"] * 7
    ys = np.array(sections)
    half, full, none = (probe.written_subset(sections, s) for s in (0.5, 1.0, 0.0))
    assert [int((ys[half] == s).sum()) for s in ("1.1", "2.3", "4.7")] == [5, 2, 4]  # round(3.5) = 4
    assert full.tolist() == list(range(len(sections))) and none.size == 0
    quarter = probe.written_subset(sections, 0.25)
    assert set(quarter) <= set(half) <= set(full)  # one draw per section: a smaller share is part of a larger
    assert list(half) == sorted(half)  # file order
    assert probe.written_subset(sections, 0.5, seed=0).tolist() == half.tolist()
    assert probe.written_subset(sections, 0.5, seed=1).tolist() != half.tolist()


def test_curve_refuses_bad_shares_in_one_line():
    for bad, says in (("2", "between 0 and 1"), ("a,b", "not a list of numbers")):
        r = subprocess.run([sys.executable, str(SCRIPT), "--curve", bad], capture_output=True, text=True)
        assert r.returncode == 2 and says in r.stderr and "Traceback" not in r.stderr
