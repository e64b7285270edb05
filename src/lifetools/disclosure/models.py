"""Release check for a fitted model's output (regression or survival).

As OpenSAFELY's release rules ask, every model output comes with the number of people,
the number of events and the residual degrees of freedom per level of each exposure
and covariate. The output is withheld ("too few events to estimate", with the reason)
when any level has fewer events than the profile's ``model_min_events`` (10), when
the residual degrees of freedom are fewer than 10 (ACRO's default for models), when
the fit did not converge, or when an interval is degenerate (0, infinite or
missing). Never a "0.00 (0.00 to inf)".

The decision is made on the raw counts (a model with 8 events in a group is never
released), but the published reason states no threshold: "too few events among people
who used the Life Rooms" (the group in words: :func:`lifetools.labels.group_words`), not
"fewer than 10 events among ...". Beside that group's events
published rounded ("10": 8 to 12 under the default profile), a stated bound "fewer than
10" would narrow the count to 8 or 9 (issue 15, wave 21; the methods page, "Models").
The reasons are in plain words for a reader (:data:`DIVERGED_TERMS`), checked by
``tests/unit/test_reason_texts.py`` with the rules the pages and the publish gate apply.

The check is a type, not a convention: :class:`ModelRelease` can only be made by
:func:`model_release` (it is sealed), and :meth:`ModelRelease.estimates` is the only
maker of a table of released model estimates (a :class:`ProtectedTable` whose estimate
columns have the role ``estimate``). :func:`lifetools.tables.table_estimates` and
:func:`lifetools.plots.plot_forest` accept nothing else (:func:`require_estimates`),
so a model's output reaches a page only after its events per level, residual degrees
of freedom, convergence and intervals were checked.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from numbers import Number
from typing import Any

import pandas as pd

from lifetools.disclosure.counts import protect_counts
from lifetools.disclosure.derived import (
    THRESHOLD_COLUMN,
    TREAT_ALL_COLUMN,
    model_net_benefit_counts,
    model_net_benefit_values,
    treat_all_values,
)
from lifetools.disclosure.profiles import SdcProfile, get_profile
from lifetools.disclosure.protected import (
    NetBenefitCounts,
    ProtectedTable,
    ProtectedValue,
    _mint,
    _seal,
    _value,
)
from lifetools.disclosure.text import fixed
from lifetools.disclosure.withheld import (
    CONFIDENTIAL,
    NOT_SHOWN,
    SAID_FOR,
    SAID_ONCE,
    SAID_ONCE_REST,
    UNAVAILABLE,
    LeftOut,
    Said,
    WithheldReason,
    kind_of,
)
from lifetools.errors import DisclosureError
from lifetools.labels import TERMS, group_words, label, listed, quoted

WITHHELD_CELL = "withheld"
"""The protection record's reason for a cell of a model the model release rule
withheld (:func:`model_outputs`): shown ``[c]``, its reason said once in the table's
note, so neither the page's footnote nor the downloads' notes list it among the cells
whose reason is not said (wave 42). Its words in the downloads' notes:
:data:`CELL_REASONS`."""

CURVE_CELL = "curve not drawn"
"""The protection record's reason for a cell of a survival curve the curve rule left
out (:func:`lifetools.plots.survival.survival_curve_table`: too few people at risk, or
too few events to draw it without showing a suppressed count): shown ``[c]``, each
group's reason in the table's own column :data:`WHY_NOT_DRAWN`. It was recorded as
:data:`WITHHELD_CELL`, the model release rule's, until wave 43. Its words in the
downloads' notes: :data:`CELL_REASONS`."""

WHY_NOT_DRAWN = "why not drawn"
"""The column of the published curve table saying why a group's curve is not drawn
(present only when a group's is not: :func:`lifetools.plots.survival.
survival_curve_table`)."""

CELL_REASONS = {
    WITHHELD_CELL: "withheld with the model they are from by the model release rule "
                   "(too few events, people or residual degrees of freedom to release "
                   "its numbers; the report page says which)",
    CURVE_CELL: "left out with the curve of their group (too few people at risk, or too "
                "few events to draw it without showing a suppressed count); the column "
                f"{quoted(WHY_NOT_DRAWN)} gives each group's reason"}
"""The words a download's lines of ``notes.txt`` give for its ``[c]`` cells a rule
recorded as its own (:func:`lifetools.disclosure.downloads.file_notes`): the one
owner of each rule's words, by the tag the rule records
(:attr:`~lifetools.disclosure.protected.ProtectionRecord.suppressed`). Until wave 43
the notes explained such cells with the list of every reason a value can be hidden
("which reason applies is not said"), which named neither rule, beside a curve table
that stated its reason in its own column. Tested in
``tests/unit/test_hidden_marks.py``."""



def withheld_rows(estimates: pd.DataFrame) -> list[bool]:
    """Whether each row of released estimates (``model_release(...).estimates``) is a
    model a rule withheld: its ``withheld`` reason made confidential (the model release
    rule's too few events, people or residual degrees of freedom, or a disclosure
    rule: :func:`~lifetools.disclosure.withheld.kind_of`), its fit not failed
    (``failure``). Its values are ``[c]`` wherever shown: the page's table
    (:func:`lifetools.tables.table_estimates`), its E-values
    (:func:`lifetools.tables.e_value_cells`) and the data behind a figure of it
    (:meth:`~lifetools.disclosure.protected.ProtectedTable.withheld`, with
    :data:`WITHHELD_CELL`); a failed fit's, or one withheld for no rule, are ``[x]``."""
    def missing(value: Any) -> bool:
        return value is None or value is pd.NA or (
            isinstance(value, float) and value != value) or str(value).strip() == ""

    failed = (estimates["failure"].map(lambda v: not missing(v)).tolist()
              if "failure" in estimates else [False] * len(estimates))
    held = (estimates["withheld"].tolist() if "withheld" in estimates
            else [None] * len(estimates))
    return [not fail and not missing(why) and kind_of(why) == CONFIDENTIAL
            for why, fail in zip(held, failed, strict=True)]


