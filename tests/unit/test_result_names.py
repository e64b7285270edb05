"""Key-result names are declared once (``lifetools.result_names``) and referred to only so.

Fast checks, without running a report: every name a notebook's Markdown glues
(``{glue:text}`name```) or ``analyses.yml``'s main points name is declared for that
report; a notebook records only declared names; the report code builds its key results
from the declarations (no name typed as a string). That each report produces exactly
its declared names on synthetic data is checked in ``test_key_result_names.py`` (slow).
A renamed result fails here: a test renames one in a temporary copy of the project and
runs this module on the copy.
"""

from __future__ import annotations

import ast
import os
import re
import shutil
import string
import subprocess
import sys
from enum import StrEnum
from pathlib import Path

import nbformat
import pytest

import lifetools
from lifetools import result_names
from lifetools.pipeline.series import load_series
from lifetools.publication import check_name
from lifetools.result_names import (
    ALL_NAMES,
    CohortName,
    CrisisName,
    DischargeName,
    EmergencyName,
    NotebookName,
    ReachName,
    ReReferralName,
    WellbeingName,
    derived,
)

ROOT = Path(__file__).resolve().parents[2]
SERIES = ROOT / "analyses" / "analyses.yml"
GLUE = re.compile(r"\{glue:[a-z]+\}`([A-Za-z0-9_]+)`")
#: Fields of a main point's ``text`` that are filled from its own keys, not results.
PLACEHOLDERS = {"estimate", "interval", "verdict"}
#: The declaration of the report each analysis runs.
DECLARED: dict[str, type[StrEnum]] = {
    "cohort_description": CohortName, "time_to_discharge": DischargeName,
    "re_referral": ReReferralName, "emergency_care": EmergencyName,
    "wellbeing": WellbeingName, "reach_and_activity": ReachName,
    "crisis_risk": CrisisName}
#: The modules that build key results (their names must come from the declarations).
BUILDERS = [*sorted((ROOT / "src" / "lifetools" / "reports").glob("*.py")),
            ROOT / "src" / "lifetools" / "describe.py"]


def _resolve(node: ast.expr) -> object:
    """The object a dotted ``lt.a.b.C`` expression names (``None`` if not one)."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not (isinstance(node, ast.Name) and node.id == "lt"):
        return None
    found: object = lifetools
    for part in reversed(parts):
        found = getattr(found, part, None)
    return found


def notebook_records(nb) -> tuple[set[str], list[str]]:
    """The names a notebook records itself (``lt.publication.record(name, ...)``), and
    the problems: a name given as a string or as anything but a ``NotebookName``."""
    names, problems = set(), []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for node in ast.walk(ast.parse(cell.source)):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "record" and node.args):
                continue
            name = _resolve(node.args[0])
            if isinstance(name, NotebookName):
                names.add(name.value)
            else:
                problems.append(f"records {ast.unparse(node.args[0])}: not a "
                                "lt.result_names.NotebookName member")
    return names, problems


def references(nb, main_point) -> set[str]:
    """The names a notebook's Markdown glues and its main point names."""
    names = {m for cell in nb.cells if cell.cell_type == "markdown"
             for m in GLUE.findall(cell.source)}
    if main_point is not None:
        names |= {n for n in (main_point.estimate, main_point.interval, main_point.events)
                  if n}
        names |= {f for _, f, _, _ in string.Formatter().parse(main_point.text)
                  if f} - PLACEHOLDERS
    return names


def undeclared_references(series_path: Path = SERIES) -> dict[str, set[str] | list[str]]:
    """Per analysis, the names referred to but not declared (and bad notebook records)."""
    series = load_series(series_path)
    found: dict[str, set[str] | list[str]] = {}
    for analysis in series.analyses:
        nb = nbformat.read(series_path.parent / analysis.notebook, as_version=4)
        recorded, problems = notebook_records(nb)
        declared = {m.value for m in DECLARED[analysis.id]} | recorded
        missing = references(nb, series.publication.main_points.get(analysis.id)) \
            - declared
        if missing:
            found[analysis.id] = missing
        if problems:
            found[f"{analysis.id} (notebook)"] = problems
    return found


