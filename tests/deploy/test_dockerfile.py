"""What can be checked of the container image without building it (no registry here).

A small Dockerfile reader: instructions (with line continuations) grouped by stage.
"""

from __future__ import annotations

import fnmatch
import json
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
COMPILERS_AND_HEADERS = re.compile(r"^(gcc|g\+\+|clang|make|build-essential|.*-dev)$")


@dataclass
class Stage:
    name: str
    instructions: list[tuple[str, str]] = field(default_factory=list)

    def all(self, keyword: str) -> list[str]:
        return [argument for name, argument in self.instructions if name == keyword]

    def last(self, keyword: str) -> str:
        found = self.all(keyword)
        assert found, f"stage {self.name} has no {keyword}"
        return found[-1]

    def apt_packages(self) -> set[str]:
        packages: set[str] = set()
        for command in self.all("RUN"):
            for part in command.split("&&"):
                words = shlex.split(part)
                if words[:2] == ["apt-get", "install"]:
                    packages |= {word for word in words[2:] if not word.startswith("-")}
        return packages


def _instructions(text: str) -> list[tuple[str, str]]:
    joined = re.sub(r"\\\n", " ", text)
    lines = [line.strip() for line in joined.splitlines()]
    found = []
    for line in lines:
        if line and not line.startswith("#"):
            keyword, _, argument = line.partition(" ")
            found.append((keyword.upper(), argument.strip()))
    return found


def _stages() -> list[Stage]:
    stages: list[Stage] = []
    for keyword, argument in _instructions((REPO / "Dockerfile").read_text()):
        if keyword == "FROM":
            words = argument.split()
            stages.append(Stage(words[2] if len(words) == 3 else str(len(stages))))
        elif stages:
            stages[-1].instructions.append((keyword, argument))
    return stages


def _dockerignore() -> list[str]:
    lines = (REPO / ".dockerignore").read_text().splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def _ignored(path: str) -> bool:
    """Docker drops a path when a pattern matches it or one of its parent folders."""
    parts = Path(path).parts
    prefixes = ["/".join(parts[: end + 1]) for end in range(len(parts))]
    return any(
        fnmatch.fnmatch(prefix, pattern) or fnmatch.fnmatch(prefix, pattern.removeprefix("**/"))
        for prefix in prefixes
        for pattern in _dockerignore()
    )


def _copy_sources(argument: str) -> tuple[list[str], list[str], str]:
    """(options, sources, destination) of a COPY instruction."""
    words = shlex.split(argument)
    options = [word for word in words if word.startswith("--")]
    paths = [word for word in words if not word.startswith("--")]
    return options, paths[:-1], paths[-1]


def test_the_image_has_a_build_stage_and_a_final_stage() -> None:
    assert [stage.name for stage in _stages()] == ["build", "runtime"]


@pytest.mark.parametrize("stage", _stages(), ids=lambda stage: stage.name)
def test_every_copied_file_is_in_the_repository_and_the_build_context(stage: Stage) -> None:
    earlier = [each.name for each in _stages()][: _stages().index(stage)]
    for argument in stage.all("COPY"):
        options, sources, _ = _copy_sources(argument)
        if any(option.startswith("--from=") for option in options):
            assert options[0].removeprefix("--from=") in earlier, argument
            continue
        for source in sources:
            assert (REPO / source).exists(), f"COPY {source}: not in the repository"
            assert not _ignored(source), f"COPY {source}: excluded by .dockerignore"


def test_the_final_stage_runs_as_a_fixed_non_root_uid() -> None:
    user = _stages()[-1].last("USER")
    uid, _, gid = user.partition(":")
    # Numeric, so Kubernetes' runAsNonRoot can check it without reading /etc/passwd.
    assert uid.isdigit()
    assert int(uid) != 0
    assert not gid or (gid.isdigit() and int(gid) != 0)


def test_the_final_stage_has_no_compiler_or_headers() -> None:
    build, runtime = _stages()
    assert {"gcc", "libldap2-dev", "libsasl2-dev"} <= build.apt_packages()
    assert {"libldap-2.5-0", "libsasl2-2"} <= runtime.apt_packages()
    assert not {p for p in runtime.apt_packages() if COMPILERS_AND_HEADERS.match(p)}


def test_the_final_stage_checks_its_health_and_serves() -> None:
    runtime = _stages()[-1]
    healthcheck = runtime.last("HEALTHCHECK")
    command = json.loads(healthcheck.partition("CMD ")[2])
    assert command[:2] == ["python", "-c"]
    assert "/healthz" in command[2]
    compile(command[2], "HEALTHCHECK", "exec")
    assert json.loads(runtime.last("ENTRYPOINT")) == ["intrapreneur"]
    assert json.loads(runtime.last("CMD")) == ["serve"]
    assert runtime.last("EXPOSE") == "8000"


def test_the_gunicorn_config_named_in_the_image_is_copied_into_it() -> None:
    runtime = _stages()[-1]
    environment = " ".join(runtime.all("ENV"))
    named = re.search(r"INTRAPRENEUR_GUNICORN_CONFIG=(\S+)", environment)
    assert named is not None
    destinations = {_copy_sources(argument)[2] for argument in runtime.all("COPY")}
    assert named.group(1) in destinations


@pytest.mark.parametrize(
    "path",
    [
        ".venv",
        "instance",
        ".git",
        ".pytest_cache",
        ".ruff_cache",
        ".hypothesis",
        "tests",
        "intrapreneur/__pycache__",
        "intrapreneur/core/__pycache__/x.pyc",
    ],
)
def test_dockerignore_keeps_local_state_out_of_the_build_context(path: str) -> None:
    assert _ignored(path)


@pytest.mark.parametrize(
    "path", ["intrapreneur/wsgi.py", "config/gunicorn.conf.py", "pyproject.toml"]
)
def test_dockerignore_keeps_what_the_build_needs(path: str) -> None:
    assert not _ignored(path)
