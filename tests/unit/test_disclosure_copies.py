"""A protected table's copy (``ProtectedTable.frame``) keeps its record through pandas.

Each pandas operation that adds numbers to a protected table's cells (``.merge``,
``.join``, ``pd.concat``, ``.assign``, a column set, ``.insert``, a changed value) is
refused when the copy is shown again, naming the table and the column; legitimate
reuse (the copy shown again, fewer rows, a rename, two protected tables merged or
stacked, ``ProtectedTable.merge``) still publishes.
"""

from __future__ import annotations

import pandas as pd
import pytest

from lifetools import tables
from lifetools.disclosure import ProtectedTable, protect_counts
from lifetools.disclosure.copies import ProtectedCopy, require_copy_kept
from lifetools.errors import DisclosureError

RAW_MEANS = pd.DataFrame({"group": ["Sefton", "Knowsley", "Wirral"],
                          "SWEMWBS score": [23.17, 19.4, 21.05]})


pytestmark = pytest.mark.usefixtures("output")
"""Every test writes to a temporary output folder (tests/unit/conftest.py)."""


def _counts(column: str = "n", values=(95, 120, 3)) -> ProtectedTable:
    return protect_counts(pd.DataFrame({"group": ["Sefton", "Knowsley", "Wirral"],
                                        column: list(values)}), [column])


def _show(frame, count_cols=("n",)):
    return tables.show_table(frame, name="merged", caption="People",
                             count_cols=list(count_cols))


def _set_column(frame):
    frame["SWEMWBS score"] = RAW_MEANS["SWEMWBS score"]
    return frame


def _insert(frame):
    frame.insert(1, "SWEMWBS score", RAW_MEANS["SWEMWBS score"].tolist())
    return frame


ADDED = {
    "merge": lambda f: f.merge(RAW_MEANS, on="group"),
    "merge left": lambda f: f.merge(RAW_MEANS, on="group", how="left"),
    "pd.merge": lambda f: pd.merge(f, RAW_MEANS, on="group"),
    "join": lambda f: f.set_index("group").join(RAW_MEANS.set_index("group"))
    .reset_index(),
    "concat columns": lambda f: pd.concat([f, RAW_MEANS[["SWEMWBS score"]]], axis=1),
    "assign": lambda f: f.assign(**{"SWEMWBS score": RAW_MEANS["SWEMWBS score"]}),
    "column set": _set_column,
    "insert": _insert,
    "means as text": lambda f: f.assign(score=[f"{v:.1f}" for v in
                                               RAW_MEANS["SWEMWBS score"]]),
}


@pytest.mark.parametrize("operation", ADDED)
def test_copy_numbers_added_by_pandas_are_refused_naming_the_column(operation):
    frame = ADDED[operation](_counts().frame)
    assert isinstance(frame, ProtectedCopy)
    column = "score" if operation == "means as text" else "SWEMWBS score"
    with pytest.raises(DisclosureError, match=rf"table 'merged': column '{column}' was "
                       "added to a protected table's cells"):
        _show(frame)


CHANGED = {
    "a count replaced": lambda f: f.replace({120: 122}),
    "rows of a plain frame stacked": lambda f: pd.concat(
        [f, pd.DataFrame({"group": ["Halton"], "n": [4]})], ignore_index=True),
    "a count changed": lambda f: f.assign(n=f["n"] + 1),
    "a renamed copy's count changed": lambda f: f.rename(columns={"n": "people"})
    .assign(people=[96, 121, pd.NA]),
}


@pytest.mark.parametrize("operation", CHANGED)
def test_copy_values_the_table_did_not_publish_are_refused(operation):
    frame = CHANGED[operation](_counts().frame)
    count = "people" if "renamed" in operation else "n"
    with pytest.raises(DisclosureError, match=f"table 'merged': column '{count}' holds a "
                       "value that its protected table did not publish"):
        _show(frame, count_cols=[count])


def test_copy_filled_suppressed_cell_is_refused_as_never_zero():
    with pytest.raises(DisclosureError, match="never reads as zero"):
        _show(_counts().frame.fillna(0))


