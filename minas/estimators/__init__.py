"""Performance estimators: how to score a candidate. Each has `evaluate(arch, budget) -> Result`."""
from ..registry import Registry
from .base import EstimationError, Estimator, Result
from .one_shot import OneShot
from .tabular import Tabular
from .training import Training
from .zero_cost import ZeroCost

ESTIMATORS: Registry[Estimator] = Registry("estimator")
ESTIMATORS.register("tabular")(Tabular)
ESTIMATORS.register("training")(Training)
ESTIMATORS.register("zero_cost")(ZeroCost)
ESTIMATORS.register("one_shot")(OneShot)

__all__ = ["EstimationError", "Estimator", "OneShot", "Result", "Tabular", "Training", "ZeroCost", "ESTIMATORS"]
