"""Features stand in layers: a feature imports only the features below it, never one above,
not even inside a function, so there is no circle between them (docs/architecture.md)."""

import ast
from pathlib import Path

import eventapp

# Bottom to top. Each feature may import those before it in this list; the modules at the top of
# the package (the factory, config, extensions, cli) stand apart.
LAYERS = ["core", "mail", "api", "places", "accounts", "gatherings", "partners", "registration",
          "invitations",
          "seating", "surveys", "followup", "materials", "grants", "dialogue", "reporting",
          "documents", "home", "demo"]
ROOT = Path(eventapp.__file__).parent


def feature_imports() -> dict[tuple[str, str], list[str]]:
    """(importing feature, imported feature) -> the modules that make the edge."""
    edges: dict[tuple[str, str], list[str]] = {}
    for path in ROOT.rglob("*.py"):
        parts = path.relative_to(ROOT).with_suffix("").parts
        if len(parts) < 2:  # eventapp/__init__.py, cli.py, config.py, extensions.py
            continue
        here = parts[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            else:
                continue
            for name in names:
                bits = name.split(".")
                if bits[0] == "eventapp" and len(bits) > 1 and bits[1] != here \
                        and (ROOT / bits[1]).is_dir():
                    edges.setdefault((here, bits[1]), []).append(".".join(("eventapp", *parts)))
    return edges


def test_every_feature_has_its_layer():
    features = {p.name for p in ROOT.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert features - {"translations"} == set(LAYERS)


def test_no_feature_imports_one_above_it():
    upward = {f"{a} -> {b}: {sorted(set(mods))[:3]}" for (a, b), mods in feature_imports().items()
              if LAYERS.index(b) > LAYERS.index(a)}
    assert upward == set()
