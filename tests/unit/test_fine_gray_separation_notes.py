"""A separated Fine-Gray fit says so in a report's fit notes, from the fit's own reason.

Re-referral at 12,000 people (both editions of the series): no re-referral among the
people who used the Life Rooms, in every one of the 10 imputed copies. The notes said
"did not converge" (the copies whose iterations ran out) and nothing at all for the
others, whose fit was "estimable" with a ratio of about 1e-16.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from lifetools.regression.imputation import fit_imputed
from lifetools.reports.survival_parts import model_notes
from lifetools.survival import fit_fine_gray

# event 1 of interest, 2 competing, 0 censored; no event 1 among used_life_rooms = 1
DATA = pd.DataFrame({
    "duration": [2.0, 3, 3, 5, 6, 7, 8, 9, 10, 12, 13, 15,
                 1, 2, 4, 4, 6, 8, 9, 11, 12, 14, 15, 16],
    "event": [1, 1, 2, 1, 0, 1, 2, 1, 0, 1, 2, 0, 2, 0, 2, 0, 0, 2, 0, 2, 0, 0, 2, 0],
    "used_life_rooms": [0.0] * 12 + [1.0] * 12,
    "age_per_10": np.linspace(3.0, 7.0, 24)})


def test_separated_fine_gray_note_says_separated_not_did_not_converge():
    copies = [DATA, DATA.assign(age_per_10=DATA["age_per_10"][::-1].to_numpy())]
    pooled = fit_imputed(lambda part, first: fit_fine_gray(
        part, duration_col="duration", event_col="event", event_of_interest=1,
        competing=(2,), covariates=["used_life_rooms", "age_per_10"]), copies)
    assert not pooled.estimable
    notes = model_notes({"Fine-Gray": pooled})
    # each copy's reason names the separated term first; whether the other term's
    # standard error survives the near-singular information matrix of a separated fit
    # depends on the last bits of the CPU's arithmetic (it does in both copies on the CI
    # machine, in one on an AMD EPYC with the same wheels), so a copy's note may go on
    # to name that term (and then is a note of its own)
    # in plain words for the public (it read "not estimable: Life Rooms use before
    # discharge: separated: too few events of interest among those with it (its
    # coefficient runs to minus infinity)"); "too few", not "no one": the group's
    # events are published only as "fewer than" a threshold
    first = ("too few people in the group ‘Life Rooms use before discharge’ had "
             "the outcome, so the model cannot estimate its effect")
    assert set(notes["model"]) == {"Fine-Gray"}
    assert notes["note"].iloc[0] == first
    for note in notes["note"]:
        assert note == first or note.startswith(first + "; Age (per 10 years): ")
    assert not re.search(r"\d", first)  # the gate refuses a bare number
    assert not notes["note"].str.contains("converge").any()
    assert not notes["note"].str.contains("infinit|separated|coefficient").any()
    # the report names its outcome: the re-referral page's words
    said = model_notes({"Fine-Gray": pooled}, outcome="were referred again")
    assert said["note"].iloc[0] == first.replace("had the outcome", "were referred again")


def test_separated_term_in_the_ratio_table_and_summary_reads_the_reports_outcome():
    # the 2023-24 discharge page at 3,000 people: "could not be estimated: too few events
    # of interest among those with it (Life Rooms use by the landmark)"; a table cell
    # showed "could not be estimated: exposed_at_landmark: separated: ..." (a raw name)
    from lifetools.reports.survival_parts import estimate_row, ratio_rows

    fit = fit_fine_gray(DATA, duration_col="duration", event_col="event",
                        event_of_interest=1, competing=(2,),
                        covariates=["used_life_rooms", "age_per_10"])
    assert not fit.estimable
    words = ("could not be estimated: too few people in the group \u2018Life Rooms use "
             "before discharge\u2019 were discharged")
    assert estimate_row(fit, "used_life_rooms", outcome="were discharged")["text"] == words
    table = ratio_rows([(None, fit.summary, fit, "Fine-Gray")], outcome="were discharged")
    cell = table.set_index("term").loc["Life Rooms use before discharge", "note"]
    assert cell == words
    assert "had the outcome" in estimate_row(fit, "used_life_rooms")["text"]
