"""ARCHITECTURE.md stays true: every file, folder and function it names exists."""
from __future__ import annotations

import ast
import re

from service import config

DOC = config.ROOT / "ARCHITECTURE.md"
NAMED = re.compile(r"`((?:service|queries|ontology|bench|tests)/[^`:\s]*)(?::([A-Za-z_][A-Za-z0-9_]*))?`")


def names_in(path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {node.name for node in ast.walk(tree)
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))}


def test_every_module_and_function_the_map_names_exists():
    named = NAMED.findall(DOC.read_text(encoding="utf-8"))
    assert len(named) > 30
    missing = []
    for path, name in named:
        if "*" in path:
            if not list(config.ROOT.glob(path)):
                missing.append(path)
            continue
        target = config.ROOT / path
        if not target.exists():
            missing.append(path)
        elif name and name not in names_in(target):
            missing.append(f"{path}:{name}")
    assert not missing, f"ARCHITECTURE.md names what does not exist: {missing}"


def test_the_map_covers_every_view_and_every_sparql_module():
    text = DOC.read_text(encoding="utf-8")
    for folder in ("service/views", "service/sparql", "service/reasoner"):
        assert f"`{folder}/" in text
    for module in sorted((config.ROOT / "service" / "sparql").glob("*.py")):
        if module.name not in ("__init__.py", "commands.py", "description.py", "results.py", "saved.py"):
            assert f"service/sparql/{module.name}" in text, module.name
