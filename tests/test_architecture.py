"""The package's architecture, checked on the source with ``ast`` (nothing is imported).

* layering: core < lattice < models < backends < normal < meanfield < topology < spectroscopy <
  correlations < impurities < junctions < experiment < workflows < plotting < cli; a module imports (at module level or inside a function)
  only modules of its own or a lower layer.  The top-level ``isingsc/__init__.py`` is the public
  facade: it imports the core eagerly and anything else lazily, never the command line;
* no import cycles between modules (package ``__init__`` re-exports are edges from the package to
  its modules; a module importing a name from its own package's ``__init__`` is an edge to it);
* no library module imports :mod:`isingsc.cli`;
* the library leaves global matplotlib state alone: no ``matplotlib.use``, no ``rcParams``
  assignment or update, no pyplot; ``rc_context`` only inside :mod:`isingsc.plotting.style`;
* the tests use public names of isingsc only (no ``from isingsc... import _x``, no private modules,
  no ``obj._x`` on objects that come from isingsc).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "isingsc"
TESTS = ROOT / "tests"
LAYERS = ("core", "lattice", "models", "backends", "normal", "meanfield", "topology", "channels", "spectroscopy",
          "correlations", "impurities", "junctions", "experiment", "workflows", "plotting", "cli")
FACADE = "isingsc"


# ------------------------------------------------------------------ the source as data
def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _parse(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


MODULES: dict[str, Path] = {module_name(p): p for p in sorted(SRC.rglob("*.py")) if "__pycache__" not in p.parts}
PACKAGES = {name for name, p in MODULES.items() if p.name == "__init__.py"}


def layer_of(module: str) -> int | None:
    """Index of the layer of ``module`` (None for the facade ``isingsc`` itself)."""
    parts = module.split(".")
    if parts == [FACADE]:
        return None
    if parts[0] != FACADE or parts[1] not in LAYERS:
        raise AssertionError(f"{module}: not in any layer {LAYERS} (add it to the layering or move it)")
    return LAYERS.index(parts[1])


@dataclass(frozen=True)
class Import:
    source: str      # importing module
    target: str      # imported module (a module of isingsc, or an external one)
    line: int
    toplevel: bool   # at module level (not inside a function or class body)
    names: tuple     # names imported from target (from-imports)

    def where(self) -> str:
        return f"{MODULES[self.source].relative_to(ROOT)}:{self.line}"


def _absolute(source: str, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    package = source if source in PACKAGES else source.rpartition(".")[0]
    base = package.split(".")
    if node.level > 1:
        base = base[:-(node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def imports_of(source: str) -> list[Import]:
    """Every import statement of a module, with the isingsc modules it loads.

    ``from pkg import name`` is an import of the submodule ``pkg.name`` when that is a module, else of
    ``pkg`` itself (its ``__init__``, which defines or re-exports ``name``).
    """
    tree = _parse(MODULES[source])
    out = []
    toplevel_ids = {id(n) for n in tree.body}
    # module level = not nested in a def/class; statements inside module-level if/try count as module level
    nested = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            for child in ast.walk(node):
                if child is not node:
                    nested.add(id(child))
    del toplevel_ids
    for node in ast.walk(tree):
        top = id(node) not in nested
        if isinstance(node, ast.Import):
            for alias in node.names:
                out.append(Import(source, alias.name, node.lineno, top, ()))
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(source, node)
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                if sub in MODULES:
                    out.append(Import(source, sub, node.lineno, top, ()))
                else:
                    out.append(Import(source, base, node.lineno, top, (alias.name,)))
    return out


ALL_IMPORTS = [imp for name in MODULES for imp in imports_of(name)]
INTERNAL = [imp for imp in ALL_IMPORTS if imp.target == FACADE or imp.target.startswith(FACADE + ".")]


def test_every_module_is_in_a_layer():
    for name in MODULES:
        layer_of(name)
    for imp in INTERNAL:
        assert imp.target in MODULES, f"{imp.where()}: imports {imp.target}, which is not a module of isingsc"


# ------------------------------------------------------------------ (i) layering
def test_no_module_imports_a_higher_layer():
    violations = []
    for imp in INTERNAL:
        src, dst = layer_of(imp.source), layer_of(imp.target)
        if src is None:  # the facade: checked below
            continue
        if dst is None:
            violations.append(f"{imp.where()}: {imp.source} ({LAYERS[src]}) imports the facade 'isingsc' "
                              "(import the module that defines the name instead)")
        elif dst > src:
            violations.append(f"{imp.where()}: {imp.source} ({LAYERS[src]}) imports {imp.target} ({LAYERS[dst]})"
                              + ("" if imp.toplevel else " inside a function"))
    assert not violations, "layering violations:\n" + "\n".join(violations)


def test_the_facade_imports_the_core_eagerly_and_the_rest_lazily():
    """``import isingsc`` stays light; the lazily imported names point at library modules, never the CLI."""
    eager = [imp for imp in INTERNAL if imp.source == FACADE and imp.toplevel]
    heavy = [f"{imp.where()}: {imp.target}" for imp in eager if layer_of(imp.target) != LAYERS.index("core")]
    assert not heavy, "the facade imports beyond the core at import time:\n" + "\n".join(heavy)
    lazy = []
    for node in ast.walk(_parse(MODULES[FACADE])):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.startswith(FACADE + "."):
            lazy.append(node.value)
    assert lazy, "the facade names no lazily imported modules"
    for target in lazy:
        assert target in MODULES, f"the facade names {target}, which is not a module"
        assert layer_of(target) != LAYERS.index("cli"), f"the facade imports the command line ({target})"


# ------------------------------------------------------------------ (ii) no cycles
def _graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {name: set() for name in MODULES}
    for imp in INTERNAL:
        if imp.target != imp.source:
            graph[imp.source].add(imp.target)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan), each listed once."""
    index, low, stack, on_stack, out = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_no_import_cycles():
    graph = _graph()
    cycles = _cycles(graph)
    lines = []
    for comp in cycles:
        edges = [f"    {imp.where()}: {imp.source} -> {imp.target}" for imp in INTERNAL
                 if imp.source in comp and imp.target in comp and imp.source != imp.target]
        lines.append("cycle among " + ", ".join(comp) + ":\n" + "\n".join(edges))
    assert not cycles, "\n".join(lines)


