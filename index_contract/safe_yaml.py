"""The one way the project reads YAML: config files, data files, manifests and front matter.

Safe (PyYAML's SafeLoader), with unquoted dates left as text, and bounded: a document longer
than `MAX_YAML_CHARS` is refused before parsing, and so is one whose aliases would expand to
more than `MAX_ALIAS_NODES` nodes (a "billion laughs" bomb is a few hundred bytes). Values
shown in error messages go through `short_repr`, never a plain `repr`.
"""

from __future__ import annotations

import reprlib

import yaml
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node, SequenceNode

MAX_YAML_CHARS = 4_000_000  # the largest project YAML file (a question file) is well under 1 MB
MAX_ALIAS_NODES = 10_000  # nodes reached through aliases, counted as often as they are reached
MAX_REPR_CHARS = 80

_repr = reprlib.Repr()
_repr.maxlevel, _repr.maxdict, _repr.maxlist, _repr.maxtuple = 2, 4, 4, 4
_repr.maxstring = _repr.maxother = MAX_REPR_CHARS


class YamlLimitError(yaml.YAMLError):
    """The document is too long, or its aliases expand too far."""


class _BoundedLoader(yaml.SafeLoader):
    """SafeLoader that keeps unquoted dates as text and counts what aliases expand to."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._weights: dict[int, int] = {}
        self._alias_nodes = 0

    def compose_node(self, parent: Node | None, index: object) -> Node:
        alias = self.check_event(AliasEvent)
        node = super().compose_node(parent, index)
        if alias:
            weight = self._weights.get(id(node))
            if weight is None:  # an alias of a node still being read: a recursive structure
                raise YamlLimitError(f"recursive alias{_where(node)}")
            self._alias_nodes += weight
            if self._alias_nodes > MAX_ALIAS_NODES:
                raise YamlLimitError(f"aliases expand to more than {MAX_ALIAS_NODES:,} nodes{_where(node)}")
        else:
            self._weights[id(node)] = 1 + sum(self._weights.get(id(child), 1) for child in _children(node))
        return node


_BoundedLoader.yaml_implicit_resolvers = {
    first: [(tag, pattern) for tag, pattern in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _children(node: Node) -> list[Node]:
    if isinstance(node, SequenceNode):
        return list(node.value)
    if isinstance(node, MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def _where(node: Node) -> str:
    mark = node.start_mark
    return f" (line {mark.line + 1})" if mark else ""


def load_yaml(text: str) -> object:
    """Parse one YAML document safely and within the limits; YAMLError when it cannot be."""
    if len(text) > MAX_YAML_CHARS:
        raise YamlLimitError(f"longer than the limit of {MAX_YAML_CHARS:,} characters")
    loader = _BoundedLoader(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


def short_repr(value: object) -> str:
    """`repr(value)` cut to a few items and `MAX_REPR_CHARS` characters, for error messages."""
    text = _repr.repr(value)
    return text if len(text) <= MAX_REPR_CHARS else text[: MAX_REPR_CHARS - 1] + "…"


def short_text(value: object) -> str:
    """`str(value)`, cut like `short_repr` (text as it is, without quotes)."""
    if isinstance(value, str):
        return value if len(value) <= MAX_REPR_CHARS else value[: MAX_REPR_CHARS - 1] + "…"
    return short_repr(value)


def yaml_error_line(exc: Exception) -> str:
    """A YAML error in one line: what is wrong and where."""
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or getattr(exc, "context", None)
    if mark is not None and problem:
        return f"{problem} (line {mark.line + 1}, column {mark.column + 1})"
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
