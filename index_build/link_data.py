"""What the index stores about how provisions relate: `links.json` (`schema.LinkData`).

- `references`: every cross-reference in the treaty text, with its exact targets;
- `definitions`: every defined term with its exact definition text and citation;
- `uses`: for each treaty passage, the definitions of its own treaty it uses;
- `crosswalk`: the UNCC → Budapest counterpart pairs of `corpus/crosswalk.yaml`.
"""

from __future__ import annotations

from collections.abc import Mapping

from index_build.crossrefs import treaty_references, unresolved
from index_build.crosswalk.file import CROSSWALK_FILE, FROM, TO, read_crosswalk
from index_build.definitions import definitions_used, extract_definitions
from index_build.sources import Corpus, CorpusError
from index_build.treaty import TreatyText
from index_contract.schema import LinkData, Pair, Passage


def describe_links(corpus: Corpus, texts: Mapping[str, TreatyText], passages: list[Passage]) -> LinkData:
    """The links of a corpus, from its parsed official texts and its passages."""
    treaties = {doc: text for doc, text in texts.items() if text.source.articles}
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
    return LinkData(
        references=tuple(references),
        definitions=tuple(definitions),
        uses={pid: tuple(ids) for pid, ids in definitions_used(passages, definitions).items()},
        crosswalk=_crosswalk(corpus, treaties),
    )


def _crosswalk(corpus: Corpus, treaties: Mapping[str, TreatyText]) -> tuple[Pair, ...]:
    path = corpus.data_file(CROSSWALK_FILE)
    if path is None or FROM not in treaties or TO not in treaties:
        return ()
    return read_crosswalk(path, dict(treaties)).pairs
