"""What the two survival reports share: hazard-ratio rows, the PH table, notes, ratios.

The discharge report (:mod:`lifetools.reports.discharge`) and the re-referral report
(:mod:`lifetools.reports.rereferral`) label, release and describe their Cox and
Fine-Gray models alike; these are the pieces both use.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from lifetools.convergence import not_estimable_text
from lifetools.disclosure import (
    Estimate,
    ProtectedTable,
    combine_estimates,
    compose,
)
from lifetools.disclosure.downloads import hidden_mark, withheld_models_note
from lifetools.disclosure.models import COULD_NOT
from lifetools.disclosure.withheld import (
    NOTHING_SAID,
    SAID_FOR,
    Said,
    SaidInNote,
    headline_of,
)
from lifetools.labels import VALUE_LABELS, quoted
from lifetools.regression import COMMON_OUTCOME, HazardEValues, e_values_hr
from lifetools.reports.narrative import (
    no_events_note,
    plain_library_error,
    readable_note,
)
from lifetools.reports.sentences import (
    interval_text,
    no_e_value_sentence,
    plain_fit_reason,
    reason_result,
)
from lifetools.result_names import DischargeName, ReReferralName, derived
from lifetools.survival.cox import PH_NOTE
from lifetools.tables import (
    E_VALUE_HEADER,
    SAID_ONCE_ENTRY,
    e_value_cells,
    table_estimates,
)

__all__ = ["COMPLETE_CASE", "DEATH", "EXPOSURE_TERMS", "FINE_GRAY", "PH_COLUMNS",
           "RATIO_COLUMNS", "TERM_LABELS", "e_value_table", "end_incidence", "estimate_row",
           "evalue_results", "evalue_sentence", "hazard_e_values", "hazard_ratio_table",
           "with_e_values", "label_terms", "left_out_notes",
           "model_notes", "ph_table", "ratio_results", "ratio_rows", "released_ratios",
           "short_reason", "stated_in_table", "whole_degrees", "with_note", "withheld_row"]

TERM_LABELS = VALUE_LABELS  # one source of words (lifetools.labels)
EXPOSURE_TERMS = ("exposed", "ever_used", "exposed_at_landmark", "used_life_rooms")
FINE_GRAY = "Fine-Gray"  # the model names of subdistribution hazard ratios start so
COMPLETE_CASE = "{}, complete cases (HoNOS recorded; missing-data sensitivity)"
DEATH = {"discharge": 3, "rereferral": 2}  # the death code of each cohort's event column


def label_terms(summary: pd.DataFrame, model: str) -> pd.DataFrame:
    """``summary`` with its ``model`` named and its terms in words (``TERM_LABELS``)."""
    return summary.assign(model=model, term=summary["term"].map(TERM_LABELS).fillna(
        summary["term"]))


PH_COLUMNS = ["model", "term", "statistic", "df", "p_value", "action"]


def whole_degrees(table: pd.DataFrame) -> pd.DataFrame:
    """A proportional-hazards table with its degrees of freedom as whole numbers (a
    nullable integer column: "1", not "1.00", on the page and in the download; the
    discharge and re-referral pages showed "1.00" and "6.00" until wave 33), when every
    one of them is whole; a withheld model's row keeps no number, and its withheld
    cell (:func:`ph_table`: its mark, ``[c]`` where the model release rule withheld it,
    read ``[x]`` there until wave 42)."""
    df = pd.to_numeric(table["df"], errors="coerce")
    finite = df.dropna()
    if not (finite == finite.round()).all():
        return table
    held = [isinstance(v, SaidInNote) for v in table["df"]]
    if not any(held):
        return table.assign(df=df.round().astype("Int64"))
    return table.assign(df=pd.Series(
        [v if h else pd.NA if pd.isna(d) else int(round(d))
         for v, h, d in zip(table["df"], held, df, strict=True)],
        index=table.index, dtype=object))


def ph_table(result: Any, model: str, *, exposure_action: str,
             release: Any, said: Said = NOTHING_SAID, said_name: str = "",
             said_as: str = "") -> pd.DataFrame:
    """The cox.zph test of one model (per term and global) and what was done.

    A diagnostic is an output of its model: when the model's release check
    (``release``, a :class:`lifetools.disclosure.ModelRelease`) withholds it, its test
    is withheld with it (one row saying so, no statistic), as its estimates are.
    ``said``: what the page said above the table of its withheld models
    (:class:`~lifetools.disclosure.withheld.Said`), which knows this one as
    ``said_name`` (``model`` by default): where the page gave its reasons above, or
    the same words for another model, the table's note says where they are
    (:meth:`~lifetools.disclosure.ModelRelease.withheld_said`), not the reasons
    again; ``said_as``: the headline the summary gave them under.
    """
    if not release.released:
        why = (release.withheld_said(said, said_name or model, said_as) if said
               else release.withheld)
        # the mark of the release's reason on the page ([c]: the model release rule
        # withheld it), the reason once in the note; its statistic, degrees of freedom
        # and p-value the same mark (they read [x] beside the action's [c] until wave 42)
        cell = SaidInNote(f"withheld with the model ({release.withheld})",
                          shown=hidden_mark(why), note=withheld_models_note([why]))
        return pd.DataFrame([{"model": model, "term": "(all terms)",
                              "statistic": cell, "df": cell, "p_value": cell,
                              "action": cell}], columns=PH_COLUMNS)
    if result.ph_test is None:
        return pd.DataFrame([{"model": model, "term": "(all terms)",
                              "statistic": float("nan"), "df": float("nan"),
                              "p_value": float("nan"),
                              "action": "not tested: " + str(result.method[
                                  "ph_test"]).removeprefix("not run: ")}],
                            columns=PH_COLUMNS)
    raw = result.ph_test["term"]
    table = label_terms(result.ph_test, model)
    fails = table["p_value"] < 0.05
    action = pd.Series("none needed (p >= 0.05)", index=table.index)
    action[fails] = ("noted: the hazard ratio is an average over follow-up "
                     "(adjustment term, estimate not reported)")
    action[fails & raw.isin(EXPOSURE_TERMS)] = exposure_action
    action[fails & (raw == "GLOBAL")] = ("noted: proportional hazards is rejected for "
                                         "the model as a whole; see the terms")
    return table.assign(action=action)[PH_COLUMNS]


def short_reason(result: Any, *, outcome: str = "had the outcome") -> str:
    """The reason a model is not estimable, without the library's details; a term's
    technical reason (separation, an infinite coefficient) in plain words with its label
    (:func:`~lifetools.reports.sentences.plain_fit_reason`; ``outcome`` the event's
    words, "were discharged")."""
    return plain_fit_reason(plain_library_error(
        (result.reason or "the estimate is degenerate").split(" (")[0]),
        TERM_LABELS, outcome=outcome, effect=False)


def estimate_row(result, term: str, *, outcome: str = "had the outcome"
                 ) -> dict[str, Any]:
    """Estimate and limits of one term, or NaN and the reason it is not estimable."""
    row = result.summary.set_index("term").loc[term]
    if not bool(row.get("estimable", True)) or pd.isna(row["estimate"]):
        return {"estimate": float("nan"), "ci_lower": float("nan"),
                "ci_upper": float("nan"),
                "text": not_estimable_text(short_reason(result, outcome=outcome))}
    return {"estimate": float(row["estimate"]), "ci_lower": float(row["ci_lower"]),
            "ci_upper": float(row["ci_upper"]), "text": None}


def withheld_row(release: Any) -> dict[str, Any]:
    """An :func:`estimate_row` for a model its release check withheld: no numbers, and
    the release's bracketed reason (:attr:`~lifetools.disclosure.ModelRelease.withheld_brief`),
    marked as a bare reason when a count withheld it
    (:attr:`~lifetools.disclosure.ModelRelease.withheld_reason`)."""
    return {**dict.fromkeys(("estimate", "ci_lower", "ci_upper"), float("nan")),
            "text": release.withheld_reason}


def ratio_results(name: DischargeName | ReReferralName, label: str,
                  row: dict[str, Any], *, ci: bool = True) -> list[dict[str, Any]]:
    """Key results of a ratio and its interval; the reason when not estimable."""
    out = [{"name": name, "value": row["estimate"], "kind": "ratio", "label": label,
            **(reason_result(row["text"]) if row["text"] else {})}]
    if ci:
        text = (reason_result(row["text"]) if row["text"] else {
            "text": interval_text(row["ci_lower"], row["ci_upper"], null=1.0)})
        out.append({"name": derived(name, "ci"),
                    "value": [row["ci_lower"], row["ci_upper"]],
                    "kind": "text", **text, "label": f"95% CI: {label}"})
    return out


def end_incidence(summary: pd.DataFrame) -> float:
    """Cumulative incidence by the end of follow-up: the highest point of the curve.

    ``summary`` is one curve of :func:`~lifetools.survival.estimate_cif` (every event
    time; a cumulative incidence never falls, so its largest estimate is its last);
    NaN when it has no finite estimate. It decides whether an outcome is common for
    the E-value of a hazard ratio (:func:`hazard_e_values`); it is not published.
    """
    values = pd.to_numeric(summary["estimate"], errors="coerce").to_numpy(dtype=float)
    values = values[np.isfinite(values)]
    return float(values.max()) if len(values) else float("nan")


def hazard_e_values(row: dict[str, Any], incidence: float) -> HazardEValues | None:
    """E-values of a shown hazard ratio (``row`` as :func:`estimate_row`), or None.

    None when the ratio is not shown (``row["text"]`` gives the reason), its estimate
    or limits are not finite and positive in order, or ``incidence`` is not a share:
    no E-value of a number the page does not give. Common or rare by ``incidence``
    (:func:`lifetools.regression.e_values_hr`).
    """
    if row.get("text"):
        return None
    values = np.array([row["ci_lower"], row["estimate"], row["ci_upper"]], dtype=float)
    if not (np.isfinite(values).all() and (values > 0).all()
            and values[0] <= values[1] <= values[2]) \
            or not (np.isfinite(incidence) and 0 <= incidence <= 1):
        return None
    return e_values_hr(float(values[1]), float(values[0]), float(values[2]),
                       incidence=incidence)


def e_value_table(rows: dict[Any, dict[str, Any]], incidence: float) -> pd.DataFrame:
    """The E-values of each headline ratio (``rows``: name to :func:`estimate_row`).

    Columns ``name``, ``e_value``, ``e_value_ci`` (NaN when the ratio is not shown),
    ``common`` (whether the common-outcome conversion was used) and ``incidence`` (the
    cumulative incidence by the end of follow-up that decided it). For tests and
    readers of the report object; pages quote the key results.
    """
    found = {str(name): hazard_e_values(row, incidence) for name, row in rows.items()}
    return pd.DataFrame([
        {"name": name,
         "e_value": float("nan") if f is None else f.estimate,
         "e_value_ci": float("nan") if f is None else f.limit,
         "common": bool(incidence > COMMON_OUTCOME) if np.isfinite(incidence) else None,
         "incidence": incidence} for name, f in found.items()],
        columns=["name", "e_value", "e_value_ci", "common", "incidence"])


def _basis(found: HazardEValues, outcome: str) -> str:
    """Which conversion was used, in words (no number: the 15% is on the method page)."""
    return (f"{outcome} is common, so the hazard ratio was converted to a risk ratio"
            if found.common else
            f"{outcome} is rare, so the hazard ratio was taken as a risk ratio")


def evalue_results(name: DischargeName | ReReferralName, label: str,
                   row: dict[str, Any], *, incidence: float, outcome: str
                   ) -> list[dict[str, Any]]:
    """Key result ``<name>_evalue``: E-values of a hazard ratio and its CI limit nearest 1.

    ``row`` as :func:`estimate_row` (its ``text`` the reason it is not shown);
    ``incidence`` the outcome's cumulative incidence by the end of follow-up
    (:func:`end_incidence`), which decides the common-outcome conversion; ``outcome``
    the outcome in words ("discharge"). The text says which conversion was used; the
    value is ``[for the estimate, for the limit]``.
    """
    found = hazard_e_values(row, incidence)
    full = f"E-value of the estimate (and of its CI limit nearest 1): {label}"
    if found is None:
        reason = row.get("text") or "could not be estimated: the ratio or its limits " \
                                    "are not finite"
        return [{"name": derived(name, "evalue"), "value": None, "kind": "text",
                 **reason_result(reason), "label": full}]
    return [{"name": derived(name, "evalue"), "value": [found.estimate, found.limit],
             "kind": "text", "label": full,
             "text": compose("{e} (confidence limit {limit}; {basis})",
                             e=Estimate(found.estimate), limit=Estimate(found.limit),
                             basis=_basis(found, outcome))}]


def evalue_sentence(name: DischargeName | ReReferralName, row: dict[str, Any], *,
                    incidence: float, exposure: str, outcome: str, estimate: str
                    ) -> dict[str, Any]:
    """Key result ``<name>_evalue_sentence``: the E-values of a hazard ratio in words.

    As :func:`evalue_results`; ``exposure`` and ``outcome`` name what an unrecorded
    characteristic would have to be associated with, ``estimate`` the ratio ("the
    time-varying hazard ratio"). No E-value when the ratio is not shown.
    """
    found = hazard_e_values(row, incidence)
    if found is None:
        text = no_e_value_sentence(
            estimate, failed=str(row.get("text") or "").startswith(COULD_NOT))
    elif found.limit == 1:  # the interval contains no effect: nothing to explain away
        text = compose(
            "An unrecorded characteristic would have to be associated with both "
            "{exposure} and {outcome} by a risk ratio of {e} to explain {estimate} "
            "away, and its confidence interval already includes no effect (E-value; "
            "{basis}).", exposure=exposure, outcome=outcome,
            e=Estimate(found.estimate), estimate=estimate, basis=_basis(found, outcome))
    else:
        text = compose(
            "An unrecorded characteristic would have to be associated with both "
            "{exposure} and {outcome} by a risk ratio of {e} (confidence limit {limit}) "
            "to explain {estimate} away (E-value; {basis}; the figure in brackets is "
            "for the confidence limit nearest no effect).", exposure=exposure,
            outcome=outcome, e=Estimate(found.estimate), limit=Estimate(found.limit),
            estimate=estimate, basis=_basis(found, outcome))
    return {"name": derived(derived(name, "evalue"), "sentence"), "value": None,
            "kind": "text", "text": text,
            "label": f"Summary: E-value of {estimate}"}


def left_out_notes(planned: list[str], kept: list[str], kept_at_landmark: list[str],
                   events: str, kept_complete: list[str] | None = None
                   ) -> list[dict[str, str]]:
    """Notes naming the covariates left out of the adjustment as too sparse.

    One row for all models, one for the landmark models when more are left out there
    (fewer people are still open at the landmark), and one for the complete-case model
    when more are left out there (``kept_complete``: fewer people have HoNOS recorded).
    """
    gone = [c for c in planned if c not in kept]
    gone_at_landmark = [c for c in planned if c not in kept_at_landmark]
    gone_complete = [c for c in planned if c not in (kept_complete or kept)]
    rows = [(where, names) for where, names in (
        ("All models", gone),
        ("Landmark models", gone_at_landmark if gone_at_landmark != gone else []),
        ("Complete-case model", gone_complete if gone_complete != gone else []))
        if names]
    return [{"model": where, "note": (
        f"Left out of the adjustment, with too few {events} in some of its "
        f"groups: {'; '.join(TERM_LABELS.get(c, c) for c in names)}.")}
        for where, names in rows]


def model_notes(models: dict[str, Any], extra: Sequence[dict[str, str]] = (), *,
                outcome: str = "had the outcome", withheld: Collection[str] = (),
                said: Said = NOTHING_SAID) -> pd.DataFrame:
    """Every model's warnings (convergence, degeneracy, PH), one row each.

    No count of people or events is written into these notes (the time split's own
    reason, which has event counts, is left out and described in the PH table). A note
    is in plain words (:func:`~lifetools.reports.narrative.readable_note`, ``outcome``
    the event's words: "were discharged"); a model's note that reads as one it already
    has (R's warning of an infinite coefficient and the term's open interval say the
    same to a reader) is given once. A model the release check withheld (its name in
    ``withheld``) has no proportional-hazards note: its test is withheld with it in the
    PH table (``[x]``), and a note "may not hold for Age (p < 0.05)" beside it would
    publish the result the table hides; nor a note that it had no events ("none of the
    people in the model were referred again"): that is a count of 0 of the model's
    people, which the page hides beside their number as group disclosure ("how many
    were referred again is not shown (hidden to protect privacy)", wave 25), and the
    release's reason ("too few events in total") says it could not be estimated. The
    other notes saying why it cannot be estimated stay.

    ``said``: what the page's summary said of its ratios, each by its model's name
    here ("could not be estimated: <reason>"); a model's note that says the reason the
    summary gave for it says where it is instead ("could not be estimated (the
    reasons are given above)"), and one that says the reason the summary gave for
    another model names it ("could not be estimated (the same reasons as for
    ‘Time-varying (correct)’, given above)"), so that a page says each reason once
    (the discharge page at 3,000 people said one fit's reason in its summary and in two
    models' notes: issue 15, wave 25) and never points one model to another's reasons
    as its own (its complete-case model's note did until wave 39).
    """
    rows = [*extra] + [{"model": name, "note": _said_once(readable_note(
                            note, TERM_LABELS, outcome=outcome), said, name)}
                       for name, result in models.items()
                       for note in getattr(result, "warnings", ())
                       if not (name in withheld and (note.startswith(PH_NOTE)
                                                     or no_events_note(note)))]
    return pd.DataFrame(rows, columns=["model", "note"]).drop_duplicates(
        ignore_index=True)


def _said_once(note: str, said: Said, name: str) -> str:
    """A model's note, or where its reason is when the summary states it, for this
    model or another (the note may go on after the reason: "..., so the model cannot
    estimate its effect")."""
    prefix = not_estimable_text("")
    for who, text, _ in said.entries:
        why = text.removeprefix(prefix)
        if note == why or note.startswith(f"{why}, "):
            return (SAID_ONCE_ENTRY if who == name else
                    f"{COULD_NOT} ({SAID_FOR.format(name=quoted(who))})")
    return note


def with_note(summary: pd.DataFrame, result: Any, *, outcome: str = "had the outcome"
              ) -> pd.DataFrame:
    """Add a ``note`` column: 'could not be estimated: <reason>' where it applies."""
    ok = summary.get("estimable", pd.Series(True, index=summary.index)).astype(bool)
    note = pd.Series("", index=summary.index)
    note[~ok] = not_estimable_text(short_reason(result, outcome=outcome))
    return summary.assign(note=note)



RATIO_COLUMNS = ["model", "term", "estimate", "ci_lower", "ci_upper", "p_value", "note"]
"""The columns of a survival report's hazard-ratio table."""


def ratio_rows(pieces: Sequence[tuple[Any, pd.DataFrame, Any, str]], *,
               outcome: str = "had the outcome") -> pd.DataFrame:
    """The hazard-ratio table as fitted: each model's rows shown, named and noted.

    ``pieces``: one ``(release, rows, fit, model name)`` a model, in the table's order
    (``release`` is not read here: the same pieces make :func:`released_ratios`);
    ``outcome``: the event's words in a note ("were discharged").
    """
    return pd.concat([label_terms(with_note(rows, fit, outcome=outcome), name)
                      for _, rows, fit, name in pieces], ignore_index=True)[RATIO_COLUMNS]


E_VALUE_COLUMNS = ["e_value", "e_value_ci"]
"""The E-values of a Life Rooms ratio's row in the released table: the headline ratios
and the sensitivity analyses' (complete cases, the discharge landmark); NaN in the
others (the covariates, the naive ratio, whose bias is immortal time rather than
confounding, and the time-split rows)."""


def with_e_values(rows: pd.DataFrame, term: str, found: HazardEValues | None
                  ) -> pd.DataFrame:
    """``rows`` with :data:`E_VALUE_COLUMNS`: ``found`` in the row of ``term``, else NaN.

    Given before the release check, which blanks them with the model's other numbers
    when it withholds it (they are estimate columns of
    :func:`~lifetools.disclosure.model_release`).
    """
    out = rows.assign(e_value=float("nan"), e_value_ci=float("nan"))
    if found is not None:
        at = out["term"] == term
        out.loc[at, "e_value"] = found.estimate
        out.loc[at, "e_value_ci"] = found.limit
    return out


def released_ratios(pieces: Sequence[tuple[Any, pd.DataFrame, Any, str]], *,
                    outcome: str = "had the outcome", said: Said = NOTHING_SAID,
                    said_as: Mapping[str, str] | None = None) -> ProtectedTable:
    """The hazard-ratio table as released: each model's rows through its release check.

    ``pieces`` as :func:`ratio_rows`; a model its check withholds has its estimates
    blank and a ``withheld`` column saying why (the column only when one is withheld).
    The E-value columns (:func:`with_e_values`) are carried, NaN where a piece has none.
    ``said``: what the page's summary said of its withheld models, each by its name in
    ``pieces`` (:class:`~lifetools.disclosure.withheld.Said`): a model whose reasons
    it gave says where they are
    (:meth:`~lifetools.disclosure.ModelRelease.withheld_said`), not the reasons again
    (issue 15, wave 25), whatever they were, such as its fit's own failure where the
    release check withheld it as well, so that the page does not give the summary's
    reason in one place and the release's in another (the discharge page at 3,000
    people: wave 28); a model withheld for the words the summary gave another names
    that one (wave 39). ``said_as``: the headline the summary gave each model's
    reasons under (its name: the summary's text), so that the page does not call one
    number "could not be estimated" there and "too few events to estimate" here
    (wave 30).
    """
    said_as = dict(said_as or {})
    columns = [*RATIO_COLUMNS, *E_VALUE_COLUMNS]
    released = combine_estimates([
        release.estimates(label_terms(with_note(rows, fit, outcome=outcome),
                                      name).reindex(columns=columns),
                          said=said, name=name, said_as=headline_of(said_as.get(name, "")))
        for release, rows, fit, name in pieces])
    return released.select([*columns, *(["withheld"] if "withheld" in
                                        released.columns else [])])


def stated_in_table(pieces: Sequence[tuple[Any, pd.DataFrame, Any, str]], said: Said
                    ) -> Said:
    """``said`` and then the reasons the hazard-ratio table's note states
    (:func:`released_ratios`): each withheld model whose reasons the page had not given
    above, in the table's order. A table below the hazard-ratio table (the PH table,
    the fit notes) points to them there rather than saying them again."""
    out = said
    for release, _, _, name in pieces:
        if not release.released and not said.where(name, release.reason,
                                                   release.withheld_brief,
                                                   release.withheld):
            out = out.then(name, release.withheld_brief, release.reasons)
    return out


def hazard_ratio_table(released: ProtectedTable, *, keep: Sequence[str] = ()
                       ) -> pd.DataFrame:
    """Publication table of the released hazard ratios, with their E-values.

    :func:`lifetools.tables.table_estimates` of ``released`` (:func:`released_ratios`)
    and a column "E-value (CI limit)": the E-values of a Life Rooms ratio (the rows
    :data:`E_VALUE_COLUMNS` says) and of its confidence limit nearest 1
    (:func:`lifetools.tables.e_value_cells`, as the emergency-care rate-ratio table's
    ``estimates_table``): ``[c]`` in a row of a model the model release rule withheld,
    as its estimate; no value in the other rows and where the fit gave none, which the
    page and the download show ``[x]`` (not available)
    (:func:`lifetools.disclosure.downloads.shown_frame`; blank until wave 41; ``[x]`` in
    a withheld row until wave 42).
    """
    table = table_estimates(released, label="hazard ratio", keep=list(keep))
    table[E_VALUE_HEADER] = e_value_cells(released)
    return table
