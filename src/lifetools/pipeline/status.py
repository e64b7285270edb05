"""What ``lifetools build`` would rerun, and why (``lifetools status``).

For each run of the series the cached run record is compared with what the run would
read now: the notebook (through the cache key), its parameters, the data fingerprint,
the lifetools source and the lock file. Archived editions are listed as kept.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from lifetools.pipeline import layout, provenance
from lifetools.pipeline.build import PreparedData, Progress, plan_runs, prepare_data
from lifetools.pipeline.runner import RunSpec
from lifetools.pipeline.series import Series, load_series

__all__ = ["RunStatus", "explain", "series_status"]


@dataclass(frozen=True)
class RunStatus:
    """One run: ``reuse``, ``rerun`` or ``kept`` (archived), with the reasons."""

    label: str
    state: str
    reasons: tuple[str, ...] = ()

    def __str__(self) -> str:
        why = f": {'; '.join(self.reasons)}" if self.reasons else ""
        return f"{self.state:<6} {self.label}{why}"


def explain(spec: RunSpec) -> RunStatus:
    """Say whether ``spec`` would be reused and, if not, what changed."""
    folder = layout.RunFolder(spec.run_dir)
    if not folder.complete():
        return RunStatus(spec.label, "rerun", ("never run (no complete run folder)",))
    record = json.loads(folder.record.read_text())
    if record.get("key") == spec.key():
        return RunStatus(spec.label, "reuse")
    reasons = []
    if record.get("parameters") != dict(spec.parameters):
        changed = sorted(k for k in set(record.get("parameters", {})) | set(spec.parameters)
                         if record.get("parameters", {}).get(k) != spec.parameters.get(k))
        reasons.append(f"parameters changed ({', '.join(changed)})")
    if record.get("data_fingerprint") != spec.data_fingerprint:
        reasons.append("input data or data dictionary changed")
    if record.get("code_fingerprint") != provenance.code_fingerprint():
        reasons.append("lifetools source changed")
    if record.get("lock_hash") != provenance.lock_hash():
        reasons.append("requirements.lock changed")
    if not reasons:
        reasons.append(f"notebook {spec.source.name} changed")
    return RunStatus(spec.label, "rerun", tuple(reasons))


def series_status(series: Series, data: PreparedData) -> list[RunStatus]:
    """The status of every run of the series, in build order."""
    kept: Sequence[str] = [e.id for e in series.editions
                           if e.id != series.current_edition
                           and layout.archive_manifest(e.id).exists()]
    found = [RunStatus(eid, "kept", ("archived edition, never rewritten",)) for eid in kept]
    to_run = [e.id for e in series.editions if e.id not in kept]
    found += [explain(spec) for spec in plan_runs(series, data, editions=to_run)]
    return found


def build_status(*, data_dir: Path | None = None,
                 progress: Progress | None = None) -> list[RunStatus]:
    """What ``lifetools build`` would rerun and why: prepare the data, then explain."""
    series = load_series()
    data = prepare_data(series, data_dir=data_dir, progress=progress)
    return series_status(series, data)
