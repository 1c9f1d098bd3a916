"""Find the line of a key in a YAML text, so that plant-file errors can point at it."""

from __future__ import annotations

from collections.abc import Sequence

import yaml


def locate_key(text: str, loc: Sequence[str | int]) -> int | None:
    """1-based line of the deepest node of `loc` found in the YAML `text`, or None if absent."""
    try:
        node = yaml.compose(text)
    except yaml.YAMLError:
        return None
    line = None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            match = next((v for k, v in node.value if k.value == str(part)), None)
            key_node = next((k for k, _ in node.value if k.value == str(part)), None)
            if match is None:
                break
            line = key_node.start_mark.line + 1
            node = match
        elif (
            isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value)
        ):
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            break
    return line
