"""The shape of the code: no import cycle among the modules below the views, lazy imports
included (`make lint` checks the layers with import-linter; this checks what it cannot)."""

from __future__ import annotations

import grimp

#: Modules that receive requests, and the app's own wiring: they may import anything.
ENTRY_POINTS = {"views", "staff_views"}
WIRING = {"spa_app", "spa_app.cli", "spa_app.demo", "spa_app.models", "spa_app.tasking"}


def below_the_views(graph: grimp.ImportGraph) -> set[str]:
    return {
        m for m in graph.modules if m.rsplit(".", 1)[-1] not in ENTRY_POINTS and m not in WIRING
    }


def on_a_cycle(edges: dict[str, set[str]]) -> list[str]:
    """Every module from which an import chain leads back to itself."""

    def reaches(start: str, goal: str) -> bool:
        seen, todo = set(), [start]
        while todo:
            module = todo.pop()
            if module == goal:
                return True
            if module not in seen:
                seen.add(module)
                todo.extend(edges[module])
        return False

    return sorted(m for m in edges if any(reaches(n, m) for n in edges[m]))


def test_no_import_cycle_among_the_modules_below_the_views():
    graph = grimp.build_graph("spa_app")
    modules = below_the_views(graph)
    edges = {m: graph.find_modules_directly_imported_by(m) & modules for m in modules}
    assert on_a_cycle(edges) == []


def test_the_cycle_finder_finds_a_cycle_and_nothing_else():
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert on_a_cycle(edges) == ["a", "b", "c"]
