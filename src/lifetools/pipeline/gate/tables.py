"""The gate's rules for the cells of a sealed table, and streams.

A sealed table's cells beyond its first column are checked by
:mod:`lifetools.disclosure.table_cells` (``unprotected-number-in-table``,
``unreleased-model``, ``unprotected-statistic``, ``value-reason``): the library's rules, which
:func:`lifetools.tables.show_table` runs at source on the same cells; named here for
the gate's modules.

A stream (stdout, and stderr when the runner did not move it out) has no record at
all, so any number in it, in digits or in words, is refused (``unverifiable-stream``):
a number reaches a page through a display function or not at all. Tested in
``tests/unit/test_gate_tables.py``.
"""

from __future__ import annotations

from lifetools.disclosure.rule_ids import rule_id
from lifetools.disclosure.table_cells import (
    CATEGORY_CODES,
    MODEL_RULE,
    TABLE_RULE,
    cell_findings,
    denominator_findings,
    fixed_places,
    flow_findings,
    group_findings,
    is_person_time,
    model_findings,
    person_time_findings,
    statistic_findings,
)
from lifetools.disclosure.text import numbers_in
from lifetools.disclosure.withheld import REASON_RULE, reason_findings
from lifetools.pipeline.gate import rules

__all__ = ["CATEGORY_CODES", "MODEL_RULE", "REASON_RULE", "STREAM_RULE", "TABLE_RULE",
           "cell_findings", "reason_findings",
           "denominator_findings", "fixed_places", "flow_findings", "group_findings", "is_person_time", "model_findings",
           "person_time_findings", "statistic_findings", "stream_findings"]

STREAM_RULE = rule_id("unverifiable-stream")


def stream_findings(text: str) -> list[tuple[str, str]]:
    """``unverifiable-stream`` if printed output holds a number, in digits or words."""
    visible = rules.BASE64_IMAGE.sub("", text)
    if numbers_in(visible):
        return [(STREAM_RULE, "a number printed to a stream (print, a warning, a log): "
                 "it carries no protection record the gate can verify; show numbers "
                 "through lt.publication.record or lt.tables.show_table")]
    return []
