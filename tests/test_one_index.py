"""One read of the ontology per app: the term index reads the statements once, and the reasoner builds on the
index. What each built before from its own queries (kept in tests/data/former-queries/) must be what it
builds now, on the embedded store and on a real Oxigraph server."""
from __future__ import annotations

from pathlib import Path

import pytest

from hipback.reasoner import Knowledge
from hipback.reasoner.knowledge import annotation_rows, hierarchy_rows
from hipback.store import EmbeddedStore
from hipback.terms import TermIndex

FORMER = Path(__file__).parent / "data" / "former-queries"


def former(store, name: str) -> list[dict]:
    return store.select((FORMER / f"{name}.rq").read_text(encoding="utf-8"))


def as_set(rows, keys) -> set:
    return {tuple(r.get(k) for k in keys) for r in rows}


def test_the_term_index_reads_what_its_own_queries_read(store, index):
    assert as_set(index._named_rows(), ("term", "p", "o")) == as_set(former(store, "term-statements"), ("term", "p", "o"))
    assert as_set(index._subclass_rows(), ("sub", "super", "g")) == as_set(former(store, "term-subclasses"),
                                                                             ("sub", "super", "g"))
    assert as_set(index._term_rows(), ("term", "kind")) == as_set(former(store, "terms"), ("term", "kind"))


def test_the_reasoner_reads_from_the_index_what_its_own_queries_read(store, index):
    old = former(store, "reasoner-annotations")
    assert as_set(annotation_rows(index.statements), ("term", "property", "value")) == as_set(
        old, ("term", "property", "value"))
    assert as_set(hierarchy_rows(index.statements), ("child", "parent")) == as_set(
        former(store, "reasoner-hierarchy"), ("child", "parent"))


def _knowledge_from_former_queries(store) -> Knowledge:
    """The knowledge as it was built before: from the reasoner's own two queries."""
    knowledge = Knowledge(store.version_iri())
    knowledge._load_annotations(former(store, "reasoner-annotations"))
    knowledge._load_hierarchy(former(store, "reasoner-hierarchy"))
    return knowledge


def test_the_compiled_knowledge_is_the_same(store, index):
    now = Knowledge.load(store, index)
    before = _knowledge_from_former_queries(store)
    assert set(now.terms) == set(before.terms)
    for iri, term in before.terms.items():
        other = now.terms[iri]
        assert (other.label, other.alt_labels, other.absence_labels) == (term.label, term.alt_labels,
                                                                          term.absence_labels), iri
        assert {k: sorted(v) for k, v in other.notes.items()} == {k: sorted(v) for k, v in term.notes.items()}, iri
    assert now.ancestors == before.ancestors


def test_the_app_reads_the_ontology_once(app):
    """The reasoner of an app is built on that app's term index: one read of the statements."""
    from hipback.views.support import term_index
    from hipback.views.triage import get_knowledge

    with app.app_context():
        index, knowledge = term_index(), get_knowledge()
    assert index.statements and knowledge.terms
    labels = {st.o for st in index.statements if st.s == knowledge.levels[next(iter(knowledge.levels))].iri}
    assert labels


@pytest.mark.slow
def test_the_same_on_a_remote_store(oxigraph):
    from hipback.store import RemoteStore

    remote = RemoteStore(oxigraph.query_url)
    index = TermIndex.load(remote)
    local = TermIndex.load(EmbeddedStore())
    assert set(index.statements) == set(local.statements)
    assert as_set(annotation_rows(index.statements), ("term", "property", "value")) == as_set(
        former(remote, "reasoner-annotations"), ("term", "property", "value"))


def test_every_source_reads_the_same_in_the_term_api_and_the_reasoner(store, index):
    """terms.Source is the one shape: for every term, the term index and the reasoner give the same JSON."""
    from dataclasses import asdict

    from hipback.reasoner.model import _clean
    from hipback.reasoner.sources import source_of
    from hipback.terms import source_json

    knowledge = Knowledge.load(store, index)
    compared = 0
    for iri, term in index.terms.items():
        if iri in knowledge.terms and term.kind in ("class", "individual"):
            assert source_json(index.source(term)) == _clean(asdict(source_of(knowledge.terms[iri], knowledge))), iri
            compared += 1
    assert compared > 200
