"""Discord's size limits (characters unless noted), named once and used everywhere."""

from __future__ import annotations

MAX_MESSAGE = 2000  # message content
MAX_EMBED_DESCRIPTION = 4096
MAX_FIELD_NAME = 256
MAX_FIELD_VALUE = 1024
MAX_FIELDS = 25  # fields per embed
MAX_EMBED_TOTAL = 6000  # title, description, field names and values, footer and author of all embeds
MAX_EMBEDS = 10  # embeds per message
MAX_TITLE = 256
MAX_AUTHOR_NAME = 256
MAX_FOOTER = 2048
MAX_AUTOCOMPLETE_CHOICES = 25
MAX_CHOICE_NAME = 100
MAX_CHOICE_VALUE = 100
MAX_THREAD_NAME = 100
MAX_CUSTOM_ID = 100
MAX_URL = 2048

INTERACTION_TOKEN_SECONDS = 15 * 60  # an interaction token (and so its follow-ups) expires after this
