"""The method pages cannot point at tests that are gone, nor leave an estimator out."""

from __future__ import annotations

import ast
import functools
import importlib
import inspect
import re
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
METHODS = ROOT / "book" / "methods"
REFERENCE = ROOT / "book" / "reference"
DISCLOSURE_TESTS = "disclosure-control-tests"
"""The developer page that names the tests of the disclosure-control methods page."""
MODULES = ("lifetools.survival", "lifetools.regression", "lifetools.inequality",
           "lifetools.prediction")
PATH = re.compile(r"\btests/[\w/]+\.py")
NODE = re.compile(r"\b(tests/[\w/]+\.py)::(test_\w+)")
NAME = re.compile(r"(?<![\w/])(test_\w+)(?![\w.])")


def test_names(path: Path) -> set[str]:
    """Names of the test functions defined in one file (methods of classes included)."""
    tree = ast.parse(path.read_text())
    return {node.name for node in ast.walk(tree)
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
            and node.name.startswith("test_")}


test_names.__test__ = False  # a helper, not a test


@functools.cache
def _test_files(root: Path) -> dict[Path, set[str]]:
    """The test names of every test file under ``root/tests``, parsed once per session."""
    return {path: test_names(path) for path in (root / "tests").rglob("test_*.py")}


def broken_test_references(pages: Path, root: Path) -> list[str]:
    """Every test path, ``path::name`` and bare test name on the pages that is missing."""
    names = _test_files(root)
    known = set().union(*names.values())
    problems = []
    for page in sorted(pages.glob("*.md")):
        text = page.read_text()
        for path in sorted(set(PATH.findall(text))):
            if not (root / path).is_file():
                problems.append(f"{page.name}: {path} does not exist")
        for path, name in sorted(set(NODE.findall(text))):
            file = root / path
            if file.is_file() and name not in (
                    names[file] if file in names else test_names(file)):
                problems.append(f"{page.name}: {path} has no {name}")
        for name in sorted(set(NAME.findall(text))):
            if name not in known:
                problems.append(f"{page.name}: no test function {name}")
    return problems


def public_functions() -> list[str]:
    """The public functions (not classes or constants) of the estimator modules."""
    names = []
    for module_name in MODULES:
        module = importlib.import_module(module_name)
        names += [name for name in module.__all__
                  if inspect.isfunction(getattr(module, name))]
    return names


def unnamed_functions(pages: Path, names: list[str]) -> list[str]:
    """The functions not named on any page (as a whole word)."""
    text = "\n".join(p.read_text() for p in pages.glob("*.md"))
    return [name for name in names if not re.search(rf"\b{re.escape(name)}\b", text)]


def test_method_pages_exist():
    assert (METHODS / "index.md").is_file()
    assert (METHODS / "synthetic-data.md").is_file()


def test_method_pages_cite_only_tests_that_exist():
    assert broken_test_references(METHODS, ROOT) == []


def test_reference_pages_cite_only_tests_that_exist():
    # the disclosure-control page's tests moved to a developer page (issue 15, wave 40):
    # it carries the guarantee the methods pages have, every test it names exists
    page = REFERENCE / f"{DISCLOSURE_TESTS}.md"
    assert len(set(NAME.findall(page.read_text()))) > 40
    assert broken_test_references(REFERENCE, ROOT) == []


def test_disclosure_control_page_leaves_its_tests_to_the_developer_page():
    # the public page named 41 test files and 46 test functions a reader of the statistics
    # does not need (issue 15, wave 40): it says they exist and links to the list
    page = (METHODS / "disclosure-control.md").read_text()
    named = sorted({*PATH.findall(page), *NAME.findall(page)})
    assert named == []
    assert f"{{doc}}`/reference/{DISCLOSURE_TESTS}`" in page


def test_method_pages_name_every_public_estimator():
    names = public_functions()
    assert len(names) > 20
    assert unnamed_functions(METHODS, names) == []


