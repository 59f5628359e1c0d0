"""Whether a built index is up to date: its manifest's input hashes against the files now, its
model against the configured one, its build-code fingerprint against the code installed.

Nothing here imports the build pipeline: the stale-index warning on every question reads the
manifest, hashes the input files it names (and lists the folders it watches for new ones) and
hashes the build package's source files where they lie.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from importlib.util import find_spec
from pathlib import Path

from index_contract.files import sha256_file
from index_contract.folder import IndexUnavailable, read_manifest, verify_index
from index_contract.schema import Manifest

BUILD_PACKAGE = "index_build"
# Parts of the build package that make corpus files but are never run by the build: the files
# they write are inputs (hashed), so changing their code does not make an index stale.
NOT_BUILD_CODE = ("corpus_tools", "pdf_import")
CORPUS, PROJECT = "corpus", "project"  # the roots an input's display name starts with


@dataclass(frozen=True)
class Freshness:
    up_to_date: bool
    reasons: list[str] = field(default_factory=list)


def build_code_dir() -> Path | None:
    """Where the build package's source lies (found, not imported); None if not installed."""
    spec = find_spec(BUILD_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def code_fingerprint(code_dir: Path | None = None) -> str:
    """sha256 over the build code (by default as installed): an index built by other code is stale."""
    code_dir = code_dir or build_code_dir()
    if code_dir is None:
        return ""
    digest = hashlib.sha256()
    for path in sorted(code_dir.rglob("*.py")):
        relative = path.relative_to(code_dir)
        if relative.parts[0] in NOT_BUILD_CODE:
            continue
        digest.update(relative.as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def input_name(root: str, relative: str) -> str:
    """The display name of an input file: 'corpus:analysis/x.md', 'project:corpus/glossary.yaml'."""
    return f"{root}:{relative}"


def resolve_input(name: str, roots: dict[str, Path]) -> Path | None:
    root, _, relative = name.partition(":")
    return roots[root] / relative if root in roots else None


def current_inputs(manifest: Manifest, roots: dict[str, Path]) -> dict[str, Path]:
    """The input files now: those the index was built from, and every file that now matches a
    pattern the build watched (a new analysis file, an optional text that appeared)."""
    found = {name: path for name in manifest.files if (path := resolve_input(name, roots)) and path.is_file()}
    for pattern in manifest.watched:
        root, _, glob = pattern.partition(":")
        if root not in roots:
            continue
        for path in roots[root].glob(glob):
            if path.is_file():
                found[input_name(root, path.relative_to(roots[root]).as_posix())] = path
    return found


def check_freshness(manifest: Manifest, corpus_root: Path, model_name: str) -> Freshness:
    """Compare an index's manifest with the input files under `corpus_root` and the project's data
    folder it recorded, the configured model and the build code."""
    roots = {CORPUS: Path(corpus_root).expanduser().resolve(), PROJECT: Path(manifest.project_root)}
    built, current = manifest.files, current_inputs(manifest, roots)
    reasons = []
    for name in sorted(set(built) | set(current)):
        if name not in built:
            reasons.append(f"new file: {name}")
        elif name not in current:
            reasons.append(f"removed file: {name}")
        elif built[name] != sha256_file(current[name]):
            reasons.append(f"changed file: {name}")
    if manifest.model.name != model_name:
        reasons.append(f"model changed: {manifest.model.name} -> {model_name}")
    if manifest.code != code_fingerprint():
        reasons.append("index_build code changed since the index was built")
    return Freshness(not reasons, reasons)


def check_index(corpus_root: Path, index_dir: Path, model_name: str, *, verify: bool = False) -> Freshness:
    """Compare an index's manifest with the corpus, the build code and the configured model;
    with `verify`, also check the index files themselves (sizes, hashes and counts). Without a
    corpus (a serving machine) only the index files are checked."""
    try:
        manifest = read_manifest(index_dir)
    except IndexUnavailable as exc:
        return Freshness(False, [str(exc)])
    if manifest is None:
        return Freshness(False, [f"no index at {index_dir}"])
    reasons = verify_index(index_dir) if verify else []
    if Path(corpus_root).is_dir():
        reasons += check_freshness(manifest, corpus_root, model_name).reasons
    return Freshness(not reasons, reasons)
