"""The ranking and answer-selection settings, in one typed object: defaults in code, an optional
YAML file (`ranking:` in the config), and `name=value` overrides (`treatybot eval FILE --set
bm25_weight=1.5`) for a sweep without editing code."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

MAX_SETTING = 1_000_000  # far above any sensible weight, depth or count


class SettingsError(ValueError):
    """A setting that does not exist or a value of the wrong type; the message names it."""


@dataclass(frozen=True)
class RankingSettings:
    # Reciprocal rank fusion: each signal adds weight / (rrf_k + rank). 60 in Cormack et al. 2009;
    # 20 measured better here.
    rrf_k: float = 20.0
    dense_weight: float = 1.0
    bm25_weight: float = 1.5  # glossary-expanded keywords are the stronger signal on this corpus
    # A match with a plain-language description of a provision, or with a question it answers,
    # counts for the passages of that provision (corpus/descriptions.yaml, corpus/scenarios.yaml).
    description_dense_weight: float = 1.5
    description_bm25_weight: float = 1.5
    # A description is in the words people use: its cosine counts as evidence, less this.
    description_evidence_discount: float = 0.1
    parts_weight: float = 2.0  # the sentences of a long question, together, beside the whole (1)
    context_weight: float = 1.0  # a follow-up is searched with the topic of the turns before it
    other_treaty_weight: float = 0.5  # the treaty a question does not name ranks lower, not out
    other_kind_weight: float = 0.5  # commentary ranks lower unless the question asks what people say
    background_weight: float = 0.6  # preambles and the adopting resolution, unless named
    definition_weight: float = 0.6  # the definitions of terms, unless the question asks what one means
    # Abstain when the best passage's evidence is below these: the cosine of the (glossary-expanded)
    # question for hybrid and dense, the BM25 score for BM25 alone.
    abstain_below_hybrid: float = 0.35
    abstain_below_dense: float = 0.35
    abstain_below_bm25: float = 2.1
    # An answer lists a passage only if its evidence is at least this floor, and nearly as close
    # to the question as the best one (within relevance_margin).
    relevance_floor: float = 0.35
    relevance_margin: float = 0.2
    analysis_slots: int = 2  # at most this many of the k passages go to commentary when both fit
    max_shown: int = 3  # treaty passages an answer shows in full; other relevant ones are listed
    shown_ratio: float = 0.95  # a passage is shown beside the best one when its score is this close
    commentary_bar: float = 0.6  # commentary is shown when this close to the question, or asked for
    nearest_shown: int = 3  # passages listed as "nearest" when the engine abstains
    related_shown: int = 4  # provisions listed as governing a matter the corpus cannot answer
    turn_provisions: int = 5  # passages of a ranking whose places a conversation remembers
    anchor_kept_within: int = 3  # a follow-up keeps the conversation's article if among its first
    # A question is declined when, of its `decline_neighbours` nearest example questions (by
    # cosine), those the corpus cannot answer weigh at least `decline_share` of the vote.
    decline_neighbours: int = 7
    decline_share: float = 0.5
    decline_margin: float = 0.05  # ...and the nearest of those is this much closer than any answerable one

    def abstain_below(self, method: str) -> float:
        return float(getattr(self, f"abstain_below_{method}"))

    def updated(self, values: Mapping[str, object]) -> RankingSettings:
        """These settings with `values` (names of fields) replaced, each checked for its type."""
        fields = {f.name: f for f in dataclasses.fields(self)}
        changes = {}
        for name, value in values.items():
            if name not in fields:
                raise SettingsError(f"No ranking setting '{name}'; known: {', '.join(fields)}")
            changes[name] = _typed(name, value, int if fields[name].type == "int" else float)
        return dataclasses.replace(self, **changes)

    def assigned(self, assignments: Iterable[str]) -> RankingSettings:
        """These settings with `name=value` assignments applied (as `eval --set` gives them)."""
        values = {}
        for assignment in assignments:
            name, sep, value = assignment.partition("=")
            if not sep:
                raise SettingsError(f"'{assignment}' is not name=value (e.g. bm25_weight=1.5)")
            values[name.strip()] = value.strip()
        return self.updated(values)


DEFAULT_RANKING = RankingSettings()


def _typed(name: str, value: object, kind: type) -> int | float:
    if isinstance(value, bool):
        raise SettingsError(f"Ranking setting {name} must be a number, not {value}")
    try:
        number = kind(value) if not isinstance(value, str) or kind is float else int(value, 10)
    except (TypeError, ValueError, OverflowError):
        raise SettingsError(
            f"Ranking setting {name} must be {'a whole' if kind is int else 'a'} number"
        ) from None
    if not 0 <= number <= MAX_SETTING:  # NaN fails this too
        raise SettingsError(f"Ranking setting {name} must be a number from 0 to {MAX_SETTING:,}")
    return number
