"""`Redrawer`: heavy redraws in their own thread, at most a few times a second, so that a burst of events costs
one redraw and neither the search nor the kernel ever waits for matplotlib or graphviz."""
from __future__ import annotations

import atexit
import threading
import time
import weakref
from typing import Callable

_live: "weakref.WeakSet[Redrawer]" = weakref.WeakSet()
_exiting = threading.Event()


@atexit.register
def _let_draws_finish() -> None:
    """At interpreter exit, start no redraw and let one in progress end: a daemon thread stopped inside
    matplotlib's C++ code aborts the whole process ("terminate called without an active exception")."""
    _exiting.set()
    for redrawer in list(_live):
        redrawer._wake.set()
        if redrawer._drawing.acquire(timeout=10):
            redrawer._drawing.release()


class Redrawer:
    """Calls `draw()` in a daemon thread after `poke()`, at most once every `interval` seconds; pokes that
    arrive while it waits or draws are merged into one more call. `flush()` draws a pending poke at once, in
    the caller's thread (tests, headless notebooks); `close()` draws a last time, calls `then()` and ends
    the thread. Two calls of `draw` never overlap."""

    def __init__(self, draw: Callable[[], None], interval: float = 0.25, then: Callable[[], None] | None = None,
                 name: str = "minas-redraw"):
        self._draw, self.interval, self._then = draw, interval, then
        self._wake, self._closed = threading.Event(), threading.Event()
        self._drawing = threading.Lock()
        self._thread = threading.Thread(target=self._loop, name=name, daemon=True)
        _live.add(self)
        self._thread.start()

    def poke(self) -> None:
        """Something changed: redraw soon."""
        self._wake.set()

    def flush(self) -> None:
        """Bring the views up to date now, in this thread: wait for a redraw in progress, and redraw if a poke
        is still pending."""
        with self._drawing:
            if self._wake.is_set():
                self._wake.clear()
                self._draw()

    def close(self) -> None:
        """Draw once more, however the work ended, then call `then()` and let the thread end."""
        self._closed.set()
        self._wake.set()

    def join(self, timeout: float | None = None) -> bool:
        """Wait for the thread after `close()`; True when it has ended."""
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def _loop(self) -> None:
        last = 0.0
        while not self._closed.is_set():
            self._wake.wait()
            if _exiting.is_set():
                return
            delay = last + self.interval - time.monotonic()
            if delay > 0 and self._closed.wait(delay):
                break
            if self._closed.is_set():
                break
            with self._drawing:
                if self._wake.is_set() and not _exiting.is_set():   # else a flush() has drawn it meanwhile
                    self._wake.clear()
                    self._draw()
                    last = time.monotonic()
        with self._drawing:
            if _exiting.is_set():
                return
            self._draw()
        if self._then is not None:
            self._then()
