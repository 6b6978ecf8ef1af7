"""The shape of the code (DESIGN.md, "One way down"), checked on the source with ``ast``:

- ``hub`` never imports a feature app, and a feature app never imports another;
- the apps do not import each other in a circle (``hub``'s own apps included; the ``hub``
  package itself, whose urls.py and routing.py wire every app in, is the one exception);
- inside every app, no modules import each other in a circle.

Every ``import`` statement counts, wherever it stands: at the top of a module, inside a function
or a method, under an ``if``. An import inside a function is a circle deferred, not broken: the
two modules still need each other. One kind is allowed, and only one: a method in ``models.py``
may import its app's ``queries.py``. Wagtail renders a page from its model (``get_context`` and
the routes of a RoutablePage), so a page model needs its read helpers, which need the models.
Migrations are left out: they are generated, and name other apps only as strings.
"""

import ast
from collections import defaultdict
from pathlib import Path

import pytest
from django.apps import apps

ROOT = Path(__file__).resolve().parent.parent
PROJECT = "hub"


def _apps() -> dict[str, Path]:
    """This repository's Django apps by dotted name (hub, hub.accounts, community...)."""
    found = {}
    for config in apps.get_app_configs():
        path = Path(config.path)
        # Installed packages may sit under ROOT too (.venv): ours are top-level folders.
        if path.is_relative_to(ROOT) and not path.relative_to(ROOT).parts[0].startswith("."):
            found[config.name] = path
    return found


APPS = _apps()
FEATURE_APPS = sorted(name for name in APPS if name.split(".")[0] != PROJECT)


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    found = {}
    for top in {name.split(".")[0] for name in APPS}:
        for path in (ROOT / top).rglob("*.py"):
            if "migrations" not in path.relative_to(ROOT).parts:
                found[_module_name(path)] = path
    return found


MODULES = _modules()


def app_of(module: str) -> str:
    """The app a module belongs to: the longest app name it starts with."""
    return max((a for a in APPS if module == a or module.startswith(a + ".")), key=len)


def _resolve(module: str, node: ast.ImportFrom, is_package: bool) -> str:
    if not node.level:
        return node.module or ""
    base = module.split(".") if is_package else module.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def imports_of(module: str, path: Path) -> set[tuple[str, bool]]:
    """(imported module, whether the import stands inside a function) for each of the project's
    modules ``module`` imports."""
    tree = ast.parse(path.read_text(), filename=str(path))
    is_package = path.name == "__init__.py"
    found: set[tuple[str, bool]] = set()

    def visit(node, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            nested = in_function or isinstance(
                child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda
            )
            if isinstance(child, ast.Import):
                names = [alias.name for alias in child.names]
            elif isinstance(child, ast.ImportFrom):
                source = _resolve(module, child, is_package)
                names = [source] + [f"{source}.{alias.name}" for alias in child.names]
            else:
                names = []
            for name in names:
                # "import a.b.c" imports a.b.c; "from a.b import c" imports a.b, and a.b.c if
                # that is a module.
                while name and name not in MODULES:
                    name = name.rpartition(".")[0] if "." in name else ""
                if name and name != module:
                    found.add((name, in_function))
            visit(child, nested)

    visit(tree, False)
    return found


IMPORTS = {module: imports_of(module, path) for module, path in MODULES.items()}


def _allowed_inside_app(module: str, target: str, in_function: bool) -> bool:
    app = app_of(module)
    return in_function and module == f"{app}.models" and target == f"{app}.queries"


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One circle in ``graph`` (a list of nodes, the first repeated at the end), or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def walk(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return path[path.index(nxt) :] + [nxt]
            if nxt not in state and (cycle := walk(nxt)):
                return cycle
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (cycle := walk(node)):
            return cycle
    return None


def test_the_checker_sees_the_project_s_apps_and_modules():
    assert {"hub", "hub.rewards", "community", "feedback", "events"} <= set(APPS)
    assert FEATURE_APPS == ["community", "events", "feedback"]
    assert ("hub.notifications.services", False) in IMPORTS["community.services"]
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_hub_never_imports_a_feature_app():
    wrong = [
        f"{module} imports {target}"
        for module, targets in IMPORTS.items()
        if app_of(module).split(".")[0] == PROJECT
        for target, _ in targets
        if app_of(target) in FEATURE_APPS
    ]
    assert not wrong, "hub must not import a feature app:\n" + "\n".join(sorted(wrong))


def test_no_feature_app_imports_another():
    wrong = [
        f"{module} imports {target}"
        for module, targets in IMPORTS.items()
        if app_of(module) in FEATURE_APPS
        for target, _ in targets
        if app_of(target) in FEATURE_APPS and app_of(target) != app_of(module)
    ]
    assert not wrong, "feature apps must not import each other:\n" + "\n".join(sorted(wrong))


def test_the_apps_do_not_import_each_other_in_a_circle():
    graph: dict[str, set[str]] = defaultdict(set)
    for module, targets in IMPORTS.items():
        for target, _ in targets:
            source, dest = app_of(module), app_of(target)
            if PROJECT not in (source, dest) and source != dest:
                graph[source].add(dest)
    cycle = find_cycle(graph)
    assert cycle is None, "apps importing each other: " + " -> ".join(cycle)


@pytest.mark.parametrize("app", sorted(APPS))
def test_no_modules_of_an_app_import_each_other_in_a_circle(app):
    graph: dict[str, set[str]] = defaultdict(set)
    for module, targets in IMPORTS.items():
        if app_of(module) != app:
            continue
        for target, in_function in targets:
            if app_of(target) == app and not _allowed_inside_app(module, target, in_function):
                graph[module].add(target)
    cycle = find_cycle(graph)
    assert cycle is None, f"modules of {app} importing each other: " + " -> ".join(cycle)
