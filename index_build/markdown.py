"""Minimal Markdown reading: YAML front matter and blank-line separated blocks with offsets.

Offsets are character offsets into the file's text exactly as read (UTF-8, newlines
untouched), so `text[block.start:block.end] == block.text` always holds and every quote
can be traced back to its source.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import yaml

from index_contract.safe_yaml import load_yaml, yaml_error_line

__all__ = ["Block", "FrontMatterError", "iter_blocks", "load_yaml", "split_front_matter"]
FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.DOTALL)
HEADING = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t]*#*[ \t]*$")
BLANK_LINES = re.compile(r"\n[ \t]*\r?\n(?:[ \t]*\r?\n)*")


class FrontMatterError(ValueError):
    """The YAML front matter is missing or cannot be parsed."""


@dataclass(frozen=True)
class Block:
    """One Markdown block: a heading or a paragraph (lines between blank lines)."""

    text: str
    start: int
    end: int
    heading_level: int = 0  # 0 for a paragraph

    @property
    def heading(self) -> str:
        """The heading's text without the leading hashes ('' for paragraphs)."""
        if not self.heading_level:
            return ""
        match = HEADING.match(self.text)
        return match.group(2) if match else ""


def split_front_matter(text: str) -> tuple[dict, int]:
    """Return the parsed front matter and the offset where the body starts.

    A file without front matter gives ({}, 0).
    """
    match = FRONT_MATTER.match(text)
    if not match:
        return {}, 0
    try:
        data = load_yaml(match.group(1)) or {}
    except yaml.YAMLError as exc:
        raise FrontMatterError(f"front matter is not valid YAML: {yaml_error_line(exc)}") from exc
    if not isinstance(data, dict):
        raise FrontMatterError("front matter must be a YAML mapping of fields")
    return data, match.end()


def iter_blocks(text: str, start: int = 0) -> list[Block]:
    """Split `text[start:]` into blocks separated by blank lines.

    A heading line is always a block of its own, even without a blank line after it.
    """
    blocks: list[Block] = []
    position = start
    for separator in [*BLANK_LINES.finditer(text, start), None]:
        chunk_end = separator.start() if separator else len(text)
        blocks.extend(_split_chunk(text, position, chunk_end))
        if separator is None:
            break
        position = separator.end()
    return blocks


def _split_chunk(text: str, start: int, end: int) -> list[Block]:
    """Blocks inside one blank-line-free chunk: headings split off their own lines."""
    blocks: list[Block] = []
    line_start = start
    para_start: int | None = None
    para_end = start
    while line_start < end:
        newline = text.find("\n", line_start, end)
        line_end = end if newline == -1 else newline
        line = text[line_start:line_end].rstrip("\r")
        heading = HEADING.match(line)
        if heading:
            if para_start is not None:
                blocks.append(_block(text, para_start, para_end))
                para_start = None
            blocks.append(_block(text, line_start, line_start + len(line), len(heading.group(1))))
        elif line.strip():
            if para_start is None:
                para_start = line_start
            para_end = line_start + len(line)
        line_start = line_end + 1
    if para_start is not None:
        blocks.append(_block(text, para_start, para_end))
    return blocks


def _block(text: str, start: int, end: int, level: int = 0) -> Block:
    # Trim surrounding whitespace but keep offsets exact.
    while start < end and text[start] in " \t\r\n":
        start += 1
    while end > start and text[end - 1] in " \t\r\n":
        end -= 1
    return Block(text=text[start:end], start=start, end=end, heading_level=level)
