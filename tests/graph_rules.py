"""The rules every asset and check of the code location follows, as readable problems.

Dagster itself refuses a graph with a duplicate key or an input no asset produces (the definitions
do not load). These are the rules it does not enforce: a `deps=` on a key nothing produces becomes
a silent stub, and an asset without description, group or owner loads fine but is lost in the UI.
"""

from __future__ import annotations

import dagster as dg

STAGES = ("ingest", "quality", "features", "models", "writeback")


def graph_problems(defs: dg.Definitions) -> list[str]:
    """Every broken rule, one sentence each; empty when the graph is sound."""
    graph = defs.resolve_asset_graph()
    problems = []
    for key in sorted(graph.get_all_asset_keys()):
        node, name = graph.get(key), key.to_user_string()
        if not node.is_materializable and not node.description:
            users = ", ".join(sorted(k.to_user_string() for k in node.child_keys))
            problems.append(
                f"asset {name!r}, which {users} depend(s) on, is defined nowhere: a misspelt "
                "key in deps=, or its file is not in the defs folder"
            )
            continue
        if not node.description:
            problems.append(f"asset {name!r} has no description (give the function a docstring)")
        if node.group_name not in STAGES:
            problems.append(
                f"asset {name!r} is in group {node.group_name!r}; use one of {list(STAGES)}"
            )
        if not node.owners:
            problems.append(f"asset {name!r} has no owner (owners=OWNERS)")
    for check in sorted(graph.asset_check_keys, key=str):
        if not graph.get_check_spec(check).description:
            problems.append(
                f"check {check.name!r} of {check.asset_key.to_user_string()!r} has no description"
            )
    return problems
