"""The crisis test tables (``lifetools.synthetic.crisis.crisis_tables``): the crisis
cohort rebuilt from them is the people as drawn, person by person (issue 19). The
report run on them over several seeds: ``tests/truth/test_crisis_tables_truth.py``."""

from __future__ import annotations

import numpy as np

from lifetools.cohort.crisis import build_crisis_cohort
from lifetools.dictionary import load_dictionary
from lifetools.synthetic.crisis import CRISIS_TABLES, crisis_tables


def test_crisis_tables_rebuild_the_drawn_editions_person_by_person():
    tables = crisis_tables(6_000, 7)
    dictionary = load_dictionary()
    assert tuple(tables.tables) == CRISIS_TABLES
    for name, frame in tables.tables.items():
        assert tuple(frame.columns) == dictionary.table(name).field_names
    first, second = (set(d["person_id"]) for d in tables.drawn)
    assert first and second and not first & second  # no one in both editions
    for drawn, index_date in zip(tables.drawn, tables.index_dates, strict=True):
        built = build_crisis_cohort(tables.dataset, index_date=index_date).data
        built, drawn = (f.set_index("person_id").sort_index() for f in (built, drawn))
        assert built.index.equals(drawn.index)
        for built_col, drawn_col in {"age": "age", "female": "female",
                                     "prior_ae": "prior_crisis", "crisis": "crisis",
                                     "life_rooms": "life_rooms",
                                     "honos_recorded": "honos_recorded",
                                     "event_type": "event_type",
                                     "days_to_event": "days_to_event"}.items():
            np.testing.assert_array_equal(built[built_col].to_numpy(dtype=float),
                                          drawn[drawn_col].to_numpy(dtype=float),
                                          err_msg=built_col)
        recorded = drawn["honos_recorded"] == 1
        assert (built.loc[recorded, "honos"] == drawn.loc[recorded, "honos"]).all()
        assert 0 < recorded.mean() < 1 and 0 < drawn["crisis"].mean() < 1
        assert (drawn["event_type"] == 2).any()  # competing deaths


def test_crisis_tables_without_unknowns_record_every_sex_ethnic_group_and_area():
    people = crisis_tables(6_000, 7, unknowns=False).tables["people"]
    assert set(people["sex"]) <= {"1", "2"} and people["lsoa_code"].notna().all()
    assert not people["ethnic_category"].isin(["Z", "99"]).any()
    kept = crisis_tables(6_000, 7).tables["people"]
    assert kept["ethnic_category"].isin(["Z", "99"]).any()
