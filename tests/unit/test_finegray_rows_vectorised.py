"""``finegray_rows`` builds the competing rows' extra rows in one pass: the same rows,
order, weights and source positions bit for bit as the former loop over competing rows
(kept here as the reference), on tied and untied times, with codes left censored."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import pytest
from fine_gray_truth_data import draw

from lifetools.survival.finegray import censoring_survival, finegray_rows


def _former_finegray_rows(df: pd.DataFrame, *, duration_col: str, event_col: str,
                          event_of_interest: int, competing: Sequence[int] | None = None
                          ) -> pd.DataFrame:
    """The loop of wave 48 and before (the reference)."""
    data = df.reset_index(drop=True)
    code = data[event_col].to_numpy()
    time = data[duration_col].to_numpy(dtype=float)
    if competing is not None:
        code = np.where((code != event_of_interest) & ~np.isin(code, list(competing)),
                        0, code)
    status = code.astype(int)
    zero = 0.0 if time.min() > 0 else 2 * time.min() - 1
    cens_times, cens_surv = censoring_survival(time, status)
    cut = np.r_[cens_times, time.max()]  # interval j is (cut[j-1], cut[j]]
    prob = np.r_[1.0, cens_surv]  # G on interval j
    event_times = np.unique(time[status == event_of_interest])
    useful = np.zeros(len(cut), bool)  # intervals holding an event of interest
    useful[np.unique(np.searchsorted(cut, event_times, side="left"))] = True
    expand = (status != 0) & (status != event_of_interest)
    starts, stops, weights, rows = [np.full(len(data), zero)], [time.copy()], \
        [np.ones(len(data))], [np.arange(len(data))]
    first = np.searchsorted(cut, time, side="left")  # the interval holding each time
    stops[0][expand] = cut[first[expand]]
    for i in np.flatnonzero(expand):
        later = np.flatnonzero(useful[first[i] + 1:]) + first[i] + 1
        starts.append(cut[later - 1])
        stops.append(cut[later])
        weights.append(prob[later] / prob[first[i]])
        rows.append(np.full(len(later), i))
    row = np.concatenate(rows)
    out = data.iloc[row].reset_index(drop=True)
    return out.assign(fg_start=np.concatenate(starts), fg_stop=np.concatenate(stops),
                      fg_status=(status[row] == event_of_interest).astype(int),
                      fg_weight=np.concatenate(weights), fg_row=row)


def _cases():
    three = draw(500, 5).assign(event=lambda d: np.where(
        (d["event"] == 2) & (d.index % 3 == 0), 3, d["event"]))
    return [
        ("ties", draw(400, 1), None),
        ("no ties", draw(300, 2).assign(time=lambda d: d["time"] + d.index * 1e-6), None),
        ("three codes, one censored", three, (2,)),
        ("three codes, both competing", three, None),
        ("no competing rows", draw(200, 3).query("event != 2"), None),
        ("competing after the last event", pd.DataFrame(
            {"time": [1.0, 2.0, 3.0, 4.0, 5.0], "event": [1, 2, 0, 1, 2],
             "x1": [0.1, 0.2, 0.3, 0.4, 0.5]}), None),
    ]


@pytest.mark.parametrize(("name", "data", "competing"), _cases(),
                         ids=[c[0] for c in _cases()])
def test_finegray_rows_equal_the_former_loop_bit_for_bit(name, data, competing):
    args = {"duration_col": "time", "event_col": "event", "event_of_interest": 1,
            "competing": competing}
    new, former = finegray_rows(data, **args), _former_finegray_rows(data, **args)
    assert len(new) > len(data) or not (data["event"] == 2).any()
    pd.testing.assert_frame_equal(new, former, check_exact=True)
