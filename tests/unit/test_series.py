"""The series file: loading, checking, typed parameters."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from lifetools.errors import ParameterError
from lifetools.pipeline.series import Parameter, coerce_parameter, load_series

ROOT = Path(__file__).resolve().parents[2]


def write_series(tmp_path: Path, edit=None) -> Path:
    raw = yaml.safe_load((ROOT / "analyses" / "analyses.yml").read_text())
    if edit:
        edit(raw)
    path = tmp_path / "analyses.yml"
    path.write_text(yaml.safe_dump(raw))
    return path


def test_load_series_project_file_declares_two_editions():
    series = load_series(ROOT / "analyses" / "analyses.yml")
    assert len(series.editions) >= 2
    assert series.current_edition == series.editions[-1].id


def test_resolve_parameters_edition_period_then_overrides():
    series = load_series(ROOT / "analyses" / "analyses.yml")
    analysis = series.analysis("time_to_discharge")
    values = series.resolve_parameters(analysis, series.editions[0],
                                       {"landmark_days": "180", "team_types": "A06,A05"})
    assert values["period_start"] == series.editions[0].period_start
    assert values["landmark_days"] == 180
    assert values["team_types"] == ["A06", "A05"]


def test_resolve_parameters_unknown_name_is_parameter_error():
    series = load_series(ROOT / "analyses" / "analyses.yml")
    with pytest.raises(ParameterError, match="has no parameter 'colour'") as info:
        series.resolve_parameters(series.analyses[0], series.editions[0], {"colour": "x"})
    assert "lifetools params" in info.value.hint


@pytest.mark.parametrize(("kind", "value", "expected"), [
    ("int", "90", 90), ("float", "0.5", 0.5), ("bool", "yes", True),
    ("bool", "false", False), ("date", "2024-04-01", "2024-04-01"),
    ("list", "A06, A05", ["A06", "A05"]), ("str", 5, "5"),
])
def test_coerce_parameter_accepts_typed_values(kind, value, expected):
    assert coerce_parameter(Parameter("p", kind, None), value) == expected


@pytest.mark.parametrize(("kind", "value"), [
    ("int", "ninety"), ("int", 1.5), ("int", True), ("float", "x"), ("bool", "maybe"),
    ("date", "2024-02-30"), ("list", 3),
])
def test_coerce_parameter_rejects_ill_typed_values(kind, value):
    with pytest.raises(ParameterError, match=f"must be of type {kind}"):
        coerce_parameter(Parameter("p", kind, None), value)


def test_coerce_parameter_choices_enforced():
    with pytest.raises(ParameterError, match="must be one of a, b"):
        coerce_parameter(Parameter("p", "str", None, choices=("a", "b")), "c")


def test_load_series_unknown_edition_in_analysis_is_refused(tmp_path):
    path = write_series(tmp_path, lambda r: r["analyses"][0].update(editions=["1999"]))
    with pytest.raises(ParameterError, match="unknown edition"):
        load_series(path)


def test_load_series_schema_problem_names_the_place(tmp_path):
    path = write_series(tmp_path, lambda r: r["analyses"][0].update(colour="red"))
    with pytest.raises(ParameterError, match="analyses/0"):
        load_series(path)


def test_load_series_duplicate_ids_refused(tmp_path):
    path = write_series(tmp_path, lambda r: r["analyses"].append(dict(r["analyses"][0])))
    with pytest.raises(ParameterError, match="duplicate analysis"):
        load_series(path)


def test_load_series_period_ending_before_start_refused(tmp_path):
    path = write_series(tmp_path, lambda r: r["editions"][0].update(
        period_end="2000-01-01"))
    with pytest.raises(ParameterError, match="ends before it starts"):
        load_series(path)


def test_load_series_missing_or_broken_file(tmp_path):
    with pytest.raises(ParameterError, match="does not exist"):
        load_series(tmp_path / "none.yml")
    bad = tmp_path / "bad.yml"
    bad.write_text("series: [unclosed")
    with pytest.raises(ParameterError, match="not valid YAML"):
        load_series(bad)


def test_series_unknown_edition_and_analysis_list_the_known_ones():
    series = load_series(ROOT / "analyses" / "analyses.yml")
    with pytest.raises(ParameterError) as info:
        series.edition("1999-00")
    assert series.current_edition in info.value.hint
    with pytest.raises(ParameterError, match="no analysis 'nope'"):
        series.analysis("nope")
    assert series.analysis("02_time_to_discharge").id == "time_to_discharge"