__all__ = ["CELL_REASONS", "CURVE_CELL", "DIVERGED_TERMS", "WITHHELD_CELL", "WHY_NOT_DRAWN", "ESTIMATE_COLUMNS", "LABEL_COLUMNS", "MIN_RESIDUAL_DF", "NOT_ESTIMABLE",
           "ModelRelease", "TOO_FEW",
           "UNITS", "WITHHELD_COLUMN", "combine_estimates", "model_outputs", "model_release",
           "not_estimable", "require_estimates", "withheld_rows", "withheld_words"]

ESTIMATE_COLUMNS = ("estimate", "ci_lower", "ci_upper", "p_value", "se", "e_value",
                    "e_value_ci")
"""Columns of a model summary that carry the model's numbers (blanked when withheld)."""

LABEL_COLUMNS = ("term", "model", "outcome", "method", "measure", "variable", "level",
                 "group", "note", "failure", "withheld")
"""Columns of a model summary that name its rows or say why a number is missing (words,
kept when the model is withheld). Any other column of a withheld model's summary is
blanked with its estimates, whatever it holds: a column :meth:`ModelRelease.estimates`
does not know (``summary.assign(hr=1.5)``, a pooled ``estimate_ml``, an ``fmi``) could
carry a number of the withheld model."""

NOT_ESTIMABLE = "too few events to estimate"
"""The withheld text of a model whose rows are events (see :func:`not_estimable`)."""
COULD_NOT = "could not be estimated"
"""The withheld text of a model withheld for no count (a fit that did not converge);
the words of :data:`lifetools.formatting.MISSING`, which imports this package."""
UNITS = {"people": "people", "person": "people", "observations": "observations",
         "measurements": "measurements"}
"""Outcome columns whose rows count something other than events: the withheld text
and the reasons name that unit ("too few people to estimate"). Any other outcome
column counts events."""
MIN_RESIDUAL_DF = 10
"""ACRO's default minimum residual degrees of freedom for a model."""
TOO_FEW = "too few"
"""How a reason for a count under its threshold starts ("too few events among ...",
"too few residual degrees of freedom ..."): the threshold itself is never stated."""
DIVERGED_TERMS = ("the data could not pin down the estimate for {terms}",
                  "the data could not pin down the estimates for {terms}")
"""The reason naming the terms whose interval reaches 0 or infinity (one term, several),
in plain words: it read "its confidence interval reaches 0 or infinity (...)" until
wave 21, which a report page may not show (``tests/functional/test_accessibility.py``
refuses "infinity"); :data:`lifetools.convergence.DIVERGED` is a fit's own reason."""
MAX_LEVELS = 12
"""A covariate with more distinct values is treated as continuous (no levels)."""


