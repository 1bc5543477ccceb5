"""Imports every domain's background tasks so that the job registry is complete.

A new task module is added here, as a new model module is added to ``models.py``.
"""

from intrapreneur.core import tasks as core_tasks
from intrapreneur.culture import tasks as culture_tasks
from intrapreneur.experiments import tasks as experiments_tasks
from intrapreneur.experiments.library import tasks as library_tasks
from intrapreneur.experiments.portfolio import tasks as portfolio_tasks
from intrapreneur.identity import tasks as identity_tasks
from intrapreneur.learning import tasks as learning_tasks
from intrapreneur.privacy import export_task as privacy_export_task
from intrapreneur.privacy import tasks as privacy_tasks

__all__ = [
    "core_tasks",
    "culture_tasks",
    "experiments_tasks",
    "identity_tasks",
    "learning_tasks",
    "library_tasks",
    "portfolio_tasks",
    "privacy_export_task",
    "privacy_tasks",
]
