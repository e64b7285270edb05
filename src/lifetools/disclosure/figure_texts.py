"""The publish gate's rules for the texts of a figure, in the library: the gate
(:mod:`lifetools.pipeline.gate.outputs`) reads them on the published stamp, and
:func:`lifetools.publication.show_figure` runs the same code on the same texts when a
notebook shows the figure (:func:`require_figure_texts_pass`), so an author learns at
the cell, not at the build. One implementation.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from lifetools.disclosure.profiles import SdcProfile
from lifetools.disclosure.prose import has_words, prose_findings
from lifetools.errors import DisclosureError

__all__ = ["RATIO_SCALE", "figure_number_findings", "figure_text_findings",
           "require_figure_texts_pass"]

RATIO_SCALE = (0.02, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 4.0, 10.0, 20.0, 50.0)
"""The ticks of a ratio axis (log scale) as :func:`lifetools.plots.plot_forest` labels
them. Its whole numbers (1, 2, 4, 10, 20, 50) follow no single step, so
:func:`figure_number_findings` knows the series itself (:func:`_on_ratio_scale`)."""

_FIGURE_NUMBER = re.compile(r"[-−]?\d+(?:\.\d+)?")
_NICE = sorted({m * 10.0 ** k for m in (1, 2, 2.5, 5) for k in range(-3, 7)})


def _drawn(x: float, present: set[float]) -> bool:
    """Whether ``x`` is among the numbers ``present`` (to rounding)."""
    return any(abs(x - p) <= 1e-9 * max(1.0, abs(x)) for p in present)


def _on_scale(value: float, present: set[float]) -> bool:
    """Whether ``value`` sits on an axis scale drawn with it: three values in steps of
    1, 2, 2.5 or 5 times a power of ten, or a ratio axis's doublings or tenfolds."""
    def near(x: float) -> bool:
        return _drawn(x, present)

    for step in _NICE:
        if abs(value / step - round(value / step)) > 1e-9:
            continue
        if any(near(value + a * step) and near(value + b * step)
               for a, b in ((-1, 1), (1, 2), (-2, -1))):
            return True
    return value > 0 and any(near(value * a) and near(value * b) for r in (2, 10)
                             for a, b in ((1 / r, r), (r, r * r), (1 / r / r, 1 / r)))


def _on_ratio_scale(value: float, present: set[float]) -> bool:
    """Whether ``value`` is a tick of a ratio axis drawn with it: a member of
    :data:`RATIO_SCALE` shown with 1 (the line of no difference) and at least three
    members in all ("1", "2" alone could be two counts), with no two neighbouring
    members missing between it and 1 (a narrow figure leaves out a label that would
    touch the next one)."""
    def has(x: float) -> bool:
        return _drawn(x, present)

    if value not in RATIO_SCALE or not has(1.0) or sum(map(has, RATIO_SCALE)) < 3:
        return False
    between = [has(r) for r in RATIO_SCALE if min(1.0, value) <= r <= max(1.0, value)]
    return all(a or b for a, b in zip(between, between[1:], strict=False))


def figure_number_findings(texts: list[str], profile: SdcProfile
                           ) -> list[tuple[str, str]]:
    """A figure's texts that are only a number (tick labels, at-risk counts, bar
    labels): a whole number passes if the profile would publish it as a count, or if it
    sits on an axis scale drawn with it (:func:`_on_scale`, :func:`_on_ratio_scale`);
    "13" set as a tick label beside "2634" is refused. Tested in ``tests/leaks/test_text_leaks.py``."""
    numbers = [float(t.strip().replace("−", "-")) for t in texts
               if _FIGURE_NUMBER.fullmatch(t.strip())]
    present = set(numbers)
    for value in numbers:
        if not value.is_integer() or profile.publishable(int(abs(value))) or \
                _on_scale(value, present) or _on_ratio_scale(value, present):
            continue
        rule = "small-count" if abs(value) <= profile.threshold else "unrounded-count"
        return [(rule, "a number in a figure (a tick label, a bar's label or an "
                 "annotation) that is on no axis scale drawn with it and that the rules "
                 "would not publish as a count")]
    return []


def figure_text_findings(texts: Iterable[str], profile: SdcProfile,
                         parameters: Iterable[Any] | Mapping[str, Any] = ()
                         ) -> list[tuple[str, str]]:
    """The gate's findings on a figure's texts: a text that is only a number by
    :func:`figure_number_findings`, a text with words by
    :func:`lifetools.disclosure.prose.prose_findings` (a line break in a label is
    layout, not words)."""
    texts = [str(t) for t in texts]
    found = figure_number_findings(texts, profile)
    for text in texts:
        if has_words(text):
            found += prose_findings(" ".join(text.split()), profile,
                                    where="a figure's text", parameters=parameters)
    return list(dict.fromkeys(found))


def require_figure_texts_pass(texts: Iterable[str], profile: SdcProfile,
                              parameters: Iterable[Any] | Mapping[str, Any], *,
                              name: str, prose: bool = True) -> None:
    """Refuse, at source, a figure whose texts the publish gate would refuse.

    ``prose``: whether to run the rule for numbers in prose too. Outside the runner
    (nbval re-executing a notebook, an analyst's session) the run's parameters and the
    series' durations are not known, so "a landmark at 90 days" cannot be told from a
    typed count: the texts with words are then left to the gate, which reads them with
    the run's parameters; a text that is only a number is always checked here.

    Raises
    ------
    DisclosureError
        Naming the figure and the rule (never the number).
    """
    texts = [str(t) for t in texts]
    found = figure_text_findings(texts, profile, parameters) if prose else \
        figure_number_findings(texts, profile)
    if found:
        rule, detail = found[0]
        raise DisclosureError(
            f"figure {name!r}: {detail} (rule {rule!r}; the publish gate refuses it)",
            hint="label a group with words (a fifth as 'Quintile 3'), state a number "
                 "through a key result, or draw it with a lt.plots function that "
                 "protects it")
