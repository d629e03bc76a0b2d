"""The package's layers only point down, and no modules import each other in a circle.

Read from the source with `ast` (nothing is imported), counting every import: at the top,
inside functions (the lazy ones that keep the start fast) and under TYPE_CHECKING.
`python tests/test_layers.py [FOLDER]` prints the circles and the upward imports of a
checkout, for comparing two versions.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

APP = Path(__file__).resolve().parents[1] / "app"

# Bottom first. A part (a top-level module or subpackage of cobalt_setup) may import only
# parts of lower layers: `probes` and `router` sit side by side and share what is below.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("__init__", "i18n", "time_limit", "gathering"),
    ("addresses", "services", "result", "wording"),
    ("settings",),
    ("form", "prefs", "firewall"),
    ("probes", "router"),
    ("checks",),
    ("report", "session"),
    ("gui", "diagnosis_command", "router_command"),
    ("cli",),
    ("__main__",),
)
LAYER_OF = {part: level for level, parts in enumerate(LAYERS) for part in parts}


def module_files(app: Path) -> dict[str, Path]:
    """Dotted module name -> file, for every module of cobalt_setup."""
    found = {}
    for path in sorted((app / "cobalt_setup").rglob("*.py")):
        parts = path.relative_to(app).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def imported_modules(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """The cobalt_setup modules that one module imports, anywhere in its body."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    named: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            named.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            named.add(base)
            named.update(f"{base}.{alias.name}" for alias in node.names)
    return {module for module in named if module in known and module != name}


def import_graph(app: Path = APP) -> dict[str, set[str]]:
    known = module_files(app)
    return {name: imported_modules(name, path, known) for name, path in known.items()}


def part_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Groups of modules that reach each other through imports (Tarjan's components)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for target in sorted(graph[module]):
            if target not in index:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in on_stack:
                low[module] = min(low[module], index[target])
        if low[module] == index[module]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == module:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return found


def upward_imports(graph: dict[str, set[str]]) -> Iterator[tuple[str, str]]:
    """Imports from a part to one of its own layer or above (or to a part of no layer)."""
    for module, targets in sorted(graph.items()):
        source = part_of(module)
        for target in sorted(targets):
            goal = part_of(target)
            if goal == source:
                continue
            if LAYER_OF.get(goal, len(LAYERS)) >= LAYER_OF.get(source, -1):
                yield module, target


def test_every_part_of_the_package_has_a_layer() -> None:
    parts = {part_of(module) for module in import_graph()}
    assert parts <= set(LAYER_OF), f"give these a layer in LAYERS: {parts - set(LAYER_OF)}"


def test_no_modules_import_each_other_in_a_circle() -> None:
    assert circles(import_graph()) == []


def test_every_import_points_down() -> None:
    assert list(upward_imports(import_graph())) == []


def test_the_checker_sees_a_circle_and_an_upward_import(tmp_path: Path) -> None:
    package = tmp_path / "cobalt_setup"
    (package / "probes").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "probes" / "__init__.py").write_text("")
    (package / "probes" / "a.py").write_text("from cobalt_setup.probes import b\n")
    (package / "probes" / "b.py").write_text(
        "def later():\n    from cobalt_setup.probes.a import x\n    import cobalt_setup.gui\n")
    (package / "gui.py").write_text("")
    graph = import_graph(tmp_path)
    assert circles(graph) == [["cobalt_setup.probes.a", "cobalt_setup.probes.b"]]
    assert list(upward_imports(graph)) == [("cobalt_setup.probes.b", "cobalt_setup.gui")]


if __name__ == "__main__":
    folder = Path(sys.argv[1]) / "app" if len(sys.argv) > 1 else APP
    graph = import_graph(folder)
    found_circles = circles(graph)
    upward = list(upward_imports(graph))
    for group in found_circles:
        print("circle:", " -> ".join(group))
    for source, target in upward:
        print(f"upward: {source} -> {target}")
    print(f"{len(graph)} modules, {sum(map(len, graph.values()))} imports, "
          f"{len(found_circles)} circles, {len(upward)} upward imports")
