"""Control characters and terminal escape sequences, removed whole from text that is shown or stored.

A sequence is removed as a whole (CSI, OSC up to BEL or ST, DCS and the like, in their ESC
and C1 forms), so that no remnant such as "]0;title" is left; then every other control
character but newline and tab.
"""

from __future__ import annotations

import re
import unicodedata

ESCAPE_SEQUENCE = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]"  # CSI: cursor moves, screen clears, colours
    r"|(?:\x1b[\]PX^_]|[\x9d\x90\x98\x9e\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"  # OSC, DCS, ...
    r"|\x1b[ -/]*[0-~]?"  # any other escape
)
KEPT_CONTROLS = frozenset("\n\t")


def without_controls(text: str) -> str:
    """`text` without escape sequences and control characters (newline and tab kept)."""
    text = ESCAPE_SEQUENCE.sub("", text)
    return "".join(ch for ch in text if ch in KEPT_CONTROLS or unicodedata.category(ch) != "Cc")
