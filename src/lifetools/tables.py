"""Publication tables: protected counts in, accessible stamped HTML and CSV out.

:func:`show_table` is the only way a report shows a table. It applies disclosure control
to the count columns (unless the frame already came out of :mod:`lifetools.disclosure`),
refuses anything that looks row-level, writes ``tables/<name>.csv`` beside the page and
displays an accessible HTML table stamped for the publish gate.
"""

from __future__ import annotations

import html
import numbers
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from lifetools import config
from lifetools.disclosure import (
    PROTECTION_ATTR,
    SUPPRESSION_THRESHOLD,
    TOTALS_ATTR,
    Totals,
    is_protected,
    protect_counts,
)
from lifetools.errors import DisclosureError
from lifetools.formatting import format_interval
from lifetools.publication import check_name, stamp

__all__ = ["IDENTIFYING_COLUMNS", "SUPPRESSED", "PublishedTable", "format_estimate",
           "show_table", "table_estimates"]

SUPPRESSED = "[c]"
IDENTIFYING_COLUMNS = ("person_id", "nhs_number", "year_of_birth", "date_of_birth",
                       "lsoa_code", "date_of_death", "postcode", "contact_id",
                       "referral_id", "attendance_id", "spell_id")
MAX_ROWS = 60


@dataclass(frozen=True)
class PublishedTable:
    """A protected table as shown in a report."""

    name: str
    caption: str
    frame: pd.DataFrame = field(repr=False)
    note: str = ""
    rules: dict[str, Any] = field(default_factory=dict)

    def to_html(self) -> str:
        """Accessible HTML: caption, column headers with scope, scrollable on a phone."""
        head = "".join(f'<th scope="col">{html.escape(str(c))}</th>'
                       for c in self.frame.columns)
        body = []
        for row in self.frame.itertuples(index=False):
            cells = "".join(f"<td>{html.escape(_cell(v))}</td>" for v in row)
            body.append(f"<tr>{cells}</tr>")
        note = f'<p class="lifetools-table-note">{html.escape(self.note)}</p>' \
            if self.note else ""
        return (f'<div class="lifetools-table" role="region" tabindex="0" '
                f'aria-label="{html.escape(self.caption)}" style="overflow-x:auto">'
                f'<table class="table"><caption>{html.escape(self.caption)}</caption>'
                f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
                f"{note}</div>")

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None):
        data = {"text/html": self.to_html(), "text/plain": f"Table: {self.caption}"}
        return data, stamp("table", self.name, rules=self.rules)


def _cell(value: Any) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return SUPPRESSED
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, numbers.Integral):
        return f"{int(value):,}"
    if isinstance(value, numbers.Real):
        return f"{float(value):,.2f}"
    return str(value)


def _check_not_row_level(frame: pd.DataFrame, name: str) -> None:
    leaks = [c for c in frame.columns if str(c).lower() in IDENTIFYING_COLUMNS]
    if leaks:
        raise DisclosureError(f"table {name!r} has identifying column(s) {leaks}: "
                              "only aggregate tables can be published")
    if len(frame) > MAX_ROWS:
        raise DisclosureError(f"table {name!r} has {len(frame)} rows: tables of more "
                              f"than {MAX_ROWS} rows look row-level and are refused",
                              hint="aggregate it first")


def show_table(
    frame: pd.DataFrame,
    *,
    name: str,
    caption: str,
    count_cols: Sequence[str] = (),
    note: str | None = None,
    digits: int = 2,
    totals: Totals | None = None,
    by: str | None = None,
) -> PublishedTable:
    """Protect, write and display a publication table.

    Parameters
    ----------
    frame
        An aggregate table (one row per group or term, never per person).
    name
        File stem of ``tables/<name>.csv``.
    caption
        Visible caption, also the table's accessible name.
    count_cols
        Columns of counts of people or events: suppressed (1 to 7) and rounded to the
        nearest 5 unless ``frame`` is already protected.
    note
        Extra footnote; the suppression footnote is added automatically.
    digits
        Decimal places for numbers other than counts in the CSV.
    totals, by
        Which counts add up to published totals, for secondary suppression (see
        :func:`lifetools.disclosure.suppress_secondary`). By default, what the table
        declares (:func:`lifetools.disclosure.declare_totals`); none if it declares
        nothing.

    Raises
    ------
    DisclosureError
        If the table has identifying columns or looks row-level.
    """
    check_name(name)
    _check_not_row_level(frame, name)
    if totals is None:
        declared = frame.attrs.get(TOTALS_ATTR, {})
        totals, by = declared.get("totals"), declared.get("by")
    protected = frame if is_protected(frame) or not count_cols else protect_counts(
        frame, list(count_cols), totals=totals, by=by)
    rules = dict(protected.attrs.get(PROTECTION_ATTR, {"count_cols": []}))
    target = config.output_dir() / "tables" / f"{name}.csv"
    target.parent.mkdir(parents=True, exist_ok=True)
    protected.to_csv(target, index=False, lineterminator="\n",
                     float_format=f"%.{digits}f", na_rep="")
    footnote = (f"{SUPPRESSED}: hidden to protect privacy (counts of 1 to "
                f"{SUPPRESSION_THRESHOLD}"
                + (", and other cells so that these cannot be worked out from totals"
                   if rules.get("secondary_cells") else "")
                + "); other counts are rounded to the nearest 5.")
    if not rules.get("count_cols"):
        footnote = ""
    text = " ".join(t for t in (note, footnote) if t)
    shown = protected.copy()
    for column in shown.columns:
        if shown[column].dtype.kind == "f":
            shown[column] = shown[column].round(digits)
    return PublishedTable(name=name, caption=caption, frame=shown, note=text,
                          rules=rules)


def format_estimate(estimate: float, lower: float, upper: float, digits: int = 2) -> str:
    """Format 'estimate (lower to upper)' as reports quote it (or 'could not be estimated')."""
    return format_interval(estimate, lower, upper, digits=digits)


def table_estimates(summary: pd.DataFrame, *, label: str = "estimate",
                    digits: int = 2, keep: Sequence[str] = ()) -> pd.DataFrame:
    """Turn a tidy model summary into a publication table of estimates with 95% CIs.

    ``keep`` names label columns (such as ``model``) to carry in front.
    """
    out = pd.DataFrame({
        **{col: summary[col].to_numpy() for col in keep},
        "term": summary["term"] if "term" in summary else summary.index.astype(str),
        f"{label} (95% CI)": [format_estimate(e, lo, hi, digits) for e, lo, hi in
                              zip(summary["estimate"], summary["ci_lower"],
                                  summary["ci_upper"], strict=True)],
    })
    if "p_value" in summary:
        out["p-value"] = [("<0.001" if p < 0.001 else f"{p:.3f}") for p in
                          summary["p_value"]]
    return out.reset_index(drop=True)
