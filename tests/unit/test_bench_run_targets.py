"""benchmarks/run.py judges issue 16's targets: 1.2x at 150,000 and 1.5x at 30,000
people, no-op at most 1%, peak memory under 4 GB, growth exponents at most 1.05."""

from __future__ import annotations

import importlib.util
import math
import sys
from pathlib import Path
from types import SimpleNamespace

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


def _run_module():
    """benchmarks/run.py as a module; it puts its folder on ``sys.path`` and imports its
    neighbours (``steps``, ``bench_build``): both undone after, for the worker's other
    tests."""
    path, modules = list(sys.path), set(sys.modules)
    try:
        spec = importlib.util.spec_from_file_location("benchmarks_run",
                                                      BENCHMARKS / "run.py")
        module = importlib.util.module_from_spec(spec)
        sys.path.insert(0, str(BENCHMARKS))
        spec.loader.exec_module(module)
    finally:
        sys.path[:] = path
        for name in set(sys.modules) - modules:
            if getattr(sys.modules[name], "__file__", "") and \
                    Path(sys.modules[name].__file__).parent == BENCHMARKS:
                del sys.modules[name]
    return module


run = _run_module()


def build(people: int, cold: float, floor: float, noop: float = 1.0) -> dict:
    return {"people": people, "cold_s": cold, "floor_s": floor, "runs_s": cold / 2,
            "compute_s": floor / 2, "runs_over_compute": 1.0,
            "cold_over_floor": round(cold / floor, 2),
            "cold_over_compute_and_book": 1.0, "noop_s": noop,
            "noop_over_cold": round(noop / cold, 4)}


def step(name: str, people: int, seconds: float, peak: float | None = None) -> dict:
    return {"step": name, "people": people, "rows": None, "seconds": seconds,
            "peak_rss_mb": peak}


def verdicts(rows, builds) -> dict[str, bool | None]:
    return {t["target"]: t["met"] for t in run.judge(rows, builds, SimpleNamespace())}


def test_cold_build_judged_at_each_sizes_own_target():
    out = verdicts([], [build(150_000, 1.25, 1.0), build(30_000, 1.45, 1.0)])
    assert out["cold build at 150,000 people <= 1.2x (data step + compute floor + book)"] \
        is False
    assert out["cold build at 30,000 people <= 1.5x (data step + compute floor + book)"] \
        is True


def test_noop_target_is_one_percent_of_cold():
    assert verdicts([], [build(150_000, 100.0, 100.0, noop=1.0)])[
        "no-op rebuild <= 1% of cold build (150,000 people)"] is True
    assert verdicts([], [build(150_000, 100.0, 100.0, noop=1.5)])[
        "no-op rebuild <= 1% of cold build (150,000 people)"] is False


def test_memory_target_is_four_gigabytes():
    key = "peak memory at 1,500,000 people < 4 GB"
    assert verdicts([step("load", 1_500_000, 1.0, peak=4000)], [])[key] is True
    assert verdicts([step("load", 1_500_000, 1.0, peak=4200)], [])[key] is False


def test_growth_exponent_from_the_two_sizes_and_judged_at_1_05():
    rows = [step("load", 150_000, 1.0), step("load", 1_500_000, 10 ** 1.04),
            step("cohort", 150_000, 2.0), step("cohort", 1_500_000, 2.0 * 10 ** 1.10),
            step("only small", 150_000, 1.0)]
    exponents = {e["step"]: e["exponent"] for e in run.growth_exponents(rows)}
    assert exponents == {"load": 1.04, "cohort": 1.1}
    target = next(t for t in run.judge(rows, [], SimpleNamespace())
                  if t["target"].startswith("no step's growth exponent"))
    assert target["met"] is False and target["shortfall"] == "cohort 1.1"
    assert math.isclose(run.growth_exponents(rows[:2])[0]["exponent"], 1.04)


