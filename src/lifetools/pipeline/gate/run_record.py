"""What a run left in its executed notebook that the gate reads as its record.

The profile and parameters the runner recorded (with the words that name the
parameters in prose, so a published notebook is checked again as the build checked it), the sealed and verified stamps, the
key results a notebook showed and the settings they state, and the cells' numbers as
the author sees them. Read by :mod:`.outputs`, :mod:`.files` and :mod:`.notebooks`.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from typing import Any, NamedTuple

from lifetools.disclosure import SdcProfile, get_profile
from lifetools.disclosure.settings import loose_words
from lifetools.disclosure.text import span_findings
from lifetools.pipeline.gate.seals import seal_findings
from lifetools.pipeline.syntax import parse
from lifetools.publication import STAMP_KEY

__all__ = ["INJECTED_TAGS", "PARAMETER_WORDS", "author_numbers", "notebook_profile",
           "parameter_words", "run_parameters", "Sealed", "sealed_outputs", "sealed_stamps",
           "shown_results", "verified_settings"]

INJECTED_TAGS = {"injected-parameters", "papermill-error-cell-tag"}

PARAMETER_WORDS = "parameter_words"
"""Where the runner records, in the notebook's ``lifetools`` metadata, the phrases
that name each parameter in prose (``words:`` in ``analyses.yml``): the runner's
input of the same name (:data:`lifetools.pipeline.dependencies.PARAMETER_WORDS`; the
gate imports no run-cache module, and the runner no more of the gate)."""


def notebook_profile(nb: Any) -> SdcProfile:
    """The profile a run was made with, as its runner recorded it (else ``default``)."""
    return get_profile(nb.metadata.get("lifetools", {}).get("sdc_profile") or "default")


def parameter_words(nb: Any) -> dict[str, tuple[str, ...]]:
    """The phrases naming each parameter in prose, as the runner recorded them.

    The build passes the series file's words to the gate; a published notebook checked
    again on its own (``scan_notebook`` without ``words``) is read by these, the same
    words, so it gets the build's verdict. Only phrases a series file may declare are
    read: a loose one ("or more", no letters) is left out, so it lets nothing pass.
    """
    recorded = nb.metadata.get("lifetools", {}).get(PARAMETER_WORDS)
    if not isinstance(recorded, dict):
        return {}
    words = {}
    for name, phrases in recorded.items():
        if isinstance(phrases, list | tuple):
            kept = [str(p) for p in phrases if isinstance(p, str)]
            loose = set(loose_words(kept))
            words[str(name)] = tuple(p for p in kept if p not in loose)
    return {name: phrases for name, phrases in words.items() if phrases}


def run_parameters(nb: Any) -> dict[str, Any]:
    """The run's parameters: the notebook's parameters cell, then the injected cell,
    then what the runner recorded in the notebook's metadata (later ones win).

    Only literal assignments are read (``name = 200``); anything else is left out, so a
    parameter span naming it is refused.
    """
    values: dict[str, Any] = {}
    for tag in ("parameters", "injected-parameters"):
        for cell in nb.cells:
            if cell.get("cell_type") != "code" or \
                    tag not in cell.get("metadata", {}).get("tags", []):
                continue
            try:
                tree = parse(cell.get("source", ""))
            except SyntaxError:
                continue
            for node in tree.body:
                if isinstance(node, ast.Assign) and len(node.targets) == 1 and \
                        isinstance(node.targets[0], ast.Name):
                    try:
                        values[node.targets[0].id] = ast.literal_eval(node.value)
                    except ValueError:
                        continue
    recorded = nb.metadata.get("lifetools", {}).get("parameters")
    if isinstance(recorded, dict):
        values.update(recorded)
    return values


def verified_settings(nb: Any) -> dict[str, tuple[Any, ...]]:
    """The values a notebook states for each setting through verified key results, by
    span name (a setting may be stated more than once: the bootstrap samples of the
    internal validation and of the lasso's).

    A parameter span of a sealed key result names a run parameter or a declared
    setting (:data:`lifetools.disclosure.SETTINGS`) and its value passed the gate's
    check; a table cell may repeat that value ("13 candidate parameters" beside the key
    result that states them), and nothing new is disclosed. Only parameter spans: a
    count is read by the profile wherever it appears.
    """
    found: dict[str, tuple[Any, ...]] = {}
    for _number, _index, output, mark in sealed_outputs(nb):
        if mark.get("kind") != "result":
            continue
        text = str(output.get("data", {}).get("text/plain", ""))
        for span in mark.get("spans") or []:
            if not (isinstance(span, dict) and span.get("kind") == "parameter"):
                continue
            start, end = span.get("start"), span.get("end")
            if isinstance(start, int) and isinstance(end, int) and not \
                    span_findings(text[start:end], span, notebook_profile(nb),
                                  run_parameters(nb)):
                name = f"setting:{span.get('name')}"
                found[name] = (*found.get(name, ()), span.get("value"))
    return found


class Sealed(NamedTuple):
    """One output of an executed notebook whose stamp the runner verified and whose
    seal still holds (:func:`sealed_outputs`)."""

    number: int
    """The cell's number as its author sees it (:func:`author_numbers`)."""
    index: int
    """The output's place in its cell, from 1."""
    output: dict[str, Any]
    mark: dict[str, Any]
    """The output's stamp."""


def sealed_outputs(nb: Any, kind: str | None = None) -> Iterator[Sealed]:
    """Each output of a notebook whose stamp is verified and whose seal holds
    (:func:`~lifetools.pipeline.gate.seals.seal_findings` finds nothing), in notebook
    order, of one stamp ``kind`` (``"table"``, ``"figure"``, ``"result"``) or of any:
    the one reading of the run's record, for the gate's notebook checks, the run's
    stamps and the site scan alike."""
    for number, cell in zip(author_numbers(nb.cells), nb.cells, strict=True):
        for index, output in enumerate(cell.get("outputs", []), start=1):
            mark = output.get("metadata", {}).get(STAMP_KEY)
            if isinstance(mark, dict) and mark.get("verified") \
                    and (kind is None or mark.get("kind") == kind) \
                    and not seal_findings(output):
                yield Sealed(number, index, output, mark)


def sealed_stamps(nb: Any) -> dict[str, dict[str, Any]]:
    """The sealed, verified stamps of a notebook by ``kind:name``."""
    return {f"{s.mark.get('kind')}:{s.mark.get('name')}": s.mark for s in sealed_outputs(nb)}


def shown_results(nb: Any) -> dict[str, tuple[str, Any]]:
    """Text and spans of every sealed key result of a notebook, by name."""
    return {str(mark.get("name")): (output.get("data", {}).get("text/plain"),
                                    mark.get("spans"))
            for _number, _index, output, mark in sealed_outputs(nb, "result")}


def author_numbers(cells: list[Any]) -> list[int]:
    """Cell numbers as the author sees them: papermill's injected cells do not count."""
    numbers, position = [], 0
    for cell in cells:
        if not INJECTED_TAGS & set(cell.get("metadata", {}).get("tags", [])):
            position += 1
        numbers.append(max(position, 1))
    return numbers
