"""What ``lifetools build`` would rerun, and why (``lifetools status``).

For each run of the series the cached run record is compared with what the run would
read now (:func:`lifetools.pipeline.dependencies.run_inputs`): the notebook, its
parameters, the tables and columns the run read (each changed one named: "column X of
table Y changed (the run read it)"; a changed table or column it did not read is named
too, without a rerun) and the dictionary, the lifetools modules the notebook uses (each changed
file named), the lock file and the installed stack. Archived editions are listed as kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from lifetools.pipeline import dependencies, integrity, layout
from lifetools.pipeline.build import (
    PreparedData,
    Progress,
    check_window_before_generating,
    plan_runs,
    prepare_data,
)
from lifetools.pipeline.run_cache import cached_match
from lifetools.pipeline.runner import RunSpec
from lifetools.pipeline.series import Series, load_series

__all__ = ["RunStatus", "explain", "pending_status", "series_status"]


@dataclass(frozen=True)
class RunStatus:
    """One run: ``reuse``, ``render``, ``rerun`` or ``kept`` (archived), with the reasons.

    ``render``: the inputs of the run are unchanged but its markdown is not; the page is
    re-rendered from the executed notebook without executing it.
    """

    label: str
    state: str
    reasons: tuple[str, ...] = ()

    def __str__(self) -> str:
        why = f": {'; '.join(self.reasons)}" if self.reasons else ""
        return f"{self.state:<6} {self.label}{why}"


def explain(spec: RunSpec) -> RunStatus:
    """Say whether ``spec`` would be reused and, if not, what changed."""
    inputs = spec.inputs()
    previous = dependencies.previous_record(spec.run_dir)
    if previous is not None and previous.get("key") == dependencies.record_key(previous,
                                                                               inputs):
        reason = dependencies.rerender_reason(previous, inputs, spec.source.name)
        unread = tuple(f"{what} changed, not read by this run"
                       for what in dependencies.unread_changes(previous, inputs))
        return (RunStatus(spec.label, "reuse", unread) if reason is None
                else RunStatus(spec.label, "render", (reason, *unread)))
    if cached_match(spec.run_dir, inputs) is not None:
        return RunStatus(spec.label, "reuse", ("an earlier run with these inputs is kept "
                                               "in the run cache",))
    reasons = dependencies.rerun_reasons(previous, inputs, spec.source.name)
    return RunStatus(spec.label, "rerun", tuple(reasons or ["cache key changed"]))


def _kept(series: Series) -> tuple[list[RunStatus], list[str]]:
    """The archived editions a build keeps as they are (their status rows), and the
    editions it would run."""
    kept = [e.id for e in series.editions if e.id != series.current_edition
            and layout.archive_manifest(e.id).exists()]
    return ([RunStatus(eid, "kept", ("archived edition, never rewritten",)) for eid in kept],
            [e.id for e in series.editions if e.id not in kept])


def series_status(series: Series, data: PreparedData) -> list[RunStatus]:
    """The status of every run of the series, in build order."""
    found, to_run = _kept(series)
    return found + [explain(spec) for spec in plan_runs(series, data, editions=to_run)]


def pending_status(series: Series, reason: str) -> list[RunStatus]:
    """:func:`series_status` before the data exist: each run not archived is a rerun
    for ``reason`` (its parameters checked as :func:`plan_runs` checks them)."""
    found, to_run = _kept(series)
    for edition in (e for e in series.editions if e.id in to_run):
        for analysis in series.analyses_in(edition.id):
            series.resolve_parameters(analysis, edition, None)
            found.append(RunStatus(f"{edition.id}/{analysis.id}", "rerun", (reason,)))
    return found


def build_status(*, data_dir: Path | str | None = None,
                 progress: Progress | None = None) -> list[RunStatus]:
    """What ``lifetools build`` would rerun and why: prepare the data, then explain.

    Nothing is generated or written: when the embedded synthetic data are not
    generated yet (or would be generated again), every run not archived is a rerun for
    that reason, and the editions are checked against the referral dates the data
    will hold (:func:`~lifetools.pipeline.integrity.synthetic_window`: the referrals
    alone, drawn in memory), the generator's first day of events
    (:func:`~lifetools.pipeline.integrity.synthetic_start`) and its extract date, as
    the build checks them against the written data (until wave 25 ``status``
    generated the data; until wave 61 it checked the generator's declared window, and passed an edition the build
    refused: issue 14).
    """
    series = load_series()
    pending = check_window_before_generating(series, data_dir=data_dir)
    if pending is not None:
        return pending_status(series, pending)
    data = prepare_data(series, data_dir=data_dir, progress=progress)
    # the build refuses them first
    integrity.check_data_window(series, data.path, synthetic=data.synthetic is not None,
                                declared_by=data.declared_by)
    return series_status(series, data)
