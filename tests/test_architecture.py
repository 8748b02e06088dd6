"""ARCHITECTURE.md stays true: every file, folder and function it names exists."""
from __future__ import annotations

import ast
import re

from hipback import config

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


#: the core: what reasons, builds, stores and guards; none of it imports the web framework
CORE = ["hipback.reasoner", "hipback.build", "hipback.owl", "hipback.qc", "hipback.obo", "hipback.store",
        "hipback.terms", "hipback.search", "hipback.fhir", "hipback.codes", "hipback.errors", "hipback.config",
        "hipback.sparql.guard", "hipback.sparql.execute", "hipback.sparql.runner", "hipback.sparql.remote",
        "hipback.sparql.worker", "hipback.sparql.results", "hipback.sparql.negotiation"]


def test_the_core_imports_no_web_framework():
    import subprocess
    import sys

    program = ("import importlib, sys\n"
               f"for name in {CORE!r}: importlib.import_module(name)\n"
               "print(sorted({m.split('.')[0] for m in sys.modules} & {'flask', 'werkzeug', 'flask_cors'}))")
    outcome = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=120)
    assert outcome.returncode == 0, outcome.stderr[-2000:]
    assert outcome.stdout.strip() == "[]", f"the core imports {outcome.stdout.strip()}"


def test_the_sparql_view_asks_its_runner_not_its_class():
    """Both runners (embedded pool, remote store) answer one interface; the view never branches on the class."""
    source = (config.ROOT / "service" / "views" / "sparql.py").read_text(encoding="utf-8")
    assert "isinstance(run" not in source and "runner.Embedded" not in source
    from hipback.sparql import remote, runner

    for method in ("check_query", "run", "update", "close"):
        assert callable(getattr(runner.Embedded, method)) and callable(getattr(remote.Remote, method)), method
    assert runner.Embedded.guards_in_worker is True and remote.Remote.guards_in_worker is False


def test_each_namespace_is_written_once():
    """vocab.py holds the namespaces; no other module of the package spells them out again."""
    from hipback import vocab

    namespaces = [vocab.RDFS, vocab.SKOS, vocab.DCTERMS, vocab.OWL, vocab.OBOINOWL, vocab.ICD10CM, vocab.MESH]
    spelled = []
    for path in sorted((config.ROOT / "service").rglob("*.py")):
        if path.name == "vocab.py":
            continue
        text = path.read_text(encoding="utf-8")
        spelled += [f"{path.relative_to(config.ROOT)}: {ns}" for ns in namespaces if f'"{ns}' in text]
    assert not spelled, spelled


def test_one_text_normaliser():
    """text.py folds text for the reader and for search; no other module folds accents or case on its own."""
    from hipback import text

    sample = "Café İs it’s ﬁne"
    assert len(text.fold(sample)) == len(sample)  # the reader's spans carry over
    assert text.fold("SCIÁTICA it’s") == "sciatica it's"
    assert text.words("  Lumbar  Herniated-Disc! ") == "lumbar herniated disc" and text.words("ﬁne Café") == "fine cafe"
    offenders = []
    for path in sorted((config.ROOT / "service").rglob("*.py")):
        if path.name != "text.py" and "unicodedata.normalize(" in path.read_text(encoding="utf-8"):
            offenders.append(str(path.relative_to(config.ROOT)))
    assert not offenders, offenders