@pytest.mark.parametrize("line", [
    "`tests/unit/test_gone.py`",
    "`tests/unit/test_survival.py::test_no_such_function`",
    "checked by `test_that_never_was`",
])
def test_checker_reports_a_reference_to_a_missing_test(tmp_path, line):
    (tmp_path / "page.md").write_text(f"# Page\n\n{line}\n")
    assert broken_test_references(tmp_path, ROOT)


def test_checker_reports_an_estimator_named_on_no_page(tmp_path):
    (tmp_path / "page.md").write_text("# Page\n\nOnly `estimate_km` here.\n")
    assert unnamed_functions(tmp_path, ["estimate_km", "fit_cox"]) == ["fit_cox"]


def test_book_tables_write_the_minus_sign_and_ranges_in_words():
    # hand-typed tables use what the generated pages use: "−0.043", "101 to 120"
    from minus_signs import markdown_table_cells, typed_minus_signs

    found = [f"{page.relative_to(ROOT)}:{number}: {hit!r}"
             for page in sorted((ROOT / "book").rglob("*.md"))
             for number, row in markdown_table_cells(page.read_text(encoding="utf-8"))
             for hit in typed_minus_signs(row)]
    assert not found, "\n".join(found)


@pytest.mark.parametrize(("cell", "hits"), [
    ("| Cox | 1.25 | 19 of 20 | -0.043 | 0.061 |", 1), ("**-0.189** (0.042)", 1),
    ("(-0.660 to -0.126)", 2), ("seeds 101-120", 1), ("(0, 1-6, 7-12)", 2),
    ("| Cox | −0.043 | seeds 101 to 120 | +0.167 |", 0),
    ("2019-04-01 to 2025-03-31, edition 2023-24, 12-month, x-1, 1e-9", 0),
    ('R (survival 3.5-3), a code "18-24", Fleming-Harrington G^rho', 0),
    ("HMAC-SHA-256, pattern ^[0-9a-f]{64}$", 0)])
def test_typed_minus_signs_known_cells(cell, hits):
    from minus_signs import typed_minus_signs

    assert len(typed_minus_signs(cell)) == hits, typed_minus_signs(cell)


PYTHON_VALUES = re.compile(r"estimable=|=None\b|=False\b|=True\b|\bNaN\b")


def python_values_in_prose(text: str) -> list[str]:
    """The lines of a methods page whose prose (outside code blocks and code spans)
    shows a Python value: "estimable=False", "=None", "=True", a bare "NaN"; and any
    "estimable=" at all (a result's flag, never a signature a reader calls)."""
    found = [line for line in text.splitlines() if "estimable=" in line]
    prose = re.sub(r"`[^`]*`", "", re.sub(r"```.*?```", "", text, flags=re.S), flags=re.S)
    return found + [line.strip() for line in prose.splitlines() if PYTHON_VALUES.search(line)]


def test_method_pages_say_python_values_in_words():
    # count-models.md: "the result is `estimable=False` with a `reason` and NaN rate
    # ratios"; a reader of the site reads "could not be estimated" and "no rate ratios
    # are shown" (wave 37). Signatures in code spans stay, for the developer reference
    found = {page.name: python_values_in_prose(page.read_text())
             for page in sorted(METHODS.glob("*.md"))}
    assert {name: lines for name, lines in found.items() if lines} == {}


@pytest.mark.parametrize(("text", "hits"), [
    ("the result is `estimable=False` with a reason", 1),
    ("and NaN rate ratios", 1), ("with group_col=None given", 1),
    ("`estimate_km(df, *, group_col=None)` returns", 0),
    ("```python\nfit(robust=True)\n```", 0), ("a NaNny word", 0)])
def test_python_values_in_prose_known_lines(text, hits):
    assert len(python_values_in_prose(text)) == hits


