"""No analysis notebook writes to stderr on the one-edition small build.

A warning a notebook prints is taken out of the published notebook into the build's
log (``lifetools.pipeline.runner.stderr_log``), where nobody reads it: a statistical
condition (too small a sample, a fit without a maximum) belongs in the result's
``warnings`` and on the page, and a numerical one is a bug to fix. Two were found on
3,000 people: scipy's ``SmallSampleWarning`` in the wellbeing report (no pairs) and
numpy's "overflow encountered in exp" in the crisis-risk bootstrap.
"""

from __future__ import annotations

import pytest
from project_copy import ProjectRoot

pytestmark = pytest.mark.slow


def test_small_build_no_analysis_notebook_writes_to_stderr(small_build):
    from lifetools.pipeline.runner import stderr_log

    outcomes = small_build["summary"].outcomes
    assert outcomes and all(o.status == "ran" for o in outcomes), [
        (o.spec.label, o.status) for o in outcomes]
    with ProjectRoot(small_build["root"]):
        logs = {o.spec.label: stderr_log(o.spec) for o in outcomes}
    assert all(path.is_file() for path in logs.values()), logs
    written = {label: path.read_text()[:2000] for label, path in logs.items()
               if path.read_text()}
    assert not written, written
