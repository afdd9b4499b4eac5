"""``at_once``: one thread per call, released together, ``on_exit`` in each of those threads."""

from __future__ import annotations

import threading
from itertools import count

from returndesk.testing import at_once


def test_each_call_has_its_own_thread_and_on_exit_runs_in_it() -> None:
    numbers, lock = count(), threading.Lock()
    called: list[int] = []
    exited: list[int] = []

    def call() -> int:
        called.append(threading.get_ident())
        with lock:
            return next(numbers)

    results = at_once(4, call, on_exit=lambda: exited.append(threading.get_ident()))

    assert sorted(results) == [0, 1, 2, 3]
    assert (len(set(called)), sorted(exited)) == (4, sorted(called))
