"""How a question in a conversation is put to the retriever: after the topic of the turns it
follows up. The build trains the retriever on follow-ups in this form (corpus/training/
conversations.yaml) and serving searches a follow-up in the same form, so both use this."""

from __future__ import annotations

MAX_TOPIC_WORDS = 60  # a topic carried through follow-ups keeps its latest words


def topic_with(previous_topic: str, text: str, max_words: int = MAX_TOPIC_WORDS) -> str:
    """The topic after `text`: the latest `max_words` words of the topic before it and of `text`."""
    words = f"{previous_topic} {text}".split()
    return " ".join(words[-max_words:])
