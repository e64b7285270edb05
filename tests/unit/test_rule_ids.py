"""Every rule the gate and the disclosure checks can name is registered and documented.

The registry is :data:`lifetools.disclosure.rule_ids.RULES`; the methods page's table of
the gate's rules (``book/methods/disclosure-control.md``, "The publish gate") must have a
row for each id, and no row for an id the code cannot give (issue 12).
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
PAGE = ROOT / "book" / "methods" / "disclosure-control.md"
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