@dataclass(frozen=True)
class ModelRelease:
    """Whether a model output may be published, and the counts behind it.

    ``levels`` (protected): variable, level, people, events; ``residual_df``;
    ``reasons`` (empty when released).
    """

    released: bool
    reasons: tuple[str, ...]
    levels: ProtectedTable
    residual_df: int
    seal: str = field(default="", repr=False)
    unit: str = "events"
    """What the model's outcome counts (``events``, ``people``, ``observations``)."""
    rule_reasons: int = 0
    """How many of the first ``reasons`` are a disclosure rule's, given by the caller
    (``model_release(withheld=...)``: the counts the model needs are suppressed): the
    output was held back, not failed, and its :attr:`headline` reads "not shown"."""

    def __post_init__(self) -> None:
        if self.seal != _release_seal(self.released, self.reasons, self.residual_df,
                                      self.unit, self.rule_reasons):
            raise DisclosureError(
                "a ModelRelease can only be made by lt.disclosure.model_release",
                hint="check the model with lt.disclosure.model_release before showing it")

    @property
    def reason(self) -> str:
        """All reasons in one sentence ("" when released)."""
        return "; ".join(self.reasons)

    @property
    def too_few(self) -> bool:
        """Whether a count under its threshold withheld the model (False when
        released): its :attr:`headline` is "too few <unit> to estimate", and its
        withheld words are a bare reason (:attr:`withheld_reason`)."""
        return not self.released and any(r.startswith(TOO_FEW) for r in self.reasons)

    @property
    def headline(self) -> str:
        """What :attr:`withheld` says before its reasons ("" when released)."""
        if self.released:
            return ""
        # a disclosure rule's reason withholds a value, which is "not shown"; "could not
        # be estimated" is only for a fit that gave no number (the reach page said the
        # inequality indices "could not be estimated: the counts of a deprivation
        # fifth are suppressed" beside "are not shown" in its summary until wave 37)
        return not_estimable(self.unit) if self.too_few else NOT_SHOWN \
            if self.rule_reasons else COULD_NOT

    @property
    def kind(self) -> str:
        """What kind of left-out value a withheld model is
        (:class:`~lifetools.disclosure.withheld.LeftOut`):
        :data:`~lifetools.disclosure.withheld.CONFIDENTIAL` when a count under its
        threshold (events, people, residual degrees of freedom: the model release
        rule, an output-checking rule of every profile) or a disclosure rule
        (:attr:`rule_reasons`) withheld it, ``[c]``;
        :data:`~lifetools.disclosure.withheld.UNAVAILABLE` when only its fit did
        (did not converge, an interval not finite: "could not be estimated"), ``[x]``.
        "" when released."""
        if self.released:
            return ""
        return CONFIDENTIAL if self.too_few or self.rule_reasons else UNAVAILABLE

    def _left(self, text: str, *, pointer: bool = False) -> str:
        """``text`` (this release's withheld words) with its :attr:`kind`; a
        ``pointer`` to reasons a page gave above keeps them in full
        (:attr:`~lifetools.disclosure.withheld.LeftOut.full`: :attr:`withheld`)."""
        if not text or self.released:
            return text
        return LeftOut(text, self.kind, self.withheld if pointer else None)

    @property
    def withheld_reason(self) -> str:
        """:attr:`withheld_brief` as a key result or a table row carries it: marked as a
        bare reason (:class:`~lifetools.disclosure.withheld.WithheldReason`) when a
        count under its threshold withheld the model (:attr:`too_few`), which a key
        result then writes "not shown: <reason>"; the plain words otherwise ("could not
        be estimated (...)", the words of a fit with no number; "not shown (...)");
        "" when released."""
        brief = self.withheld_brief
        return WithheldReason(brief, self.kind) if self.too_few else brief

    @property
    def withheld_once(self) -> str:
        """:attr:`withheld` for a page that states the reasons once
        (:data:`~lifetools.disclosure.withheld.SAID_ONCE`): the headline and where the
        reasons are ("too few events to estimate (the reasons are given above)"); "" when released."""
        return self.withheld_once_as()

    def withheld_once_as(self, said_as: str = "", *, same_as: str = "") -> str:
        """:attr:`withheld_once` under the headline the page's summary gave the reasons
        (``said_as``; the release's own :attr:`headline` when empty); with ``same_as``,
        the model the page gave the same reasons for above instead
        (:data:`~lifetools.disclosure.withheld.SAID_FOR`: "too few events to estimate
        (the same reasons as for ‘Fine-Gray’, given above)").

        A summary that gave a withheld model's fit reason ("could not be estimated: the
        fit did not converge") and a table pointing to it as "too few events to
        estimate (the reasons are given once, ...)" named one thing two ways (the
        discharge page at 3,000 people: issue 15, wave 30); the pointer now says
        "could not be estimated (the reasons are given above)". "" when released.
        """
        if self.released:
            return ""
        where = SAID_FOR.format(name=quoted(same_as)) if same_as else SAID_ONCE
        return self._left(f"{said_as or self.headline} ({where})", pointer=True)

    def withheld_said(self, said: Said, name: str, said_as: str = "") -> str:
        """:attr:`withheld` for the model ``name`` on a page that has said ``said``
        above it (:class:`~lifetools.disclosure.withheld.Said`).

        Its own reasons given above (the page gave them for ``name``): the headline
        (``said_as``, the summary's, or its own) and
        :data:`~lifetools.disclosure.withheld.SAID_ONCE`; the same words given above
        for another model: the headline and
        :data:`~lifetools.disclosure.withheld.SAID_FOR` naming it; some of its reasons
        given above: the others, and where those are ("too few observations among
        baseline measurements and follow-up measurements; its other reason is given
        above, for ‘Mean paired change’"); none: :attr:`withheld`. A pointer is never
        given to reasons said above for another model only by their words: the
        discharge page at 30,000 people said "(the reasons are given above)" of its
        landmark model, whose reasons it gave only for the Fine-Gray ratio, and the
        wellbeing page "its other reason is given above" of the mixed model's, given
        for the mean change (issue 15, wave 39). "" when released.
        """
        if self.released:
            return ""
        if said.has(name):
            return self.withheld_once_as(said_as)
        other = said.owner(self.reason, self.withheld_brief, self.withheld)
        if other:
            return self.withheld_once_as(same_as=other)
        left = [r for r in self.reasons if not said.clause_owner(r)]
        if len(left) == len(self.reasons):
            return self.withheld
        owners = listed([quoted(o) for o in said.owners(name, self.reasons)])
        if not left:  # each given above, for one model or another
            return self._left(f"{self.headline} ({SAID_FOR.format(name=owners)})",
                              pointer=True)
        others = len(self.reasons) - len(left)
        return self._left(f"{withheld_words(self.headline, left)}; "
                          + ("its other reason is" if others == 1
                             else "its other reasons are")
                          + f" {SAID_ONCE_REST}, for {owners}", pointer=True)

    @property
    def withheld_brief(self) -> str:
        """:attr:`withheld` with its reasons in brackets, as a table cell or a key result
        says it: "could not be estimated (the fit did not converge)", or the reasons
        alone when they say the headline's count ("too few events in total":
        :func:`withheld_words`); "" when released. Built in one place (7 report sites
        built it by hand until wave 27)."""
        return "" if self.released else self._left(
            withheld_words(self.headline, self.reasons, brackets=True))

    @property
    def withheld(self) -> str:
        """The text shown instead of the estimates ("" when released).

        When a count is under its threshold, the reasons alone, the one saying so
        first: they say the headline's count ("too few events among people aged 65 or
        over; the fit did not converge", not "too few events to estimate: too few
        events among ...": :func:`withheld_words`), and :func:`~lifetools.disclosure.
        withheld.headline_of` reads the headline ("too few events to estimate", the
        model's unit) from them. Otherwise "could not be estimated: <reasons>" when the
        only reasons are a fit that did not converge or a degenerate interval, so that a
        reader is never told events were too few when they were not
        (``test_model_release_not_converged_says_could_not_be_estimated``), or "not
        shown: <reasons>" for a disclosure rule's.
        """
        return self._left(withheld_words(self.headline, self.reasons)) \
            if not self.released else ""

    def withhold(self, value: ProtectedValue) -> ProtectedValue:
        """``value`` as this release lets a page quote it: itself when released; else
        hidden, its reason this release's :attr:`headline` ("too few people to
        estimate"), with no numerator (its denominator as published).

        A share a release check withheld was quoted with the reason of its own rule
        ("not shown (hidden to protect privacy)", ``[c]`` in the comparison with the
        previous edition) while the page's summary and estimates table gave the
        check's ("too few residual degrees of freedom", ``[x]``): the 2024-25
        wellbeing page at 3,000 people (issue 15, wave 32). Only the check's reason
        is said, so a rule's reason is never named beside it. Tested in
        ``tests/unit/test_disclosure_models.py``.
        """
        value = value.verify()
        ModelRelease.__post_init__(self)
        if self.released:
            return value
        return _value(value.kind, None, get_profile(value.profile), numerator=None,
                      denominator=value.denominator, reason=self.headline,
                      **({} if value.per is None else {"per": value.per}))

    def apply(self, summary: pd.DataFrame, *, said_once: bool = False,
              said: Said | None = None, name: str = "", said_as: str = ""
              ) -> pd.DataFrame:
        """The summary if released; else its row labels with every other cell missing.

        A withheld model keeps only the words of :data:`LABEL_COLUMNS` (a label column
        holding numbers is blanked too); every other column, known
        (:data:`ESTIMATE_COLUMNS`) or not, is blanked, so that no number of the model
        leaves through a column added to its summary.
        :func:`lifetools.tables.table_estimates` shows missing estimates as
        "too few events to estimate" with the reason. ``said_once``: the page states
        every reason of this model above (:attr:`withheld_once`); ``said``: what the
        page said above, of this model's name ``name`` and others
        (:meth:`withheld_said`); ``said_as``: the headline the page's summary gave
        this model's reasons (:meth:`withheld_once_as`).
        """
        if self.released:
            return summary
        out = summary.copy()
        for col in out.columns:
            if col in LABEL_COLUMNS and not pd.api.types.is_numeric_dtype(out[col]) \
                    and not pd.api.types.is_bool_dtype(out[col]):
                out[col] = [v if _is_words(v) else None for v in out[col].tolist()]
            else:
                numeric = pd.api.types.is_numeric_dtype(out[col])
                out[col] = pd.Series([float("nan")] * len(out), index=out.index,
                                     dtype=float if numeric else object)
        return out.assign(withheld=self.withheld_once_as(said_as) if said_once else
                          self.withheld_said(said, name, said_as) if said is not None
                          else self.withheld)

    def estimates(self, summary: pd.DataFrame, *, said_once: bool = False,
                  said: Said | None = None, name: str = "", said_as: str = ""
                  ) -> ProtectedTable:
        """The model's estimates as released: a protected table (the only maker).

        Withheld estimates are blanked by :meth:`apply` (a ``withheld`` column says
        why; with ``said_once`` only :attr:`withheld_once`, for a page that states the
        reasons once, as :func:`model_outputs` does). Columns in
        :data:`ESTIMATE_COLUMNS` get the role ``estimate``; the record's notes carry the
        verdict and the residual degrees of freedom.
        """
        ModelRelease.__post_init__(self)
        shown = self.apply(summary, said_once=said_once, said=said, name=name,
                           said_as=said_as).reset_index(drop=True)
        roles = tuple((str(c), "estimate" if c in ESTIMATE_COLUMNS else "other")
                      for c in shown.columns)
        if not any(r == "estimate" for _, r in roles):
            raise KeyError(f"no estimate column in the summary (one of {ESTIMATE_COLUMNS})")
        verdict = "released" if self.released else f"withheld: {self.reason}"
        return _mint(shown, roles=roles, notes=(
            f"model {verdict}; residual degrees of freedom {self.residual_df}",))


