"""Participant flow diagrams from published flow tables (lifetools.pipeline.flow)."""

from __future__ import annotations

import re

from lifetools.pipeline.flow import flow_diagram, read_flow


def test_flow_diagram_one_box_per_step_in_order_with_published_counts(tmp_path):
    path = tmp_path / "flow.csv"
    path.write_text("step,n\nReferrals in the extract,5190\nto team types A06,1130\n"
                    "linked to a person,[c]\n")
    columns, rows = read_flow(path)
    html = flow_diagram(columns, rows, caption="How the cohort was formed")
    steps = re.findall(r'<li class="lifetools-flow-step">(.*?)</li>', html)
    assert len(steps) == 3
    assert "Referrals in the extract" in steps[0] and ">5,190<" in steps[0]
    assert "To team types A06" in steps[1] and ">1,130<" in steps[1]
    assert ">fewer than 8<" in steps[2]  # a suppressed cell reads as suppressed, not 0
    assert html.startswith('<figure class="lifetools-flow"><figcaption>How the cohort')
    assert "<ol" in html  # an ordered list: the text equivalent, read in order


def test_flow_diagram_two_cohorts_labelled_in_words():
    html = flow_diagram(["development", "validation"],
                        [["Open on the index date", "240", "220"]], caption="c")
    assert "Development cohort: <span class=\"lifetools-flow-count\">240</span>" in html
    assert "Validation cohort: <span class=\"lifetools-flow-count\">220</span>" in html


def test_read_flow_empty_file_has_no_steps(tmp_path):
    path = tmp_path / "flow.csv"
    path.write_text("")
    assert read_flow(path) == ([], [])