def test_logistic_page_describes_the_emergency_calibration_sentence_as_computed():
    # the page described the table but not the sentence the emergency page reads from
    # it (wave 38): what it states, from which points, rounded how, and its empty form
    import pandas as pd

    from lifetools.regression import CALIBRATION_DIGITS
    from lifetools.reports.emergency import calibration_sentence

    page = " ".join((METHODS / "logistic.md").read_text().split())
    # the function's name is on the developer page, the key result's on the public one
    internals = (REFERENCE / "methods-internals.md").read_text()
    assert "`reports.emergency.calibration_sentence`" in internals
    assert "key result `calibration_sentence`" in page
    assert "`lifetools.regression.calibration_points(table)`" in page
    assert f"to {CALIBRATION_DIGITS} decimal places (`CALIBRATION_DIGITS`)" in page
    table = pd.DataFrame({"predicted": [0.05, 0.18, 0.34, 0.6],
                          "observed": [0.06, 0.30, 0.48, 0.58]})
    more = str(calibration_sentence(table))
    fewer = str(calibration_sentence(table.assign(observed=[0.05, 0.18, 0.34, 0.45])))
    said = ("differed from the predicted risk by up to 14.0 percentage points, at a "
            "predicted risk of 34.0%")
    assert said in more and said in page
    for said, which in ((more, "more attended than predicted"),
                        (fewer, "fewer attended than predicted")):
        assert which in said and f'"{which}"' in page
    empty = pd.DataFrame({"predicted": [], "observed": []}, dtype=float)
    assert f'"{calibration_sentence(empty)}"' in page
    agreed = str(calibration_sentence(table.assign(observed=table["predicted"])))
    said = "matched the predicted risk, to the decimal places published"
    assert said in agreed and f'"{said}"' in page


WAVE = re.compile(r"\bwaves? \d+", re.IGNORECASE)
TEST_PATH = re.compile(r"\btests/")


def developer_history_and_test_paths(pages: Path) -> list[str]:
    """Every "wave <number>" and ``tests/`` path on the public pages, as page:line: text."""
    problems = []
    for page in sorted(pages.glob("*.md")):
        for number, line in enumerate(page.read_text().splitlines(), 1):
            for match in (*WAVE.finditer(line), *TEST_PATH.finditer(line)):
                problems.append(f"{page.name}:{number}: {match.group(0)}")
    return problems


def test_method_pages_carry_no_development_history_nor_test_paths():
    # the public pages said "until wave 39 ..." and "Checked by tests/unit/..." (issue 15):
    # the history is in CHANGELOG.md, the tests on the reference pages
    assert developer_history_and_test_paths(METHODS) == []


@pytest.mark.parametrize("line", [
    "Until wave 39 it listed event times only.",
    "(until Wave 61 they stopped 20 days before it)",
    "Checked by `tests/unit/test_compare.py`.",
    "script `tests/reference/R/make_reference_nb.R`",
])
def test_history_checker_finds_a_wave_or_a_test_path(tmp_path, line):
    (tmp_path / "page.md").write_text(f"# Page\n\n{line}\n")
    assert len(developer_history_and_test_paths(tmp_path)) == 1


def test_history_checker_leaves_plain_words_alone(tmp_path):
    (tmp_path / "page.md").write_text(
        "# Page\n\nThe tests check 20 waves of data; a wave of referrals; tests of fit.\n")
    assert developer_history_and_test_paths(tmp_path) == []


def test_methods_tests_are_on_the_developer_pages():
    # each public page with its own tests says they exist and links to the list
    listed = (REFERENCE / "methods-tests.md").read_text()
    for page in ("cox", "kaplan-meier", "competing-risks", "verdicts", "index"):
        assert "{doc}`/reference/methods-tests`" in (METHODS / f"{page}.md").read_text()
        assert f"{{doc}}`/methods/{page}`" in listed
    assert len(set(NODE.findall(listed))) > 150


REPORT_PACKAGES = ("lifetools.reports", "lifetools.pipeline")
"""The report series' own code (the reports, the build): named on
``book/reference/methods-internals.md``, never on a public methods page."""
REPORT_PREFIXES = tuple(f"{a}{b}." for a in ("lifetools.", "lt.", "") for b in
                        ("reports", "pipeline")) + ("report.",)
