"""An ordered map over worker processes with a bounded number of items in flight (batch labelling on all cores).

The first item is done in this process (so whatever ``fn`` loads is loaded before the fork), the
rest by workers. The function is handed to them by ``fork`` (nothing is pickled but the items and results), so the
loaded model is shared copy-on-write. Where ``fork`` is not available the map runs in this process.
Workers ignore Ctrl-C; the caller's KeyboardInterrupt stops them, and an exception in a worker is
raised in the caller.
"""
from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import threading
from collections import deque
from itertools import chain
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any, Callable, Iterable, Iterator, TypeVar

T = TypeVar("T")
R = TypeVar("R")

_FUNCTION: dict[str, Callable[[Any], Any]] = {}  # set before the fork, inherited by the workers
# the signals the caller may turn into exceptions (Ctrl-C; SIGTERM and SIGHUP in ``mh-nlp label``)
_STOP_SIGNALS = tuple(getattr(signal, n) for n in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, n))


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """Hold the stop signals while the pool may fork its workers: the caller's handler, had it raised inside the
    fork's own callbacks (logging's lock release), would have its exception swallowed and printed, or leave the pool
    half started. A signal that comes meanwhile is only noted, and raised again for the caller's own handler when
    the block ends, at an ordinary point. Handlers can only be set in the main thread; elsewhere nothing is held."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    previous = {s: signal.signal(s, lambda signum, _frame: caught.append(signum))
                for s in _STOP_SIGNALS if signal.getsignal(s) is not None}  # None: set outside Python, left alone
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
        for s in caught:
            signal.raise_signal(s)


def _init_worker() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for name in ("SIGTERM", "SIGHUP"):  # the parent may turn these into exceptions; a worker just ends
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), signal.SIG_DFL)


def _call(item: Any) -> Any:
    return _FUNCTION["fn"](item)


def fork_available() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def default_workers() -> int:
    """One worker per core this process may use, at most 4."""
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    return max(1, min(4, cores))


def ordered_map(fn: Callable[[T], R], items: Iterable[T], workers: int = 1, ahead: int = 2) -> Iterator[tuple[T, R]]:
    """Yield ``(item, fn(item))`` in input order; with ``workers > 1`` the calls run in forked processes,
    at most ``workers * ahead`` items at a time, so memory does not grow with the input."""
    it = iter(items)
    first = next(it, None)
    if first is None:
        return
    yield first, fn(first)  # in this process: loads what ``fn`` needs once, before the workers fork
    second = next(it, None)
    if second is None:
        return
    if workers <= 1 or not fork_available():
        for item in chain([second], it):
            yield item, fn(item)
        return
    _FUNCTION["fn"] = fn
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"), initializer=_init_worker)
    pending: deque[tuple[T, Future]] = deque()
    finished = False
    try:
        for item in chain([second], it):
            with _signals_held():  # a submit may fork the workers
                pending.append((item, pool.submit(_call, item)))
            if len(pending) >= workers * ahead:
                done, fut = pending.popleft()
                yield done, fut.result()
        while pending:
            done, fut = pending.popleft()
            yield done, fut.result()
        finished = True
    finally:
        if not finished:  # interrupted or failed: don't wait for work nobody will read
            for _, fut in pending:
                fut.cancel()
            for proc in list((getattr(pool, "_processes", None) or {}).values()):
                if proc.is_alive():  # SIGKILL: a worker forked a moment ago may still have the caller's SIGTERM
                    proc.kill()      # handler, and would print an interrupted worker's "Process ForkProcess-1:"
        pool.shutdown(wait=True, cancel_futures=True)
        _FUNCTION.pop("fn", None)
