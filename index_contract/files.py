"""File helpers the index folder, the query encoder and the build share: hashing a file, putting
a finished folder in place of the old one, the versions of the packages that made something."""

from __future__ import annotations

import hashlib
import os
import platform
import shutil
import tempfile
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path

HASH_CHUNK_BYTES = 1 << 20


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as data:
        while chunk := data.read(HASH_CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()


def swap_into_place(staging: Path, target: Path, retired_tag: str = "old") -> None:
    """Rename the finished folder `staging` to `target`; the folder it replaces is renamed aside
    first (`.NAME.{retired_tag}-…`) and deleted after, or put back if the rename fails."""
    retired = None
    if target.exists():
        retired = Path(tempfile.mkdtemp(prefix=f".{target.name}.{retired_tag}-", dir=target.parent))
        retired.rmdir()
        os.rename(target, retired)
    try:
        os.rename(staging, target)
    except OSError:
        if retired is not None:
            os.rename(retired, target)  # put the old folder back
        raise
    if retired is not None:
        shutil.rmtree(retired, ignore_errors=True)


def package_versions(names: Iterable[str]) -> dict[str, str]:
    """Python's version and each installed package's ("not installed" for the others)."""
    versions = {"python": platform.python_version()}
    for name in names:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions
