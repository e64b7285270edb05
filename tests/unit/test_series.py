"""The series file: loading, checking, typed parameters."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import pytest
import yaml

from lifetools.errors import ParameterError
from lifetools.pipeline import series as series_module
from lifetools.pipeline.series import Parameter, load_series

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


def _parameter(kind, default=None, **domain):
    if not domain:
        domain = ({"minimum": -1e9} if kind in ("int", "float") else
                  {"choices": ("A06", "A05", "5")} if kind in ("str", "list") else {})
    if default is None:
        default = {"int": 1, "float": 1.0, "bool": True, "date": "2024-01-01",
                   "list": ["A06"], "str": "A06"}[kind]
    return Parameter(name="p", type=kind, default=default, **domain)


@pytest.mark.parametrize(("kind", "value", "expected"), [
    ("int", "90", 90), ("float", "0.5", 0.5), ("bool", "yes", True),
    ("bool", "false", False), ("date", "2024-04-01", "2024-04-01"),
    ("list", "A06, A05", ["A06", "A05"]), ("str", 5, "5"),
])
def test_parameter_coerce_accepts_typed_values(kind, value, expected):
    assert _parameter(kind).coerce(value) == expected


@pytest.mark.parametrize(("kind", "value"), [
    ("int", "ninety"), ("int", 1.5), ("int", True), ("float", "x"), ("float", "inf"),
    ("bool", "maybe"), ("date", "2024-02-30"), ("date", 20240101), ("list", 3),
])
def test_parameter_coerce_rejects_ill_typed_values(kind, value):
    with pytest.raises(ParameterError, match=f"must be of type {kind}"):
        _parameter(kind).coerce(value)


def test_parameter_choices_enforced_naming_value_and_allowed_set():
    parameter = _parameter("str", "a", choices=("a", "b"))
    with pytest.raises(ParameterError, match="'p' is 'c'; allowed: one of a, b"):
        parameter.check(parameter.coerce("c"))


@pytest.mark.parametrize(("domain", "inside", "outside"), [
    ({"minimum": 1}, [1, 365], [0, -3]),
    ({"exclusive_minimum": 0, "maximum": 1}, [1e-9, 0.2, 1], [0, -0.1, 1.0001]),
    ({"minimum": 0, "exclusive_maximum": 10}, [0, 9.99], [10, 11]),
])
def test_parameter_range_inclusive_and_exclusive_bounds(domain, inside, outside):
    parameter = _parameter("float", **domain)
    for value in inside:
        parameter.check(value)
    for value in outside:
        with pytest.raises(ParameterError, match="allowed: "):
            parameter.check(value)


def test_parameter_list_must_be_non_empty_and_every_item_allowed():
    parameter = _parameter("list", ["A06"], choices=("A06", "A05"))
    parameter.check(["A05"])
    for value in ([], ["A06", "Z99"]):
        with pytest.raises(ParameterError, match="one or more of A06, A05"):
            parameter.check(value)


@pytest.mark.parametrize("spec", [
    {"type": "int", "default": 3},
    {"type": "float", "default": 0.5},
    {"type": "str", "default": "x"},
    {"type": "list", "default": ["x"]},
])
def test_parameter_without_domain_is_refused(spec):
    with pytest.raises(ValueError, match="declares no"):
        Parameter(name="p", **spec)


def _series():
    return load_series(ROOT / "analyses" / "analyses.yml")


@pytest.mark.parametrize(("analysis", "name", "value", "allowed"), [
    ("wellbeing", "locality", "Atlantis", "one of all, North Liverpool"),
    ("time_to_discharge", "team_types", "A06,Z99", "one or more of A02"),
    ("time_to_discharge", "team_types", ",", "one or more of A02"),
    ("time_to_discharge", "landmark_days", "-5", ">= 1"),
    ("emergency_care", "window_days", "0", ">= 1"),
    ("emergency_care", "caliper", "0", "> 0 and <= 1"),
    ("emergency_care", "caliper", "1.5", "> 0 and <= 1"),
    ("wellbeing", "meaningful_change", "-1", "> 0"),
])
def test_resolve_parameters_outside_domain_names_parameter_value_and_set(
        analysis, name, value, allowed):
    series = _series()
    with pytest.raises(ParameterError, match=f"parameter '{name}'") as info:
        series.resolve_parameters(series.analysis(analysis), series.editions[0],
                                  {name: value})
    assert allowed in str(info.value)
    assert "; allowed: " in str(info.value)


def test_resolve_parameters_domain_from_dictionary_code_lists():
    series = _series()
    codes = series.code_lists()
    assert "North Liverpool" in codes["locality"]
    assert {"A06", "A05"} <= set(codes["team_type"])
    values = series.resolve_parameters(
        series.analysis("time_to_discharge"), series.editions[0],
        {"locality": "Sefton", "team_types": "A05"})
    assert (values["locality"], values["team_types"]) == ("Sefton", ["A05"])


def test_resolve_parameters_reversed_period_refused():
    series = _series()
    with pytest.raises(ParameterError, match="period_end 2023-01-01 is not after"):
        series.resolve_parameters(series.analyses[0], series.editions[0],
                                  {"period_end": "2023-01-01"})


def test_every_declared_parameter_has_a_domain_and_its_default_is_inside():
    series = _series()
    for analysis in series.analyses:
        for edition in series.editions:
            series.resolve_parameters(analysis, edition)
        for parameter in analysis.parameters.values():
            assert parameter.domain()


@pytest.mark.parametrize("analysis", [a.id for a in load_series(
    ROOT / "analyses" / "analyses.yml").analyses])
def test_notebook_parameters_cell_matches_the_declaration(analysis):
    from papermill import inspect_notebook

    series = _series()
    declared = series.analysis(analysis)
    cell = inspect_notebook(str(ROOT / "analyses" / declared.notebook))
    assert set(cell) == {"period_start", "period_end", *declared.parameters}
    for name, parameter in declared.parameters.items():
        assert parameter.coerce(ast.literal_eval(cell[name]["default"])) == \
            parameter.default, name
    current = series.edition(series.current_edition)
    assert ast.literal_eval(cell["period_start"]["default"]) == current.period_start
    assert ast.literal_eval(cell["period_end"]["default"]) == current.period_end


def _report_call(notebook: Path) -> ast.Call:
    """The notebook's call of its report function: the call given
    ``period_start=period_start`` (every report notebook makes exactly one)."""
    import nbformat

    calls = [node for cell in nbformat.read(notebook, as_version=4).cells
             if cell.cell_type == "code"
             for node in ast.walk(ast.parse(cell.source)) if isinstance(node, ast.Call)
             and any(k.arg == "period_start" and isinstance(k.value, ast.Name)
                     and k.value.id == "period_start" for k in node.keywords)]
    assert len(calls) == 1, f"{notebook.name}: {len(calls)} report calls"
    return calls[0]


def _plain(value):
    """A default as Python compares it: YAML and the notebook give lists where a
    signature has tuples."""
    return tuple(_plain(v) for v in value) if isinstance(value, list | tuple) else value


@pytest.mark.parametrize("analysis", [a.id for a in load_series(
    ROOT / "analyses" / "analyses.yml").analyses])
def test_notebook_passes_every_declared_parameter_to_its_report_function_unchanged(
        analysis):
    """analyses.yml, the notebook's call and the report function's signature agree:
    every declared parameter reaches the call, every keyword the call passes is one the
    function takes, and each keyword computed from the declared defaults (``locality``,
    or ``slope_band=(slope_lower, slope_upper)``) equals the function's own default, so
    that a report called without the notebook behaves as the published one."""
    import inspect

    import lifetools

    series = _series()
    declared = series.analysis(analysis)
    call = _report_call(ROOT / "analyses" / declared.notebook)
    dotted = ast.unparse(call.func).split(".")
    assert dotted[0] == "lt", ast.unparse(call.func)
    function = lifetools
    for part in dotted[1:]:
        function = getattr(function, part)
    signature = inspect.signature(function)
    passed = {k.arg: k.value for k in call.keywords}
    signature.bind(None, **passed)  # every keyword is one the function takes
    used = {n.id for k in call.keywords for n in ast.walk(k.value) if isinstance(n, ast.Name)}
    assert {"period_start", "period_end", *declared.parameters} <= used
    defaults = {name: p.default for name, p in declared.parameters.items()}
    for keyword, expression in passed.items():
        if keyword in ("period_start", "period_end"):
            continue
        value = eval(compile(ast.Expression(expression), "<call>", "eval"),  # noqa: S307
                     {"__builtins__": {}}, dict(defaults))
        assert _plain(value) == _plain(signature.parameters[keyword].default), keyword


def test_crisis_risk_declared_parameters_agree_with_the_report_function():
    # issue 19: `internal` (boot-MI or MI-boot) is a declared parameter; analyses.yml,
    # the notebook's parameters cell (above) and analyse_crisis_risk must agree on its
    # values and default, and the notebook must pass it on
    import inspect

    import nbformat

    from lifetools.reports.crisis_parts import INTERNAL_METHODS
    from lifetools.reports.prediction import analyse_crisis_risk

    declared = _series().analysis("crisis_risk")
    signature = inspect.signature(analyse_crisis_risk).parameters
    internal = declared.parameters["internal"]
    assert sorted(internal.choices) == sorted(INTERNAL_METHODS)
    for name in ("internal", "n_boot", "imputations"):
        assert declared.parameters[name].default == signature[name].default, name
    notebook = nbformat.read(ROOT / "analyses" / declared.notebook, as_version=4)
    call = next(c.source for c in notebook.cells if "analyse_crisis_risk" in c.source)
    assert "internal=internal" in call.replace(" ", "")
    assert "imputations=imputations" in call.replace(" ", "")
    # the function refuses what analyses.yml refuses (a direct call too)
    from lifetools.reports.prediction import MIN_IMPUTATIONS
    copies = declared.parameters["imputations"]
    assert (copies.minimum, copies.maximum) == (MIN_IMPUTATIONS,
                                                signature["imputations"].default)
    for outside in (MIN_IMPUTATIONS - 1, copies.maximum + 1):
        with pytest.raises(ValueError, match="imputations must be from 2 to 10"):
            analyse_crisis_risk(None, period_start="2024-04-01", period_end="2025-03-31",
                                imputations=outside)


def test_crisis_risk_imputations_take_only_values_the_gate_lets_a_sentence_state():
    # wave 44: `imputations` is a declared parameter (the test profile's copies run 3);
    # the report states it as the setting "imputed copies", which the gate lets pass
    # from 1 to IMPUTED_COPIES, and MI-boot's samples per copy are listed for those
    # copies only: a larger maximum would let a rerun publish a sentence it refuses
    from lifetools.disclosure.settings import IMPUTED_COPIES, SETTINGS
    from lifetools.reports.prediction import analyse_crisis_risk

    imputations = _series().analysis("crisis_risk").parameters["imputations"]
    assert imputations.default == IMPUTED_COPIES == inspect.signature(
        analyse_crisis_risk).parameters["imputations"].default
    assert imputations.minimum >= 2  # Rubin's rules need a between-copy variance
    values = set(range(int(imputations.minimum), int(imputations.maximum) + 1))
    assert values <= SETTINGS["imputed copies"]({"n_boot": 20})


def test_load_series_error_names_file_and_line(tmp_path):
    text = (ROOT / "analyses" / "analyses.yml").read_text()
    bad = text.replace("        default: 0.2\n", "        default: 7\n")
    assert bad != text
    path = tmp_path / "analyses.yml"
    path.write_text(bad)
    line = bad.splitlines().index("        default: 7") + 1
    with pytest.raises(ParameterError) as info:
        load_series(path)
    message = str(info.value)
    assert "caliper" in message
    assert "allowed: > 0 and <= 1" in message
    assert f"analyses.yml:{line - 1}:" in message or f"analyses.yml:{line}:" in message


def test_load_series_unknown_key_points_at_its_line(tmp_path):
    text = (ROOT / "analyses" / "analyses.yml").read_text()
    bad = text.replace("    notebook: 02_time_to_discharge.ipynb\n",
                       "    notebook: 02_time_to_discharge.ipynb\n    colour: red\n")
    path = tmp_path / "analyses.yml"
    path.write_text(bad)
    line = bad.splitlines().index("    colour: red") + 1
    with pytest.raises(ParameterError, match=f"analyses.yml:{line}: at analyses/1/colour"):
        load_series(path)


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


def test_series_file_parsed_once_reads_as_the_pure_python_loader_reads_it():
    # load_series parses with libyaml when installed, once (the data constructed from
    # the node tree whose marks give each key's line): the same data and the same
    # line for every key as the pure-Python loader's two parses, and a file libyaml
    # refuses raises the pure-Python loader's message (line and column)
    text = (ROOT / "analyses" / "analyses.yml").read_text()
    lines, raw = series_module._parsed(text)
    assert repr(raw) == repr(yaml.safe_load(text))
    assert lines == series_module._lines(yaml.compose(text, Loader=yaml.SafeLoader))
    assert len(lines) > 100
    assert series_module._parsed("") == ({}, None)
    # a merge key: its lines are read before constructing flattens it in the tree
    merged = "base: &b\n  a: 1\nuse:\n  <<: *b\n  c: 2\n"
    assert series_module._parsed(merged) == (
        series_module._lines(yaml.compose(merged, Loader=yaml.SafeLoader)),
        yaml.safe_load(merged))
    broken = "series:\n  title: [unclosed\n"
    with pytest.raises(yaml.YAMLError) as info:
        series_module._parsed(broken)
    with pytest.raises(yaml.YAMLError) as pure:
        yaml.safe_load(broken)
    assert str(info.value) == str(pure.value) and "line 3" in str(info.value)


@pytest.mark.parametrize("source", [
    "postgresql://analyst:s3cret-pw@db.trust.nhs.uk/mhsds",
    "postgresql://analyst@db.trust.nhs.uk/mhsds?password=s3cret-pw",
    "sc://spark.trust.nhs.uk:15002/;token=s3cret-pw"])
def test_load_series_refuses_a_credential_in_the_data_source(tmp_path, source):
    """A password or token written into ``data: source:`` is refused when the series
    file is read (it was only when a build ran), naming the file, line and key, with
    the series file's exit code; the secret is never echoed."""
    text = (ROOT / "analyses" / "analyses.yml").read_text()
    bad = text.replace("data:\n", f"data:\n  source: {source}\n", 1)
    assert bad != text
    path = tmp_path / "analyses.yml"
    path.write_text(bad)
    line = bad.splitlines().index(f"  source: {source}") + 1
    with pytest.raises(ParameterError) as info:
        load_series(path)
    message = info.value.render()
    assert f"analyses.yml:{line}: at data/source" in message, message
    assert "has a password in it" in message or "has a token in it" in message
    assert "s3cret-pw" not in message
    assert info.value.exit_code == 12  # as every error of the series file


def test_load_series_keeps_a_data_source_without_a_credential(tmp_path):
    path = write_series(tmp_path, lambda r: r["data"].update(
        source="postgresql://analyst@db.trust.nhs.uk/mhsds"))
    assert load_series(path).data.source == "postgresql://analyst@db.trust.nhs.uk/mhsds"