def test_the_cycle_finder_finds_cycles():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


# ------------------------------------------------------------------ (iii) the CLI is on top
def test_no_library_module_imports_the_cli():
    bad = [f"{imp.where()}: {imp.source} imports {imp.target}" for imp in INTERNAL
           if not imp.source.startswith("isingsc.cli") and imp.target.startswith("isingsc.cli")]
    assert not bad, "\n".join(bad)


# ------------------------------------------------------------------ (iv) global matplotlib state
def _matplotlib_problems(name: str) -> list[str]:
    path = MODULES[name]
    tree = _parse(path)
    where = lambda node: f"{path.relative_to(ROOT)}:{node.lineno}"  # noqa: E731
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            attr, base = node.func.attr, node.func.value
            base_name = base.id if isinstance(base, ast.Name) else getattr(base, "attr", "")
            if attr == "use" and base_name in ("matplotlib", "mpl"):
                out.append(f"{where(node)}: matplotlib.use(...)")
            if base_name == "rcParams" and attr in ("update", "__setitem__", "setdefault", "clear", "pop"):
                out.append(f"{where(node)}: rcParams.{attr}(...)")
            if attr in ("rc", "rcdefaults", "rc_file", "style_use") and base_name in ("matplotlib", "mpl", "plt"):
                out.append(f"{where(node)}: {base_name}.{attr}(...)")
            if attr == "use" and base_name == "style":
                out.append(f"{where(node)}: style.use(...)")
            if attr == "rc_context" and name != "isingsc.plotting.style":
                out.append(f"{where(node)}: rc_context outside isingsc.plotting.style")
        if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for t in targets:
                for sub in ast.walk(t):
                    if (isinstance(sub, ast.Attribute) and sub.attr == "rcParams") or \
                            (isinstance(sub, ast.Name) and sub.id == "rcParams"):
                        out.append(f"{where(node)}: rcParams assignment")
        if isinstance(node, ast.Name) and node.id == "rc_context" and name != "isingsc.plotting.style":
            out.append(f"{where(node)}: rc_context outside isingsc.plotting.style")
    for imp in imports_of(name):
        if imp.target == "matplotlib.pyplot" or (imp.target == "matplotlib" and "pyplot" in imp.names):
            out.append(f"{imp.where()}: imports matplotlib.pyplot")
        if imp.target == "matplotlib" and "rcParams" in imp.names:
            out.append(f"{imp.where()}: imports matplotlib.rcParams")
    return out


def test_library_leaves_global_matplotlib_state_alone():
    problems = [p for name in MODULES for p in _matplotlib_problems(name)]
    assert not problems, "\n".join(problems)


def test_the_style_is_a_context():
    tree = _parse(MODULES["isingsc.plotting.style"])
    calls = {n.func.attr for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)}
    assert "rc_context" in calls


