"""The job settings: queue name, retry delays and the nightly sync hour."""

from __future__ import annotations

from pathlib import Path

import pytest

from intrapreneur import settings
from intrapreneur.settings import ConfigError


def _config(tmp_path: Path, **variables: str) -> dict[str, object]:
    environment = {f"INTRAPRENEUR_{k}": v for k, v in {"ENV": "development", **variables}.items()}
    return settings.load(environment, instance_path=tmp_path).flask_config()


def test_defaults_retry_three_times_with_growing_pauses(tmp_path: Path) -> None:
    config = _config(tmp_path)
    assert config["JOBS_QUEUE"] == "intrapreneur"
    assert config["JOB_RETRY_DELAYS"] == (30, 120, 600)
    assert config["DIRECTORY_SYNC_HOUR"] == 2
    assert config["JOBS_IN_PROCESS"] == "thread"


def test_the_settings_are_read(tmp_path: Path) -> None:
    config = _config(
        tmp_path, JOBS_QUEUE="acme-prod", JOB_RETRY_DELAYS="5, 50", DIRECTORY_SYNC_HOUR="23"
    )
    assert (config["JOBS_QUEUE"], config["JOB_RETRY_DELAYS"]) == ("acme-prod", (5, 50))
    assert config["DIRECTORY_SYNC_HOUR"] == 23
    assert _config(tmp_path, JOB_RETRY_DELAYS="none")["JOB_RETRY_DELAYS"] == ()


def test_the_test_suite_runs_jobs_in_the_committing_thread(tmp_path: Path) -> None:
    assert _config(tmp_path, ENV="test")["JOBS_IN_PROCESS"] == "inline"


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("JOBS_QUEUE", "acme prod", "JOBS_QUEUE must be 1 to 60 letters"),
        ("JOB_RETRY_DELAYS", "30,soon", "JOB_RETRY_DELAYS must be up to 10 whole numbers"),
        ("JOB_RETRY_DELAYS", "-5", "JOB_RETRY_DELAYS must be up to 10 whole numbers"),
        ("DIRECTORY_SYNC_HOUR", "24", "DIRECTORY_SYNC_HOUR must be an hour from 0 to 23"),
        ("DIRECTORY_SYNC_HOUR", "2am", "DIRECTORY_SYNC_HOUR must be an hour from 0 to 23"),
    ],
)
def test_bad_values_are_refused_in_one_line(
    tmp_path: Path, name: str, value: str, message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        _config(tmp_path, **{name: value})
