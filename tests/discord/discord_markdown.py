"""Discord Markdown as the client reads it: `discord-markdown-parser` (npm, the parser behind
discord-html-transcripts) run by node over a batch of texts, and what its trees display."""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import discord
import pytest

TOOL = Path(__file__).resolve().parents[2] / "tools" / "discord-render"
PARSE_TIMEOUT_SECONDS = 60
# Nodes Discord shows as something other than their text: a quote would not read as written.
FOREIGN = {
    "user",
    "channel",
    "role",
    "emoji",
    "everyone",
    "here",
    "timestamp",
    "slashCommand",
    "guildNavigation",
}


@dataclass(frozen=True)
class Parsed:
    text: str  # as sent
    visible: str  # what the client displays
    links: tuple[tuple[str, str], ...]  # (shown text, address) of each link
    kinds: frozenset[str]  # every node type in the tree
    strong: tuple[str, ...]  # the text shown in bold, piece by piece


def parse(texts: list[tuple[str, str]]) -> list[Parsed]:
    """Each (text, mode) parsed; mode "extended" (embeds, where masked links work) or "normal"."""
    if shutil.which("node") is None:
        pytest.skip("node is not installed: the Discord Markdown parser runs on node")
    if not (TOOL / "node_modules" / "discord-markdown-parser").is_dir():
        pytest.fail(f"discord-markdown-parser is not installed: run `npm ci` in {TOOL} (make test does)")
    payload = json.dumps([{"text": text, "mode": mode} for text, mode in texts])
    done = subprocess.run(
        ["node", str(TOOL / "parse.mjs")],
        input=payload,
        capture_output=True,
        text=True,
        timeout=PARSE_TIMEOUT_SECONDS,
        check=True,
    )
    trees = json.loads(done.stdout)
    return [_parsed(text, tree) for (text, _), tree in zip(texts, trees, strict=True)]


def _parsed(text: str, tree: list) -> Parsed:
    links: list[tuple[str, str]] = []
    kinds: set[str] = set()
    visible = _show(tree, links, kinds)
    strong = tuple(_show(node["content"], [], set()) for node in _walk(tree) if node.get("type") == "strong")
    return Parsed(text, visible, tuple(links), frozenset(kinds), strong)


def _walk(nodes: list | str):
    if isinstance(nodes, list):
        for node in nodes:
            yield node
            yield from _walk(node.get("content", ""))


def _show(nodes: list | str, links: list[tuple[str, str]], kinds: set[str]) -> str:
    if isinstance(nodes, str):
        return nodes
    out = []
    for node in nodes:
        kind = node.get("type", "")
        kinds.add(kind)
        if kind in ("br", "newline"):
            out.append("\n")
        elif kind in ("autolink", "url"):
            links.append((node["target"], node["target"]))
            out.append(node["target"])
        elif kind == "link":
            shown = _show(node["content"], links, kinds)
            links.append((shown, node["target"]))
            out.append(shown)
        elif kind == "twemoji":  # a Unicode emoji, drawn as an image of itself
            out.append(node["name"])
        elif kind in FOREIGN:
            out.append(f"<{kind}>")
        elif isinstance(node.get("content"), (list, str)):
            out.append(_show(node["content"], links, kinds))
    return "".join(out)


def embed_texts(content: str, embeds: list[discord.Embed]) -> list[tuple[str, str, str]]:
    """(where, text, parser mode) of every text of a message the client renders as Markdown.
    Footers are plain text in Discord and are returned as "footer" for checks of their own."""
    texts = [("content", content, "extended")] if content else []
    for embed in embeds:
        texts += [
            ("title", embed.title or "", "normal"),
            ("description", embed.description or "", "extended"),
        ]
        if embed.author and embed.author.name:
            texts.append(("author", embed.author.name, "normal"))
        for field in embed.fields:
            texts += [
                ("field name", field.name or "", "normal"),
                ("field value", field.value or "", "extended"),
            ]
        if embed.footer and embed.footer.text:
            texts.append(("footer", embed.footer.text, "normal"))
    return [t for t in texts if t[1]]
