"""What the index stores about how provisions relate: `links.json`.

- `references`: every cross-reference in the treaty text, with its exact targets;
- `definitions`: every defined term with its exact definition text and citation;
- `uses`: for each treaty passage, the definitions of its own treaty it uses;
- `crosswalk`: the UNCC → Budapest counterpart pairs of `corpus/crosswalk.yaml`.
"""

from __future__ import annotations

from index_build.crossrefs import treaty_references, unresolved
from index_build.crosswalk import CROSSWALK_FILE, FROM, TO, read_crosswalk
from index_build.definitions import definitions_used, extract_definitions
from index_build.passages import Passage
from index_build.sources import Corpus, CorpusError
from index_build.treaty import TreatyText, parse_treaty


def describe_links(corpus: Corpus, passages: list[Passage]) -> dict:
    """The links.json content for a corpus and its passages."""
    treaties = {t.id: parse_treaty(t) for t in corpus.treaties if t.articles}
    definitions = [d for treaty in treaties.values() for d in extract_definitions(treaty)]
    references = list(treaty_references(passages, treaties))
    broken = [
        f"{ref.passage}: '{ref.text}' -> {target.label}" for ref, target in unresolved(references, treaties)
    ]
    if broken:
        raise CorpusError(
            "Cross-references to provisions that do not exist (check the text or the parser): "
            + "; ".join(broken)
        )
    return {
        "references": [ref.to_dict() for ref in references],
        "definitions": [d.to_dict() for d in definitions],
        "uses": definitions_used(passages, definitions),
        "crosswalk": _crosswalk(corpus, treaties),
    }


def _crosswalk(corpus: Corpus, treaties: dict[str, TreatyText]) -> list[dict]:
    path = next((p for p in corpus.data_files if p.name == CROSSWALK_FILE), None)
    if path is None or FROM not in treaties or TO not in treaties:
        return []
    return [pair.to_dict() for pair in read_crosswalk(path, treaties).pairs]