CHAIN = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*")


@functools.cache
def _modules(package: str) -> tuple[Any, ...]:
    import pkgutil

    top = importlib.import_module(package)
    return (top, *(importlib.import_module(info.name) for info in
                   pkgutil.walk_packages(top.__path__, f"{package}.")
                   if not info.name.endswith("__main__")))


def _defined(module: Any) -> set[str]:
    """The public functions and classes a module defines (not those it imports)."""
    return {name for name, value in vars(module).items() if not name.startswith("_")
            and (inspect.isfunction(value) or inspect.isclass(value))
            and value.__module__ == module.__name__}


@functools.cache
def report_code() -> tuple[frozenset[str], frozenset[str]]:
    """The names only the report series' code defines (not the library an analyst
    calls, nor a key result's published name), and its module names no library
    module shares (``crisis_results``; not ``prediction``)."""
    from lifetools.result_names import ALL_NAMES

    ours = [m for p in REPORT_PACKAGES for m in _modules(p)]
    library = [m for m in _modules("lifetools") if not m.__name__.startswith(REPORT_PACKAGES)]
    published = {str(member) for names in ALL_NAMES for member in names}
    names = set().union(*map(_defined, ours)) - set().union(*map(_defined, library))
    shared = {m.__name__.rsplit(".", 1)[-1] for m in library}
    modules = {m.__name__.rsplit(".", 1)[-1] for m in ours} - shared
    return frozenset(names - published), frozenset(modules)


def report_code_names(pages: Path) -> list[str]:
    """Every name of the report series' code in a public page's code (a span or a
    block), as page:line: name: ``lifetools.reports.discharge``, ``reports.emergency.
    calibration_sentence``, ``crisis_results.model_table``, ``report.e_values``,
    ``analyse_emergency_care``."""
    names, modules = report_code()
    found = []
    for page in sorted(pages.glob("*.md")):
        text = page.read_text()
        for span in re.finditer(r"```.*?```|`[^`\n]+`", text, flags=re.S):
            line = text.count("\n", 0, span.start()) + 1
            for chain in CHAIN.findall(span.group(0).strip("`")):
                first = chain.split(".")[0]
                if chain.startswith(REPORT_PREFIXES) or chain in ("reports", "pipeline") \
                        or ("." in chain and first in modules) or chain in names:
                    found.append(f"{page.name}:{line}: {chain}")
    return found


def test_method_pages_name_no_report_code():
    # the public pages named `analyse_emergency_care`, `lifetools.reports.discharge`,
    # `reports.emergency.calibration_sentence`, `crisis_results.model_table` ... (issue
    # 15, review of a 30,000-person build): the report series' code is named on the
    # developer page, methods-internals; the library an analyst calls stays
    assert report_code_names(METHODS) == []


@pytest.mark.parametrize("line", [
    "The report (`analyse_emergency_care` in `lifetools.reports.emergency`) uses it.",
    "**In the discharge report** (`lifetools.reports.discharge`) the table",
    "(`reports.emergency.calibration_sentence`, key result `calibration_sentence`)",
    "knots tables (`crisis_results.model_table`)",
    "`report.e_values` keeps the incidence",
    "```python\nlt.reports.analyse_discharge(dataset)\n```",
])
def test_report_code_checker_finds_a_report_name(tmp_path, line):
    (tmp_path / "page.md").write_text(f"# Page\n\n{line}\n")
    assert report_code_names(tmp_path)


def test_report_code_checker_leaves_the_library_and_key_results_alone(tmp_path):
    (tmp_path / "page.md").write_text(
        "# Page\n\n`fit_cox`, `lifetools.survival.estimate_km`, `lt.disclosure."
        "model_release`, `prediction.boot_mi`, key result `calibration_sentence`, the "
        "table `ph_test`, {doc}`prediction`, `lifetools build`.\n")
    assert report_code_names(tmp_path) == []
