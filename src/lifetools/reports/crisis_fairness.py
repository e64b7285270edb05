"""The crisis-risk report's fairness part: discrimination and calibration by sex, ethnic
group and deprivation fifth (issue 19, item 6), its table, its calibration curves by
group and its words.

Each group with at least the profile's ``model_min_events`` people with and without a
crisis has its C-statistic, calibration slope and calibration-in-the-large with 95%
intervals (:func:`lifetools.prediction.performance_by_group`: the estimators and Wald
intervals of the overall validation, within the group) and a flexible calibration
curve (:func:`lifetools.prediction.calibration_curve`, as overall) read at whole
percentages of risk; a group with fewer is ``[c]`` in the table and has no curve.
Kept apart from :mod:`lifetools.reports.prediction` so that each module stays short.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from lifetools.disclosure import ProtectedTable, Reason, compose, model_outputs
from lifetools.disclosure.models import WITHHELD_CELL
from lifetools.disclosure.rule_text import too_few_sentence
from lifetools.disclosure.withheld import TooFew
from lifetools.labels import DEPRIVATION_FIFTHS, listed
from lifetools.prediction import calibration_curve, performance_by_group
from lifetools.reports.crisis_internal import internal_calibration_grid, kept_sides
from lifetools.reports.crisis_parts import FAIRNESS_GROUPS, shown_estimate
from lifetools.tables import MAX_ROWS

__all__ = ["ESTIMATE_COLUMNS", "GROUP_CURVE_COLUMNS", "citl_sentence", "fairness_rows",
           "fairness_sentence", "group_grid",
           "fairness_table", "group_calibration_curves", "group_curves_table", "group_words",
           "shown_rows", "slope_sentence"]

ESTIMATE_COLUMNS = {"c": "C-statistic (95% CI)",
                    "slope": "calibration slope (95% CI)",
                    "citl": "calibration-in-the-large (95% CI)"}
"""The fairness table's model-output columns: measure of
:func:`~lifetools.prediction.performance_by_group` and its header."""

GROUP_CURVE_COLUMNS = ("predicted", "observed", "ci_lower", "ci_upper")
"""The numbers of the calibration curves by group (each group's rows): the grid of
risks, the curve and its pointwise 95% band."""


def fairness_rows(outcome: Any, risk: np.ndarray, frame: pd.DataFrame, *,
                  min_count: int) -> pd.DataFrame:
    """:func:`~lifetools.prediction.performance_by_group` for each grouping of
    :data:`~lifetools.reports.crisis_parts.FAIRNESS_GROUPS` (column ``characteristic``
    its words), raw: counts unprotected, for the table and the curves to protect."""
    return pd.concat([
        performance_by_group(outcome, risk, frame[col], min_count=min_count).assign(
            characteristic=label) for col, label in FAIRNESS_GROUPS.items()],
        ignore_index=True)


def fairness_table(rows: pd.DataFrame, release: Any) -> tuple[pd.DataFrame, ProtectedTable]:
    """The fairness table before and after its model's release check.

    ``rows``: :func:`fairness_rows`. Each shown group's C-statistic, calibration slope
    and calibration-in-the-large with their intervals, each limit kept on its side of
    the measure's no-difference value (0.5, 1 and 0) as every table of the page
    writes it (:func:`~lifetools.reports.crisis_internal.kept_sides`); a group with too
    few people with or without a crisis is ``[c]``, its rule said once in the table's
    note. Counts protected as counts of people (:func:`lifetools.disclosure.
    model_outputs`). Tested in ``tests/unit/test_crisis_fairness.py``.
    """
    too_few = TooFew(too_few_sentence("a crisis"))
    fair = pd.DataFrame({"characteristic": rows["characteristic"], "group": rows["group"],
                         "people": rows["n"], "crises": rows["events"]})
    for measure, header in ESTIMATE_COLUMNS.items():
        fair[header] = [
            too_few if r.suppressed
            else shown_estimate(getattr(r, measure), getattr(r, f"{measure}_lower"),
                                getattr(r, f"{measure}_upper"), **kept_sides(measure))
            for r in rows.itertuples()]
    protected = model_outputs(
        fair, dict.fromkeys(ESTIMATE_COLUMNS.values(), release),
        count_cols=["people", "crises"],
        # crises: people with one in the horizon (0 or 1 each)
        people_outcomes=["crises"], said_once=True)
    return fair, protected


def shown_rows(rows: pd.DataFrame, table: ProtectedTable, *,
               released_only: bool = True) -> pd.DataFrame:
    """The rows of ``rows`` whose estimates the protected fairness table shows: a group
    it hides (too few, or any estimate cell hidden) is never described or drawn.

    ``released_only=False``: the groups it would show were the model released (cells
    blank only by the model release rule, :data:`~lifetools.disclosure.models.
    WITHHELD_CELL`, counted as shown), whose curves are made so that their table is
    blanked by the same release, with its reason (:func:`group_curves_table`)."""
    hidden = {row for row, col, why in table.record.suppressed
              if col in ESTIMATE_COLUMNS.values()
              and (released_only or why != WITHHELD_CELL)}
    return rows[~rows.index.isin(hidden) & ~rows["suppressed"]]


def group_grid(risk: np.ndarray, points: int) -> np.ndarray:
    """A group's grid of risks: :func:`~lifetools.reports.crisis_internal.
    internal_calibration_grid` of its predicted risks (whole percentages from the 5th to
    the 95th percentile), thinned evenly to at most ``points`` (at least its two
    ends), so that every group's curve fits one published table."""
    grid = internal_calibration_grid(risk)
    if len(grid) <= points:
        return grid
    return grid[np.unique(np.round(np.linspace(0, len(grid) - 1, max(points, 2)))
                          .astype(int))]


def group_calibration_curves(outcome: Any, risk: np.ndarray, frame: pd.DataFrame,
                             shown: pd.DataFrame) -> pd.DataFrame:
    """The flexible calibration curve of each group the fairness table shows.

    ``shown``: :func:`shown_rows` with ``released_only=False`` (groups with at least
    the threshold of people with and without a crisis); ``frame``: the cohort, with the columns of
    :data:`~lifetools.reports.crisis_parts.FAIRNESS_GROUPS`. Each group's curve is
    :func:`lifetools.prediction.calibration_curve` of its people (the overall curve's
    estimator: a restricted cubic spline of the logit of the risk, pointwise 95% Wald
    band) read at whole percentages of risk from the 5th to the 95th percentile of the
    group's predicted risks (:func:`group_grid`: no person's risk is published), at
    most :data:`~lifetools.tables.MAX_ROWS` rows in all (the most a published table
    may have before the publish gate reads it as one row per person: 12 groups have
    5 points each). Columns
    ``characteristic``, ``group`` and :data:`GROUP_CURVE_COLUMNS`; a group whose curve
    cannot be fitted (a singular fit) has no rows.
    """
    y = np.asarray(outcome, dtype=float)
    p = np.asarray(risk, dtype=float)
    by_label = {label: col for col, label in FAIRNESS_GROUPS.items()}
    points = MAX_ROWS // max(len(shown), 1)
    curves = []
    for r in shown.itertuples():
        mask = (pd.Series(np.asarray(frame[by_label[r.characteristic]])).astype(str)
                == r.group).to_numpy()
        try:
            curve = calibration_curve(y[mask], p[mask], grid=group_grid(p[mask], points))
        except (np.linalg.LinAlgError, ValueError):
            continue
        curves.append(curve.assign(characteristic=r.characteristic, group=r.group))
    columns = ["characteristic", "group", *GROUP_CURVE_COLUMNS]
    if not curves:
        return pd.DataFrame({c: pd.Series(dtype=object if c in columns[:2] else float)
                             for c in columns})
    return pd.concat(curves, ignore_index=True)[columns]


def group_curves_table(curves: pd.DataFrame, release: Any) -> ProtectedTable:
    """The curves by group as published: every number the model's output, tied to its
    release (:func:`lifetools.disclosure.model_outputs`), as the overall curve."""
    return model_outputs(curves, dict.fromkeys(GROUP_CURVE_COLUMNS, release),
                         said_once=True)


_GROUP_WORDS = {
    ("Sex", "Female"): "women", ("Sex", "Male"): "men",
    ("Sex", "Other or not known"): "people whose sex is other or not known",
    ("Ethnic group", "White"): "people in the White ethnic group",
    ("Ethnic group", "Other ethnic groups"): "people in other ethnic groups",
    ("Ethnic group", "Not known"): "people whose ethnic group is not known",
    **{("IMD quintile (1 = most deprived)", fifth): f"people in {words} of areas"
       for fifth, words in DEPRIVATION_FIFTHS.items()},
    ("IMD quintile (1 = most deprived)", "Not known"): "people whose area is not known"}
"""A fairness group in the summary's words (the table's characteristic and group)."""


def group_words(characteristic: str, group: str) -> str:
    """A fairness table's group as a sentence names it ("women", "the middle fifth");
    any other as "<characteristic> ‘<group>’"."""
    return _GROUP_WORDS.get((str(characteristic), str(group)),
                           f"{str(characteristic).lower()} ‘{group}’")


def _usable(rows: pd.DataFrame | None, measure: str) -> pd.DataFrame:
    """The rows with both limits of ``measure``'s interval."""
    rows = pd.DataFrame() if rows is None else rows
    if not len(rows) or f"{measure}_lower" not in rows.columns:
        return rows.iloc[0:0]
    return rows[[all(np.isfinite([getattr(r, f"{measure}_lower"),
                                  getattr(r, f"{measure}_upper")]))
                 for r in rows.itertuples()]]


def _sides(usable: pd.DataFrame, measure: str, null: float) -> tuple[list, list]:
    """The groups whose interval of ``measure`` lies wholly below ``null``, and wholly above.

    Each as the words :func:`group_words` gives, in the table's order.
    """
    def words(mask: pd.Series) -> list:
        return [group_words(r.characteristic, r.group)
                for r in usable[mask].itertuples()]
    return (words(usable[f"{measure}_upper"] < null),
            words(usable[f"{measure}_lower"] > null))


def slope_sentence(rows: pd.DataFrame | None) -> Any:
    """What the fairness table says about the calibration slope within groups, in words.

    ``rows``: the groups whose estimates the table shows (``characteristic``,
    ``group``, ``slope``, ``slope_lower``, ``slope_upper``). A group whose interval lies
    wholly below 1 (perfect calibration) had predicted risks too extreme (too high where
    they were high and too low where they were low), wholly above 1 too close to the
    average; the rest are compatible with perfect calibration. The words give no
    number: "1" in fixed words is refused by :func:`lifetools.disclosure.compose`. Tested in ``tests/unit/test_crisis_fairness.py``.
    """
    usable = _usable(rows, "slope")
    if not len(usable):
        return compose("No group's calibration slope is shown, so the table cannot say "
                       "whether the predicted risks were too extreme or too modest within "
                       "groups.")
    extreme, modest = _sides(usable, "slope", 1)
    if not extreme and not modest:
        return compose("Within every group shown, the interval of the calibration slope "
                       "includes perfect calibration: no group's predicted risks were "
                       "shown to be too extreme or too modest.")
    parts = []
    if extreme:
        parts.append("too extreme (too high where high and too low where low) for "
                     "{extreme}, whose interval of the calibration slope lies wholly "
                     "below perfect calibration")
    if modest:
        parts.append("too modest (too close to the average) for {modest}, whose interval "
                     "of the calibration slope lies wholly above perfect calibration")
    rest = len(usable) - len(extreme) - len(modest)
    return compose(
        "The predicted risks were " + ", and ".join(parts) + "."
        + (" For the other groups shown, the interval includes perfect calibration."
           if rest else ""),
        **({"extreme": Reason(listed(extreme))} if extreme else {}),
        **({"modest": Reason(listed(modest))} if modest else {}))


def fairness_sentence(rows: pd.DataFrame | None) -> Any:
    """What the fairness table says about calibration within groups, in words: the
    calibration-in-the-large (:func:`citl_sentence`) and, when ``rows`` have it, the
    calibration slope (:func:`slope_sentence`). Tested in
    ``tests/unit/test_crisis_wording.py`` and ``tests/unit/test_crisis_fairness.py``."""
    citl = citl_sentence(rows)
    if rows is None or "slope" not in getattr(rows, "columns", ()):
        return citl
    return compose("{citl} {slope}", citl=citl, slope=slope_sentence(rows))


def citl_sentence(rows: pd.DataFrame | None) -> Any:
    """What the fairness table says about calibration-in-the-large within groups.

    ``rows``: the groups whose calibration-in-the-large the table shows
    (``characteristic``, ``group``, ``citl``, ``citl_lower``, ``citl_upper``). A group
    whose interval lies wholly above no difference had predicted risks too low on
    average, wholly below too high; the rest are compatible with no difference. The
    2024-25 page at 30,000 people showed women at 0.41 (0.18 to 0.64) and men at -0.36
    (-0.62 to -0.10) under a summary that said only that the data could not tell
    whether calibration held overall (issue 15, wave 34).
    """
    usable = _usable(rows, "citl")
    if not len(usable):
        return compose("No group's calibration-in-the-large is shown, so the table cannot "
                       "say whether the predicted risks were too high or too low within "
                       "groups.")
    high, low = _sides(usable, "citl", 0)
    if not low and not high:
        return compose("Within every group shown, the interval of the "
                       "calibration-in-the-large includes no difference: no group's "
                       "predicted risks were shown to be too high or too low on average.")
    parts = []
    if low:
        parts.append("too low on average for {low}")
    if high:
        parts.append("too high on average for {high}")
    rest = len(usable) - len(low) - len(high)
    # one group: "its interval", not "for each" of a list of one (wave 36)
    # the side named from the groups found: "above or below" when every interval lay
    # below read as a choice the data did not leave (wave 41)
    side = ("above" if not high else "below" if not low else
            "above (too low) or below (too high)")
    where = (": for each, the interval of the calibration-in-the-large lies wholly "
             + side + " no difference." if len(low) + len(high) > 1 else
             ": its interval of the calibration-in-the-large lies wholly "
             + side + " no difference.")
    return compose(
        "Within groups, the predicted risks were " + ", and ".join(parts) + where
        + (" For the other groups shown, the intervals are compatible with no "
           "difference." if rest else ""),
        **({"low": Reason(listed(low))} if low else {}),
        **({"high": Reason(listed(high))} if high else {}))

