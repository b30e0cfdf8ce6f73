"""The ordered map over worker processes keeps order, bounds the work in flight and passes errors on."""
from __future__ import annotations

import os
import signal
import time

import pytest

from mh_nlp.io.parallel import default_workers, ordered_map

pytestmark = pytest.mark.skipif("fork" not in __import__("multiprocessing").get_all_start_methods(),
                                reason="needs fork")


def square_with_pid(x: int) -> tuple[int, int]:
    return x * x, os.getpid()


def test_order_and_results_are_kept_with_workers():
    items = list(range(50))
    out = list(ordered_map(square_with_pid, items, workers=2))
    assert [i for i, _ in out] == items and [r for r, _ in (res for _, res in out)] == [i * i for i in items]
    pids = {pid for _, (_, pid) in out}
    assert os.getpid() in pids and len(pids) >= 2  # the first item here, the rest in workers


def test_one_worker_stays_in_this_process():
    out = list(ordered_map(square_with_pid, range(5), workers=1))
    assert {pid for _, (_, pid) in out} == {os.getpid()}
    assert list(ordered_map(square_with_pid, [], workers=2)) == []


def test_input_is_read_lazily():
    read = []

    def items():
        for i in range(1000):
            read.append(i)
            yield i

    gen = ordered_map(square_with_pid, items(), workers=2, ahead=2)
    next(gen)
    next(gen)
    assert len(read) <= 2 + 2 * 2 + 1  # never more than workers * ahead in flight
    gen.close()


def fail_on_three(x: int) -> int:
    if x == 3:
        raise ValueError("bad item 3")
    return x


def interrupt_on_three(x: int) -> int:
    if x == 3:
        raise KeyboardInterrupt
    return x


def test_a_worker_error_reaches_the_caller():
    with pytest.raises(ValueError, match="bad item 3"):
        list(ordered_map(fail_on_three, range(10), workers=2))


def test_a_worker_interrupt_reaches_the_caller():
    with pytest.raises(KeyboardInterrupt):
        list(ordered_map(interrupt_on_three, range(10), workers=2))


def test_default_workers_is_sensible():
    assert 1 <= default_workers() <= 4


@pytest.mark.skipif(not hasattr(signal, "SIGTERM"), reason="POSIX signals")
def test_a_stop_signal_during_the_fork_is_delivered_after_it():
    """While the pool may fork (``_signals_held``), a SIGTERM waits; it reaches the caller's handler when the block
    ends, at an ordinary point where its exception can stop the run, not inside the fork's callbacks."""
    from mh_nlp.io.parallel import _signals_held

    class Stop(Exception):
        pass

    def handler(signum, frame):
        raise Stop(signum)

    previous = signal.signal(signal.SIGTERM, handler)
    reached_end_of_block = False
    try:
        with pytest.raises(Stop):
            with _signals_held():
                os.kill(os.getpid(), signal.SIGTERM)
                time.sleep(0.05)
                reached_end_of_block = True
        assert reached_end_of_block
        assert signal.getsignal(signal.SIGTERM) is handler  # the caller's handler is back
    finally:
        signal.signal(signal.SIGTERM, previous)
