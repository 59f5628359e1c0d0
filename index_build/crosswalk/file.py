"""The crosswalk file `corpus/crosswalk.yaml`: UNCC → Budapest pairs and rejected proposals.

Read and checked against the parsed texts (every article number and title must match), and
written back by the proposer. A pair whose basis starts with "reviewed:" was added or
confirmed by a person; `rejected` lists proposals a person ruled out. Both survive regeneration.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

import yaml

from index_build.sources import CorpusError
from index_build.treaty import TreatyText
from index_contract.safe_yaml import load_yaml, short_repr
from index_contract.schema import FROM, TO, Pair

CROSSWALK_FILE = "crosswalk.yaml"
HEADER = """\
# UNCC -> Budapest Convention (ETS 185) crosswalk: counterpart articles and how each pair was
# established. Proposed from the two texts by `python -m index_build.crosswalk --write` (see
# index_build/crosswalk/propose.py): same title, or title and content similarity of articles in
# the same part of both treaties. A basis starting with "reviewed:" marks a pair added or confirmed
# by a person; `rejected` lists proposals a person ruled out. Both survive regeneration.
# The build checks every article number and title against the texts.
"""


@dataclass(frozen=True)
class Rejection:
    uncc: int
    budapest: int
    reason: str


@dataclass(frozen=True)
class Crosswalk:
    pairs: tuple[Pair, ...]
    rejected: tuple[Rejection, ...] = ()

    def to_yaml(self) -> str:
        data = {
            "pairs": [asdict(p) for p in self.pairs],
            "rejected": [asdict(r) for r in self.rejected],
        }
        return HEADER + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


def read_crosswalk(path: Path, treaties: dict[str, TreatyText]) -> Crosswalk:
    """The crosswalk file, checked against the parsed texts; CorpusError says what is wrong."""
    try:
        data = load_yaml(Path(path).read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise CorpusError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("pairs", []), list):
        raise CorpusError(f"{path}: expected a mapping with a 'pairs' list")
    pairs = tuple(_pair(path, n, entry, treaties) for n, entry in enumerate(data.get("pairs") or [], 1))
    seen: set[tuple[int, int]] = set()
    for pair in pairs:
        if (pair.uncc, pair.budapest) in seen:
            raise CorpusError(
                f"{path}: UNCC Art. {pair.uncc} ↔ Budapest Art. {pair.budapest} is listed twice"
            )
        seen.add((pair.uncc, pair.budapest))
    rejected = tuple(
        Rejection(int(r["uncc"]), int(r["budapest"]), str(r.get("reason", "")))
        for r in data.get("rejected") or []
    )
    return Crosswalk(pairs, rejected)


def _pair(path: Path, number: int, entry: object, treaties: dict[str, TreatyText]) -> Pair:
    where = f"{path}: pair {number}"
    fields = ("uncc", "uncc_title", "budapest", "budapest_title", "basis")
    if not isinstance(entry, dict) or any(entry.get(f) in (None, "") for f in fields):
        raise CorpusError(f"{where}: needs {', '.join(fields)}")
    for doc in (FROM, TO):
        treaty = treaties.get(doc)
        if treaty is None:
            raise CorpusError(f"{where}: the corpus has no treaty '{doc}'")
        try:
            article = treaty.articles[int(entry[doc])]
        except (KeyError, ValueError):
            raise CorpusError(
                f"{where}: {treaty.source.name} has no Article {short_repr(entry[doc])} "
                f"(it has Articles 1 to {max(treaty.articles)})"
            ) from None
        if " ".join(str(entry[f"{doc}_title"]).split()) != article.title:
            raise CorpusError(
                f"{where}: {treaty.source.name} Art. {article.number} is titled "
                f"'{article.title}', not '{entry[f'{doc}_title']}'. Fix the entry or regenerate "
                "with: python -m index_build.crosswalk --write"
            )
    return Pair(
        int(entry[FROM]),
        str(entry["uncc_title"]),
        int(entry[TO]),
        str(entry["budapest_title"]),
        str(entry["basis"]),
    )
