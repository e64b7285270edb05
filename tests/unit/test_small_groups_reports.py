"""Every report on a small extract's localities: complete, each withheld value with a reason.

A 600-person extract (a few dozen people in a locality's cohort, none in some) made most
reports raise for most localities (wave 50: numpy, pandas, lifelines and statsmodels
errors on empty or degenerate groups): a user rerunning an analysis with ``locality:``
on a real trust's small subgroup got a failed build. Each root cause has its fast test
in ``tests/unit/test_small_groups.py``; this runs the reports end to end. The crisis-risk
report (no locality: its whole 20-person cohorts here) is not among them yet: its
imputation, HoNOS and one-copy guards are tested there (``pooled_cif_interval`` of one
fit over several copies, wave 51), but with 2 imputed copies it stops next on a risk
whose interval is degenerate (``crisis_parts.risk_text``, refused by the release rules),
and its lasso's bootstrap on 20-person samples costs about a minute of CPU.
"""

from __future__ import annotations

import dataclasses
import inspect
import warnings

import pytest
from page_words import leaks

# (e) generates a synthetic dataset and (f) runs every report eight times over, about
# a minute of CPU; test_small_groups.py keeps a fast test of each guarded function
pytestmark = pytest.mark.slow

PERIOD = {"period_start": "2023-04-01", "period_end": "2024-03-31"}


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    from lifetools.loading import load_dataset
    from lifetools.synthetic import write_synthetic

    folder = tmp_path_factory.mktemp("small") / "data"
    write_synthetic(folder, people=600, seed=11)
    return load_dataset(folder)


def _calls():
    from lifetools import reports
    from lifetools.describe import describe_population

    return {"describe_population": describe_population,
            **{n: getattr(reports, n) for n in dir(reports) if n.startswith("analyse_")}}


def _unexplained(value, path: str = "report") -> list[str]:
    """Results in ``value`` (nested dataclasses) not estimable with no reason."""
    out = []
    if getattr(value, "estimable", True) is False and not str(
            getattr(value, "reason", "") or "").strip():
        out.append(path)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        for field in dataclasses.fields(value):
            out += _unexplained(getattr(value, field.name), f"{path}.{field.name}")
    return out


@pytest.mark.parametrize("name", ["describe_population", "analyse_discharge",
                                  "analyse_rereferral", "analyse_emergency_care",
                                  "analyse_wellbeing", "analyse_reach"])
def test_every_report_completes_on_every_small_locality(small, name):
    call = _calls()[name]
    assert "locality" in inspect.signature(call).parameters
    localities = sorted(small.deprivation["locality"].dropna().unique())
    assert len(localities) > 1
    for locality in localities:
        kw = {**PERIOD, "locality": locality}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the libraries' warnings on tiny fits
            report = call(small, **kw)
        assert not _unexplained(report), (locality, _unexplained(report))
        for result in report.key_results:
            text = str(result.get("text") or "")
            if result.get("value") is None:  # withheld or a sentence: its words say why
                assert text.strip(), (locality, result["name"])
            assert not leaks(text), (locality, result["name"], text)