_NUMBER = re.compile(r"\s*[-+\u2212]?(?:\d[\d,]*\.?\d*|\.\d+)(?:[eE][-+]?\d+)?\s*%?\s*")


def _is_words(value: Any) -> bool:
    """Whether a label cell of a withheld model is words (a term, a note), not a number
    (``1.5``, ``"1.5"``, ``"1,240"``): only words are kept."""
    return isinstance(value, str) and not _NUMBER.fullmatch(value) and \
        value.strip().lower() not in ("nan", "inf", "-inf", "infinity")


MODEL_NB_COLUMN = "model"
"""A decision curve's column of the model's net benefit (:func:`model_outputs`'
``model_counts``)."""
MODEL_NB_LIMITS = ("model_lower", "model_upper")
"""Its interval's limits, hidden with it."""

WITHHELD_COLUMN = "why not shown"
"""The column :func:`model_outputs` adds to say why a withheld model's numbers are
blank."""


def _events_are_people(data: pd.DataFrame, event_col: str, id_col: str | None) -> bool:
    """Whether each event of ``event_col`` is one person: a 0/1 (or yes/no) outcome on
    one row per person (``id_col`` unique, or rows are people), not a unit
    (:data:`UNITS`, where the "events" are the rows themselves) and not a count of
    events per person (attendances)."""
    if event_col in UNITS or event_col not in data.columns:
        return False
    values = data[event_col].dropna()
    one_row_each = id_col is None or bool(data[id_col].is_unique)
    return one_row_each and bool(values.isin([0, 1]).all())


