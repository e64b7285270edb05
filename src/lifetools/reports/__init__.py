"""Report assemblies: one function per report, combining cohorts, models and tables.

Each returns a frozen object whose attributes a thin notebook shows one by one.
"""

from __future__ import annotations

from lifetools.reports.discharge import (
    DischargeReport,
    ReReferralReport,
    analyse_discharge,
    analyse_rereferral,
)

__all__ = ["DischargeReport", "ReReferralReport", "analyse_discharge",
           "analyse_rereferral"]
