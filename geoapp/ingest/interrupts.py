"""Ctrl-C held back for the few statements that must not be cut in two.

A committed batch has to be counted whole: an interrupt landing between "the batch
is done" and "the summary has it" would leave rows in the database that the summary
does not report. Python delivers SIGINT between any two bytecodes of the main
thread, so that stretch is run with SIGINT recorded, and raised once it is over.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def interrupts_held(*, raise_after: bool = True) -> Iterator[None]:
    """Run the block with Ctrl-C recorded instead of raised; raise KeyboardInterrupt
    after it when one came (unless `raise_after` is false: the caller is stopping
    anyway). Outside the main thread, or when SIGINT has a handler of its own, the
    block runs as it is: only the main thread receives signals."""
    if (threading.current_thread() is not threading.main_thread()
            or signal.getsignal(signal.SIGINT) is not signal.default_int_handler):
        yield
        return
    received: list[int] = []
    signal.signal(signal.SIGINT, lambda signum, _frame: received.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    if received and raise_after:
        raise KeyboardInterrupt
