"""Stopping a long command: one line, exit status 130, nothing half-written and nothing left running (QA 37:
`train` and `evaluate` printed click's "Aborted!" and exited 1; SIGTERM to `train --fast` left its vector builder
running for minutes)."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time

import pytest

pytestmark = pytest.mark.skipif(shutil.which("pgrep") is None, reason="needs pgrep")

MH = [sys.executable, "-c", "from mh_nlp.cli import main; main(prog_name='mh-nlp')"]


def _builders(session: int) -> list[str]:
    return subprocess.run(["pgrep", "-s", str(session), "-f", "build_static_vectors"], capture_output=True,
                          text=True).stdout.split()


@pytest.mark.parametrize("how", ["SIGTERM to train", "Ctrl-C to the group"])
def test_stopping_train_fast_stops_its_vector_builder(tmp_path, how):
    env = dict(os.environ, MH_NLP_MODELS=str(tmp_path))  # no static vectors there: train --fast builds them
    p = subprocess.Popen([*MH, "train", "--fast"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while not _builders(p.pid) and time.monotonic() < deadline and p.poll() is None:
            time.sleep(0.2)
        assert _builders(p.pid), "the builder never started"
        time.sleep(1)
        if how == "SIGTERM to train":
            p.send_signal(signal.SIGTERM)
        else:
            os.killpg(p.pid, signal.SIGINT)
        _, err = p.communicate(timeout=60)
        code, word = (143, "terminated") if how == "SIGTERM to train" else (130, "interrupted")
        assert p.returncode == code, err[-500:]
        assert err.strip().splitlines()[-1] == f"mh-nlp: error: {word}; static word vectors not built"
        assert "Traceback" not in err
        time.sleep(0.5)
        assert _builders(p.pid) == []
        assert not (tmp_path / "static-nl.npz").exists()
    finally:
        for pid in _builders(p.pid):
            os.kill(int(pid), signal.SIGKILL)
        if p.poll() is None:
            p.kill()


def test_ctrl_c_in_evaluate_is_one_line_and_130(tmp_path):
    """Ctrl-C as soon as the evaluation says it is at work (its first progress line, while it prepares the corpus):
    long before it can finish, so the test always interrupts it (it waited for the output folder once, which is
    made only when the report is written since QA 43b, and so it let the run finish and skipped)."""
    p = subprocess.Popen([*MH, "evaluate", "--out", str(tmp_path / "ev"), "--candidate", "majority"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(p.stderr), daemon=True)  # every line, until the end
    reader.start()
    deadline = time.monotonic() + 120
    while not any("preparing" in line for line in lines) and p.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert p.poll() is None, "".join(lines)[-500:]
    os.killpg(p.pid, signal.SIGINT)
    p.wait(timeout=60)
    reader.join(timeout=10)
    err = "".join(lines)
    assert p.returncode == 130, err[-500:]
    assert err.strip().splitlines()[-1].startswith("mh-nlp: error: interrupted")
    assert "Aborted!" not in err and "Traceback" not in err
    assert not (tmp_path / "ev").exists()  # nothing half-written, not even the folder it would have made
