"""Design sizes of the crisis-risk analysis: one owner below the estimators and reports
that use them and the settings a published text may state.

A sentence may state a library setting (:mod:`lifetools.disclosure.settings`) only as a
value the setting can take, so the settings read the sizes the report is run with: the
imputed copies, the cross-validation folds, the prediction horizon, the candidate
predictor parameters and the fewest bootstrap samples within an imputed copy.
``lifetools.disclosure`` may not import the reports or ``lifetools.prediction`` (they
import it, through ``formatting``), so the sizes live here, as the ridge penalties live
in :mod:`lifetools.penalties`. This module imports nothing from lifetools.
"""

from __future__ import annotations

__all__ = ["CRISIS_AGE_KNOTS", "CRISIS_CV_FOLDS", "CRISIS_HONOS_KNOTS", "CRISIS_HORIZON_DAYS",
           "CRISIS_IMPUTATIONS", "CRISIS_LINEAR_PREDICTORS", "CRISIS_MAX_PARAMETERS",
           "CRISIS_OPTIONAL_PARAMETERS", "CRISIS_OPTIONAL_PREDICTORS", "CRISIS_R2_FRACTION", "CRISIS_SPLINE_KNOTS",
           "CRISIS_TARGET_SHRINKAGE", "MIN_BOOT_PER_COPY"]

CRISIS_IMPUTATIONS = 10
"""Imputed copies of each crisis-risk cohort (``reports.crisis_parts.IMPUTATIONS``, the
report's default ``imputations``; the setting "imputed copies" takes 1 to this)."""
CRISIS_CV_FOLDS = 5
"""Cross-validation folds choosing the ridge and lasso penalties of the crisis-risk
report's comparison (``reports.crisis_parts.COMPARISON_FOLDS``; the setting
"cross-validation folds")."""
CRISIS_HORIZON_DAYS = 365
"""The crisis-risk models' horizon, in days: the cohort's follow-up
(``cohort.crisis.build_crisis_cohort``), the Fine-Gray model's horizon
(``reports.crisis_models.time_to_event``), the TRIPOD checklist's words and the
duration the series states in prose (``disclosure.settings.DURATIONS``)."""
CRISIS_AGE_KNOTS = 5
"""Knots of the age spline (Harrell's 5th, 27.5th, 50th, 72.5th and 95th centiles). Four
knots (5th, 35th, 65th, 95th) leave the spline linear below about 20 and above about 79,
too flat for the U-shaped age effect at the extremes: over 40 synthetic cohorts the
4-knot model's calibration slope in the next edition was 0.024 (SE 0.004) above the true
log-odds' slope, the 5-knot model's 0.0035 (SE 0.0046)
(``tests/truth/test_crisis_many_seeds.py``; issue 13)."""
CRISIS_HONOS_KNOTS = 3
"""Knots of the HoNOS spline (Harrell's 10th, 50th and 90th centiles of the recorded
scores of the development cohort, fixed before imputation and frozen with the model;
``reports.crisis_parts.crisis_spec``). Prior A&E attendances and admissions stay linear:
they are counts capped at 5 and 3 with most people at 0, so Harrell's centiles of them
coincide (a spline's knots would be 0, 0 and 1) and a spline has no room to bend."""
CRISIS_SPLINE_KNOTS: dict[str, int] = {"age": CRISIS_AGE_KNOTS, "years_in_care": 3,
                                       "honos": CRISIS_HONOS_KNOTS}
"""The prespecified crisis-risk model's restricted cubic splines: predictor and knots."""
CRISIS_LINEAR_PREDICTORS = ("female", "white", "imd_q1", "community_team",
                            "prior_ae", "prior_admissions", "life_rooms")
"""The prespecified model's linear predictors, in the model's order."""
CRISIS_OPTIONAL_PREDICTORS = frozenset({"honos"})
"""Predictors left out when too few are recorded (``reports.crisis_parts.crisis_spec``)."""
CRISIS_OPTIONAL_PARAMETERS = sum(CRISIS_SPLINE_KNOTS.get(p, 2) - 1
                                 for p in CRISIS_OPTIONAL_PREDICTORS)
"""The parameters the optional predictors take (2: HoNOS's spline of 3 knots)."""
CRISIS_MAX_PARAMETERS = (sum(k - 1 for k in CRISIS_SPLINE_KNOTS.values())
                         + len(CRISIS_LINEAR_PREDICTORS))
"""The most candidate predictor parameters the crisis-risk model has (15): a spline of
``k`` knots has ``k - 1``, a linear predictor one."""
CRISIS_R2_FRACTION = 0.15
"""The anticipated Cox-Snell R-squared of the crisis-risk sample size, as a share of its
maximum at the observed prevalence (Riley et al. 2020 suggest 0.15 when nothing better
is known): the report's default ``r2_fraction`` and the setting "anticipated R-squared
(% of its maximum)"."""
CRISIS_TARGET_SHRINKAGE = 0.9
"""Criterion (i)'s target shrinkage of the crisis-risk sample size (Riley et al. 2020):
what ``reports.prediction`` asks ``minimum_sample_size`` for and the setting "target
shrinkage"."""
MIN_BOOT_PER_COPY = 10
"""Bootstrap samples within each imputed copy at least (MI-boot's
``bootstrap_validation_imputed``, the two-stage interval's outer samples per copy and
boot-MI's sharing of them; the setting "bootstrap samples per imputed copy")."""
