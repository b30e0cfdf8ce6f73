"""The scripts of training/ that the docs name start and show their usage (train.py and evaluate.py imported
commands from a module that no longer exported them)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

TRAINING = Path(__file__).resolve().parents[2] / "training"


@pytest.mark.parametrize("script", ["train.py", "evaluate.py", "choice_rule.py", "careful_reader.py",
                                    "written_probe.py", "build_static_vectors.py", "spill_probe.py", "chapter_words.py",
                                    "in_order_variants.py", "reader_gap.py"])
def test_a_training_script_shows_its_usage(script):
    r = subprocess.run([sys.executable, str(TRAINING / script), "--help"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr[-500:]
    assert "usage" in r.stdout.lower() and "Traceback" not in r.stderr
