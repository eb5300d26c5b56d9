"""The event stream of a search: every panel, progress bar, log and test listens to the same events.

A listener is called in the thread that runs the search. One that raises is logged and told to the
user once (a `MinasWarning`, seen even without logging set up), and never breaks the search.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable

from .errors import shorten, warn

if TYPE_CHECKING:
    from .search import Search
    from .trial import Trial

log = logging.getLogger("minas")


@dataclass(frozen=True)
class Event:
    """Something that happened in a search; `data` carries the details (e.g. epoch, replayed)."""
    kind: str
    search: "Search"
    trial: "Trial | None" = None
    data: dict[str, Any] = field(default_factory=dict)


class Listeners:
    """What `Search` offers its listeners: `subscribe`, `unsubscribe`, and `_emit` to call them.
    The subclass creates `_listeners` (a list) and `_warned` (a set) in its `__init__`."""

    _listeners: list[Callable[[Event], None]]
    _warned: set[Any]

    def subscribe(self, listener: Callable[[Event], None]) -> Callable[[Event], None]:
        """Call `listener(event)` for every event, in the thread that runs the search."""
        self._listeners.append(listener)
        return listener

    def unsubscribe(self, listener: Callable[[Event], None]) -> None:
        self._listeners.remove(listener)

    def _emit(self, kind: str, trial: Trial | None = None, **data: Any) -> None:
        event = Event(kind, self, trial, data)
        for listener in list(self._listeners):
            try:
                listener(event)
            except Exception as e:                  # a broken view must not break the search
                log.exception("listener %r failed on %s", listener, kind)
                self._warn_once(listener, f"a listener of this search ({listener!r}) failed on {kind}: "
                                          f"{type(e).__name__}: {shorten(e, total=500)} (said once; later "
                                          f"failures go to the 'minas' log)")

    def _warn_once(self, key: Any, message: str) -> None:
        """Tell the user, even without logging set up, once per `key`."""
        if key not in self._warned:
            self._warned.add(key)
            warn(message)
