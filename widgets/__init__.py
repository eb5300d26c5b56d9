"""ipywidgets panels for minas. Each panel subscribes to a `Search`'s events; nothing in `minas/` imports this."""
from .search_panel import SearchPanel

__all__ = ["SearchPanel"]