def model_outputs(table: pd.DataFrame, releases: Mapping[str, ModelRelease], *,
                  count_cols: Sequence[str] = (), not_counts: Sequence[str] = (),
                  people_outcomes: Sequence[str] = (),
                  inputs: Sequence[str] = (),
                  treat_all: tuple[Any, Any] | None = None,
                  model_counts: tuple[Sequence[int], Sequence[int]] | None = None,
                  said_once: bool = False) -> ProtectedTable:
    """A table of numbers that released models made, tied to their releases.

    For what a model makes beyond its coefficients: its predictions' performance, a
    calibration or decision curve, predicted risks by group. ``releases`` maps each
    column of model output to the :class:`ModelRelease` of the model that made it
    (two models may share a table, one column each).

    Returns
    -------
    ProtectedTable
        ``count_cols`` protected as :func:`lifetools.disclosure.protect_counts` does
        (``not_counts`` and ``people_outcomes`` as there), and each column of ``releases`` with the role
        ``estimate``, so that a page's stamp records it as a released model's output
        (``estimate_headers``: :func:`lifetools.disclosure.header_rules`) for the
        publish gate. A column whose model was withheld is blanked (every cell
        missing: ``[x]``) and a column :data:`WITHHELD_COLUMN` says why (the release's
        :attr:`ModelRelease.withheld`, one sentence per model); a table whose models
        were all released is unchanged, cell for cell.

    ``said_once``: the page states the withheld models' reasons once, elsewhere; the
    column :data:`WITHHELD_COLUMN` then says only :attr:`ModelRelease.withheld_once`
    (the headline, and where the reasons are), so that a page of many tables of one
    withheld model does not repeat them in each (wave 22).

    Every column holding numbers must be declared: a model's output (``releases``), a
    count (``count_cols``, ``not_counts``) or a number that is no model's output
    (``inputs``: a threshold, a grid point); any other is refused, since it could carry
    a number of a withheld model past its release (``test_model_outputs_refuse_``...
    in ``tests/unit/test_disclosure_models.py``). Columns of text (row labels, a
    category code such as an IMD quintile "1") need no declaration: the gate's cell
    rules read their numbers (:mod:`lifetools.disclosure.table_cells`).

    ``treat_all``: a decision curve's ``(events, people)``, raw or protected counts of
    the cohort it is drawn in. Its net benefit of treating everyone at each
    ``threshold`` (column :data:`~lifetools.disclosure.derived.TREAT_ALL_COLUMN`) is
    computed here from the *published* counts
    (:func:`~lifetools.disclosure.derived.treat_all_values`; any values the table held
    in that column are replaced, never published), hidden (``[c]``) with either count,
    and recorded with them (:attr:`~lifetools.disclosure.ProtectionRecord.treat_all`)
    for the publish gate to recompute. It is no model's output: it is shown whether
    or not the model was released. A net benefit of treating everyone is a function
    of the prevalence alone, so it cannot be declared an input (from the exact
    prevalence it gives the exact count of events back).

    Raises
    ------
    KeyError
        For a column of ``releases`` that is not in ``table``.
    DisclosureError
        For a release that was not made by :func:`model_release`, or a column of
        numbers that is not declared (naming it).
    """
    missing = [c for c in releases if c not in table.columns]
    if missing:
        raise KeyError(f"model output columns not in the table: {missing}")
    if TREAT_ALL_COLUMN in {*inputs, *not_counts, *count_cols, *releases}:
        raise DisclosureError(
            f"column {TREAT_ALL_COLUMN!r} (the net benefit of treating everyone) is a "
            "function of the prevalence alone: declared an input or a model's output, "
            "its exact value gives the exact count of events back",
            hint="pass the cohort's counts as treat_all=(events, people): it is "
                 "computed from their published (rounded) counts")
    declared = {*releases, *count_cols, *not_counts, *people_outcomes, *inputs,
                *([TREAT_ALL_COLUMN] if treat_all is not None else [])}
    for column in table.columns:
        if column in declared or pd.api.types.is_integer_dtype(table[column]):
            continue  # whole numbers: protect_counts refuses them undeclared
        values = table[column]
        if pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values) \
                or any(isinstance(v, Number) and not pd.isna(v)
                       for v in values.tolist()):
            raise DisclosureError(
                f"column {column!r} of a model's outputs holds numbers but is declared "
                "neither a model's output (releases) nor a count (count_cols, "
                "not_counts) nor an input (inputs=): a withheld model's number could "
                "leave through it",
                hint="declare it where the table is made, or leave it out")
    shown = table.reset_index(drop=True).copy()
    reasons = []
    withheld: list[tuple[int, str, str]] = []
    for column, release in releases.items():
        ModelRelease.__post_init__(release)  # sealed: made by model_release only
        if not release.released:
            numeric = pd.api.types.is_numeric_dtype(shown[column])  # notes keep its unit
            shown[column] = pd.Series([float("nan")] * len(shown),
                                      dtype=float if numeric else object)
            reasons.append(release.withheld_once if said_once else release.withheld)
            if release.kind == CONFIDENTIAL:
                # withheld by the model release rule: [c], as every value a disclosure
                # rule hid (hidden_mark), its reason once in the table's note; the
                # frame keeps no number (a figure draws nothing of it)
                withheld += [(i, column, WITHHELD_CELL) for i in range(len(shown))]
    benefit: tuple[tuple[str, str, int | None, int | None], ...] = ()
    hidden: list[tuple[int, str, str]] = []
    if treat_all is not None:
        if THRESHOLD_COLUMN not in shown.columns:
            raise KeyError(f"a decision curve needs its {THRESHOLD_COLUMN!r} column")
        values, k, n = treat_all_values(shown[THRESHOLD_COLUMN].astype(float).tolist(),
                                        events=treat_all[0], people=treat_all[1])
        shown[TREAT_ALL_COLUMN] = pd.array(values, dtype="Float64")
        benefit = ((TREAT_ALL_COLUMN, THRESHOLD_COLUMN, k, n),)
        if k is None:
            hidden = [(i, TREAT_ALL_COLUMN, "derived") for i in range(len(shown))]
    from_counts: tuple[NetBenefitCounts, ...] = ()
    if model_counts is not None:
        if treat_all is None or MODEL_NB_COLUMN not in shown.columns:
            raise KeyError(f"model_counts= needs treat_all= and a {MODEL_NB_COLUMN!r} "
                           "column")
        thresholds = shown[THRESHOLD_COLUMN].astype(float).tolist()
        people, counts = model_net_benefit_counts(
            true_positives=model_counts[0], treated=model_counts[1], people=treat_all[1])
        points = model_net_benefit_values(
            thresholds, true_positives=model_counts[0], treated=model_counts[1],
            people=treat_all[1])
        released = not shown[MODEL_NB_COLUMN].isna().all()
        if released:
            shown[MODEL_NB_COLUMN] = pd.array(points, dtype="Float64").astype(float)
            for column in (c for c in (MODEL_NB_COLUMN, *MODEL_NB_LIMITS)
                           if c in shown.columns):
                shown.loc[[v is None for v in points], column] = float("nan")
                hidden += [(i, column, "derived") for i, v in enumerate(points)
                           if v is None]
            # the published counts of each point shown: the gate recomputes it
            from_counts = ((MODEL_NB_COLUMN, THRESHOLD_COLUMN, people, tuple(
                (t, *c) for t, c, v in zip(thresholds, counts, points, strict=True)
                if c is not None and v is not None), MODEL_NB_LIMITS),)
    if reasons:
        # of the kind of its reasons, with their words in full for the download's
        # notes where the page points to them ("given above": said_once)
        shown[WITHHELD_COLUMN] = LeftOut(
            "; ".join(dict.fromkeys(reasons)),
            CONFIDENTIAL if any(kind_of(r) == CONFIDENTIAL for r in reasons)
            else UNAVAILABLE,
            "; ".join(dict.fromkeys(str(getattr(r, "full", r)) for r in reasons)))
    protected = protect_counts(shown.drop(columns=[c for c, *_ in benefit]),
                               list(count_cols),
                               not_counts=[*not_counts, *inputs],
                               people_outcomes=people_outcomes)
    record = protected.record
    roles = dict((c, "estimate" if c in releases else r) for c, r in record.roles)
    roles.update((c, "net_benefit") for c, *_ in benefit)
    frame = protected.frame.assign(**{c: shown[c] for c, *_ in benefit})[
        list(shown.columns)]
    return _mint(frame, roles=tuple((c, roles[c]) for c in frame.columns),
                 suppressed=(*record.suppressed, *hidden, *withheld), like=record,
                 places=record.places, bases=record.bases, treat_all=benefit,
                 net_benefit_counts=from_counts)


