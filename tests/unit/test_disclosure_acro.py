"""Cross-check with ACRO (SACRO's checking of research outputs) on the same tables.

ACRO 1.0.2's defaults: a cell threshold of 10, n-k dominance with n = 2 and k = 0.9,
p% at 10%, zeros disclosive. lifetools must never publish a magnitude cell ACRO flags;
where the two rule sets legitimately differ, each difference has its test here and a
line on the disclosure-control methods page:

- counts: lifetools' default suppresses 1-7 and rounds 8 and 9 to 10, ACRO flags every
  cell under 10 (the ``threshold-10`` profile suppresses 1-9); lifetools publishes
  zeros (as HES does), ACRO flags them (``zeros_are_disclosive``);
- dominance: lifetools' k = 0.85 is stricter than ACRO's 0.9, so lifetools also hides
  cells whose two largest contributions make up more than 85% and at most 90%.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from property_examples import examples

from lifetools import disclosure

#: Tests that call ACRO's own session directly: acro 1.0.2's ``pivot_table`` passes
#: ``aggfunc=sum`` to pandas, a FutureWarning of acro's code, not lifetools' (which
#: silences it where it calls ACRO: ``acro_check._quiet``)
pytestmark = pytest.mark.filterwarnings(r"ignore::FutureWarning:acro\.")

acro = pytest.importorskip("acro")


@pytest.fixture(scope="module")
def session(tmp_path_factory):
    logging.getLogger("acro").setLevel(logging.ERROR)
    return acro.ACRO(suppress=False)


def flagged(session) -> pd.DataFrame:
    """The per-cell verdicts of the last output: True where any check failed."""
    record = session.results.get_index(len(session.results.get_keys()) - 1)
    return record.outcome.map(lambda v: str(v).strip() != "ok")


GROUPS = st.lists(st.tuples(st.sampled_from("abcdef"),
                            st.floats(0.1, 100.0, allow_nan=False),
                            st.booleans()),
                  min_size=1, max_size=120)


@pytest.mark.slow  # 40 ACRO sessions: 15 s
@settings(deadline=None, max_examples=examples(40),
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(GROUPS)
def test_acro_flagged_means_are_never_published_by_lifetools(session, rows):
    frame = pd.DataFrame(rows, columns=["group", "value", "outlier"])
    frame["value"] = frame["value"] * np.where(frame["outlier"], 50.0, 1.0)
    session.pivot_table(frame, index="group", values="value", aggfunc="mean")
    acro_flags = flagged(session)["value"]
    ours = disclosure.protect_magnitudes(frame, group_cols="group", value_col="value",
                                         statistic="mean")
    hidden = dict(zip(ours["group"], ours["value"].isna(), strict=True))
    for group, flag in acro_flags.items():
        if flag:
            assert hidden[group], f"ACRO flags {group}, lifetools would publish it"
        elif hidden[group]:
            # the one legitimate difference: lifetools' k = 0.85 against ACRO's 0.9
            values = np.sort(frame.loc[frame["group"] == group, "value"])[::-1]
            share = values[:2].sum() / values.sum()
            assert 0.85 < share <= 0.9 + 1e-12, (group, share)


def test_acro_threshold_and_dominance_agree_on_a_fixed_table(session):
    frame = pd.DataFrame({"site": ["a"] * 3 + ["b"] * 40 + ["d"] * 9 + ["e"] * 10,
                          "value": [1.0] * 3 + list(np.arange(40.0) + 1)
                          + [100.0] + [1.0] * 8 + [100, 100] + [5.0] * 8})
    session.pivot_table(frame, index="site", values="value", aggfunc="mean")
    acro_flags = flagged(session)["value"].to_dict()
    ours = disclosure.protect_magnitudes(frame, group_cols="site", value_col="value",
                                         statistic="mean")
    assert acro_flags == {"a": True, "b": False, "d": True, "e": False}
    assert ours["value"].isna().tolist() == [True, False, True, False]


def test_acro_counts_differ_only_at_8_9_and_zero_by_default(session):
    target = {("a", "F"): 3, ("a", "M"): 0, ("b", "F"): 8, ("b", "M"): 9,
              ("c", "F"): 12, ("c", "M"): 60, ("d", "F"): 1, ("d", "M"): 10}
    frame = pd.DataFrame([{"site": site, "sex": sex} for (site, sex), n in
                          target.items() for _ in range(n)])
    session.crosstab(frame["site"], frame["sex"])
    acro_flags = flagged(session)
    raw = pd.crosstab(frame["site"], frame["sex"]).reset_index()
    for profile, expected in (("default", {("a", "M"), ("b", "F"), ("b", "M")}),
                              ("threshold-10", {("a", "M")})):
        ours = disclosure.protect_counts(raw, ["F", "M"], profile=profile)
        published_but_flagged = {
            (site, sex) for i, site in enumerate(raw["site"]) for sex in ("F", "M")
            if acro_flags.loc[site, sex] and not pd.isna(ours[sex].iloc[i])}
        # the differences: 8 and 9 rounded to 10 (default) and the zero (both)
        assert published_but_flagged == expected, profile
    assert not acro_flags.loc["c"].any() and acro_flags.loc["d", "F"]


def test_acro_flags_the_zero_beside_all_of_a_group_that_lifetools_hides(session):
    # ACRO's class disclosure (PresenceOfZeroCheck) on the cross-table of an outcome of
    # people: locality C's 60 people were all admitted, so "not admitted" is 0. The
    # same facts as lifetools publishes them, a group size beside a count of its
    # people (people_outcomes), hide C's admitted count: the two agree (issue 12).
    target = {"A": (40, 460), "B": (30, 370), "C": (60, 0)}
    frame = pd.DataFrame([{"locality": k, "admitted": a} for k, (yes, no) in
                          target.items() for a, n in (("yes", yes), ("no", no))
                          for _ in range(n)])
    session.crosstab(frame["locality"], frame["admitted"])
    acro_flags = flagged(session)
    assert acro_flags.loc["C", "no"] and not acro_flags.loc[["A", "B"]].any().any()
    sized = pd.DataFrame({"locality": list(target),
                          "people": [y + n for y, n in target.values()],
                          "admitted": [y for y, _ in target.values()]})
    ours = disclosure.protect_counts(sized, ["people", "admitted"],
                                     people_outcomes=["admitted"])
    assert ours.frame["admitted"].isna().tolist() == [False, False, True]
    # not declared a count of people (events, as ACRO is not told either), it is shown
    assert disclosure.protect_counts(sized, ["people", "admitted"]).frame[
        "admitted"].tolist() == [40, 30, 60]


def test_acro_flags_a_zero_inside_a_breakdown_that_lifetools_publishes(session):
    # the documented difference: a zero in a breakdown whose group is spread over the
    # other categories (no Life Rooms user of "Other" sex beside 40 women and 30 men)
    # is published by lifetools, as HES shows zeros; ACRO flags every zero
    target = {"Female": 40, "Male": 30, "Other": 0}
    frame = pd.DataFrame([{"sex": s, "place": "Life Rooms"} for s, n in
                          target.items() for _ in range(n)] +
                         [{"sex": "Other", "place": "Elsewhere"}] * 12)
    session.crosstab(frame["sex"], frame["place"])
    acro_flags = flagged(session)
    assert acro_flags.loc["Other", "Life Rooms"]
    raw = pd.DataFrame({"sex": list(target), "users": list(target.values())})
    ours = disclosure.protect_counts(raw, ["users"], totals="columns")
    assert ours.frame["users"].tolist() == [40, 30, 0]


def test_acro_check_leaves_no_warning_of_acros_own_code_in_the_notebook():
    # acro 1.0.2's pivot_table raised pandas' FutureWarning naming the installed
    # package's file (a machine path) in the kernel's stderr: 84 of the suite's 85
    # warnings until wave 42
    import warnings

    from lifetools.disclosure.acro_check import acro_magnitude_verdict

    rows = pd.DataFrame({"group": ["a"] * 12 + ["b"] * 12,
                         "score": np.linspace(20.0, 40.0, 24)})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        acro_magnitude_verdict(rows, ["group"], "score", "mean", [False, False])
    assert [str(w.message)[:60] for w in caught] == []


def test_acro_walks_a_short_stack_however_deep_the_notebooks_call(monkeypatch):
    # ACRO records its caller with inspect.stack(), which reads every frame's source
    # and searches sys.modules for a frame of no module (a notebook cell): under a
    # kernel's stack 40-150 ms a table, more than its checks (issue 16). The check
    # calls it from a fresh thread, whatever the depth of the caller's stack
    import inspect

    from acro import acro_tables

    from lifetools.disclosure import acro_check

    depths = []

    def counted(*args, **kwargs):
        frames = inspect.stack(0)
        depths.append(len(frames))
        return frames

    monkeypatch.setattr(acro_tables, "stack", counted)
    raw = pd.DataFrame({"n": [3, 12, 40]})
    published = pd.DataFrame({"n": pd.array([pd.NA, 10, 40], dtype="Int64")})

    def deep(k):
        if k:
            return deep(k - 1)
        return acro_check.acro_count_verdict(raw, ["n"], published,
                                             disclosure.get_profile("default"))

    verdict = deep(80)
    assert verdict.checked == 3 and verdict.flagged == 1 and not verdict.disagreements
    assert depths and max(depths) < 40, depths


def test_acro_session_is_shared_and_keeps_no_output_between_checks():
    # one session per kernel (its YAML configuration parsed once), each check's output
    # read and removed: a kernel checks hundreds of tables
    from lifetools.disclosure import acro_check

    raw = pd.DataFrame({"n": [3, 12, 40], "m": [0, 9, 25]})
    published = pd.DataFrame({"n": pd.array([pd.NA, 10, 40], dtype="Int64"),
                              "m": pd.array([0, 10, 25], dtype="Int64")})
    profile = disclosure.get_profile("default")
    first = acro_check.acro_count_verdict(raw, ["n", "m"], published, profile)
    session = acro_check._session()
    assert acro_check._session() is session
    assert session.results.get_keys() == []
    session.crosstab(pd.Series([1] * 20, name="cell"), pd.Series(["x"] * 20, name="c"))
    # an output a check left (one that raised) is not read as the next check's
    assert acro_check.acro_count_verdict(raw, ["n", "m"], published, profile) == first
    assert first.differences == ((1, "m", first.differences[0][2]),)
    assert session.results.get_keys() == []
