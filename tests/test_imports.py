"""The modules of ``panorama`` import one another without a cycle: the data flow one way
(source → validate → compute → protect → compose → draw → render → write)."""

from __future__ import annotations

import ast
from pathlib import Path

import panorama

PACKAGE = Path(panorama.__file__).resolve().parent


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports(tree: ast.AST, module: str, is_package: bool) -> set[str]:
    """Every ``panorama`` module imported by ``tree``, at its top or inside a function (a
    deferred import is an import all the same); imports under ``if TYPE_CHECKING:`` aside."""
    found: set[str] = set()
    package = module if is_package else module.rpartition(".")[0]

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


def module_graph() -> dict[str, set[str]]:
    """Module → the ``panorama`` modules it imports (``from panorama import charts`` is an
    import of ``panorama.draw.charts``; ``panorama`` itself, whose ``__init__`` imports nothing of
    the package, is left out)."""
    files = {_module_name(path): path for path in PACKAGE.rglob("*.py")}
    graph = {}
    for module, path in files.items():
        imported = _imports(ast.parse(path.read_text(encoding="utf-8")), module, path.name == "__init__.py")
        graph[module] = {name for name in imported if name in files and name not in (module, "panorama")}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for successor in sorted(graph[node]):
            if successor not in index:
                connect(successor)
                low[node] = min(low[node], low[successor])
            elif successor in on_stack:
                low[node] = min(low[node], index[successor])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return found


def test_the_cycle_finder_finds_cycles():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set(), "c": {"a", "b"}}) == []


def test_the_graph_sees_deferred_and_relative_imports():
    graph = module_graph()
    assert "panorama.output.render" in graph["panorama.pipeline"]  # imported inside a function
    assert "panorama.draw.figures" in graph["panorama.pipeline"]
    assert "panorama.compose.studies.common" in graph["panorama.compose.studies.femmes"]
    assert "panorama.compute.studies.common" in graph["panorama.compute.studies.femmes"]


def test_no_import_cycle_among_the_modules_of_panorama():
    assert cycles(module_graph()) == []


def test_drawing_does_not_import_the_figures_and_composition_only_the_specs():
    graph = module_graph()
    assert "panorama.draw.figures" not in graph["panorama.draw.charts"] | graph["panorama.draw.maps"]
    for module in (name for name in graph if name.startswith("panorama.compose.")):
        assert not graph[module] & {"panorama.draw.figures", "panorama.draw.charts", "panorama.draw.maps"}, module


#: The stages in the order data flow through them; ``core`` (errors, configuration, catalogue,
#: nomenclatures, formats, resources, processes, registry) serves every stage; ``cli`` and
#: ``pipeline`` run them all.
STAGES = ("core", "input", "compute", "protect", "compose", "draw", "output")
TOP = ("panorama.cli", "panorama.pipeline")


def _stage(module: str) -> int:
    """Rank of ``module``'s stage in :data:`STAGES` (one past the last for the top modules)."""
    if module in TOP:
        return len(STAGES)
    return STAGES.index(module.split(".")[1])


def test_every_module_lives_in_a_stage():
    assert {module.split(".")[1] for module in module_graph() if module not in TOP and module != "panorama"} \
        == set(STAGES)


def test_no_import_against_the_flow():
    """A stage imports only from itself, the stages before it and ``core``; ``core`` imports
    only ``core``; nothing imports ``cli`` or ``pipeline``."""
    graph = module_graph()
    against = sorted((module, imported) for module, imports in graph.items() if module != "panorama"
                     for imported in imports if _stage(imported) > _stage(module))
    assert against == []


def test_the_flow_check_sees_an_arrow_against_the_flow():
    assert _stage("panorama.protect.results") > _stage("panorama.compute.indicators") > _stage("panorama.core.config")
    assert _stage("panorama.pipeline") > _stage("panorama.output.render")