def test_copy_text_labels_merged_in_or_relabelled_are_allowed():
    names = pd.DataFrame({"group": ["Sefton", "Knowsley", "Wirral"],
                          "area": ["North", "South", "West"]})
    shown = _show(_counts().frame.merge(names, on="group"))
    assert shown.frame["area"].tolist() == ["North", "South", "West"]
    upper = _counts().frame.assign(group=lambda f: f["group"].str.upper())
    assert _show(upper).frame["group"].tolist() == ["SEFTON", "KNOWSLEY", "WIRRAL"]


def test_copy_shown_again_fewer_rows_or_renamed_publishes():
    frame = _counts().frame
    assert _show(frame).frame["n"].tolist() == ["95", "120", "[c]"]
    assert _show(frame.dropna().reset_index(drop=True)).frame["n"].tolist() == [
        "95", "120"]
    renamed = frame.rename(columns={"n": "people"})
    assert _show(renamed, count_cols=["people"]).frame["people"].tolist() == [
        "95", "120", "[c]"]


def test_copy_merge_and_concat_of_two_protected_tables_publish():
    people, visits = _counts(), _counts("visits", (40, 5, 60))
    merged = _show(people.frame.merge(visits.frame, on="group"),
                   count_cols=["n", "visits"])
    assert merged.frame.values.tolist() == [["Sefton", "95", "40"],
                                             ["Knowsley", "120", "[c]"],
                                             ["Wirral", "[c]", "60"]]
    stacked = pd.concat([people.frame, visits.frame.rename(columns={"visits": "n"})],
                        ignore_index=True)
    assert _show(stacked).frame["n"].tolist() == ["95", "120", "[c]", "40", "[c]", "60"]


def test_copy_combined_with_a_copy_that_lost_its_record_is_refused():
    lost = _counts().frame
    object.__setattr__(lost, "_lifetools_source", None)
    with pytest.raises(DisclosureError, match="record was lost"):
        require_copy_kept(_counts().frame.merge(lost, on="group"), name="t")


RAW_ROWS = pd.DataFrame({"group": ["Halton"], "n": [4]})
PLAIN_FIRST = {
    "merge": lambda f: RAW_MEANS.merge(f, on="group"),
    "merge right": lambda f: RAW_MEANS.merge(f, on="group", how="right"),
    "merge outer, indicator": lambda f: RAW_MEANS.merge(f, on="group", how="outer",
                                                        indicator=True),
    "merge cross": lambda f: RAW_MEANS[["SWEMWBS score"]].merge(f[["n"]], how="cross"),
    "pd.merge": lambda f: pd.merge(RAW_MEANS, f, on="group"),
    "pd.merge_ordered": lambda f: pd.merge_ordered(RAW_MEANS, f, on="group"),
    "pd.merge_asof": lambda f: pd.merge_asof(
        RAW_MEANS.assign(k=[1, 2, 3]), f.assign(k=[1, 2, 3]), on="k"),
    "join": lambda f: RAW_MEANS.set_index("group").join(f.set_index("group"))
    .reset_index(),
    "join on": lambda f: RAW_MEANS.join(f.set_index("group"), on="group"),
    "join of several": lambda f: RAW_MEANS.set_index("group").join(
        [f.set_index("group")]).reset_index(),
    "concat columns": lambda f: pd.concat([RAW_MEANS, f[["n"]]], axis=1),
    "concat after a series": lambda f: pd.concat([RAW_MEANS["SWEMWBS score"], f],
                                                 axis=1),
    "combine_first": lambda f: RAW_MEANS.combine_first(f),
    "merged again": lambda f: RAW_MEANS.merge(f, on="group").merge(
        RAW_MEANS.rename(columns={"SWEMWBS score": "other"}), on="group"),
}


@pytest.mark.parametrize("operation", PLAIN_FIRST)
def test_copy_after_a_plain_frame_is_a_copy_refused_naming_the_column(operation):
    # pandas gives a combination its first operand's type: the hook on the call that
    # ends every combination makes it a copy with its protected operands' record
    frame = PLAIN_FIRST[operation](_counts().frame)
    assert isinstance(frame, ProtectedCopy)
    with pytest.raises(DisclosureError, match=r"table 'merged': column '(SWEMWBS score|"
                       r"_merge)' was added to a protected table's cells"):
        _show(frame)


