"""Offline network views (one self-contained HTML file each) and the case report.

Library first: the CLI's ``investigate`` calls these. Every view loads nothing from the
network, shows extract text only as text, and gives the same bytes for the same input.
"""

from finflow.views.case_views import (
    DEFAULT_NODE_BUDGET,
    finding_view,
    overview_view,
    subject_view,
)
from finflow.views.page import ViewStats
from finflow.views.trail import trail_view

__all__ = [
    "DEFAULT_NODE_BUDGET",
    "ViewStats",
    "finding_view",
    "overview_view",
    "subject_view",
    "trail_view",
]
