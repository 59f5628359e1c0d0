"""Keyword tokenization shared by the BM25 index build and by queries.

Both sides must tokenize identically, so this is the only place that does it.
"""

from __future__ import annotations

import re
import threading
import unicodedata

import Stemmer
from bm25s.stopwords import STOPWORDS_EN

WORD = re.compile(r"[a-z0-9]+")
STOPWORDS = frozenset(STOPWORDS_EN)
TOKENIZER_VERSION = "words-stopwords-snowball-en-1"


_local = threading.local()


def _stemmer() -> Stemmer.Stemmer:
    """This thread's stemmer: a PyStemmer instance must not be used by two threads at once."""
    stemmer = getattr(_local, "stemmer", None)
    if stemmer is None:
        stemmer = _local.stemmer = Stemmer.Stemmer("english")
    return stemmer


def normalize(text: str) -> str:
    """Lower-case ASCII-folded text: 'État’s' -> "etat's"."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return folded.lower()


def tokenize(text: str) -> list[str]:
    """Stemmed content words of `text`, in order, stopwords removed."""
    words = [w for w in WORD.findall(normalize(text)) if w not in STOPWORDS]
    return _stemmer().stemWords(words)


def stems(text: str) -> list[str]:
    """Stemmed words of `text`, in order, stopwords kept (for phrase matching)."""
    return _stemmer().stemWords(WORD.findall(normalize(text)))


def term_pattern(term: str) -> re.Pattern:
    """A case-insensitive pattern for a term in the singular or the plural."""
    words = term.lower().split()
    last = re.escape(words[-1])
    last = f"{last[:-1]}(?:y|ies)" if last.endswith("y") else f"{last}(?:s|es)?"
    body = r"\s+".join([*(re.escape(w) for w in words[:-1]), last])
    return re.compile(rf"(?<![\w-]){body}(?![\w-])", re.IGNORECASE)