@pytest.mark.parametrize("operation", ["pd.concat", "pd.concat ignore_index",
                                       "combine_first"])
def test_copy_after_plain_rows_is_refused_as_a_value_not_published(operation):
    frame = {"pd.concat": lambda f: pd.concat([RAW_ROWS, f]),
             "pd.concat ignore_index": lambda f: pd.concat([RAW_ROWS, f],
                                                           ignore_index=True),
             "combine_first": lambda f: RAW_ROWS.combine_first(f)}[operation](
                 _counts().frame)
    assert isinstance(frame, ProtectedCopy)
    with pytest.raises(DisclosureError, match="table 'merged': column 'n' holds a value "
                       "that its protected table did not publish"):
        _show(frame)


def test_copy_after_a_plain_frame_reaches_every_maker_refused():
    # show_table, the plots and the CSV downloads all protect through these two
    from lifetools.disclosure import require_table

    frame = RAW_MEANS.merge(_counts().frame, on="group")
    with pytest.raises(DisclosureError, match="'SWEMWBS score' was added"):
        protect_counts(frame, ["n"])
    with pytest.raises(DisclosureError, match="'SWEMWBS score' was added"):
        require_table(frame, count_cols=["n"], name="figure data")


def test_copy_after_plain_labels_or_copies_publishes():
    names = pd.DataFrame({"group": ["Sefton", "Knowsley", "Wirral"],
                          "area": ["North", "South", "West"]})
    shown = _show(names.merge(_counts().frame, on="group"))
    assert shown.frame["n"].tolist() == ["95", "120", "[c]"]
    visits = _counts("visits", (40, 5, 60))
    both = pd.merge(names, visits.frame, on="group").merge(_counts().frame, on="group")
    assert isinstance(both, ProtectedCopy)
    assert _show(both, count_cols=["n", "visits"]).frame["visits"].tolist() == [
        "40", "[c]", "60"]
    stacked = pd.concat([names.iloc[:0], _counts().frame], ignore_index=True)
    assert _show(stacked.drop(columns="area")).frame["n"].tolist() == ["95", "120", "[c]"]


def test_plain_combinations_stay_plain_frames():
    other = RAW_MEANS.rename(columns={"SWEMWBS score": "other"})
    for frame in (RAW_MEANS.merge(other, on="group"), pd.concat([RAW_MEANS, other]),
                  RAW_MEANS.join(other, rsuffix="_r"), RAW_MEANS.combine_first(other)):
        assert type(frame) is pd.DataFrame


def test_plain_frame_updated_from_a_copy_is_refused_a_copy_updated_is_checked():
    plain = pd.DataFrame({"group": ["Sefton", "Knowsley", "Wirral"], "n": [1, 2, 3]})
    with pytest.raises(DisclosureError, match="updated in place from a protected table"):
        plain.update(_counts().frame)
    copy = _counts().frame
    copy.update(pd.DataFrame({"n": [96]}))
    with pytest.raises(DisclosureError, match="column 'n' holds a value"):
        _show(copy)


def test_install_wraps_pandas_once():
    from lifetools.disclosure import copies

    wrapped = pd.DataFrame.__finalize__
    copies.install()
    assert pd.DataFrame.__finalize__ is wrapped
    assert {"__finalize__", "combine", "update"} <= set(copies._PANDAS)
    assert all(getattr(getattr(pd.DataFrame, n), "_lifetools_wrapped", False)
               for n in copies._PANDAS)


def test_protected_merge_of_two_protected_tables_stays_protected():
    people, visits = _counts(), _counts("visits", (40, 5, 60))
    merged = people.merge(visits, on="group")
    assert isinstance(merged, ProtectedTable)
    merged.verify()
    assert merged.count_cols == ["n", "visits"]
    assert merged.is_suppressed(2, "n") and merged.is_suppressed(1, "visits")
    assert not merged.is_suppressed(0, "n")
    shown = tables.show_table(merged, name="both", caption="People and visits",
                              count_cols=["n", "visits"])
    assert shown.frame["visits"].tolist() == ["40", "[c]", "60"]


