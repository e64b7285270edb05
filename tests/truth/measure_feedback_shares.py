"""Measure the reach report's two feedback shares over many synthetic datasets.

Not a test: the measurement behind an open finding of the issue 13 audit (wave 22).
The generator draws each response with fixed probabilities
(``lifetools.synthetic.events.make_feedback``): access easy (4 or 5 of 5) 0.99, would
recommend (1 or 2 of 6) 0.97. The report publishes each share from the published
(rounded) counts with a Wilson interval, and hides it when it reads 0% or 100% (group
disclosure). Printed per share: how often it is published, how often its interval
covers the truth, the same for the Wilson interval of the raw counts, and the mean
error of the published shares with its Monte Carlo standard error.

Run from the repository root (about 0.7 s of CPU per seed at 12,000 people)::

    PYTHONPATH=src python tests/truth/measure_feedback_shares.py 12000 100
"""

from __future__ import annotations

import sys
import warnings

import numpy as np
import pandas as pd

from lifetools.disclosure.derived import wilson_interval
from lifetools.reports.reach import _satisfaction
from lifetools.synthetic import generate_dataset

TRUTH = {"access_easy": 0.99, "recommend": 0.97}


def measure(people: int, seeds: range) -> pd.DataFrame:
    rows = []
    for seed in seeds:
        feedback = generate_dataset(people, seed).feedback
        hits = {"access_easy": int((feedback["access_easy"] >= 4).sum()),
                "recommend": int((feedback["fft_response"] <= 2).sum())}
        _, shares = _satisfaction({"responses": len(feedback), **hits})
        for (name, truth), share in zip(TRUTH.items(), shares, strict=True):
            low, high = wilson_interval(hits[name], len(feedback))
            row = {"share": name, "responses": len(feedback),
                   "raw_covered": low <= truth <= high, "error": np.nan,
                   "covered": False}
            if share.value is not None:
                low, high = (v / 100 for v in share.interval)
                row.update(error=share.value / 100 - truth,
                           covered=low <= truth <= high)
            rows.append(row)
    return pd.DataFrame(rows)


if __name__ == "__main__":
    warnings.simplefilter("ignore")
    people, n_seeds = int(sys.argv[1]), int(sys.argv[2])
    frame = measure(people, range(5001, 5001 + n_seeds))
    for name, part in frame.groupby("share"):
        error = part["error"].dropna()
        print(f"{name}: about {part['responses'].mean():.0f} responses; published in "
              f"{len(error)} of {len(part)}; covered {int(part['covered'].sum())} "
              f"(raw-count Wilson {int(part['raw_covered'].sum())}); mean error "
              f"{error.mean():+.5f} (Monte Carlo SE {error.std(ddof=1) / len(error) ** 0.5:.5f})")
