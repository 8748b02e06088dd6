"""The release build: HermiT on the real source, fresh artifacts, every artifact readable and versioned."""
from __future__ import annotations

import pytest
import rdflib
from rdflib.namespace import OWL, RDF

from hipback import build, config
from hipback.cli import main
from hipback.owl import reason

RDFLIB_FORMATS = {"nt": "nt", "ttl": "turtle", "owl": "xml", "jsonld": "json-ld"}


@pytest.fixture(scope="module")
def version(source_graph):
    ontology = next(source_graph.subjects(RDF.type, OWL.Ontology))
    return ontology, next(source_graph.objects(ontology, OWL.versionIRI))


@pytest.mark.slow
def test_hermit_finds_the_ontology_consistent_with_no_unsatisfiable_class(source_graph):
    result = reason(source_graph)
    assert result.consistent, result.message
    assert result.unsatisfiable == ()
    assert len(result.inferred) > 0


@pytest.mark.slow
def test_committed_artifacts_are_not_stale(runner):
    """`hipback build --check` rebuilds in a temporary directory and compares bytes."""
    outcome = runner.invoke(main, ["build", "--check"])
    assert outcome.exit_code == 0, outcome.output


@pytest.mark.parametrize("name", build.rdf_release_names())
def test_every_artifact_parses_and_carries_the_version_iri(name, version):
    path = config.RELEASE_DIR / name
    graph = rdflib.Graph().parse(path, format=RDFLIB_FORMATS[path.suffix[1:]])
    ontology, version_iri = version
    assert (ontology, OWL.versionIRI, version_iri) in graph
    assert len(graph) > 0


def test_asserted_artifact_is_the_source_with_its_obo_annotations(source_graph):
    """The asserted release is the source plus its OBO annotations, in canonical form (RDFC-1.0 labels, sorted
    lines): the same bytes when written again, so the graphs are the same (an isomorphism check took 90 s)."""
    from hipback import artifacts

    written = (config.RELEASE_DIR / "hipback.nt").read_bytes()
    assert artifacts.ntriples(artifacts.canonical(build.with_obo(source_graph))) == written
    assert len(written.splitlines()) > len(source_graph), "the release adds the OBO synonyms and definitions"


def test_every_release_file_is_listed():
    on_disk = {p.name for p in config.RELEASE_DIR.iterdir() if p.is_file()}
    assert on_disk == set(build.release_names())


def test_reasoned_is_asserted_plus_inferred():
    def lines(name):
        return set((config.RELEASE_DIR / name).read_text(encoding="utf-8").splitlines())

    asserted, inferred, reasoned = lines("hipback.nt"), lines("hipback-inferred.nt"), lines("hipback-reasoned.nt")
    assert reasoned == asserted | inferred
    assert inferred - asserted, "the reasoner inferred nothing new"


@pytest.mark.slow
def test_build_fails_on_an_unsatisfiable_class(runner, tmp_path):
    source = tmp_path / "broken.ttl"
    source.write_text(
        config.SOURCE_TTL.read_text(encoding="utf-8")
        + "\nhb:Impossible a owl:Class ; rdfs:label \"impossible\"@en ;"
        " rdfs:subClassOf hb:Finding , [ a owl:Class ; owl:complementOf hb:Finding ] .\n",
        encoding="utf-8",
    )
    outcome = runner.invoke(main, ["build", "--source", str(source), "--out", str(tmp_path / "out")])
    assert outcome.exit_code != 0
    assert "unsatisfiable" in outcome.output and "Impossible" in outcome.output
    assert not (tmp_path / "out").exists()


def test_build_fails_on_unparsable_source(runner, tmp_path):
    source = tmp_path / "bad.ttl"
    source.write_text("@prefix hb: <https://w3id.org/hipback/> .\nhb:a hb:b .\n", encoding="utf-8")
    outcome = runner.invoke(main, ["build", "--source", str(source), "--out", str(tmp_path / "out")])
    assert outcome.exit_code != 0
    assert "does not parse" in outcome.output


def test_build_refuses_a_source_without_version_iri(tmp_path):
    source = tmp_path / "noversion.ttl"
    source.write_text("<https://w3id.org/hipback/hipback.owl> a <http://www.w3.org/2002/07/owl#Ontology> .\n")
    with pytest.raises(build.BuildError, match="versionIRI"):
        build.build(source, tmp_path / "out")
