"""Each analysis's report function, called as its notebook calls it (shared by tests).

lifetools is imported inside the functions: this module may be imported before coverage
starts (see ``tests/project_copy.py``).
"""

from __future__ import annotations

from typing import Any

PERIOD = {"period_start": "2024-04-01", "period_end": "2025-03-31"}


def _describe(d: Any, **kw: Any) -> Any:
    from lifetools import describe

    return describe.describe_population(d, **kw)


def _report(name: str):
    def call(d: Any, **kw: Any) -> Any:
        from lifetools import reports

        return getattr(reports, name)(d, **kw)
    return call


CALLS = {
    "cohort_description": lambda d: _describe(d, **PERIOD),
    "time_to_discharge": lambda d: _report("analyse_discharge")(
        d, **PERIOD, team_types=["A06"], landmark_days=90, locality="all"),
    "re_referral": lambda d: _report("analyse_rereferral")(d, **PERIOD),
    "emergency_care": lambda d: _report("analyse_emergency_care")(
        d, **PERIOD, window_days=365, caliper=0.2, locality="all"),
    "wellbeing": lambda d: _report("analyse_wellbeing")(
        d, **PERIOD, meaningful_change=3.0, locality="all"),
    "reach_and_activity": lambda d: _report("analyse_reach")(d, **PERIOD, locality="all"),
    # the test profile's imputed copies (tests/project_copy.py): every sentence and
    # table of the report, a quarter of its CPU at 10 copies
    "crisis_risk": lambda d: _report("analyse_crisis_risk")(
        d, **PERIOD, n_boot=10, internal="boot-mi", imputations=3,
        slope_band=(0.8, 1.2), citl_band=(-0.2, 0.2)),
}


