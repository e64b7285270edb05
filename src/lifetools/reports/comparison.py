"""The comparison with non-users: propensity designs, their difference-in-differences,
and who was left outside the common support, in words.

Used by the emergency care report (:mod:`lifetools.reports.emergency`) and its truth
tests (``tests/truth/test_did_many_seeds.py``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from lifetools.cohort import MATCHING_COVARIATES, propensity_covariates
from lifetools.disclosure import compose, protected_count
from lifetools.disclosure.profiles import active_profile
from lifetools.disclosure.text import ProtectedText, numbers_in
from lifetools.frames import with_columns
from lifetools.labels import label
from lifetools.regression import (
    BalanceResult,
    estimate_did,
    fit_propensity,
    match_on_propensity,
    weight_by_propensity,
)

__all__ = ["Comparison", "DESIGNS", "OUTCOMES", "SUPPORT_WORDS", "compare_with_non_users",
           "matching_sentence", "support_sentence", "term_numbers"]

OUTCOMES = {"ae": "A&E attendances", "admissions": "Emergency admissions"}


MATCHED_WORDS = "matched to a similar person who did not"
"""What a matched user was: the sentence's words for the matched design."""


def matching_sentence(users: int, matched: int) -> ProtectedText:
    """How many of the period's new Life Rooms users the matched design kept, in words.

    ``users``: the people whose first contact was in the period; ``matched``: those
    matched to a non-user (the matched pairs). Each count is said through disclosure
    control, and never both: the part said is the smaller of the matched and the
    unmatched, so that it cannot round to the whole. "All of them were matched" only
    when the unmatched are exactly none; "none of them could be matched" only when
    the matched are; otherwise "all but 15 of them were matched ..." (the unmatched
    count, "fewer than 8" when 1 to 7) or "15 of them were matched ..., and the rest
    could not be"; of 1 to 7 users (a suppressed count), "some of them were matched
    ..., and the rest could not be", never a suppressed part of a suppressed whole.
    Until wave 42 the sentence said "205 people first used the Life
    Rooms; 205 of them were matched" (30,000 people): two rounded counts reading as
    nobody unmatched, whose difference a reader would take for the unmatched count.

    Raises
    ------
    ValueError
        When ``matched`` is not within 0 to ``users``.
    """
    users, matched = int(users), int(matched)
    if not 0 <= matched <= users:
        raise ValueError(f"{matched} matched of {users} users: the matched users are "
                         "some of the users")
    start = "During the period {users} people first used the Life Rooms; "
    unmatched = users - matched
    if users == 0:
        return compose("During the period {users} people first used the Life Rooms, so "
                       "the matched comparison could not be made.", users=protected_count(0))
    if unmatched == 0:
        text = start + "all of them were " + MATCHED_WORDS + "."
    elif matched == 0:
        text = start + "none of them could be " + MATCHED_WORDS + "."
    elif protected_count(users).value is None:  # 1 to 7 users: a part of them is too
        text = start + "some of them were " + MATCHED_WORDS + ", and the rest could not be."
    elif unmatched <= matched:
        text = start + "all but {part} of them were " + MATCHED_WORDS + "."
    else:
        text = start + "{part} of them were " + MATCHED_WORDS + ", and the rest could not be."
    part = min(unmatched, matched)
    return compose(text, users=protected_count(users),
                   **({"part": protected_count(part)} if "{part}" in text else {}))


@dataclass(frozen=True)
class Comparison:
    """The propensity designs against non-users and their difference-in-differences.

    ``estimates``: one row per outcome and design (``matched``, ``weighted``) with
    ``estimate``, ``ci_lower``, ``ci_upper``, ``p_value`` and ``failure`` (why it could
    not be estimated, else ``None``). ``periods``: ``pt.periods`` with each person's
    ``user`` (1 for users, 0 otherwise) added last; its other columns are
    ``pt.periods``' own values, not a copy of them (at 1,500,000 people a copy was
    about 0.15 GB held through the emergency report; issue 16), so neither is written
    into.
    """

    matched: BalanceResult
    weighted: BalanceResult
    estimates: pd.DataFrame
    covariates: tuple[str, ...]
    periods: pd.DataFrame = field(repr=False, default=None)


