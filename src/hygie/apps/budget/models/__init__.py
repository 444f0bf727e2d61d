"""Budget and funding models.

IT budgets per establishment and year, IT projects and their lines against the 5-10 %
cybersecurity rule, funding programmes, applications and their milestones.
"""

from hygie.apps.budget.models.budgets import (
    BAND_HIGH,
    BAND_LOW,
    HOSPITAL_IT_SHARE,
    BudgetLine,
    BudgetYear,
    ItProject,
    ProjectStatus,
    SharePosition,
    percent,
    position_of,
    share_position,
)
from hygie.apps.budget.models.funding import (
    MILESTONE_ORDER,
    ApplicationMilestone,
    FundingApplication,
    FundingProgramme,
    MilestoneKind,
)

__all__ = [
    "BAND_HIGH",
    "BAND_LOW",
    "HOSPITAL_IT_SHARE",
    "MILESTONE_ORDER",
    "ApplicationMilestone",
    "BudgetLine",
    "BudgetYear",
    "FundingApplication",
    "FundingProgramme",
    "ItProject",
    "MilestoneKind",
    "ProjectStatus",
    "SharePosition",
    "percent",
    "position_of",
    "share_position",
]
