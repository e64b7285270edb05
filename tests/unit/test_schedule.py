"""The order runs start in: longest first from the last run's recorded cost."""

from __future__ import annotations

import os
import time

import pytest
from test_runner import make_spec

from lifetools.pipeline.runner import execute_runs
from lifetools.pipeline.schedule import (
    longest_first,
    process_cpu_seconds,
    recorded_cost,
)

SERIES_ORDER = [("2023-24", "cohort"), ("2023-24", "discharge"), ("2023-24", "crisis"),
                ("2024-25", "cohort"), ("2024-25", "discharge"), ("2024-25", "crisis")]


def order(costs: dict[tuple[str, str], float]) -> list[tuple[str, str]]:
    return longest_first(SERIES_ORDER, analysis=lambda run: run[1],
                         cost=lambda run: costs.get(run))


def test_longest_first_known_costs_start_longest_first():
    costs = {("2023-24", "cohort"): 5, ("2023-24", "discharge"): 40,
             ("2023-24", "crisis"): 300, ("2024-25", "cohort"): 6,
             ("2024-25", "discharge"): 41, ("2024-25", "crisis"): 310}
    assert order(costs) == [("2024-25", "crisis"), ("2023-24", "crisis"),
                            ("2024-25", "discharge"), ("2023-24", "discharge"),
                            ("2024-25", "cohort"), ("2023-24", "cohort")]


def test_longest_first_no_record_takes_the_same_analysis_cost_of_another_edition():
    # a new edition: no record of its own, so it takes its analysis' cost elsewhere
    costs = {("2023-24", "cohort"): 5, ("2023-24", "discharge"): 40,
             ("2023-24", "crisis"): 300}
    assert order(costs)[:2] == [("2023-24", "crisis"), ("2024-25", "crisis")]
    assert order(costs)[-2:] == [("2023-24", "cohort"), ("2024-25", "cohort")]


def test_longest_first_cold_build_groups_both_editions_of_a_report():
    # nothing recorded: analysis by analysis, so the last report's two runs go to two
    # workers at once instead of one edition's copy running alone at the end
    assert order({}) == [("2023-24", "cohort"), ("2024-25", "cohort"),
                         ("2023-24", "discharge"), ("2024-25", "discharge"),
                         ("2023-24", "crisis"), ("2024-25", "crisis")]


def test_longest_first_unknown_runs_start_before_estimated_ones():
    costs = {("2023-24", "cohort"): 5, ("2024-25", "cohort"): 5,
             ("2023-24", "discharge"): 40, ("2024-25", "discharge"): 40}
    assert order(costs)[:2] == [("2023-24", "crisis"), ("2024-25", "crisis")]


def test_longest_first_keeps_every_run_once():
    costs = {("2024-25", "discharge"): 1.0}
    assert sorted(order(costs)) == sorted(SERIES_ORDER)


def test_recorded_cost_prefers_cpu_then_wall_and_refuses_nonsense():
    assert recorded_cost({"seconds": 9.0, "cpu_seconds": 4.0}) == 4.0
    assert recorded_cost({"seconds": 9.0}) == 9.0
    assert recorded_cost({"seconds": -1, "cpu_seconds": "x"}) is None
    assert recorded_cost(None) is None


def test_process_cpu_seconds_grows_with_work_and_is_none_for_no_process():
    before = process_cpu_seconds(os.getpid())
    end = time.process_time() + 0.3
    while time.process_time() < end:
        pass
    after = process_cpu_seconds(os.getpid())
    assert before is not None and after is not None
    assert after - before >= 0.2
    assert process_cpu_seconds(2**22 + 12345) is None


@pytest.mark.slow  # executes notebooks with papermill
def test_runner_warm_run_records_kernel_cpu_and_two_workers_run_all(tmp_path):
    specs = [make_spec(tmp_path / str(i), "ok.ipynb", scale=i) for i in range(3)]
    first = execute_runs(specs, jobs=2, kernels="warm")
    assert [o.status for o in first] == ["ran"] * 3
    assert all(o.record["cpu_seconds"] >= 0 for o in first)
    again = execute_runs(specs, jobs=2, kernels="warm", force=True)
    assert [o.spec.run_dir for o in again] == [s.run_dir for s in specs]
    assert all((s.run_dir / "notebook.ipynb").exists() for s in specs)


def test_stage_archive_run_record_loses_cpu_and_wall_seconds(tmp_path, monkeypatch):
    from lifetools.pipeline import build, layout
    from lifetools.pipeline.book import EditionPages

    monkeypatch.setenv("LIFETOOLS_PROJECT_ROOT", str(tmp_path))
    run = layout.RunFolder(tmp_path / "runs" / "crisis_risk")
    run.path.mkdir(parents=True)
    run.notebook.write_text("{}", encoding="utf-8")
    run.record.write_text('{"key": "k", "seconds": 9.5, "cpu_seconds": 4.2, '
                          '"finished_at": "now", "cause": ["forced"]}')
    staged = build._stage_archive(EditionPages(None, {"crisis_risk": run.path}, {}),
                                  tmp_path / "stage")
    record = layout.RunFolder(staged.runs["crisis_risk"]).record.read_text()
    assert '"key": "k"' in record.replace("\n", " ").replace("  ", " ")
    assert "cpu_seconds" not in record and "seconds" not in record