DESIGNS = {"matched": "Matched difference-in-differences",
           "weighted": "Weighted (ATT) difference-in-differences"}


def compare_with_non_users(pt: Any, *, covariates: Sequence[str] | None = None,
                           caliper: float = 0.2,
                           outcomes: Sequence[str] = tuple(OUTCOMES)) -> Comparison:
    """Matched and weighted comparison groups, and the DiD of each outcome in each.

    Notes
    -----
    ``covariates`` default to ``propensity_covariates(pt.people)``: prior use enters as
    the rates in the baseline window before the DiD's pre-period, never as the
    pre-period counts themselves, so the comparison group does not regress to the mean
    (Daw and Hatfield 2018; ``book/methods/propensity.md``). 1:1 matching within a
    caliper of the logit score, nearest by Mahalanobis distance on the logit score and
    those of ``MATCHING_COVARIATES`` (the baseline rates) in ``covariates``
    (Poisson GEE DiD) and ATT weighting (weighted Poisson GLM DiD, cluster-robust
    errors). People at an indicator level that only one group has (say a locality
    with no users) are outside the common support and left out of both designs
    (``lifetools.regression.common_support``; ``matched.method["outside_support"]``).
    When the propensity model cannot be used, or a DiD fit fails, the rows
    say why in ``failure`` and carry no estimate. Checked over 20 seeds in
    ``tests/truth/test_did_many_seeds.py``.
    """
    covariates = list(propensity_covariates(pt.people) if covariates is None
                      else covariates)
    model = fit_propensity(pt.people, treatment_col="user", covariates=covariates)
    matched = match_on_propensity(
        pt.people, treatment_col="user", covariates=covariates, caliper=caliper,
        model=model, mahalanobis=[c for c in MATCHING_COVARIATES if c in covariates])
    weighted = weight_by_propensity(pt.people, treatment_col="user",
                                    covariates=covariates, estimand="att", model=model)
    user = _by_person(pt.people, "user")
    # each design's rows with only the columns its fit reads, and the person-periods
    # with every column made after the fits: at 1,500,000 people each copy of the
    # 2.7 million person-periods is about 0.3 GB (issue 16)
    columns = list(dict.fromkeys(["person_id", "after", "person_years", *outcomes]))

    def rows_of(ids: pd.Series) -> pd.DataFrame:
        rows = pt.periods.loc[pt.periods["person_id"].isin(ids), columns]
        return rows.assign(user=rows["person_id"].map(user))

    data = {"matched": rows_of(matched.data["person_id"])}
    if weighted.failure is None:
        inside = rows_of(weighted.data["person_id"])
        data["weighted"] = inside.assign(weight=inside["person_id"].map(
            _by_person(weighted.data, "weight")))
        del inside
    rows = []
    for outcome in outcomes:
        for design, built in (("matched", matched), ("weighted", weighted)):
            row = {"outcome": outcome, "design": design, "estimate": np.nan,
                   "ci_lower": np.nan, "ci_upper": np.nan, "p_value": np.nan,
                   "failure": built.failure}
            if built.failure is None:
                result = estimate_did(data[design], outcome_col=outcome,
                                      weights_col=None if design == "matched"
                                      else "weight")
                row["failure"] = None if result.estimable else result.reason
                if result.estimable:
                    row.update(term_numbers(result, "did"))
                del result  # its model holds the fit's arrays: not kept for the next
            rows.append(row)
    del data
    # not ``assign``, which copied every column of the person-periods
    periods = with_columns(pt.periods, {"user": pt.periods["person_id"].map(user)})
    return Comparison(matched=matched, weighted=weighted, estimates=pd.DataFrame(rows),
                      covariates=tuple(covariates), periods=periods)


