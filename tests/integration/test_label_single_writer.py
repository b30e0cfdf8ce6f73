"""One writer per output: a second run refuses, a file that appears meanwhile is never replaced, and
SIGTERM/SIGHUP end a run like Ctrl-C (no output, no temporary file anywhere)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from conftest_label import SLOW_LABEL_SCRIPT, TESTS_DIR, KeywordClassifier, use_fakes  # noqa: E402

from mh_nlp.cli import main  # noqa: E402
from mh_nlp.io.writers import OutputError, OutputLock, OutputUnwritable, open_writer  # noqa: E402

SLOW_SCRIPT = SLOW_LABEL_SCRIPT


def start_slow_run(tmp_path: Path, out: Path, workers: str = "1") -> tuple[subprocess.Popen, Path]:
    inp = tmp_path / "veel.txt"
    inp.write_text("".join(f"Regel {i} over gegevens delen.\n" for i in range(5000)), encoding="utf-8")
    tmpdir = tmp_path / "systemtmp"
    tmpdir.mkdir()
    env = {**os.environ, "TMPDIR": str(tmpdir)}  # where openpyxl keeps its own row stream
    script = SLOW_SCRIPT.format(tests=str(TESTS_DIR), inp=str(inp), out=str(out), workers=workers)
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=env, start_new_session=True)
    deadline = time.monotonic() + 30
    while not any(p.name.startswith(f".{out.name}.") and p.name.endswith(out.suffix) for p in out.parent.iterdir()):
        assert time.monotonic() < deadline and proc.poll() is None, proc.communicate()
        time.sleep(0.05)
    time.sleep(0.3)
    return proc, tmpdir


@pytest.mark.skipif(os.name != "posix", reason="sends signals")
@pytest.mark.parametrize("suffix,sig,workers", [(".csv", signal.SIGTERM, "1"), (".xlsx", signal.SIGTERM, "2"),
                                                (".jsonl", signal.SIGHUP, "1")])
def test_second_run_refuses_and_a_signal_leaves_nothing(tmp_path, monkeypatch, suffix, sig, workers):
    out = tmp_path / f"labels{suffix}"
    proc, tmpdir = start_slow_run(tmp_path, out, workers)
    try:
        use_fakes(monkeypatch)
        other = tmp_path / "ander.txt"
        other.write_text("Meer voorlichting op scholen.\n", encoding="utf-8")
        r = CliRunner().invoke(main, ["label", str(other), "-o", str(out)], catch_exceptions=False)
        assert r.exit_code == 1
        assert r.stderr == f"mh-nlp: error: {out}: another run is writing this output now; wait for it to finish " \
                           "or choose another output\n"
    finally:
        proc.send_signal(sig)
        stdout, stderr = proc.communicate(timeout=30)
    assert proc.returncode == 128 + sig, stderr
    assert stderr == f"mh-nlp: error: terminated ({signal.Signals(sig).name}); no output written\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ander.txt", "systemtmp", "veel.txt"]  # no lock, no temp
    assert list(tmpdir.iterdir()) == []  # nothing left in the system's temporary directory either


def test_force_goes_on_when_the_output_is_locked(tmp_path, monkeypatch):
    use_fakes(monkeypatch)
    note = tmp_path / "n.txt"
    note.write_text("Meer voorlichting op scholen.\n", encoding="utf-8")
    out = tmp_path / "o.csv"
    with OutputLock(out):
        assert (tmp_path / ".o.csv.lock").exists()
        r = CliRunner().invoke(main, ["label", str(note), "-o", str(out)])
        assert r.exit_code == 1 and "another run is writing" in r.stderr and not out.exists()
        r = CliRunner().invoke(main, ["label", str(note), "-o", str(out), "--force"])
        assert r.exit_code == 0 and "another run is writing" in r.stderr and out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["n.txt", "o.csv"]


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".xlsx"])
def test_an_output_that_appears_meanwhile_is_not_replaced(tmp_path, suffix):
    out = tmp_path / f"o{suffix}"
    writer = open_writer(out, [], overwrite=False)
    out.write_bytes(b"someone else's file")
    with pytest.raises(OutputError, match="was created by another program while this run was writing"):
        writer.commit()
    assert out.read_bytes() == b"someone else's file"
    assert [p.name for p in tmp_path.iterdir()] == [out.name]


def test_lock_is_released_and_can_be_taken_again(tmp_path):
    out = tmp_path / "o.csv"
    lock = OutputLock(out).acquire()
    with pytest.raises(OutputError):
        OutputLock(out).acquire()
    lock.release()
    OutputLock(out).acquire().release()
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(os.name != "posix", reason="sends signals")
def test_a_signal_whose_exception_was_swallowed_still_ends_the_run():
    """A SIGTERM that arrives while Python runs a callback that ignores exceptions (here ``__del__``; in the wild,
    logging's lock release when a worker is forked) must still stop the run before it writes or commits more."""
    from mh_nlp.cli.label import _check_signals, _signals_as_interrupt, _Terminated

    class KilledWhileCollected:
        def __del__(self):
            os.kill(os.getpid(), signal.SIGTERM)

    with _signals_as_interrupt():
        KilledWhileCollected()  # the handler's exception is printed as "ignored" and the code goes on
        with pytest.raises(_Terminated) as caught:
            _check_signals()
    assert caught.value.signum == signal.SIGTERM
    with _signals_as_interrupt():
        _check_signals()  # a new run starts without the old signal


def test_once_terminating_a_failing_pool_thread_prints_no_traceback():
    """A SIGTERM during a run with worker processes: the pool's manager thread may fail as its workers go. The user
    gets the one-line 'terminated' message, not a thread's traceback; before a signal, thread errors still show."""
    import threading

    from mh_nlp.cli.label import _RECEIVED, _signals_as_interrupt

    shown: list[str] = []

    def fail() -> None:
        raise RuntimeError("pool broken")

    def run_failing_thread() -> None:
        t = threading.Thread(target=fail)
        t.start()
        t.join()

    before = threading.excepthook
    threading.excepthook = lambda args: shown.append(str(args.exc_value))  # what would print the traceback
    try:
        with _signals_as_interrupt():
            run_failing_thread()
            assert shown == ["pool broken"]  # no signal yet: shown as ever
            _RECEIVED.append(signal.SIGTERM)
            run_failing_thread()
        run_failing_thread()  # after the block too, while the process ends
        assert shown == ["pool broken"]
    finally:
        _RECEIVED.clear()
        threading.excepthook = before


@pytest.mark.skipif(not Path("/sys/kernel").is_dir(), reason="needs Linux's /sys, a folder that refuses new files")
@pytest.mark.parametrize("force", [[], ["--force"]])
def test_a_folder_that_refuses_the_lock_file_is_one_line(tmp_path, monkeypatch, force):
    """QA 44a: `-o` into a folder where no file can be made (a read-only share; /sys here, which refuses new files even
    to root) gave a PermissionError traceback from the lock file. --force does not go on: no run can write there."""
    use_fakes(monkeypatch)
    note = tmp_path / "n.txt"
    note.write_text("Meer voorlichting op scholen.\n", encoding="utf-8")
    r = CliRunner().invoke(main, ["label", str(note), "-o", "/sys/kernel/labels.csv", *force])
    assert r.exit_code == 1
    assert r.stderr == "mh-nlp: error: /sys/kernel/labels.csv: cannot write there (Permission denied)\n"
    with pytest.raises(OutputUnwritable):
        OutputLock("/sys/kernel/labels.csv").acquire()


def test_an_output_under_a_file_and_an_output_that_cannot_be_replaced_are_named_right(tmp_path, monkeypatch):
    """QA 44b N14/N15: `-o /etc/passwd/x.csv` said the directory does not exist (it is a file), and an output that
    could not be replaced named the hidden temporary file beside it instead of the output."""
    use_fakes(monkeypatch)
    note = tmp_path / "n.txt"
    note.write_text("Meer voorlichting op scholen.\n", encoding="utf-8")
    r = CliRunner().invoke(main, ["label", str(note), "-o", str(note / "x.csv")])
    assert r.exit_code == 1 and r.stderr == f"mh-nlp: error: {note / 'x.csv'}: {note} is a file, not a folder\n"
    out = tmp_path / "o.csv"
    out.write_text("oud\n", encoding="utf-8")

    def refuse(src, dst):
        raise PermissionError(1, "Operation not permitted", str(src))

    monkeypatch.setattr("mh_nlp.io.writers.os.replace", refuse)
    r = CliRunner().invoke(main, ["label", str(note), "-o", str(out), "--force"])
    assert r.exit_code == 1 and r.stderr == f"mh-nlp: error: {out}: cannot write (Operation not permitted)\n"
    assert out.read_text(encoding="utf-8") == "oud\n" and sorted(p.name for p in tmp_path.iterdir()) == ["n.txt", "o.csv"]