# ------------------------------------------------------------------ (v) tests use public names
def _is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _root_name(node) -> str | None:
    """The Name at the root of an attribute/call/subscript chain (``a`` of ``a.b(c)[d].e``)."""
    while True:
        if isinstance(node, ast.Name):
            return node.id
        if isinstance(node, (ast.Attribute, ast.Subscript)):
            node = node.value
        elif isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Await):
            node = node.value
        else:
            return None


def _bound_names(target) -> list[str]:
    return [n.id for n in ast.walk(target) if isinstance(n, ast.Name)]


def private_uses(source: str, filename: str = "<test>") -> list[str]:
    """Private isingsc names used by the test module ``source`` (the heuristic of this test).

    Names bound by ``import isingsc...`` / ``from isingsc... import x`` are tainted; so is every name
    assigned (``=``, ``for``, ``with ... as``, walrus) from an expression whose root is tainted, to a
    fixed point.  Flagged: ``from isingsc... import _x``, private module paths (``isingsc.a._b``),
    ``tainted...._x`` attribute access, and ``setattr/getattr/hasattr/delattr`` and
    ``monkeypatch.setattr`` with a tainted object and a private attribute name.
    """
    tree = ast.parse(source, filename=filename)
    out = []
    tainted: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == FACADE or alias.name.startswith(FACADE + "."):
                    if any(_is_private(p) for p in alias.name.split(".")):
                        out.append(f"{filename}:{node.lineno}: imports private module {alias.name}")
                    tainted.add(alias.asname or alias.name.split(".")[0])
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            if node.module == FACADE or node.module.startswith(FACADE + "."):
                if any(_is_private(p) for p in node.module.split(".")):
                    out.append(f"{filename}:{node.lineno}: imports from private module {node.module}")
                for alias in node.names:
                    if _is_private(alias.name):
                        out.append(f"{filename}:{node.lineno}: from {node.module} import {alias.name}")
                    tainted.add(alias.asname or alias.name)
    assignments = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            assignments += [(t, node.value) for t in node.targets]
        elif isinstance(node, (ast.AnnAssign, ast.AugAssign, ast.NamedExpr)) and node.value is not None:
            assignments.append((node.target, node.value))
        elif isinstance(node, (ast.For, ast.AsyncFor, ast.comprehension)):
            assignments.append((node.target, node.iter))
        elif isinstance(node, (ast.With, ast.AsyncWith)):
            assignments += [(i.optional_vars, i.context_expr) for i in node.items if i.optional_vars is not None]

    def expression_tainted(value) -> bool:
        return any(_root_name(n) in tainted for n in ast.walk(value)
                   if isinstance(n, (ast.Name, ast.Attribute, ast.Call, ast.Subscript)))

    changed = True
    while changed:
        changed = False
        for target, value in assignments:
            if expression_tainted(value):
                new = set(_bound_names(target)) - tainted
                if new:
                    tainted |= new
                    changed = True
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and _is_private(node.attr) and _root_name(node.value) in tainted:
            out.append(f"{filename}:{node.lineno}: private attribute .{node.attr} of an isingsc object")
        if isinstance(node, ast.Call) and len(node.args) >= 2 and isinstance(node.args[1], ast.Constant) \
                and isinstance(node.args[1].value, str) and _is_private(node.args[1].value):
            func = node.func
            fname = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            if fname in ("setattr", "getattr", "hasattr", "delattr", "delitem") and \
                    _root_name(node.args[0]) in tainted:
                out.append(f"{filename}:{node.lineno}: {fname}(..., {node.args[1].value!r}) on an isingsc object")
    return out


def test_the_private_name_heuristic():
    code = (
        "import isingsc.backends.cpu as K\n"
        "from isingsc.backends import LinearNambu, _hidden\n"
        "from isingsc.experiment._roots import thing\n"
        "op = LinearNambu.from_model(m, k)\n"
        "x = op._shift(1)\n"
        "y = op.perturbation(1)\n"
        "z = K._BLOCK\n"
        "w = K.__name__\n"
        "def f(monkeypatch):\n"
        "    monkeypatch.setattr(K, '_BACKEND', None)\n"
        "    monkeypatch.setattr(K, 'BLOCK_SIZE', 64)\n"
        "    other._private = 1\n"
        "for item in K.things():\n"
        "    item._x\n"
    )
    found = private_uses(code)
    assert len(found) == 6, found
    for needle in ("_hidden", "_roots", "._shift", "._BLOCK", "'_BACKEND'", "._x"):
        assert any(needle in f for f in found), needle


@pytest.mark.parametrize("path", sorted(p for p in TESTS.rglob("*.py") if p.name != Path(__file__).name),
                         ids=lambda p: str(p.relative_to(TESTS)))
def test_tests_use_public_names_only(path):
    found = private_uses(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)))
    assert not found, "\n".join(found)
