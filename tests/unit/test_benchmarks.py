"""The benchmark scripts refuse bad arguments and an unusable model in one line, with a non-zero exit, before any
heavy work, and bench_model.py leaves no temporary folder behind (QA 48a D10, D11)."""
from __future__ import annotations

import importlib.util
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "benchmarks"


@pytest.mark.parametrize("script, args, says", [
    ("bench_model.py", ["--model", "/nonexistent.npz", "--cold", "1", "--warm", "1", "--fast", "0"],
     "no such model file"),
    ("bench_model.py", ["--model", str(BENCH.parent / "README.md"), "--fast", "0"], "not a model file"),
    ("bench_model.py", ["--cold", "0"], "--cold: must be at least 1"),
    ("bench_model.py", ["--fast", "-1"], "--fast: must be at least 0"),
    ("bench_startup.py", ["--runs", "0", "--no-phases"], "--runs: must be at least 1"),
    ("bench_startup.py", ["--runs", "abc"], "invalid int value"),
    ("bench_label.py", ["--statements", "0", "--no-cold-start"], "--statements: must be at least 2"),
    ("bench_label.py", ["--model", "/nonexistent.npz", "--statements", "4", "--no-cold-start"],
     "no such model file"),
])
def test_a_bad_argument_or_model_is_one_line_and_a_non_zero_exit(script, args, says, tmp_path):
    r = subprocess.run([sys.executable, str(BENCH / script), *args], capture_output=True, text=True, timeout=60,
                       env={**__import__("os").environ, "TMPDIR": str(tmp_path)})
    assert r.returncode != 0 and r.stdout == "", (r.returncode, r.stdout[-300:])
    assert len(r.stderr.strip().splitlines()) == 1 and says in r.stderr and "Traceback" not in r.stderr, r.stderr
    assert list(tmp_path.iterdir()) == []  # failed before it made anything


def _bench_model():
    spec = importlib.util.spec_from_file_location("bench_model_under_test", BENCH / "bench_model.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("ending", ["done", "error", "ctrl-c"])
def test_bench_model_removes_its_temporary_folder(ending, tmp_path, monkeypatch):
    """The temporary cache (/tmp/mh-nlp-bench-*) goes at the end of the run, after an error and after Ctrl-C."""
    from mh_nlp.exceptions import ModelError

    bench = _bench_model()
    made = []

    def run(args, tmp):
        made.append(tmp)
        (tmp / "cache").mkdir()
        (tmp / "cache" / "embeddings-e5.sqlite").write_bytes(b"x")
        if ending == "error":
            raise ModelError("a model that fails half-way")
        if ending == "ctrl-c":
            raise KeyboardInterrupt

    monkeypatch.setattr(bench, "run", run)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.setattr(sys, "argv", ["bench_model.py", "--fast", "0"])
    if ending == "done":
        bench.main()
    else:
        with pytest.raises(SystemExit) as exc:
            bench.main()
        assert exc.value.code in ("bench_model: error: a model that fails half-way", "bench_model: interrupted")
    assert made and made[0].parent == tmp_path and list(tmp_path.iterdir()) == []
