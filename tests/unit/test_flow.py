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
    # a hidden cell is [c] as in the table, not 0, and not "fewer than 8": a flow hides
    # rows that are no small count (secondary suppression; the 30,000-person discharge
    # diagram read "fewer than 8" above a step of 835 until wave 33)
    assert '<span class="lifetools-flow-count">[c]</span>' in steps[2]
    assert "fewer than" not in html
    assert html.startswith('<figure class="lifetools-flow"><figcaption>How the cohort '
                           'was formed. [c]: hidden to protect privacy.</figcaption>')
    assert "<ol" in html  # an ordered list: the text equivalent, read in order


def test_flow_diagram_two_cohorts_labelled_in_words():
    html = flow_diagram(["development", "validation"],
                        [["Open on the index date", "240", "220"]], caption="c")
    assert "Development cohort: <span class=\"lifetools-flow-count\">240</span>" in html
    assert "Validation cohort: <span class=\"lifetools-flow-count\">220</span>" in html
    assert "[c]" not in html  # nothing hidden: no legend


def test_flow_diagram_two_cohorts_step_words_on_their_own_line():
    # seen on the 12,000-person site: "Referrals open on the index date (people)
    # Development cohort: 465; ..." (the words ran into the first cohort's name)
    html = flow_diagram(["development", "validation"],
                        [["Referrals open on the index date (people)", "465", "450"]],
                        caption="c")
    box = re.findall(r'<li class="lifetools-flow-step">(.*?)</li>', html)[0]
    assert box == ('<span class="lifetools-flow-words">Referrals open on the index date '
                   '(people)</span><br><span class="lifetools-flow-cohorts">Development '
                   'cohort: <span class="lifetools-flow-count">465</span>; Validation '
                   'cohort: <span class="lifetools-flow-count">450</span></span>')


def test_flow_diagram_one_cohort_box_unchanged():
    html = flow_diagram(["n"], [["Referrals in the extract", "5190"]], caption="c")
    box = re.findall(r'<li class="lifetools-flow-step">(.*?)</li>', html)[0]
    assert box == ('<span class="lifetools-flow-words">Referrals in the extract</span> '
                   '<span class="lifetools-flow-count">5,190</span>')


def test_read_flow_empty_file_has_no_steps(tmp_path):
    path = tmp_path / "flow.csv"
    path.write_text("")
    assert read_flow(path) == ([], [])


def test_flow_diagram_sibling_step_names_its_parent_and_has_no_arrow_from_above():
    # the emergency care flow: users and the comparison pool are both of the people in
    # the linked data (flow_parents [None, 0, 0]); the diagram drew the pool of 26,845
    # as a step after the 220 users at 30,000 people until wave 33
    rows = [["People in the linked data", "30000"],
            ["first Life Rooms contact during the period", "220"],
            ["possible comparison people (no Life Rooms contact by the end of the period, "
             "alive at index)", "26845"]]
    html = flow_diagram(["n"], rows, caption="c", parents=[None, 0, 0])
    steps = re.findall(r'<li class="([^"]*)">(.*?)</li>', html)
    assert [kind for kind, _ in steps] == [
        "lifetools-flow-step", "lifetools-flow-step",
        "lifetools-flow-step lifetools-flow-branch"]
    assert ('<span class="lifetools-flow-from">From \u2018People in the linked '
            'data\u2019:</span> Possible comparison people') in steps[2][1]
    assert "From" not in steps[1][1]
    # no record of parents (or a chain): every step follows the one above
    assert "lifetools-flow-branch" not in flow_diagram(["n"], rows, caption="c")
    assert "lifetools-flow-branch" not in flow_diagram(["n"], rows, caption="c",
                                                       parents=[None, 0, 1])


def test_flow_stylesheet_draws_no_arrow_into_a_branch():
    from pathlib import Path

    css = (Path(__file__).resolve().parents[2] / "book" / "_static"
           / "lifetools.css").read_text()
    arrow = css.index(".lifetools-flow-step + .lifetools-flow-step::before")
    none = css.index(".lifetools-flow-step.lifetools-flow-branch::before { content: none; }")
    assert none > arrow  # same specificity: the later rule wins
