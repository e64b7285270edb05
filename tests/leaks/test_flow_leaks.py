"""A participant flow whose steps' excluded counts are not protected, refused by the
gate on the page and the download (issue 12, wave 22: ``flow-step``).

A flow shown as plain counts (each row rounded on its own, as every report did before
wave 22) lets a reader subtract consecutive rows: 1203 and 1200 people published as
1205 and 1200 read "5 excluded", truly 3. The table named ``flow`` (the one the book
draws its flow diagram from) must carry the flow's record in its sealed stamp.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest
from runfolder import RunFolder, counted_folder, display
from test_leaks import refused

from lifetools import disclosure, publication, tables
from lifetools.disclosure.flow import FLOW_RULE, PARENTS_KEY
from lifetools.pipeline.gate import scan_notebook


@pytest.fixture
def run(tmp_path, monkeypatch) -> RunFolder:
    return counted_folder(tmp_path, monkeypatch)


def _flow() -> pd.DataFrame:
    return pd.DataFrame({"step": ["Referrals open on the index date",
                                  "Alive on the index date"], "n": [1203, 1200]})


def _show(table) -> dict:
    return display(tables.show_table(table, name="flow", count_cols=["n"],
                                     caption="How the cohort was formed"))


def test_flow_leak_of_a_step_of_3_people_is_refused_on_the_page_and_the_download(run):
    plain = disclosure.protect_counts(_flow(), ["n"])  # each row rounded on its own
    assert plain.frame["n"].tolist() == [1205, 1200]  # "5 excluded": truly 3
    output = run.past_source(lambda: _show(plain), FLOW_RULE)
    cell = run.code(output)
    message = refused(run.write(), cell, FLOW_RULE)
    assert re.search(r"file [^:,]*flow\.csv[,:][^\n]*flow-step", message), message


def test_flow_protected_as_a_flow_passes_the_gate(run):
    output = _show(disclosure.protect_flow(_flow()))
    assert output["metadata"][publication.STAMP_KEY]["rules"][PARENTS_KEY] == [None, 0]
    assert ">[c]</td>" in output["data"]["text/html"]
    run.code(output)
    assert scan_notebook(run.write()) == []


def test_flow_leak_of_a_step_of_2_shown_as_none_is_refused(run, monkeypatch):
    # 1202 then 1200, both published as 1200: "nobody excluded", truly 2. A flow
    # protected without the step rule (an older library, or the rule bypassed) keeps
    # its parents but records no step as a true 0: refused (wave 23)
    from lifetools.disclosure import counts
    monkeypatch.setattr(counts, "flow_hidden", lambda values, hidden, *a, **k: list(hidden))
    table = disclosure.protect_flow(pd.DataFrame({
        "step": ["Referrals open on the index date", "Alive on the index date"],
        "n": [1202, 1200]}))
    assert table.frame["n"].tolist() == [1200, 1200]
    output = run.past_source(lambda: _show(table), FLOW_RULE)
    cell = run.code(output)
    message = refused(run.write(), cell, FLOW_RULE)
    assert "a step shown as excluding nobody" in message
    assert "1202" not in message and "1,202" not in message
