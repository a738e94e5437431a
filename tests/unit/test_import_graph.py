"""The arrows between the packages of api/ and web/ point one way (docs/decisions.md, "Layout").

Every import in api/ and web/ is read from the source (those inside functions too, so a late
import cannot hide an arrow) and checked against the layers below, lowest first. A module may
import from its own layer and the layers below it; two packages of one layer may import each
other only one way round (a cycle fails).

The doors (each domain's `router` module, the shared dependencies in api/deps.py, and web/) sit
above every domain, because they call the domains; the application assembly and the commands sit
on top. `access` sits above the registry, whose memberships it reads, and above audit, which
records its refusals; `authz` (the rules on facts already known) stays at the bottom with core.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

LAYERS: list[tuple[str, set[str]]] = [
    ("core", {"api.core"}),
    ("rules", {"api.authz"}),
    ("audit", {"api.audit"}),
    ("registry", {"api.registry", "api.auth"}),
    ("access", {"api.access"}),
    ("mail", {"api.mail"}),  # the outbox and its sender: the domains put their messages in it
    ("search", {"api.search"}),
    ("meetings", {"api.meetings"}),
    ("outcomes and indicators", {"api.outcomes", "api.indicators"}),
    ("dashboards", {"api.dashboards"}),
    ("privacy", {"api.privacy"}),  # composes every domain's part; both doors call it
    ("doors", {"api.deps", "web"}),  # plus every api.<domain>.router, see `unit`
    ("top", {"api.main", "api.requestcontext", "api.router", "api.cli", "api.backup", "api.demo", "api.openapi",
             "api.docs", "api.health",
             "api.models"}),
]
RANK = {unit: rank for rank, (_, units) in enumerate(LAYERS) for unit in units}
DOORS = next(rank for rank, (name, _) in enumerate(LAYERS) if name == "doors")


def _module_of(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_module(name: str) -> bool:
    path = ROOT.joinpath(*name.split("."))
    return path.with_suffix(".py").exists() or path.is_dir()


def unit(module: str) -> str | None:
    """What a module counts as: `web` for all of web/; each domain's router on its own (a door),
    a router package with all its modules (api.meetings.router.agenda -> api.meetings.router);
    otherwise the package or top module under api/ (api.meetings.service -> api.meetings)."""
    parts = module.split(".")
    if parts[0] == "web":
        return "web"
    if parts[0] != "api" or len(parts) < 2:
        return None
    if len(parts) >= 3 and parts[2] == "router":
        return ".".join(parts[:3])
    return ".".join(parts[:2])


def rank(of: str) -> int:
    if of.startswith("api.") and of.endswith(".router") and of.count(".") == 2:
        return DOORS
    return RANK[of]


def _imports(path: Path, module: str) -> set[str]:
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            found.add(base)
            # `from api import access`: the names may be modules themselves.
            found.update(f"{base}.{alias.name}" for alias in node.names if _is_module(f"{base}.{alias.name}"))
    return found


def graph() -> dict[str, dict[str, set[str]]]:
    """{importing unit: {imported unit: {"module -> module", ...}}} over api/ and web/."""
    edges: dict[str, dict[str, set[str]]] = {}
    for top in ("api", "web"):
        for path in sorted((ROOT / top).rglob("*.py")):
            module = _module_of(path)
            source = unit(module)
            for name in _imports(path, module):
                target = unit(name)
                if source and target and target != source and _is_module(name):
                    edges.setdefault(source, {}).setdefault(target, set()).add(f"{module} -> {name}")
    return edges


def _cycles(edges: dict[str, dict[str, set[str]]]) -> list[list[str]]:
    """Strongly connected components of more than one unit (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for other in edges.get(node, {}):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                other = stack.pop()
                component.append(other)
                if other == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def test_every_package_has_a_layer():
    units = {unit(_module_of(path)) for top in ("api", "web") for path in (ROOT / top).rglob("*.py")}
    unplaced = sorted(u for u in units if u and u != "api" and not (u.endswith(".router") or u in RANK))
    assert not unplaced, f"place these in LAYERS (and in the README's picture): {unplaced}"


def test_no_import_cycle_between_packages():
    edges = graph()
    cycles = _cycles(edges)
    detail = [f"{' <-> '.join(c)}: " + "; ".join(sorted(m for a in c for b in c for m in edges.get(a, {}).get(b, ())))
              for c in cycles]
    assert not cycles, "\n".join(detail)


def test_imports_point_down_the_layers():
    against = sorted(
        f"{line} ({LAYERS[rank(source)][0]} imports {LAYERS[rank(target)][0]})"
        for source, targets in graph().items() if source in RANK or source.endswith(".router")
        for target, lines in targets.items() if (target in RANK or target.endswith(".router"))
        and rank(target) > rank(source)
        for line in lines
    )
    assert not against, "\n".join(against)