def _says_headline(headline: str, reason: str) -> bool:
    """Whether ``reason`` says ``headline``'s count again: "too few events in total"
    under "too few events to estimate"."""
    subject = headline.removesuffix(" to estimate")
    return subject != headline and reason.startswith(f"{subject} ")


def withheld_words(headline: str, reasons: str | Sequence[str], *,
                   brackets: bool = False) -> str:
    """A withheld model's headline, then its reasons, each thing said once.

    ``reasons`` (a sequence, or a text of them joined by "; ") under ``headline``
    ("too few events to estimate", "could not be estimated", "not shown"): "<headline>:
    <reasons>" ("<headline> (<reasons>)" with ``brackets``), except that reasons which
    say the headline's count ("too few events among people aged 65 or over") stand
    alone, first, since they say it already: "too few events to estimate: too few
    events among ..." said "too few events" twice in one sentence (issue 15, wave 38).
    :func:`lifetools.disclosure.withheld.headline_of` gives the headline back.
    Tested in ``tests/unit/test_reason_texts.py``.
    """
    items = [r for r in (reasons.split("; ") if isinstance(reasons, str) else reasons)
             if r]
    count = [r for r in items if _says_headline(headline, r)]
    if count:
        return "; ".join([*count, *(r for r in items if r not in count)])
    why = "; ".join(items)
    if not why:
        return headline
    return f"{headline} ({why})" if brackets else f"{headline}: {why}"


def not_estimable(unit: str = "events") -> str:
    """The withheld text naming the unit the model counts ("too few people to estimate").

    ``unit`` is ``events`` (:data:`NOT_ESTIMABLE`), or one of :data:`UNITS`' values.
    """
    return f"too few {unit} to estimate"


