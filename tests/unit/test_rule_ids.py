"""Every rule the gate and the disclosure checks can name is registered and documented.

The registry is :data:`lifetools.disclosure.rule_ids.RULES`; the developer page's table of
the gate's rules (``book/reference/disclosure-control-internals.md``, "The publish gate")
must have a row for each id, and no row for an id the code cannot give (issue 12); the
public methods page (``book/methods/disclosure-control.md``, "The check before
publication") states what each rule refuses in the registry's plain words, and names no
rule id (issue 15, wave 41).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from source_trees import parse_file

from lifetools.disclosure.rule_ids import RULES, rule_id
from lifetools.pipeline.gate import PATTERNS, Finding

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "book" / "reference" / "disclosure-control-internals.md"
"""The developer page: the table of rule ids."""
PUBLIC = ROOT / "book" / "methods" / "disclosure-control.md"
"""The public methods page: each rule in plain words."""
#: The modules that report findings: the gate's and the disclosure checks' it calls.
SOURCES = sorted([*(ROOT / "src" / "lifetools" / "pipeline" / "gate").glob("*.py"),
                  *(ROOT / "src" / "lifetools" / "disclosure").glob("*.py")])
#: Hyphenated words in those modules that are not rule ids: profile names, the kinds
#: of a release's relations, a seal's kind, cell tags and an encoding.
NOT_RULES = {"hes-ecds", "opensafely-midpoint6", "threshold-10", "same-measure",
             "total-row", "model-release", "injected-parameters",
             "papermill-error-cell-tag", "utf-8"}
_KEBAB = re.compile(r"[a-z]+(?:-[a-z0-9]+)+")
#: "(rule 'figure-marked-by-hand')" in an error raised at source.
_NAMED = re.compile(r"rule '([a-z-]+)'")


def _literals(paths: list[Path]) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in paths:
        for node in ast.walk(parse_file(path)):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                found.setdefault(node.value, set()).add(path.name)
    return found


def code_rule_ids() -> set[str]:
    """The rule ids the code can name, read from the code itself (not the registry):
    every hyphenated string of the gate's and the disclosure checks' modules that is not
    a known other word, the identifier patterns' names, and the rules named in errors
    raised at source anywhere in the package."""
    ids = {s for s in _literals(SOURCES) if _KEBAB.fullmatch(s)} - NOT_RULES
    ids |= set(PATTERNS)
    for path in (ROOT / "src" / "lifetools").rglob("*.py"):
        ids |= set(_NAMED.findall(path.read_text()))
    return ids


def page_rule_ids() -> set[str]:
    """The ids in the first column of the page's table of the gate's rules."""
    text = PAGE.read_text()
    table = text[text.index("| Rule | Refused |"):]
    rows = [line for line in table.split("\n\n", 1)[0].splitlines()[2:]
            if line.startswith("|")]
    return {rule for row in rows for rule in re.findall(r"`([a-z0-9-]+)`",
                                                        row.split("|")[1])}


def test_every_rule_the_code_can_name_is_a_row_of_the_methods_page():
    missing = sorted((code_rule_ids() | set(RULES)) - page_rule_ids())
    assert not missing, f"rules the gate can report but the methods page omits: {missing}"


def test_every_rule_on_the_methods_page_is_one_the_code_can_name():
    assert not page_rule_ids() - set(RULES)


def _words(text: str) -> str:
    return " ".join(text.split())


def test_the_public_page_states_every_rule_in_plain_words_and_no_rule_id():
    # until wave 41 the public page's table showed the ids (`small-count`) beside
    # technical descriptions; a reader of the statistics gets the registry's words, and
    # a rule the code can name but the page does not state fails here
    page = _words(PUBLIC.read_text())
    missing = sorted(r for r in code_rule_ids() | set(RULES)
                     if r not in RULES or _words(RULES[r]) not in page)
    assert not missing, f"rules the public methods page does not state: {missing}"
    named = sorted(r for r in RULES if re.search(rf"(?<![\w-]){re.escape(r)}(?![\w-])",
                                                 page) and "-" in r)
    assert not named, f"rule ids on the public methods page: {named}"


def test_the_public_page_names_no_code():
    # no module, function or setting in backticks, and no wave history: those are on
    # the developer pages
    text = PUBLIC.read_text()
    code = [c for c in re.findall(r"`([^`]+)`", text) if not re.fullmatch(r"/?[\w/-]+", c)
            or not re.search(r"\{doc\}`" + re.escape(c) + "`", text)]
    assert not code, f"code names on the public methods page: {code}"
    assert not re.search(r"\bwave \d+", text)
    assert "lifetools." not in text and "()" not in text


@pytest.mark.xdist_group("source_trees")  # parses the package: see source_trees.py
def test_every_rule_the_code_names_is_registered_and_every_registered_rule_is_named():
    assert not code_rule_ids() - set(RULES), "register these in rule_ids.RULES"
    named = set(_literals([p for p in (ROOT / "src" / "lifetools").rglob("*.py")
                           if p.name != "rule_ids.py"])) | code_rule_ids()
    stale = sorted(r for r in RULES if r not in named)
    assert not stale, f"registered rules no code can report: {stale}"


def test_rule_descriptions_are_plain_words():
    for rule, words in RULES.items():
        assert words and words[0].islower() and not words.endswith("."), rule
        assert not re.search(r"[`_]|\b\w+\(\)", words), (rule, words)
        assert len(words) <= 120, rule


def test_a_finding_names_only_a_registered_rule():
    assert Finding("nb", 1, 0, "group-disclosure", "d").rule == "group-disclosure"
    with pytest.raises(KeyError, match="not a rule"):
        Finding("nb", 1, 0, "made-up-rule", "d")
    with pytest.raises(KeyError):
        rule_id("made-up-rule")


@pytest.mark.parametrize("rule", sorted(code_rule_ids() | set(RULES)))
def test_every_finding_the_gate_can_give_says_its_rule_in_the_registrys_words(rule):
    # a finding printed its rule id alone ("cell 3: small-count: ..."): the plain words
    # were on the methods page only (issue 12); the id stays, to search for
    said = str(Finding("2024-25/wellbeing (05_wellbeing.ipynb)", 3, 1, rule, "detail"))
    assert said == (f"2024-25/wellbeing (05_wellbeing.ipynb), cell 3, output 1: {rule} "
                    f"({RULES[rule]}): detail")
    in_a_file = str(Finding("the built site", 0, 0, rule, "detail", file="index.html"))
    assert f"file index.html: {rule} ({RULES[rule]}): detail" in in_a_file


def test_the_gates_refusal_of_a_notebook_and_a_site_names_each_rule_in_plain_words(
        tmp_path):
    # what the gate finds itself, worded through the one place that words a finding
    import nbformat

    from lifetools.errors import DisclosureError
    from lifetools.pipeline.gate import assert_publishable, assert_site_publishable

    path = tmp_path / "2024-25" / "cohort_description" / "notebook.ipynb"
    path.parent.mkdir(parents=True)
    markdown = nbformat.v4.new_markdown_cell("Read from /home/lead/extract: 3 people")
    printed = nbformat.v4.new_code_cell("print(n)")
    printed.outputs = [nbformat.v4.new_output("stream", name="stdout",
                                              text="2634 people\n")]
    nbformat.write(nbformat.v4.new_notebook(cells=[markdown, printed]), path)
    with pytest.raises(DisclosureError) as refused:
        assert_publishable([path], profiles={path: "default"})
    site = tmp_path / "site"
    (site / "_sources").mkdir(parents=True)
    (site / "_sources" / "report.ipynb").write_text("{}")
    (site / "index.html").write_text("<p>Built in /home/lead/lifetools</p>")
    with pytest.raises(DisclosureError) as refused_site:
        assert_site_publishable(site)
    lines = [line.strip() for caught in (refused, refused_site)
             for line in str(caught.value).splitlines()[1:]]
    rules = set()
    for line in lines:
        rule = next(r for r in RULES if f": {r} (" in line)
        assert f": {rule} ({RULES[rule]}): " in line, line
        rules.add(rule)
    assert {"machine-path", "small-count", "unrounded-count", "unverifiable-stream",
            "source-notebook"} <= rules
    assert "2634" not in str(refused.value)  # never the value


@pytest.mark.parametrize("jargon", [
    "notebook", "display function", "secret", "sealed", "the library", "plain output",
    "output folder", "built site", "report's source", "the run"])
def test_the_public_check_speaks_to_a_reader_not_a_developer(jargon):
    # the section on the check before publication said "sealed with a secret held only
    # by the build", "a number printed in a notebook's plain output", "a file in a
    # report's output folder that no display function wrote" (review of the
    # 30,000-person build, wave 41): the registry's words are the page's and the
    # gate's, so they are plain for the public reader
    text = PUBLIC.read_text()
    section = text[text.index("## The check before publication"):
                   text.index("## What is not checked")]
    assert jargon not in " ".join(section.split()).lower()
    assert not [r for r, words in RULES.items() if jargon in words.lower()]
