"""Notebooks in analyses/ stay thin: parameters, narrative and calls into lifetools.

Every code cell is parsed with ``ast``; function and class definitions, lambdas, loops
and comprehensions are refused, and so are cells longer than six lines and imports of
anything but lifetools. The parameters cell is the one exception to the length: it
holds one line per declared parameter (papermill reads one assignment a line), and
nothing but assignments of a literal to a name, so it can hold no logic at all.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import nbformat
import pytest

from lifetools.pipeline.series import load_series

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "analyses").glob("*.ipynb"))
FORBIDDEN = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda, ast.For,
             ast.AsyncFor, ast.While, ast.ListComp, ast.SetComp, ast.DictComp,
             ast.GeneratorExp)
MAX_LINES = 6


def thin_problems(path: Path) -> list[str]:
    """Return every way a notebook breaks the thin-notebook rules."""
    nb = nbformat.read(path, as_version=4)
    problems = []
    if not nb.cells or nb.cells[0].cell_type != "markdown":
        problems.append("cell 1 must be Markdown (title and plain-language summary)")
    if len(nb.cells) < 2 or "parameters" not in nb.cells[1].metadata.get("tags", []):
        problems.append("cell 2 must be tagged 'parameters'")
    for number, cell in enumerate(nb.cells, start=1):
        if cell.cell_type != "code":
            continue
        if cell.get("outputs"):
            problems.append(f"cell {number}: committed with outputs")
        lines = [line for line in cell.source.splitlines() if line.strip()]
        if "parameters" in cell.metadata.get("tags", []):
            problems += parameter_problems(number, cell.source)
        elif len(lines) > MAX_LINES:
            problems.append(f"cell {number}: {len(lines)} lines (at most {MAX_LINES})")
        tree = ast.parse(cell.source)
        for node in ast.walk(tree):
            if isinstance(node, FORBIDDEN):
                problems.append(f"cell {number}: {type(node).__name__} at line "
                                f"{node.lineno} (logic belongs in lifetools)")
            if isinstance(node, ast.Import | ast.ImportFrom):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) \
                    else [node.module or ""]
                if any(n.split(".")[0] != "lifetools" for n in names):
                    problems.append(f"cell {number}: imports {names} (only lifetools)")
    return problems


def parameter_problems(number: int, source: str) -> list[str]:
    """Every statement of a parameters cell that is not ``name = literal`` on one line."""
    problems = []
    for node in ast.parse(source).body:
        simple = (isinstance(node, ast.Assign) and len(node.targets) == 1
                  and isinstance(node.targets[0], ast.Name)
                  and node.lineno == node.end_lineno)
        try:
            literal = simple and (ast.literal_eval(node.value), True)[1]
        except ValueError:
            literal = False
        if not literal:
            problems.append(f"cell {number}: line {node.lineno} of the parameters cell is "
                            "not one name = literal assignment")
    return problems


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_is_thin(path):
    assert thin_problems(path) == []


def test_thin_lint_catches_a_loop_and_a_function(tmp_path):
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("# x"),
        nbformat.v4.new_code_cell("a = 1", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell("def f():\n    return 1"),
        nbformat.v4.new_code_cell("for i in range(3):\n    pass"),
        nbformat.v4.new_code_cell("import pandas as pd"),
    ])
    path = tmp_path / "fat.ipynb"
    nbformat.write(nb, path)
    problems = " | ".join(thin_problems(path))
    assert "FunctionDef" in problems
    assert "For" in problems
    assert "pandas" in problems


def test_thin_lint_parameters_cell_one_literal_a_line_any_length(tmp_path):
    # one line per declared parameter (the crisis-risk notebook declares seven): the
    # length limit is for logic, which a parameters cell of literals cannot hold
    params = "\n".join(f"p{i} = {i}" for i in range(9)) + '\nname = "boot-mi"\nnone = None'
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("# x"),
        nbformat.v4.new_code_cell(params, metadata={"tags": ["parameters"]})])
    path = tmp_path / "params.ipynb"
    nbformat.write(nb, path)
    assert thin_problems(path) == []
    for logic in ("a = len([1])", "a, b = 1, 2", "a = b = 1", "a = 1 + b", "print(1)",
                  "a = (\n1)"):
        nb.cells[1].source = params + "\n" + logic
        nbformat.write(nb, path)
        assert any("parameters cell" in p for p in thin_problems(path)), logic


def test_every_declared_analysis_has_its_notebook():
    series = load_series(ROOT / "analyses" / "analyses.yml")
    declared = {a.notebook for a in series.analyses}
    assert declared == {p.name for p in NOTEBOOKS}


#: Key results glued as whole sentences (each starts with a capital): the rest are
#: numbers ("fewer than 8" when a count is hidden), never at a sentence's start
WHOLE_SENTENCES = ("sdc_rule", "drift_verdict", "internal_method", "fit_reliability",
                   "ridge_penalty", "internal_calibration_method", "model_withheld")
SENTENCE_START = re.compile(r"(?:\A|\*\*\s*|[.?!]\s+)\{glue:text\}`(\w+)`")


def glued_numbers_at_sentence_start(path: Path) -> list[str]:
    """Glued key results that open a sentence of the notebook's Markdown but are not
    whole sentences: a hidden count reads "fewer than 8", which cannot open one."""
    nb = nbformat.read(path, as_version=4)
    return [name for cell in nb.cells if cell.cell_type == "markdown"
            for name in SENTENCE_START.findall(cell.source)
            if not name.endswith("_sentence") and name not in WHOLE_SENTENCES]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_opens_no_sentence_with_a_glued_number(path):
    # the 2023-24 wellbeing page at 3,000 people: "What we found. fewer than 8 people
    # completed SWEMWBS ..."
    assert glued_numbers_at_sentence_start(path) == []


def test_glued_number_at_sentence_start_is_found(tmp_path):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(
        "**What we found.** {glue:text}`people` people came. Of {glue:text}`n` "
        "people, {glue:text}`k` left. {glue:text}`x_sentence`")])
    path = tmp_path / "n.ipynb"
    nbformat.write(nb, path)
    assert glued_numbers_at_sentence_start(path) == ["people"]


#: A whole sentence glued after a colon in running text ("protected: Counts from 1 to 7
#: ..."): its capital reads wrongly there (a bold list label's colon is a label's)
AFTER_COLON = re.compile(r"(?<!\*\*):\s+\{glue:text\}`(\w+)`")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_glues_no_whole_sentence_after_a_colon(path):
    # the 2023-24 cohort and reach pages at 3,000 people: "they are protected so that no
    # person can be identified: Counts from 1 to 7 are suppressed ..."
    nb = nbformat.read(path, as_version=4)
    found = [name for cell in nb.cells if cell.cell_type == "markdown"
             for name in AFTER_COLON.findall(cell.source)
             if name.endswith("_sentence") or name in WHOLE_SENTENCES]
    assert found == []
