"""Reuse a run whose key is unchanged; re-render it when only its markdown changed.

A re-rendered run keeps every code cell and output and every published file; its
notebook takes the source's markdown (:func:`lifetools.pipeline.narrative.rerender`)
and its record the new inputs, with the reason under ``rendered`` (the record's
``cause`` still says why it last ran). A reused run whose key is unchanged while the
data fingerprint is not (only tables or columns it did not read changed) gets the new
fingerprint in its record, as a re-execution would. Tested in
``tests/unit/test_pipeline_narrative.py`` and ``tests/unit/test_reads.py``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal, Protocol

from lifetools.pipeline import dependencies, layout, narrative, provenance

__all__ = ["reuse"]

logger = logging.getLogger(__name__)


class _Run(Protocol):  # what of a RunSpec is used here
    source: Path
    run_dir: Path
    data_fingerprint: str

    @property
    def label(self) -> str: ...

    def inputs(self) -> dict[str, Any]: ...


def _write(record_path: Path, record: Mapping[str, Any]) -> None:
    partial = layout.temp_sibling(record_path, "partial")
    provenance.write_json(partial, dict(record)).replace(record_path)


def reuse(spec: _Run, record: dict[str, Any]
          ) -> tuple[Literal["reused", "rerendered"], dict[str, Any], float]:
    """Reuse ``spec``'s live run (its record ``record``); return (status, record, seconds)."""
    started = time.monotonic()
    inputs = spec.inputs()
    reason = dependencies.rerender_reason(record, inputs, spec.source.name)
    folder = layout.RunFolder(spec.run_dir)
    if reason is None:
        if record.get("data_fingerprint") == spec.data_fingerprint:
            logger.info("%s: reused: its inputs are unchanged", spec.label)
            return "reused", record, 0.0
        unread = dependencies.unread_changes(record, inputs)
        record = {**record, "inputs": inputs, "data_fingerprint": spec.data_fingerprint}
        _write(folder.record, record)
        logger.info("%s: reused: changed data it did not read: %s", spec.label,
                    ", ".join(unread) or "none")
        return "reused", record, 0.0
    narrative.rerender(folder.notebook, spec.source)
    record = {**record, "inputs": inputs, "data_fingerprint": spec.data_fingerprint,
              "rendered": [reason]}
    _write(folder.record, record)
    logger.info("%s: %s", spec.label, reason)
    return "rerendered", record, time.monotonic() - started