def _release_seal(released: bool, reasons: Sequence[str], residual_df: int,
                  unit: str = "events", rule_reasons: int = 0) -> str:
    return _seal("model-release", released, list(reasons), residual_df, unit,
                 *([rule_reasons] if rule_reasons else []))


def require_estimates(table: Any, *, name: str = "table") -> ProtectedTable:
    """Return ``table`` if it holds model estimates released by :func:`model_release`.

    Raises
    ------
    DisclosureError
        For a plain DataFrame (a model summary that was never checked), a protected
        table without estimate columns, or one changed after release.
    """
    if not isinstance(table, ProtectedTable):
        raise DisclosureError(
            f"{name}: model estimates are published only as released by "
            "lt.disclosure.model_release (events per level, residual degrees of freedom, "
            f"convergence, intervals), not from a {type(table).__name__}",
            hint="release.estimates(summary) with release = "
                 "lt.disclosure.model_release(result, data=..., event_col=..., "
                 "level_cols=...)")
    table.verify()
    if not table.record.columns_with("estimate"):
        raise DisclosureError(f"{name}: a protected table without released model "
                              "estimates")
    return table


def combine_estimates(tables: Sequence[ProtectedTable]) -> ProtectedTable:
    """Stack released estimate tables (several models) into one, still released."""
    frames = [require_estimates(t).frame for t in tables]
    stacked = pd.concat(frames, ignore_index=True)
    roles = {c: r for t in tables for c, r in t.record.roles}
    notes = tuple(dict.fromkeys(n for t in tables for n in t.record.notes))
    return _mint(stacked, roles=tuple((str(c), roles[c]) for c in stacked.columns),
                 notes=notes)


def _converged(result: Any) -> bool:
    # a fitter whose own convergence check replaces the library's stopping verdict
    # (fit_mixed_model: a Newton step at the estimate) records it as
    # extra["converged"]: that verdict decides, not statsmodels' flag nor its warnings
    # (a boundary "ConvergenceWarning" of a converged singular fit is no failure)
    extra = getattr(result, "extra", None)
    if isinstance(extra, Mapping) and "converged" in extra:
        return bool(extra["converged"])
    model = getattr(result, "model", None)
    retvals = getattr(model, "mle_retvals", None)
    if isinstance(retvals, dict) and retvals.get("converged") is False:
        return False
    if getattr(model, "converged", True) is False:
        return False
    notes = " ".join(getattr(result, "warnings", ()) or ()).lower()
    return "converge" not in notes


def _degenerate(summary: pd.DataFrame) -> list[str]:
    """Terms whose interval is infinite, missing, a point, or starts at 0."""
    bad = []
    for row in summary.itertuples(index=False):
        est, low, high = (float(v) for v in (row.estimate, row.ci_lower, row.ci_upper))
        if any(math.isnan(v) or math.isinf(v) for v in (est, low, high)) \
                or low == high or (abs(low) < 1e-8 and high > 0):
            bad.append(str(row.term))
    return bad


def _term_words(term: str) -> str:
    try:
        return label(term)
    except KeyError:
        return term.replace("_", " ")


def _degenerate_reason(terms: list[str], *, too_few: bool) -> list[str]:
    """The one reason naming every term whose interval reaches 0 or infinity
    (:data:`DIVERGED_TERMS`: "the data could not pin down the estimate for 'A'").

    None when another reason (too few events, people or residual degrees of freedom, a
    fit that did not converge) already says why: the open interval follows from it, and
    a reason per term read "... (A); ... (B)" on the landing page.
    """
    if not terms or too_few:
        return []
    names = listed([quoted(term) for term in terms])
    return [DIVERGED_TERMS[0 if len(terms) == 1 else 1].format(terms=names)]


def _linear_terms(summary: pd.DataFrame, data: pd.DataFrame,
                  level_cols: Sequence[str]) -> set[str]:
    """The columns the model enters as one linear term: read from its terms.

    A column that is itself a term of the summary (not a level of it, such as
    ``team[T.A06]``) with numeric values other than 0 and 1 (an age per 10 years, a
    HoNOS score per 5 points) has no groups: its values are not levels, and a reason
    naming "'Age (per 10 years)' = −0.4" would read a continuous covariate as a group.
    A 0/1 column is a group indicator ("'Life Rooms use'") and keeps its two levels.
    """
    terms = set(summary["term"].astype(str)) if "term" in summary else set()
    out = set()
    for col in level_cols:
        values = data[col]
        if col not in terms or not pd.api.types.is_numeric_dtype(values) \
                or pd.api.types.is_bool_dtype(values):
            continue
        if not set(values.dropna().astype(float).unique()) <= {0.0, 1.0}:
            out.add(col)
    return out


def _level_words(level: str) -> str:
    """A level as a page writes it: a number ("-1.0") with its sign from the formatter."""
    if not re.fullmatch(r"-?\d+(\.\d+)?", str(level)):
        return str(level)
    return fixed(float(level), len(str(level).partition(".")[2])).replace(",", "")


def _group_words(variable: str, level: str) -> str:
    """A model's group in words: "people aged 65 or over", "in total"
    (:func:`lifetools.labels.group_words`, the one source of a group's words)."""
    if level == "all":
        return "in total"
    return group_words(variable, _level_words(level))


