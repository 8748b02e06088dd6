"""docs/ontology.md names every triage rule of the ontology, with its level."""
import re

import rdflib

from hipback import config

HB = rdflib.Namespace(config.BASE)
DOC = (config.ROOT / "docs" / "ontology.md").read_text(encoding="utf-8")


def rules():
    graph = rdflib.Graph().parse(config.SOURCE_TTL)
    return {
        str(rule)[len(config.BASE):]: str(graph.value(level, HB.urgencyCode))
        for rule, level in graph.subject_objects(HB.assignsUrgency)
    }


def test_every_rule_is_documented_with_its_level():
    found = rules()
    assert len(found) >= 8
    for local, level in found.items():
        row = next((line for line in DOC.splitlines() if line.startswith(f"| `hb:{local}`")), None)
        assert row is not None, f"hb:{local} missing from docs/ontology.md"
        assert level.replace("_", " ") in row, f"hb:{local} row does not say its level {level}"


def test_documented_rules_exist():
    rules_section = DOC.split("## The triage rules", 1)[1].split("\n## ", 1)[0]
    documented = set(re.findall(r"^\| `hb:(\w+)`", rules_section, re.M))
    assert documented == set(rules())