def _by_person(people: pd.DataFrame, column: str) -> pd.Series:
    """``people[column]`` indexed by person id, for ``Series.map``: the values of
    ``people.set_index("person_id")[column]`` without that copy of every column of
    ``people``, which the column, a view of one of its blocks, kept alive (issue 16)."""
    return pd.Series(people[column].to_numpy(), name=column,
                     index=pd.Index(people["person_id"], name="person_id"))


def term_numbers(result, term: str) -> dict[str, Any]:
    """A term's numbers, and ``failure``: the result's ``reason`` when not estimable."""
    estimate, low, high = result.estimate(term)
    p = float(result.summary.set_index("term").loc[term, "p_value"])
    return {"estimate": estimate, "ci_lower": low, "ci_upper": high, "p_value": p,
            "failure": None if result.estimable else result.reason}


def _level_words(covariate: str) -> str:
    """A covariate's label for a sentence, without a bracketed code ("(A06)")."""
    words = re.sub(r"\s*\([^)]*\d[^)]*\)", "", label(covariate)).strip()
    return words if words and not numbers_in(words) else "one recorded characteristic"


SUPPORT_WORDS = {
    (True, "above", "users"): "No Life Rooms user had {w}, so the non-users with it were "
                              "left out of the comparison",
    (True, "below", "users"): "Every Life Rooms user had {w}, so the non-users without it "
                              "were left out of the comparison",
    (True, "above", "non-users"): "Everyone with {w} used the Life Rooms, so these users "
                                  "were left out of the comparison",
    (True, "below", "non-users"): "Every non-user had {w}, so the users without it were "
                                  "left out of the comparison",
    (False, "above", "users"): "No Life Rooms user had a value of {w} above the lowest "
                               "among non-users, so the non-users above it were left out "
                               "of the comparison",
    (False, "below", "users"): "No Life Rooms user had a value of {w} below the highest "
                               "among non-users, so the non-users below it were left out "
                               "of the comparison",
    (False, "above", "non-users"): "No non-user had a value of {w} above the lowest among "
                                   "users, so the users above it were left out of the "
                                   "comparison",
    (False, "below", "non-users"): "No non-user had a value of {w} below the highest "
                                   "among users, so the users below it were left out of "
                                   "the comparison"}


GROUP_SAFE_SUPPORT_WORDS = {
    "users": "Some non-users had a recorded characteristic that no Life Rooms user "
             "shared, so they were left out of the comparison",
    "non-users": "Some Life Rooms users had a recorded characteristic that no non-user "
                 "shared, so they were left out of the comparison"}
"""Who was left out, without the characteristic: under the group disclosure rule."""


def _why(group: str) -> str:
    return ("none of them could be compared with a user" if group == "users" else
            "no non-user could be compared with them")


def support_sentence(outside: Sequence[Any]) -> str:
    """Who was left outside the common support, and why, in words ("" if no one).

    ``outside``: the :class:`lifetools.regression.OutsideSupport` records of
    :func:`lifetools.regression.common_support`. Each record states a fact about a
    whole group of people ("Every Life Rooms user had 'White ethnic group'", "No Life
    Rooms user had a value of baseline admissions above the lowest among non-users"):
    group (class) disclosure. Under a profile with the group disclosure rule
    (``active_profile().group_disclosure``, every named profile) the sentence says
    only which group was left out (one sentence per group,
    :data:`GROUP_SAFE_SUPPORT_WORDS`), never the characteristic; without the rule it
    names it (:data:`SUPPORT_WORDS`). Tested in ``tests/unit/test_propensity_support.py``.
    """
    if active_profile().group_disclosure:
        groups = list(dict.fromkeys(o.group for o in outside))
        return " ".join(f"{GROUP_SAFE_SUPPORT_WORDS[g]}: {_why(g)}." for g in groups)
    parts = []
    for o in outside:
        words = f"\"{_level_words(o.covariate)}\""
        parts.append(SUPPORT_WORDS[(o.indicator, o.side, o.group)].replace("{w}", words)
                     + f": {_why(o.group)}.")
    return " ".join(parts)
