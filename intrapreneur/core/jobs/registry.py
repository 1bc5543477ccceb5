"""The task registry: every job names a task registered here with ``@task("name")``.

Tasks register in their domain's ``tasks.py``; ``intrapreneur/tasks.py`` imports them all, as
``intrapreneur/models.py`` does for models.
"""

from __future__ import annotations

from collections.abc import Callable

Task = Callable[..., str | None]
_TASKS: dict[str, Task] = {}


class UnknownTask(ValueError):
    def __init__(self, name: str) -> None:
        known = ", ".join(sorted(_TASKS)) or "none"
        super().__init__(f"no task is called {name!r} (known: {known})")


class JobRefused(Exception):
    """Raised by a task that cannot succeed by trying again: the job fails at once, and the
    message (written for an admin) is shown as it is."""


def task(name: str) -> Callable[[Task], Task]:
    """Register ``function(job, **arguments) -> summary`` as the task ``name``.

    ``job`` is a ``RunningJob`` (progress reports); the summary is a short line shown to
    admins. The function may be run more than once for one job (retries), so it must be
    idempotent; it flushes and never commits: the runner commits once, with the status.
    """

    def register(function: Task) -> Task:
        if _TASKS.get(name, function) is not function:
            raise ValueError(f"two functions are registered as the task {name!r}")
        _TASKS[name] = function
        return function

    return register


def task_names() -> list[str]:
    return sorted(_TASKS)


def registered(name: str) -> Task | None:
    """The function registered as ``name``, or None when no task has that name."""
    return _TASKS.get(name)
