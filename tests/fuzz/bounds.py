"""How long the fuzzers run: bounded, and the same examples on every run."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

# A deeper run, before a release or after a change to forms, multiplies every budget:
# INTRAPRENEUR_FUZZ_SCALE=20 pytest tests/fuzz
SCALE = int(os.environ.get("INTRAPRENEUR_FUZZ_SCALE", "1"))


def bounded(max_examples: int) -> settings:
    """Few examples, drawn the same way on every run so that CI reproduces a failure; no
    deadline per example (a shared machine is slow at times, and speed is not the point)."""
    return settings(
        max_examples=max_examples * SCALE,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.filter_too_much,
            HealthCheck.data_too_large,
        ],
    )
