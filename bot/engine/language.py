"""The language of a question. The corpus is in English and so is the search: a question in
another UN language gets one line in its own language saying so, never "the corpus does not
address this".

Most questions show at a glance that they are English (a common English word), and those never
load the language model; a question in Cyrillic, Chinese or Arabic script is known by its
script; other Latin-script text is identified by py3langid (langid.py), among the languages we
answer that line in, loaded on first use.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from functools import lru_cache

ENGLISH = "en"
# One line per language: what the bot understands, and how to ask.
ENGLISH_ONLY = {
    "fr": "Je comprends les questions en anglais : posez-la en anglais, par exemple "
    "« What does the convention say about extradition? »",
    "es": "Entiendo las preguntas en inglés: hágala en inglés, por ejemplo "
    "«What does the convention say about extradition?»",
    "ru": "Я понимаю вопросы на английском языке: задайте его по-английски, например "
    "«What does the convention say about extradition?»",
    "zh": "我只能理解英文问题：请用英文提问，例如“What does the convention say about extradition?”",
    "ar": "أفهم الأسئلة باللغة الإنجليزية: يرجى طرح سؤالك بالإنجليزية، مثل "
    "«What does the convention say about extradition?»",
}
SCRIPTS = {"CYRILLIC": "ru", "CJK": "zh", "ARABIC": "ar"}  # Unicode name prefix -> language
MIN_SCRIPT_SHARE = 0.5  # of the letters, for a question to be in that script
MIN_CONFIDENCE = 0.99  # py3langid's probability, among English and ENGLISH_ONLY's languages
MIN_LETTERS = 12  # shorter Latin-script text ("ddos?", "hola") is taken as English
COMMON_ENGLISH = frozenset(
    [
        "the",
        "a",
        "an",
        "of",
        "to",
        "in",
        "is",
        "are",
        "was",
        "be",
        "can",
        "could",
        "does",
        "do",
        "did",
        "what",
        "which",
        "who",
        "how",
        "why",
        "when",
        "where",
        "my",
        "i",
        "you",
        "it",
        "this",
        "that",
        "and",
        "or",
        "for",
        "on",
        "with",
        "about",
        "under",
        "if",
        "me",
        "we",
        "they",
        "their",
        "there",
        "any",
    ]
)
_WORD = re.compile(r"[^\W\d_]+")
_lock = threading.Lock()


def language_of(text: str) -> str:
    """'en', or the code of another language of ENGLISH_ONLY that `text` is written in."""
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return ENGLISH
    for prefix, language in SCRIPTS.items():
        if sum(unicodedata.name(c, "").startswith(prefix) for c in letters) >= MIN_SCRIPT_SHARE * len(
            letters
        ):
            return language
    words = [w.lower() for w in _WORD.findall(text)]
    if len(letters) < MIN_LETTERS or any(w in COMMON_ENGLISH for w in words):
        return ENGLISH
    with _lock:  # the identifier is not documented as thread-safe
        language, confidence = _identifier().classify(text)
    return language if language in ENGLISH_ONLY and confidence >= MIN_CONFIDENCE else ENGLISH


@lru_cache(maxsize=1)
def _identifier():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages([ENGLISH, *ENGLISH_ONLY])
    return identifier
