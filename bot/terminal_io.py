"""What the terminal commands read and write, made safe for a terminal.

Corpus text (a hand-dropped analysis file, a fetched page's title) may hold escape sequences
that retitle the window, clear the screen or plant a hidden link: `terminal_safe` removes
them and every other control character but newline and tab, and `SafeOutput` applies it to
everything a Rich console prints (Rich's own styling is left alone). `stdin_lines` reads
standard input line by line whatever its bytes: invalid UTF-8 becomes U+FFFD, not an error.
"""

from __future__ import annotations

import codecs
import sys
from collections.abc import Iterable, Iterator
from typing import BinaryIO, TextIO

from rich.console import Console, ConsoleOptions, ConsoleRenderable, RenderHook, RenderResult
from rich.segment import Segment

from index_contract.controls import without_controls


def terminal_safe(text: str) -> str:
    """`text` without escape sequences and control characters (newline and tab kept)."""
    return without_controls(text)


class _Safe:
    """A renderable whose text segments are made terminal-safe once Rich has laid them out."""

    def __init__(self, renderable: ConsoleRenderable) -> None:
        self.renderable = renderable

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        for segment in console.render(self.renderable, options):
            if segment.control:  # Rich's own cursor and screen control
                yield segment
            else:
                yield Segment(terminal_safe(segment.text), segment.style)


class SafeOutput(RenderHook):
    """Push on a console (`console.push_render_hook(SafeOutput())`): nothing it prints can
    control the terminal."""

    def process_renderables(self, renderables: list[ConsoleRenderable]) -> list[ConsoleRenderable]:
        return [_Safe(renderable) for renderable in renderables]


def safe_consoles(*consoles: Console) -> None:
    for console in consoles:
        console.push_render_hook(SafeOutput())


def stdin_lines(stream: TextIO | None = None) -> Iterator[str]:
    """Lines of standard input as text; bytes that are not valid in its encoding become U+FFFD."""
    stream = stream or sys.stdin
    binary: BinaryIO | None = getattr(stream, "buffer", None)
    if binary is None:  # already text (a test's StringIO)
        yield from stream
        return
    yield from decode_lines(binary, stream.encoding or "utf-8")


def decode_lines(lines: Iterable[bytes], encoding: str) -> Iterator[str]:
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    for line in lines:
        yield decoder.decode(line)
    if tail := decoder.decode(b"", final=True):
        yield tail
