"""The house rules, read from the code's own imports (``ast``, nothing is run).

Layers, top to bottom: entry points (cli) -> adapters -> engine -> commands
-> the question reader -> the services (lookup, render, store, reply, config,
caller) -> the domain (``bot/domain/``: the rules that are neither storage
nor commands: boards, the retired rule, ties, gaps, regions, categories, the
normalisation vocabulary). The domain imports no other bot module.
Nothing imports a layer above its own; only ``bot/adapters/discord/``
imports discord; and no two bot modules import each other, even through
others (no strongly connected component of the import graph has more than
one module). Imports under ``if TYPE_CHECKING:`` count too: a circle of
type hints is still a circle a reader has to untangle.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BOT = ROOT / "bot"

# the layer of a module: the longest matching prefix wins; higher may import lower
LAYERS = {
    "bot.__main__": 6, "bot.cli": 6,
    "bot.adapters": 5,
    "bot.engine": 4,
    "bot.commands": 3,
    "bot.reader": 2,  # plain words -> a command line: used by `ask`, knows no command module
    "bot": 1,  # lookup, render, store, reply, config, caller, looplag, tickets
    "bot.domain": 0,  # rules over the data, below store and commands: imports no other bot layer
}
LAYER_NAMES = {6: "entry points", 5: "adapters", 4: "engine", 3: "commands", 2: "reader", 1: "services", 0: "domain"}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(p): p for p in sorted(BOT.rglob("*.py"))}


def layer(module: str) -> int:
    best = max((prefix for prefix in LAYERS if module == prefix or module.startswith(prefix + ".")), key=len)
    return LAYERS[best]


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def imports(module: str) -> list[tuple[str, int, bool]]:
    """(imported module, line, runs at run time) for every import in `module`."""
    path = MODULES[module]
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: list[tuple[str, int, bool]] = []

    def visit(node: ast.AST, runtime: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child.test):
                for sub in child.body:
                    visit_stmt(sub, False)
                for sub in child.orelse:
                    visit_stmt(sub, runtime)
                continue
            visit_stmt(child, runtime)

    def visit_stmt(node: ast.AST, runtime: bool) -> None:
        if isinstance(node, ast.Import):
            found.extend((a.name, node.lineno, runtime) for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            for a in node.names:
                sub = f"{base}.{a.name}"
                found.append((sub if sub in MODULES else base, node.lineno, runtime))
        else:
            visit(node, runtime)

    visit(tree, True)
    return found


GRAPH = {m: imports(m) for m in MODULES}


def test_every_bot_module_is_read():
    assert {"bot.engine", "bot.commands.context", "bot.store.db", "bot.adapters.discord.bot", "bot.reader.rules",
            "bot.reader.question"} <= set(MODULES)


def test_every_layer_prefix_is_a_module():
    """A layer entry for a module that moved or was deleted is dead weight: each prefix names a package or module."""
    assert [p for p in LAYERS if p not in MODULES] == []


def test_the_domain_imports_nothing_else_of_the_bot():
    domain = [m for m in MODULES if layer(m) == 0]
    assert {"bot.domain.board_chain", "bot.domain.counted_boards", "bot.domain.ties", "bot.domain.measures",
            "bot.domain.regions", "bot.domain.categories", "bot.domain.normalize"} <= set(domain)
    outside = [f"{m} imports {t} at line {line}" for m in domain for t, line, _rt in GRAPH[m]
               if t.split(".")[0] == "bot" and not t.startswith("bot.domain")]
    assert outside == []


def test_nothing_imports_upward():
    upward = [f"{m} ({LAYER_NAMES[layer(m)]}) imports {target} ({LAYER_NAMES[layer(target)]}) at line {line}"
              for m, edges in GRAPH.items() for target, line, _rt in edges
              if target in MODULES and layer(target) > layer(m)]
    assert upward == []


DISCORD_ALLOWED = ("bot.adapters.discord",)


def test_only_the_discord_adapter_imports_discord():
    offenders = [f"{m} line {line}" for m, edges in GRAPH.items() for target, line, _rt in edges
                 if target.split(".")[0] == "discord" and not m.startswith(DISCORD_ALLOWED)]
    assert offenders == []
    assert any(t.split(".")[0] == "discord" for t, _l, _r in GRAPH["bot.adapters.discord.bot"])


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm (iterative): the strongly connected components."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    out: list[list[str]] = []
    counter = 0
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    comp = []
                    while True:
                        w = stack.pop()
                        on_stack.discard(w)
                        comp.append(w)
                        if w == node:
                            break
                    out.append(sorted(comp))
    return out


def test_the_scc_finder_finds_a_circle():
    comps = strongly_connected({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}})
    assert sorted(comps) == [["a", "b", "c"], ["d"]]


def test_no_import_circles_among_bot_modules():
    graph = {m: {t for t, _l, _runtime in edges if t in MODULES and t != m} for m, edges in GRAPH.items()}
    circles = [c for c in strongly_connected(graph) if len(c) > 1]
    assert circles == []


@pytest.mark.parametrize("module", ["bot.engine", "bot.commands.admin.imports", "bot.store.db"])
def test_no_function_local_imports_of_bot_modules(module):
    """Imports sit at the top of the module, where a reader sees them
    (the matplotlib-free engine is kept by the chart registry, not by hiding imports)."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    local = [f"line {n.lineno}" for f in ast.walk(tree) if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef))
             for n in ast.walk(f) if isinstance(n, ast.ImportFrom) and (n.module or "").startswith("bot")]
    assert local == []


@pytest.mark.parametrize("package", ["bot/reader", "bot/commands", "bot/store", "bot/domain", "bot/render", "bot/engine",
                                     "bot/adapters"])
def test_no_module_of_these_packages_is_over_600_lines(package):
    long = {str(p.relative_to(ROOT)): n for p in sorted((ROOT / package).rglob("*.py"))
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > 600}
    assert long == {}


def engine_back_doors(source: str) -> list[str]:
    """Where a module's `source` reaches for the engine without importing it: a parameter or a
    name called ``engine``, an ``.engine`` attribute, an ``Engine`` annotation (typing.Any hides the
    arrow the import test reads, so it is read here)."""
    tree = ast.parse(source)
    found = []
    for n in ast.walk(tree):
        if isinstance(n, ast.arg) and (n.arg == "engine" or "Engine" in ast.unparse(n.annotation or ast.Constant(""))):
            found.append(f"parameter {n.arg} at line {n.lineno}")
        elif isinstance(n, ast.Attribute) and n.attr == "engine":
            found.append(f"attribute .engine at line {n.lineno}")
        elif isinstance(n, ast.Name) and n.id in ("engine", "Engine"):
            found.append(f"name {n.id} at line {n.lineno}")
    return found


def test_the_back_door_finder_finds_one():
    src = "def f(engine):\n    return engine.handle('x')\nclass C:\n    def __init__(self, e: 'Engine'):\n        self.engine = e\n"
    assert sorted(engine_back_doors(src)) == ["attribute .engine at line 5", "name engine at line 2",
                                              "parameter e at line 4", "parameter engine at line 1"]


def test_nothing_below_the_engine_holds_or_takes_the_engine():
    """Below the engine, nothing takes or keeps the engine: a handler gets a `Context` (and calls
    back only through ``ctx.route``), the chart service needs nothing of it, the scheduler and the
    Arena check get a context from ``Engine.run_due``/``Engine.arena_check``."""
    doors = {m: d for m, p in MODULES.items()
             if layer(m) < LAYERS["bot.engine"] and (d := engine_back_doors(p.read_text(encoding="utf-8")))}
    assert doors == {}
