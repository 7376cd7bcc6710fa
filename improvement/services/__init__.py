"""Use cases of the improvement-action register (each write commits once)."""

from __future__ import annotations

from improvement.errors import ImprovementError
from improvement.services.actions import (
    WHICH,
    Which,
    close_action,
    decide_action,
    get_action,
    list_actions,
    member_summary,
    owner_choices,
)
from improvement.services.board import board_counts
from improvement.services.export import export_table
from improvement.services.reminders import remind_overdue
from improvement.services.triggers import open_actions

__all__ = [
    "WHICH",
    "ImprovementError",
    "Which",
    "board_counts",
    "close_action",
    "decide_action",
    "export_table",
    "get_action",
    "list_actions",
    "member_summary",
    "open_actions",
    "owner_choices",
    "remind_overdue",
]
