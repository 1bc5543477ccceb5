"""Servers of the tests' own on free loopback ports: a PostgreSQL cluster, a Redis and a slapd.

The fault tests break theirs; the suite starts a Redis and a PostgreSQL of this kind for the
tests that need one when no server is configured (tests/services.py).
"""

from __future__ import annotations

import glob
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from intrapreneur.identity.local_directory import LocalDirectoryServer

START_SECONDS = 60  # a deadline, generous for a loaded machine


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _postgres_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=_version_key)
    return Path(found[-1]).parent if found else None


def _version_key(path: str) -> int:
    return int(path.split("/")[4]) if path.split("/")[4].isdigit() else 0


POSTGRES_BIN = _postgres_bin()
POSTGRES_MISSING = (
    "PostgreSQL's server programs are not installed (/usr/lib/postgresql/*/bin;"
    " `make install` installs them)"
)


class ThrowawayPostgres:
    """A cluster made with initdb in ``directory``, trusting local connections.

    PostgreSQL refuses to run as root; as root (CI) the cluster runs as the ``postgres``
    user, who must own its directory.
    """

    def __init__(self, directory: Path) -> None:
        assert POSTGRES_BIN is not None
        self.port = free_port()
        self.data = directory / "data"
        self.sockets = directory / "sockets"
        self.log = directory / "postgres.log"
        self._as_postgres = os.geteuid() == 0
        self.sockets.mkdir(parents=True)
        if self._as_postgres:
            shutil.chown(directory, "postgres")
            shutil.chown(self.sockets, "postgres")
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync")

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def start(self) -> None:
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.sockets} -c fsync=off"
        self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-l",
            str(self.log),
            "-o",
            options,
            "-w",
            "-t",
            str(START_SECONDS),
            "start",
        )

    def stop(self, *, missing_ok: bool = False) -> None:
        """Stop at once: connections are cut, open transactions roll back."""
        if missing_ok and not (self.data / "postmaster.pid").exists():
            return
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def _run(self, program: str, *arguments: str) -> None:
        command = [str(POSTGRES_BIN / program), *arguments]
        if self._as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=START_SECONDS)


@contextmanager
def throwaway_postgres() -> Iterator[ThrowawayPostgres]:
    """A cluster started in a new temporary folder; stopped and removed afterwards."""
    # Not pytest's tmp_path: its folders are private to the test's user, and as root the
    # cluster runs as the postgres user, who must reach its directory.
    directory = Path(tempfile.mkdtemp(prefix="intrapreneur-pg-"))
    try:
        server = ThrowawayPostgres(directory)
        server.start()
        try:
            yield server
        finally:
            server.stop(missing_ok=True)
    finally:
        shutil.rmtree(directory, ignore_errors=True)


REDIS_SERVER = shutil.which("redis-server")
REDIS_MISSING = "redis-server is not installed (`make install` installs it)"


class ThrowawayRedis:
    """A Redis on a free port that keeps nothing on disk."""

    def __init__(self) -> None:
        assert REDIS_SERVER is not None
        self.port = free_port()
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        command = [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1"]
        command += ["--save", "", "--appendonly", "no"]
        self._process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"redis-server did not listen on {self.port}")

    def stop(self) -> None:
        if self._process is not None:
            self._process.kill()
            self._process.wait()
            self._process = None


@contextmanager
def throwaway_redis() -> Iterator[ThrowawayRedis]:
    """A Redis started on a free port; stopped afterwards."""
    server = ThrowawayRedis()
    server.start()
    try:
        yield server
    finally:
        server.stop()


def _all_threads_stopped(pid: int) -> bool:
    """True when every thread of ``pid`` is in the stopped state ("T" in /proc)."""
    for stat in Path(f"/proc/{pid}/task").glob("*/stat"):
        try:
            line = stat.read_text()
        except FileNotFoundError:  # a thread that ended meanwhile cannot answer either
            continue
        # The state follows the command name, which is in parentheses and may hold spaces.
        if line.rsplit(")", 1)[1].split()[0] != "T":
            return False
    return True


class BreakableDirectory(LocalDirectoryServer):
    """A slapd of the test's own that can be stopped (connections refused) or frozen with
    SIGSTOP (the kernel still accepts connections, but nothing ever answers), then brought
    back with its data."""

    def go_down(self) -> None:
        self.terminate()
        self.wait()

    def go_silent(self) -> None:
        """Freeze slapd, and return only once every one of its threads has stopped.

        kill() returns when the signal is queued: the kernel wakes one thread, which stops
        the others only when it is next scheduled. On a busy machine slapd's listener could
        still answer a request in that gap (seen in CI), so wait for the stop itself."""
        os.kill(self._proc.pid, signal.SIGSTOP)
        deadline = time.monotonic() + START_SECONDS
        while not _all_threads_stopped(self._proc.pid):
            if time.monotonic() > deadline:
                raise TimeoutError(f"slapd {self._proc.pid} did not stop")
            time.sleep(0.005)

    def come_back(self) -> None:
        if self._proc is None:
            self.resume()
        else:
            os.kill(self._proc.pid, signal.SIGCONT)

    def stop(self) -> None:
        if self._proc is not None:
            os.kill(self._proc.pid, signal.SIGCONT)  # a frozen process never sees SIGTERM
        super().stop()
