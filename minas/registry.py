"""A tiny name -> constructor registry, so users, the CLI and the panels can list what exists."""
from __future__ import annotations

from typing import Any, Callable, Generic, TypeVar

T = TypeVar("T")


class Registry(Generic[T]):
    """Maps names to constructors of one kind of thing (strategies, estimators, datasets, ...)."""

    def __init__(self, kind: str):
        self.kind = kind
        self._entries: dict[str, Callable[..., T]] = {}

    def register(self, name: str) -> Callable[[Callable[..., T]], Callable[..., T]]:
        """Decorator that adds a constructor under `name`; a clash is a programming error."""
        def add(ctor: Callable[..., T]) -> Callable[..., T]:
            if name in self._entries:
                raise KeyError(f"{self.kind} {name!r} is registered twice")
            self._entries[name] = ctor
            return ctor
        return add

    def names(self) -> list[str]:
        return list(self._entries)

    def get(self, name: str) -> Callable[..., T]:
        try:
            return self._entries[name]
        except KeyError:
            raise ValueError(f"unknown {self.kind} {name!r}; choose one of: {', '.join(self._entries)}") from None

    def create(self, name: str, **kwargs: Any) -> T:
        return self.get(name)(**kwargs)