def test_protected_merge_keeps_suppressed_cells_in_reordered_rows():
    people = _counts()
    visits = protect_counts(pd.DataFrame({"group": ["Wirral", "Sefton", "Knowsley"],
                                          "visits": [2, 50, 70]}), ["visits"])
    merged = people.merge(visits, on="group", how="left")
    assert merged.frame["group"].tolist() == ["Sefton", "Knowsley", "Wirral"]
    assert merged.is_suppressed(2, "visits") and merged.is_suppressed(2, "n")
    assert merged.frame["visits"].tolist()[:2] == [50, 70]


@pytest.mark.parametrize(("other", "message"), [
    (lambda: _counts().rename(columns={"n": "n"}), "'n' is in both"),
    (lambda: protect_counts(pd.DataFrame({"group": ["Sefton"], "m": [40]}), ["m"],
                            profile="threshold-10"), "different rules"),
])
def test_protected_merge_refuses_what_it_cannot_keep(other, message):
    with pytest.raises(DisclosureError, match=message):
        _counts().merge(other(), on="group")


def test_protected_merge_on_a_count_is_refused():
    with pytest.raises(DisclosureError, match="'n' was made by a disclosure rule"):
        _counts().merge(_counts(), on=["group", "n"])


def test_protected_merge_with_a_plain_frame_is_refused_naming_the_column():
    with pytest.raises(DisclosureError, match="'SWEMWBS score' was added"):
        _show(_counts().merge(RAW_MEANS, on="group"))


def test_protected_table_column_set_and_concat_are_refused():
    table = _counts()
    with pytest.raises(DisclosureError, match="'SWEMWBS score' cannot be set"):
        table["SWEMWBS score"] = RAW_MEANS["SWEMWBS score"]
    with pytest.raises(TypeError):
        pd.concat([table, RAW_MEANS])


def test_copy_rounded_to_fewer_places_is_kept_a_changed_value_is_not():
    # a figure's data are the released table's values rounded to 4 places: they show
    # less than the table published (the crisis calibration figure was refused)
    from lifetools.disclosure.copies import copy_of

    copy = copy_of(pd.DataFrame({"predicted": [0.123456789, 0.4567891, 0.07],
                                 "observed": [0.1, 0.55555, 0.02]}))
    require_copy_kept(copy.round(4), name="calibration")
    require_copy_kept(copy.astype(float).round(2), name="calibration")
    with pytest.raises(DisclosureError, match="column 'predicted' holds a value that its "
                       "protected table did not publish"):
        require_copy_kept(copy.assign(predicted=copy["predicted"] + 0.001).round(4),
                          name="calibration")


def test_rounded_index_agrees_with_the_reference_and_a_large_copy_stays_correct():
    # the index of rounded published values (linear) decides as the reference does
    # (every value against every published one), on values that round onto a published
    # one and values that do not; a 20,000-row copy rounded is kept, one changed cell
    # in it is refused
    import numpy as np

    from lifetools.disclosure.copies import _key, _Rounded, _rounded_from, copy_of

    rng = np.random.default_rng(20250331)
    published = rng.random(20_000)
    allowed = frozenset(_key(v) for v in published[:400])
    index = _Rounded(allowed)
    asked = [*np.round(published[:100], 4).tolist(), *np.round(published[:100], 1).tolist(),
             *(rng.random(100) + 2).round(3).tolist(), 0.5, 1.0, float("inf"), 7, "7"]
    decided = [index(v) for v in asked]
    assert decided == [_rounded_from(v, allowed) for v in asked]
    assert sum(decided) >= 200 and not any(decided[200:300])

    copy = copy_of(pd.DataFrame({"predicted": published}))
    require_copy_kept(copy.round(4), name="calibration")
    changed = copy.round(4)
    changed.iloc[12_345, 0] = 3.1416
    with pytest.raises(DisclosureError, match="column 'predicted' holds a value"):
        require_copy_kept(changed, name="calibration")
