"""Clinical prediction models: sample size, development, validation (estimators only).

Results are frozen dataclasses; nothing here displays or publishes (contract
``estimators-do-not-display``). Methods page: ``book/methods/prediction.md``.
"""

from lifetools.prediction.calibrate import CalibrationCorrection
from lifetools.prediction.model import (
    FrozenModel,
    ModelSpec,
    PredictionModel,
    fit_prediction_model,
)
from lifetools.prediction.performance import (
    Performance,
    c_statistic,
    calibration_curve,
    net_benefit,
    performance,
)
from lifetools.prediction.sample_size import SampleSize, minimum_sample_size
from lifetools.prediction.splines import rcs_basis, rcs_centiles, rcs_knots
from lifetools.prediction.validation import (
    BootstrapValidation,
    DriftCheck,
    bootstrap_validation,
    drift_check,
    performance_by_group,
    validate_frozen,
)

__all__ = [
    "BootstrapValidation", "CalibrationCorrection", "DriftCheck", "FrozenModel", "ModelSpec", "Performance",
    "PredictionModel", "SampleSize", "bootstrap_validation", "c_statistic",
    "calibration_curve", "drift_check", "fit_prediction_model", "minimum_sample_size",
    "net_benefit", "performance", "performance_by_group", "rcs_basis", "rcs_centiles",
    "rcs_knots",
    "validate_frozen",
]
