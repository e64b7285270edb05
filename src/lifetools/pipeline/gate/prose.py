"""The gate's rule for numbers in prose: :mod:`lifetools.disclosure.prose`.

The rule lives in the library so that the display functions run it at source
(:func:`lifetools.tables.show_table`, through
:func:`lifetools.disclosure.table_cells.cell_findings`) as the gate runs it on the
published pages: one implementation, named here for the gate's modules.
"""

from __future__ import annotations

from lifetools.disclosure.prose import (
    NOUNS,
    PROSE_RULE,
    RunParameters,
    has_words,
    prose_findings,
)

__all__ = ["NOUNS", "PROSE_RULE", "RunParameters", "has_words", "prose_findings"]
