"""A throwaway PostgreSQL cluster for tests: Debian's `postgresql` package (installed by
`make test`, see scripts/ensure-postgresql), a data folder in a temp directory, a free port on
127.0.0.1, trust authentication, removed at the end.

PostgreSQL refuses to run as root, so as root the server runs as the `postgres` user the
package creates. (pytest-postgresql starts clusters the same way but has no such switch.)
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from glob import glob
from pathlib import Path

SERVER_USER = "postgres"
DATABASE_USER = "treatybot"
START_TIMEOUT_SECONDS = 60


def server_binaries() -> Path:
    """The folder holding initdb and pg_ctl; AssertionError saying how to install them."""
    found = sorted(glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(Path(p).parts[4]))
    on_path = shutil.which("pg_ctl")
    if found:
        return Path(found[-1]).parent
    if on_path:
        return Path(on_path).parent
    raise AssertionError("PostgreSQL is not installed: run `make test` (it installs Debian's postgresql)")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Cluster:
    def __init__(self) -> None:
        self.bin = server_binaries()
        self.folder = Path(tempfile.mkdtemp(prefix="treatybot-pg-"))
        self.data = self.folder / "data"
        self.port = free_port()
        self.url = f"postgresql://{DATABASE_USER}@127.0.0.1:{self.port}/postgres"
        if os.geteuid() == 0:
            shutil.chown(self.folder, SERVER_USER, SERVER_USER)
        self._run("initdb", "-D", str(self.data), "-U", DATABASE_USER, "--auth=trust", "-E", "UTF8")

    def start(self) -> Cluster:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        log = str(self.folder / "server.log")
        self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-o",
            options,
            "-l",
            log,
            "-w",
            "-t",
            str(START_TIMEOUT_SECONDS),
            "start",
        )
        return self

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop", check=False)

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)

    def _run(self, program: str, *args: str, check: bool = True) -> None:
        command = [str(self.bin / program), *args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", SERVER_USER, "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, cwd=self.folder, check=False)
        if check and done.returncode:
            raise RuntimeError(f"{program} failed ({done.returncode}): {done.stderr or done.stdout}")