def model_release(
    result: Any,
    *,
    data: pd.DataFrame,
    event_col: str,
    level_cols: Sequence[str],
    summary: pd.DataFrame | None = None,
    converged: bool | None = None,
    profile: str | SdcProfile | None = None,
    continuous: Sequence[str] = (),
    id_col: str | None = None,
    withheld: Sequence[str] = (),
    parameters: int | None = None,
) -> ModelRelease:
    """Decide whether a fitted model's output may be published.

    Parameters
    ----------
    result
        A lifetools result (``summary`` with term, estimate, ci_lower, ci_upper;
        ``model``; ``warnings``).
    data
        The rows the model was fitted to (one per person or person-period).
    event_col
        The outcome: events (0/1 or counts) per row.
    level_cols
        Exposure and covariates to count events in; a column with more than
        ``MAX_LEVELS`` distinct values is continuous and counted as one level, and so
        is one the model enters as one linear term (a term of ``summary`` named as the
        column, with values other than 0 and 1: an age per 10 years), whatever its
        number of distinct values: a reason names groups only for categorical levels,
        and a linear term's events are those "in total".
    summary
        The estimates to check (default ``result.summary``).
    converged
        Whether the fit converged (default: the result's own verdict,
        ``extra["converged"]``, where its fitter checks convergence itself, as
        :func:`lifetools.regression.fit_mixed_model` does; otherwise read from the
        fitted model and its warnings).
    continuous
        Columns of ``level_cols`` that enter the model as one linear term (an age, a
        rate, a count per year): counted as one level whatever their number of
        distinct values, so that a rate with few distinct values is not read as
        categories. A name not in ``level_cols`` is an error.
    id_col
        For data with several rows per person (start-stop rows of a time-varying
        exposure): people are counted as distinct ids, per level and for the residual
        degrees of freedom; events are still counted per row (where they happened).
    withheld
        Reasons the caller knows the output cannot be published (the counts it was
        fitted to are suppressed), given first; they stand in for the open-interval
        reason their missing estimates would otherwise give. A release withheld for
        them (and no "too few" count) is headed "not shown", not "could not be
        estimated" (:attr:`ModelRelease.headline`).
    parameters
        The number of parameters the model estimated, for its residual degrees of
        freedom (rows less parameters); default the rows of ``summary``. Give it when
        ``summary`` holds only the estimates to publish (the wellbeing mixed model
        publishes its follow-up effect of two fixed effects).

    The reasons and the withheld text name what ``event_col`` counts: people when it
    is ``people`` (a mean over people: "too few people to estimate: too few people in
    total"), observations when it is ``observations`` (:data:`UNITS`),
    events otherwise.

    Notes
    -----
    Counts per level are raw while deciding and protected in ``levels``. Intervals are
    degenerate when a limit is 0 (ratio scale), infinite or missing, or both limits are
    equal. Tested in ``tests/unit/test_disclosure_models.py``.
    """
    p = get_profile(profile)
    summary = result.summary if summary is None else summary
    unknown = sorted(set(continuous) - set(level_cols))
    if unknown:
        raise ValueError(f"continuous columns not in level_cols: {unknown}")
    linear = set(continuous) | _linear_terms(summary, data, level_cols)
    rows = []
    for col in level_cols:
        values = data[col]
        levels = ([("all", values.notna())]
                  if col in linear or values.nunique() > MAX_LEVELS else
                  [(str(level), values == level) for level in
                   sorted(values.dropna().unique(), key=str)])
        for level, mask in levels:
            people = (int(mask.sum()) if id_col is None else
                      int(data.loc[mask, id_col].nunique()))
            rows.append({"variable": col, "level": level, "people": people,
                         "events": int(round(float(data.loc[mask, event_col].sum())))})
    table = pd.DataFrame(rows, columns=["variable", "level", "people", "events"])
    few = [_group_words(r.variable, r.level)
           for r in table.itertuples() if r.events < p.model_min_events]
    unit = UNITS.get(event_col, "events")
    # decided on the raw counts, stated without the threshold: "fewer than 10 events
    # among X" beside X's events published as 10 (8 to 12) said 8 or 9
    reasons = list(withheld) + (
        [f"{TOO_FEW} {unit} "
         + ("in total" if "in total" in few else "among " + listed(few))]
        if few else [])
    n = len(data) if id_col is None else int(data[id_col].nunique())
    residual_df = int(n - (len(summary) if parameters is None else parameters))
    if residual_df < MIN_RESIDUAL_DF:
        # neither the number nor the threshold is stated: len(data) less the terms
        # would give a count, and "fewer than 10" beside the people published rounded
        # would narrow it; "too few" first: the headline reads it as too few to estimate
        reasons.append(f"{TOO_FEW} residual degrees of freedom "
                       f"({TERMS['residual degrees of freedom']})")
    if not (_converged(result) if converged is None else converged):
        reasons.append("the fit did not converge")
    reasons += _degenerate_reason([_term_words(term) for term in _degenerate(summary)],
                                  too_few=bool(reasons))
    # events are people (each at most one) when the outcome is a 0/1 indicator on one
    # row per person: "all of a level had the event" is then group disclosure
    levels = protect_counts(table, ["people", "events"], profile=p,
                            people_outcomes=["events"] if _events_are_people(
                                data, event_col, id_col) else ())
    return ModelRelease(released=not reasons, reasons=tuple(reasons), levels=levels,
                        residual_df=residual_df, unit=unit, rule_reasons=len(withheld),
                        seal=_release_seal(not reasons, reasons, residual_df, unit,
                                           len(withheld)))