def bare_names(path: Path) -> list[str]:
    """Key-result names a module types as strings: a ``"name":`` or ``"key":`` entry of
    a dict literal given as a string, an f-string or a list of strings."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if not isinstance(node, ast.Dict):
            continue
        for key, value in zip(node.keys, node.values, strict=True):
            if not (isinstance(key, ast.Constant) and key.value in ("name", "key")):
                continue
            items = value.elts if isinstance(value, ast.List | ast.Tuple) else [value]
            if any(isinstance(v, ast.JoinedStr) or (
                    isinstance(v, ast.Constant) and isinstance(v.value, str))
                   for v in items):
                found.append(f"{path.name}:{node.lineno}: {ast.unparse(value)[:60]}")
    return found


def produced_names(report) -> list[object]:
    """The names a report produces: its ``key_results``' names, or its counts' keys
    (``describe_population``, recorded by ``record_counts``)."""
    if hasattr(report, "key_results"):
        return [dict(item)["name"] for item in report.key_results]
    return list(report.counts["key"])


def name_problems(report, declaration: type[StrEnum]) -> dict[str, set[str]]:
    """How a report's names differ from its declaration: names it produces that are
    not declared, declared names it never produces, and names not given as members."""
    names = produced_names(report)
    produced = {str(n) for n in names}
    declared = {m.value for m in declaration}
    found = {"undeclared": produced - declared, "never produced": declared - produced,
             "typed as strings": {str(n) for n in names
                                  if not isinstance(n, declaration)}}
    return {k: v for k, v in found.items() if v}


def test_result_names_referred_to_are_declared():
    assert undeclared_references() == {}


def test_result_names_every_analysis_and_declaration_paired():
    series = load_series(SERIES)
    assert {a.id for a in series.analyses} == set(DECLARED)
    assert set(ALL_NAMES) == {*DECLARED.values(), NotebookName}
    assert set(result_names.__all__) >= {c.__name__ for c in ALL_NAMES}


@pytest.mark.parametrize("names", ALL_NAMES, ids=[c.__name__ for c in ALL_NAMES])
def test_result_names_each_value_is_a_valid_output_name(names):
    assert [m for m in names if check_name(m.value) != m.value] == []
    assert all(m.value == m.name.lower() for m in names)  # the member reads as its name


def test_result_names_report_modules_type_no_name_as_a_string():
    assert [f for path in BUILDERS for f in bare_names(path)] == []


def test_bare_names_string_name_in_a_report_is_found(tmp_path):
    module = tmp_path / "report.py"
    module.write_text('KEY = ({"name": "hr_tv", "value": 1},\n'
                      '       {"name": f"{x}_ci"}, {"name": DischargeName.HR_TV})\n'
                      'COUNTS = {"key": ["people", CohortName.USERS]}\n')
    assert sorted(f.split(":")[1] for f in bare_names(module)) == ["1", "2", "3"]


def test_name_problems_renamed_and_missing_results_are_found():
    class Report:  # a report that renamed one result and lost the others
        key_results = ({"name": DischargeName.HR_TV}, {"name": "hr_tv_renamed"})

    found = name_problems(Report(), DischargeName)
    assert found["undeclared"] == {"hr_tv_renamed"}
    assert found["typed as strings"] == {"hr_tv_renamed"}
    assert found["never produced"] == {m.value for m in DischargeName} - {"hr_tv"}


def test_name_problems_counts_keys_as_members_pass():
    class Description:
        counts = {"key": list(CohortName)}

    assert name_problems(Description(), CohortName) == {}
    Description.counts = {"key": [m.value for m in CohortName]}  # equal, but strings
    assert name_problems(Description(), CohortName) == {
        "typed as strings": {m.value for m in CohortName}}


def test_derived_declared_suffix_gives_the_member():
    assert derived(DischargeName.HR_TV, "ci") is DischargeName.HR_TV_CI
    assert derived(EmergencyName.DID_AE, "evalue") is EmergencyName.DID_AE_EVALUE
    assert derived(EmergencyName.DID_AE, "sentence") is EmergencyName.DID_AE_SENTENCE


def test_derived_undeclared_suffix_raises():
    with pytest.raises(ValueError, match="hr_naive_evalue"):
        derived(DischargeName.HR_NAIVE, "evalue")  # the biased ratio has no E-value


def _project_copy(tmp_path: Path) -> Path:
    """A copy of the analyses folder (the series file and the notebooks)."""
    shutil.copytree(ROOT / "analyses", tmp_path / "analyses")
    return tmp_path / "analyses" / "analyses.yml"


def test_undeclared_references_renamed_glue_in_markdown_is_caught(tmp_path):
    series = _project_copy(tmp_path)
    path = series.parent / "02_time_to_discharge.ipynb"
    path.write_text(path.read_text().replace("`hr_tv_sentence`", "`hr_tv_summary`"))
    assert undeclared_references(series) == {"time_to_discharge": {"hr_tv_summary"}}


def test_undeclared_references_renamed_main_point_is_caught(tmp_path):
    series = _project_copy(tmp_path)
    series.write_text(series.read_text().replace("estimate: did_ae\n",
                                                 "estimate: did_ae_matched\n")
                      .replace("{caseload_sentence}", "{caseload_summary}"))
    assert undeclared_references(series) == {
        "emergency_care": {"did_ae_matched"},
        "cohort_description": {"caseload_summary"}}


def test_undeclared_references_notebook_recording_a_string_is_caught(tmp_path):
    series = _project_copy(tmp_path)
    path = series.parent / "01_cohort_description.ipynb"
    path.write_text(path.read_text().replace("lt.result_names.NotebookName.SDC_RULE",
                                             '\\"sdc_rule\\"'))
    found = undeclared_references(series)
    # refused as a record, and so not declared where the Markdown glues it
    assert found.pop("cohort_description") == {"sdc_rule"}
    assert list(found) == ["cohort_description (notebook)"]
    assert "'sdc_rule'" in found["cohort_description (notebook)"][0]


@pytest.mark.slow
def test_result_names_renamed_declaration_fails_this_module(tmp_path):
    # the whole check, run on a copy of the project whose declaration of one name
    # was renamed (the Markdown still glues the old name): this module must fail
    shutil.copytree(ROOT / "src" / "lifetools", tmp_path / "src" / "lifetools",
                    ignore=shutil.ignore_patterns("__pycache__"))
    _project_copy(tmp_path)
    (tmp_path / "tests" / "unit").mkdir(parents=True)
    shutil.copy(__file__, tmp_path / "tests" / "unit" / "test_result_names.py")
    names = tmp_path / "src" / "lifetools" / "result_names.py"
    text = names.read_text()
    assert text.count('"hr_tv_sentence"') == 1
    names.write_text(text.replace('"hr_tv_sentence"', '"hr_tv_summary"'))
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "src"),
           "LIFETOOLS_PROJECT_ROOT": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-m", "not slow",
         "--rootdir", str(tmp_path), "-c", os.devnull,
         str(tmp_path / "tests" / "unit" / "test_result_names.py")],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 1, done.stdout + done.stderr
    failed = [line for line in done.stdout.splitlines() if line.startswith("FAILED")]
    assert any(f.split()[1].endswith("::test_result_names_referred_to_are_declared")
               for f in failed), done.stdout
    assert "{'time_to_discharge': {'hr_tv_sentence'}}" in done.stdout


def test_result_names_imports_nothing_from_lifetools():
    # describe and every report import it: it must stay a leaf (no import cycle)
    tree = ast.parse((ROOT / "src" / "lifetools" / "result_names.py").read_text())
    imported = [n.module if isinstance(n, ast.ImportFrom) else a.name
                for n in ast.walk(tree) if isinstance(n, ast.Import | ast.ImportFrom)
                for a in n.names]
    assert [m for m in imported if m and m.split(".")[0] == "lifetools"] == []
