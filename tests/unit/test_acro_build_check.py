"""ACRO as a build step: its verdict on the same rows, sealed in the stamp, read by the gate."""

from __future__ import annotations

import nbformat
import numpy as np
import pandas as pd
import pytest

from lifetools import disclosure, publication, tables
from lifetools.errors import DisclosureError
from lifetools.pipeline.gate import (
    acro_verdicts,
    assert_publishable,
    new_key,
    scan_notebook,
    seals,
)

pytest.importorskip("acro")


@pytest.fixture()
def acro_on(monkeypatch, tmp_path):
    monkeypatch.setenv(disclosure.ENV_ACRO, "1")
    monkeypatch.setenv("LIFETOOLS_OUTPUT_DIR", str(tmp_path / "out"))


COUNTS = pd.DataFrame({"group": ["a", "b", "c", "d", "e"], "n": [3, 8, 12, 0, 40]})


def test_acro_agrees_with_the_default_profile_and_names_the_documented_difference(
        acro_on):
    verdict = disclosure.protect_counts(COUNTS, ["n"]).record.acro
    # ACRO flags 3 and 8 (under 10); 3 is suppressed, 8 is published as 10 under
    # default: the documented threshold difference; the zero is not given to ACRO
    assert verdict["flagged"] == 2 and verdict["checked"] == 4
    assert [d[:2] for d in verdict["differences"]] == [[1, "n"]]
    assert "MinimumThresholdCheck" in verdict["differences"][0][2]
    assert verdict["disagreements"] == []


def test_acro_has_no_difference_under_threshold_10(acro_on):
    verdict = disclosure.protect_counts(COUNTS, ["n"], profile="threshold-10").record.acro
    assert verdict["differences"] == [] and verdict["disagreements"] == []


def test_acro_disagrees_with_a_table_whose_threshold_was_lowered(acro_on):
    # an author lowering the threshold for one table: 3 is published, ACRO flags it
    verdict = disclosure.protect_counts(COUNTS, ["n"], threshold=2).record.acro
    assert [d[:2] for d in verdict["disagreements"]] == [[0, "n"]]
    assert "lifetools published the cell" in verdict["disagreements"][0][2]


def test_acro_checks_magnitudes_on_the_same_rows(acro_on):
    rows = pd.DataFrame({"site": ["a"] * 3 + ["b"] * 40,
                         "value": [1.0, 2.0, 3.0, *np.arange(40.0) + 1]})
    table = disclosure.protect_magnitudes(rows, group_cols="site", value_col="value",
                                          statistic="mean")
    verdict = table.record.acro
    assert verdict["disagreements"] == []
    assert verdict["flagged"] >= 1  # site a: 3 contributors, hidden by both


def test_acro_off_leaves_no_verdict(monkeypatch):
    monkeypatch.delenv(disclosure.ENV_ACRO, raising=False)
    assert disclosure.protect_counts(COUNTS, ["n"]).record.acro is None


def executed(tmp_path, table, *, acro_required=True):
    key = new_key()
    data, metadata = tables.show_table(table, name="t", caption="c")._repr_mimebundle_()
    mark = metadata[publication.STAMP_KEY]
    mark["seal"] = seals.seal_digest(data, mark, key)
    cell = nbformat.v4.new_code_cell("x")
    cell.outputs = [nbformat.v4.new_output("display_data", data=data, metadata=metadata)]
    nb = nbformat.v4.new_notebook(cells=[cell])
    nb.metadata["lifetools"] = {"sdc_profile": "default", "acro": acro_required}
    seals.verify_and_settle(nb, key)
    path = tmp_path / "2024-25" / "report" / "notebook.ipynb"
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


def test_gate_refuses_an_injected_acro_disagreement(acro_on, tmp_path):
    # a table ACRO agrees with passes; a lowered threshold that publishes a 3 (as 5)
    # is refused by ACRO's verdict, whatever else the gate finds
    table = disclosure.protect_counts(
        pd.DataFrame({"group": ["a", "b"], "n": [12, 40]}), ["n"])
    path = executed(tmp_path, table)
    assert scan_notebook(path) == []
    lowered = disclosure.protect_counts(
        pd.DataFrame({"group": ["a", "b"], "n": [9, 40]}), ["n"], threshold=2)
    path = executed(tmp_path, lowered)
    assert lowered.record.acro["disagreements"] == []  # 9: the documented difference
    injected = disclosure.protect_counts(COUNTS, ["n"], threshold=2)
    path = executed(tmp_path, injected)
    rules = {f.rule for f in scan_notebook(path)}
    assert "acro-disagreement" in rules
    with pytest.raises(DisclosureError, match=r"acro-disagreement \(a table cell that "
                       r"the independent check \(ACRO\) flags and these statistics "
                       r"would publish\): row 1, column 'n': ACRO MinimumThresholdCheck"):
        assert_publishable([path])
    assert acro_verdicts(path)["disagreements"] == 1


def test_gate_refuses_a_table_acro_did_not_check_when_the_build_asked(
        monkeypatch, tmp_path):
    monkeypatch.setenv("LIFETOOLS_OUTPUT_DIR", str(tmp_path / "out"))
    monkeypatch.delenv(disclosure.ENV_ACRO, raising=False)
    table = disclosure.protect_counts(pd.DataFrame({"group": ["a"], "n": [40]}), ["n"])
    path = executed(tmp_path, table, acro_required=True)
    assert "acro-unchecked" in {f.rule for f in scan_notebook(path)}
    path = executed(tmp_path, table, acro_required=False)
    assert scan_notebook(path) == []


def test_acro_verdict_cannot_be_edited_in_the_stamp(acro_on, tmp_path):
    injected = disclosure.protect_counts(COUNTS, ["n"], threshold=2)
    path = executed(tmp_path, injected)
    nb = nbformat.read(path, as_version=4)
    mark = nb.cells[0].outputs[0].metadata[publication.STAMP_KEY]
    mark["rules"]["acro"]["disagreements"] = []  # hiding ACRO's verdict by hand
    nbformat.write(nb, path)
    assert "forged-stamp" in {f.rule for f in scan_notebook(path)}


def test_derived_tables_carry_acros_verdict_on_their_counts(acro_on):
    frame = pd.DataFrame({"group": ["a", "b", "c"], "x": [3, 40, 55], "y": [20, 8, 60]})
    shares = disclosure.protected_shares(frame, ["x", "y"])
    assert shares.record.acro["flagged"] == 2
    assert [d[:2] for d in shares.record.acro["differences"]] == [[1, "y"]]
    rates = disclosure.rates_table(
        pd.DataFrame({"g": ["a"] * 12 + ["b"] * 3, "events": [1] * 15,
                      "years": [1.0] * 15}),
        group_cols="g", event_col="events", person_time_col="years")
    assert rates.record.acro is not None
