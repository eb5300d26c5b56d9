"""ipywidgets panels for minas. Each panel subscribes to a `Search`'s events; nothing in `minas/` imports this."""
from .architecture_explorer import ArchitectureExplorer
from .darts_monitor import DartsMonitor
from .estimator_lab import EstimatorLab
from .pareto_view import ParetoView
from .search_panel import SearchPanel
from .strategy_comparison import StrategyComparison

__all__ = ["ArchitectureExplorer", "DartsMonitor", "EstimatorLab", "ParetoView", "SearchPanel", "StrategyComparison"]