def test_a_failed_build_is_judged_failed_and_the_report_still_made():
    """``measure_build`` returns ``{}`` for a build that failed: the report after hours of
    measuring must still be written, the build's target "not measured"."""
    targets = run.judge([], [{}, build(150_000, 1.1, 1.0)], SimpleNamespace())
    failed = [t for t in targets if t["met"] is None and "failed" in t["shortfall"]]
    assert len(failed) == 1
    assert verdicts([], [build(150_000, 1.1, 1.0)])[
        "cold build at 150,000 people <= 1.2x (data step + compute floor + book)"] is True


def _measured(monkeypatch, reports, crisis_boot=None) -> tuple[list[dict], list[dict]]:
    """``measure_size`` at 150,000 and 1,500,000 people with every child faked: the
    report children's CPU 10x at the larger size, the crisis report's 10 ** 1.2 x."""
    calls = []

    def child(step, threads, **kwargs):
        calls.append((step, kwargs))
        if step == "report":
            size = 1_500_000 if "1500000" in kwargs["data_dir"] else 150_000
            grow = 10 ** 1.2 if kwargs["name"] == "analyse_crisis_risk" else 10.0
            return {"seconds": [2.0 * (grow if size == 1_500_000 else 1.0)],
                    "wall": 1.0, "peak_rss_mb": 100.0}
        raise AssertionError(f"only the reports' children are run here, not {step}")

    monkeypatch.setattr(run, "child", child)
    args = SimpleNamespace(threads=1, reports=reports, crisis_boot=crisis_boot)
    rows: list[dict] = []
    for size in (150_000, 1_500_000):
        run.measure_reports(size, Path(f"/tmp/data-{size}"), args, rows)
    return rows, calls


def test_each_report_measured_at_every_size_and_given_a_growth_exponent(monkeypatch):
    """Issue 16 asks for no step above 1.05 between 150,000 and 1,500,000 people: the
    reports' analyses (the crisis report's among them) are steps of the table."""
    rows, calls = _measured(monkeypatch, ["analyse_emergency_care", "analyse_crisis_risk"])
    exponents = {e["step"]: e["exponent"] for e in run.growth_exponents(rows)}
    assert exponents == {"report: analyse_emergency_care (CPU)": 1.0,
                         "report: analyse_crisis_risk (CPU)": 1.2}
    assert [c[1]["name"] for c in calls if c[0] == "report"] == [
        "analyse_emergency_care", "analyse_crisis_risk"] * 2
    assert all(c[1]["n_boot"] is None for c in calls)
    target = next(t for t in run.judge(rows, [], SimpleNamespace())
                  if t["target"].startswith("no step's growth exponent"))
    assert target["met"] is False
    assert target["shortfall"] == "report: analyse_crisis_risk (CPU) 1.2"
    assert {r["peak_rss_mb"] for r in rows} == {100.0}


def test_crisis_bootstrap_samples_named_in_its_step_and_passed_to_its_child(monkeypatch):
    rows, calls = _measured(monkeypatch, ["analyse_crisis_risk", "analyse_reach"],
                            crisis_boot=20)
    assert {r["step"] for r in rows} == {"report: analyse_crisis_risk (CPU, n_boot 20)",
                                         "report: analyse_reach (CPU)"}
    assert {c[1]["name"]: c[1]["n_boot"] for c in calls} == {
        "analyse_crisis_risk": 20, "analyse_reach": None}
    assert run.report_step("analyse_crisis_risk", 200) == "report: analyse_crisis_risk (CPU)"


def test_reports_option():
    assert run.parse_reports("none") == []
    assert run.parse_reports("all")[-1] == "analyse_crisis_risk"
    assert len(run.parse_reports("all")) == 7
    assert run.parse_reports(" analyse_crisis_risk , analyse_reach") == [
        "analyse_crisis_risk", "analyse_reach"]
    try:
        run.parse_reports("analyse_crisis")
    except SystemExit as exc:
        assert "unknown analyse_crisis" in str(exc)
    else:
        raise AssertionError("an unknown report was accepted")
