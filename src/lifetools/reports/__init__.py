"""Report assemblies: one function per report, combining cohorts, models and tables.

Each returns a frozen object whose attributes a thin notebook shows one by one.
"""

from __future__ import annotations

from lifetools.reports.discharge import DischargeReport, analyse_discharge
from lifetools.reports.emergency import (
    EmergencyReport,
    analyse_emergency_care,
    rate_table,
)
from lifetools.reports.prediction import CrisisRiskReport, analyse_crisis_risk
from lifetools.reports.reach import ReachReport, analyse_reach, protected_shares
from lifetools.reports.rereferral import ReReferralReport, analyse_rereferral
from lifetools.reports.wellbeing import WellbeingReport, analyse_wellbeing

__all__ = ["DischargeReport", "EmergencyReport", "ReReferralReport", "WellbeingReport",
           "analyse_discharge", "analyse_emergency_care", "analyse_rereferral",
           "analyse_wellbeing", "rate_table", "ReachReport", "analyse_reach",
           "protected_shares", "CrisisRiskReport", "analyse_crisis_risk"]
