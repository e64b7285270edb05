"""A download's ``notes.txt`` says only what is true of the files beside it (issue 15,
wave 42): each symbol a file of its folder shows, and none other; "which reason applies
is not said" only of cells whose reason no table note gives; each table note with its
reasons in full, never "(the reasons are given above)", which points to a page a notes
file is not. Until wave 42 a folder of no ``[x]`` explained ``[x]``, the folder-wide
notes said the reason was not said beside files that stated it, and table notes said
"(the same reasons as for ..., given above)".
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd

from lifetools import tables
from lifetools.disclosure import model_release
from lifetools.disclosure.downloads import NOTES_FILE


def _release(events: int):
    exposed = np.r_[np.ones(100), np.zeros(100)]
    event = np.zeros(200)
    event[:events] = 1
    event[100:140] = 1
    summary = pd.DataFrame({"term": ["exposed"], "estimate": [1.5], "ci_lower": [1.1],
                            "ci_upper": [2.0], "p_value": [0.01]})
    return model_release(SimpleNamespace(summary=summary, warnings=(), model=None),
                         data=pd.DataFrame({"exposed": exposed, "event": event}),
                         event_col="event", level_cols=["exposed"]), summary


def test_notes_explain_only_the_symbols_the_folders_files_show(output):
    tables.show_table(pd.DataFrame({"group": ["a", "b"], "n": [120, 40]}), name="plain",
                      caption="Plain", count_cols=["n"])
    notes = (output / "tables" / NOTES_FILE).read_text()
    assert "[c]:" not in notes and "[x]:" not in notes  # no file shows either
    tables.show_table(pd.DataFrame({"group": ["a", "b"], "n": [120, 4]}), name="small",
                      caption="Small", count_cols=["n"])
    notes = (output / "tables" / NOTES_FILE).read_text()
    assert "[c]:" in notes and "[x]:" not in notes
    assert "Which reason applies to a cell is not said" in notes  # a rule hid a count


def test_notes_give_a_withheld_models_reasons_in_full_and_say_they_are_given(output):
    release, summary = _release(5)
    # the page states the model's reasons above the table: its note points to them
    estimates = release.estimates(summary.assign(model="Cox"), said_once=True)
    shown = tables.show_table(tables.table_estimates(estimates, label="hazard ratio"),
                              name="hr", caption="Hazard ratios")
    assert "given above" in shown.note  # on the page, the pointer
    notes = (output / "tables" / NOTES_FILE).read_text()
    assert "given above" not in notes
    assert f"Table note: The numbers marked [c] are not shown: {release.withheld}." in notes
    # its [c] cells' reason is the table note: the notes never say it is not said
    assert "[c]:" in notes and "not said" not in notes and "[x]:" not in notes


def test_a_cells_places_keep_it_off_the_values_its_column_avoids():
    # shown_frame's choice of places, factored out (wave 42): behaviour unchanged
    from lifetools.disclosure.downloads import _cell_places

    assert _cell_places(1.0049, 2, (1.0,)) == 3  # "1.005", never "1.00" beside 1
    assert _cell_places(1.5, 2, (1.0,)) == 2
    assert _cell_places(1.0049, 2, None) == 2  # the column keeps no side
    assert _cell_places(float("nan"), 2, (1.0,)) == 2
    assert _cell_places("1.0049", 2, (1.0,)) == 2 and _cell_places(1, 2, (1.0,)) == 2


def test_notes_give_a_withheld_model_outputs_reasons_in_full(output):
    # the crisis page's calibration and decision tables (model_outputs(said_once=True))
    # said "(the reasons are given above)" in notes.txt (4,000 people, wave 42)
    from lifetools.disclosure import model_outputs

    release, _ = _release(5)
    curve = pd.DataFrame({"predicted": [0.1, 0.2], "observed": [0.12, 0.18]})
    shown = tables.show_table(model_outputs(curve, {"observed": release},
                                            inputs=["predicted"], said_once=True),
                              name="curve", caption="Curve")
    assert "given above" in shown.note
    notes = (output / "tables" / NOTES_FILE).read_text()
    assert "given above" not in notes and release.withheld in notes
    assert (output / "tables" / "curve.csv").read_text().splitlines()[1] == "0.10,[c]"


def test_notes_give_each_files_reasons_for_its_c_cells(tmp_path):
    # the data behind a figure of a withheld model (no table note) had its [c] cells
    # explained by the list of every reason a value is hidden, "which reason applies
    # is not said", which does not name the model release rule (until wave 43); each
    # file's lines now say the reasons that apply to its own [c] cells
    from lifetools.disclosure import require_table, write_csv
    from lifetools.disclosure.downloads import CELLS_NOTE
    from lifetools.disclosure.models import CELL_REASONS, WITHHELD_CELL

    nan = float("nan")
    curve = require_table(pd.DataFrame({"predicted": [0.1, 0.2], "observed": [nan, nan]}),
                          name="figure").withheld([(0, "observed"), (1, "observed")],
                                                  WITHHELD_CELL)
    write_csv(curve, tmp_path / "calibration.csv")
    notes = (tmp_path / NOTES_FILE).read_text()
    assert f"{CELLS_NOTE}{CELL_REASONS[WITHHELD_CELL]}." in notes.splitlines()
    assert "model release rule" in notes and "not said" not in notes
    assert "The lines on each file below give the reason of its [c] cells." in notes
    # beside a file whose [c] a count rule hid, that file says so and the list stays
    write_csv(require_table(pd.DataFrame({"group": ["a", "b"], "n": [120, 4]}),
                            count_cols=["n"], name="small"), tmp_path / "small.csv")
    notes = (tmp_path / NOTES_FILE).read_text()
    small = notes.split("\nsmall.csv\n")[1]
    assert small.splitlines()[-1] == (
        f"{CELLS_NOTE}hidden by one of the rules above (which one is not said).")
    assert "calibration.csv" in notes and CELL_REASONS[WITHHELD_CELL] in notes
    assert "small count" in notes.split("\n\n")[1]  # the list, for small.csv's cells
    # a file without [c] has no such line
    write_csv(require_table(pd.DataFrame({"group": ["a"], "n": [120]}), count_cols=["n"],
                            name="plain"), tmp_path / "plain.csv")
    plain = (tmp_path / NOTES_FILE).read_text().split("\nplain.csv\n")[1].split("\n\n")[0]
    assert CELLS_NOTE not in plain


def test_a_withheld_models_table_says_its_c_cells_reason_is_the_table_note(output):
    from lifetools.disclosure import model_outputs
    from lifetools.disclosure.downloads import CELLS_NOTE

    release, _ = _release(5)
    curve = pd.DataFrame({"predicted": [0.1, 0.2], "observed": [0.12, 0.18]})
    tables.show_table(model_outputs(curve, {"observed": release}, inputs=["predicted"]),
                      name="curve", caption="Curve")
    lines = (output / "tables" / NOTES_FILE).read_text().splitlines()
    cells = lines.index(f"{CELLS_NOTE}hidden for the reason the table note below gives.")
    assert lines[cells + 1].startswith("  Table note: The numbers marked [c]")


def test_a_files_c_cells_of_several_reasons_say_each(output):
    # a count a rule hid beside a withheld model's cells: both reasons, each once
    from lifetools.disclosure import model_outputs
    from lifetools.disclosure.downloads import CELLS_NOTE

    release, _ = _release(5)
    frame = pd.DataFrame({"group": ["a", "b"], "people": [120, 4],
                          "observed": [0.12, 0.18]})
    tables.show_table(model_outputs(frame, {"observed": release}, count_cols=["people"]),
                      name="mixed", caption="Mixed")
    lines = (output / "tables" / NOTES_FILE).read_text().splitlines()
    assert f"{CELLS_NOTE}hidden by one of the rules above (which one is not said); or " \
        "hidden for the reason the table note below gives." in lines
