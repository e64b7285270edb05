"""Missing covariates: multiple imputation by chained equations and Rubin's rules.

Reports used to fill a missing HoNOS score with the cohort median, which shrinks its
coefficient towards 0 and leaves its confounding partly unadjusted. Instead: ``m``
imputed copies of the data (statsmodels ``MICEData``: chained equations, predictive
mean matching, seeded), the model fitted to each, and the estimates combined by
Rubin's rules. A complete-case analysis is reported beside it as a sensitivity
analysis.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

__all__ = ["LAMBDA_FLOOR", "barnard_rubin_df", "combine_fits", "fit_imputed",
           "impute_chained", "nelson_aalen_at", "rubin_combine"]


#: lambda's floor in Barnard and Rubin's degrees of freedom (R ``mice:::barnard.rubin``)
LAMBDA_FLOOR = 1e-4


def barnard_rubin_df(m: int, between: np.ndarray, total: np.ndarray,
                     dfcom: float) -> np.ndarray:
    """Barnard and Rubin's (1999) small-sample degrees of freedom of a pooled estimate.

    ``nu = nu_old nu_obs / (nu_old + nu_obs)`` with ``nu_old = (m - 1) / lambda^2``,
    ``nu_obs = (dfcom + 1) / (dfcom + 3) dfcom (1 - lambda)`` and
    ``lambda = (1 + 1/m) B / T`` floored at :data:`LAMBDA_FLOOR`, as R's
    ``mice:::barnard.rubin`` (mice 3.15); ``dfcom`` infinite gives ``nu_old``.
    """
    lam = np.maximum((1 + 1 / m) * np.asarray(between, float) / np.asarray(total, float),
                     LAMBDA_FLOOR)
    old = (m - 1) / lam ** 2
    if np.isinf(dfcom):
        return old
    observed = (dfcom + 1) / (dfcom + 3) * dfcom * (1 - lam)
    return old * observed / (old + observed)


def rubin_combine(estimates: np.ndarray, variances: np.ndarray, *,
                  alpha: float = 0.05, dfcom: float | None = None) -> pd.DataFrame:
    """Rubin's rules: pool ``m`` estimates (rows) of ``p`` parameters (columns).

    Parameters
    ----------
    dfcom
        The complete-data degrees of freedom, where the complete-data interval is a t
        on known degrees of freedom (a linear model's residual degrees of freedom, a
        mixed model's Satterthwaite ones): the degrees of freedom are then Barnard
        and Rubin's (1999), as R's ``mice::pool`` (:func:`barnard_rubin_df`).
        ``None`` (or infinite): the complete-data interval is Wald (normal), as for
        the Cox, Fine-Gray and logistic models the reports pool, and the degrees of
        freedom are Rubin's (1987), Barnard and Rubin's limit as ``dfcom`` grows; one
        copy repeated m times then gives that copy's own normal interval. (R's
        ``mice::pool`` takes a ``glm``'s residual degrees of freedom and a ``coxph``'s
        events less coefficients instead: a t on about n degrees of freedom where the
        complete-data fit used a normal interval.)

    Returns one row per parameter: estimate (mean), se (sqrt of the total variance
    T = W + (1 + 1/m) B), within (W), between (B), total (T), df, riv (relative
    increase in variance), lambda (share of T due to missing data), ci_lower,
    ci_upper (t on df), p_value and fmi (fraction of missing information), as R's
    ``mice::pool`` names them (ubar, b, t, df, riv, lambda, fmi).

    Notes
    -----
    Rubin (1987): W the mean within-imputation variance, B the between-imputation
    variance of the estimates, r = (1 + 1/m) B / W, fmi = (r + 2 / (df + 3)) / (r + 1).
    With ``dfcom=None``, df = (m - 1) (1 + 1 / r)^2 (infinite when B = 0: normal
    quantiles; fmi 0; estimates equal to within 16 ulp count as equal). With ``dfcom``, Barnard-Rubin's df, never above ``dfcom``
    (Rubin's can exceed the data's own degrees of freedom when B is small). Checked
    against ``mice::pool`` and ``mice::pool.scalar`` to 1e-8
    (``tests/reference/test_mice_pool_against_r.py``) and by hand
    (``tests/unit/test_imputation.py::test_rubin_combine_hand_example_matches``).
    """
    q = np.atleast_2d(np.asarray(estimates, dtype=float))
    u = np.atleast_2d(np.asarray(variances, dtype=float))
    m = q.shape[0]
    if m < 2:
        raise ValueError("Rubin's rules need at least 2 imputations")
    if dfcom is not None and not dfcom > 0:
        raise ValueError(f"complete-data degrees of freedom must be positive: {dfcom}")
    mean = q.mean(axis=0)
    within = u.mean(axis=0)
    between = q.var(axis=0, ddof=1)
    # estimates that differ only in their last bits are one estimate: identical copies
    # fitted from arrays at other memory addresses can differ by an ulp where BLAS picks
    # another kernel (an AMD EPYC: B = 2e-31, fmi 2e-31, finite df; exactly 0 on the CI
    # machine), which is rounding, not imputation variance
    rounding = np.ptp(q, axis=0) <= 16 * np.finfo(float).eps * np.abs(q).max(axis=0)
    between = np.where(rounding, 0.0, between)
    total = within + (1 + 1 / m) * between
    with np.errstate(divide="ignore", invalid="ignore"):
        r = (1 + 1 / m) * between / within
        if dfcom is None:
            dof = np.where(between > 0, (m - 1) * (1 + 1 / r) ** 2, np.inf)
            fmi = np.where(between > 0, (r + 2 / (dof + 3)) / (r + 1), 0.0)
        else:
            dof = barnard_rubin_df(m, between, total, float(dfcom))
            fmi = (r + 2 / (dof + 3)) / (r + 1)
    # a negative variance (a copy's diverging fit, as in a separated boot-MI sample)
    # has no standard error: NaN, as np.sqrt gave, without its "invalid value" warning
    # on the notebook's stderr (lifetools.convergence.standard_errors does the same)
    se = np.sqrt(np.where(total >= 0, total, np.nan))
    crit = stats.t.ppf(1 - alpha / 2, dof)
    return pd.DataFrame({"estimate": mean, "se": se, "within": within,
                         "between": between, "total": total, "df": dof, "riv": r,
                         "lambda": (1 + 1 / m) * between / total,
                         "ci_lower": mean - crit * se, "ci_upper": mean + crit * se,
                         "p_value": 2 * stats.t.sf(np.abs(mean / se), dof), "fmi": fmi})


def nelson_aalen_at(duration: pd.Series, event: pd.Series) -> np.ndarray:
    """Nelson-Aalen cumulative hazard at each row's own time (an imputation predictor).

    White and Royston (2009, Statistics in Medicine 28:1982) recommend the event
    indicator and H(T) as predictors when imputing covariates of a survival model.
    """
    time = np.asarray(duration, dtype=float)
    dead = np.asarray(event, dtype=float) != 0
    times = np.unique(time[dead])
    ordered = np.sort(time)
    at_risk = len(time) - np.searchsorted(ordered, times, side="left")
    deaths = np.bincount(np.searchsorted(times, time[dead]), minlength=len(times))
    cumulative = np.r_[0.0, np.cumsum(deaths / at_risk)]
    return cumulative[np.searchsorted(times, time, side="right")]


def impute_chained(df: pd.DataFrame, *, impute: Sequence[str],
                   predictors: Sequence[str], m: int = 10, seed: int = 2024,
                   burn_in: int = 10, between: int = 5) -> list[pd.DataFrame]:
    """``m`` copies of ``df`` with the missing values of ``impute`` filled by MICE.

    Parameters
    ----------
    impute
        Numeric columns with missing values to impute.
    predictors
        Complete numeric columns used to predict them (for a survival model: the
        other covariates, the event indicator and the Nelson-Aalen cumulative hazard,
        :func:`nelson_aalen_at`).
    seed
        Seed of the random generator: the same seed gives the same imputations.

    Notes
    -----
    statsmodels ``MICEData`` (chained equations: each column imputed in turn by a
    linear model of the others, with parameters drawn from their approximate posterior
    and predictive mean matching to an observed value), ``burn_in`` cycles before the
    first copy and ``between`` cycles between copies. With nothing missing, one copy of
    ``df`` is returned (nothing to pool). Checked on synthetic truth with MCAR missingness in
    ``tests/unit/test_imputation.py``.
    """
    from statsmodels.imputation.mice import MICEData

    columns = list(dict.fromkeys([*impute, *predictors]))
    if df[list(predictors)].isna().any().any():
        raise ValueError("predictors must be complete (no missing values)")
    if not df[list(impute)].isna().any().any():
        return [df.copy()]
    frame = df[columns].astype(float).reset_index(drop=True)
    frame.columns = [f"v{i}" for i in range(len(columns))]  # formula-safe names
    names = dict(zip(frame.columns, columns, strict=True))
    mice = _direct_design(MICEData)(frame, rng=np.random.default_rng(seed))
    copies = []
    for i in range(m):
        mice.update_all(burn_in if i == 0 else between)
        filled = mice.data.rename(columns=names)
        out = df.copy()
        for column in impute:
            out[column] = filled[column].to_numpy()
        copies.append(out)
    return copies


def _direct_design(mice_data: type) -> type:
    """statsmodels' ``MICEData`` with each conditional model's design made by indexing.

    ``MICEData`` builds the design of ``v ~ <every other column>`` with patsy twice per
    update (to fit and to match), which was 94% of the CPU of a boot-MI internal
    validation (10 imputed copies, 55 updates a bootstrap sample; issue 19). With the
    default formulas, no keyword formulas and no missing value left after the initial
    fill, patsy's design is the intercept column of ones followed by the other columns'
    values in the frame's order, as a C-ordered float64 array: the arrays made here
    are equal to patsy's in value, shape, dtype and memory order (checked in
    ``tests/unit/test_imputation.py`` at every update of a chain), so the fits, the
    random draws and the imputed values are the same bits. Only that case is supported:
    a custom formula or keyword falls back to patsy.
    """

    class DirectDesign(mice_data):
        def _design(self, vname: str) -> tuple[np.ndarray, np.ndarray] | None:
            if (self.conditional_formula[vname] != vname + " ~ " + " + ".join(
                    c for c in self.data.columns if c != vname)
                    or vname in self.predict_kwds or self.init_kwds.get(vname)
                    or self.fit_kwds.get(vname)):
                return None
            values = self.data.to_numpy(dtype=float)
            position = self.data.columns.get_loc(vname)
            exog = np.empty((len(values), values.shape[1]))
            exog[:, 0] = 1.0
            exog[:, 1:] = np.delete(values, position, axis=1)
            return values[:, position].copy(), exog

        def get_fitting_data(self, vname):
            design = self._design(vname)
            if design is None:
                return super().get_fitting_data(vname)
            endog, exog = design
            ix = self.ix_obs[vname]
            return endog[ix], exog[ix, :], {}, {}

        def get_split_data(self, vname):
            design = self._design(vname)
            if design is None:
                return super().get_split_data(vname)
            endog, exog = design
            ixo, ixm = self.ix_obs[vname], self.ix_miss[vname]
            # patsy's endog is a one-column frame here: a column, as statsmodels has it
            return endog[ixo][:, None], exog[ixo, :], exog[ixm, :], {}, {}

    return DirectDesign


def combine_fits(fits: Sequence[Any], *, alpha: float = 0.05,
                 description: str = "") -> Any:
    """Pool Cox (or other ratio) fits of imputed copies by Rubin's rules.

    ``fits`` are results with a ``summary`` holding ``term``, ``coef`` and ``se`` (log
    scale). Returns the first fit with its summary replaced by the pooled one (hazard
    ratios exp(pooled coef), t intervals on Rubin's df; ``fmi`` column), every fit's
    warnings, ``estimable`` only when every fit is, and ``method["imputation"]``. The
    proportional-hazards and global tests are those of the first imputed copy.

    Notes
    -----
    Rubin's rules on the log hazard ratio (:func:`rubin_combine`); the complete-data
    interval is Wald (normal), so the complete-data degrees of freedom are infinite
    and Barnard and Rubin's degrees of freedom are Rubin's (1987). A single fit (no
    missing values) is returned unchanged.
    """
    if len(fits) == 1:
        return fits[0]
    first = fits[0]
    ok = all(getattr(f, "estimable", True) for f in fits)
    pooled = rubin_combine(np.vstack([f.summary["coef"].to_numpy() for f in fits]),
                           np.vstack([f.summary["se"].to_numpy() ** 2 for f in fits]),
                           alpha=alpha)
    summary = first.summary.copy()
    with np.errstate(over="ignore"):
        summary = summary.assign(
            coef=pooled["estimate"].to_numpy(), se=pooled["se"].to_numpy(),
            estimate=np.exp(pooled["estimate"].to_numpy()),
            ci_lower=np.exp(pooled["ci_lower"].to_numpy()),
            ci_upper=np.exp(pooled["ci_upper"].to_numpy()),
            p_value=pooled["p_value"].to_numpy(), fmi=pooled["fmi"].to_numpy())
    if "estimable" in summary:
        flags = np.vstack([f.summary["estimable"].to_numpy(bool) for f in fits])
        summary["estimable"] = flags.all(axis=0)
        summary.loc[~summary["estimable"], ["estimate", "ci_lower", "ci_upper",
                                            "p_value"]] = np.nan
    notes = list(dict.fromkeys(w for f in fits for w in getattr(f, "warnings", ())))
    method = {**first.method, "imputation": (
        f"{len(fits)} imputations by chained equations, Rubin's rules"
        + (f"; {description}" if description else "")
        + "; proportional-hazards and global tests on the first imputed copy")}
    reason = next((f.reason for f in fits if not getattr(f, "estimable", True)), "")
    changes: dict[str, Any] = {"summary": summary, "warnings": tuple(notes),
                               "method": method}
    if hasattr(first, "estimable"):
        changes.update(estimable=ok, reason=reason)
    return dataclasses.replace(first, **changes)


def fit_imputed(fit: Callable[[pd.DataFrame, bool], Any],
                datasets: Sequence[pd.DataFrame], **kwargs: Any) -> Any:
    """Fit ``fit(data, first)`` to each imputed copy and pool (:func:`combine_fits`)."""
    return combine_fits([fit(data, i == 0) for i, data in enumerate(datasets)],
                        **kwargs)
