"""What OBO tools and mapping tools read: the Ontology Access Kit on every release file and on
/sparql, the SSSOM mapping file checked by sssom-py, and the shipped prefix map."""
from __future__ import annotations

import json
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
import rdflib
from rdflib.namespace import SKOS

from hipback import build, config, obo

RELEASE = config.RELEASE_DIR
HB = config.BASE
DISC = HB + "LumbarHerniatedDisc"
RDF_FILES = build.rdf_release_names()
# the Ontology Access Kit reads .owl with horned-owl and the other suffixes through rdflib
OAK_FILES = [n for n in RDF_FILES if n.endswith((".owl", ".ttl", ".jsonld", ".nt")) and "inferred" not in n]


def _adapter(descriptor: str):
    from oaklib import get_adapter

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return get_adapter(descriptor)


def _search(adapter, text: str) -> list[str]:
    """What `runoak search TEXT` finds (labels and synonyms, as the command line configures it), as IRIs."""
    from oaklib.datamodels.search import create_search_configuration

    return [_iri(adapter, c) for c in adapter.basic_search(text, create_search_configuration(text))]


def _iri(adapter, found: str) -> str:
    """OAK answers a CURIE where it knows the prefix (horned-owl reads it from the file), else the IRI."""
    return found if found.startswith("http") else adapter.curie_to_uri(found)


# -- the release's OBO annotations ---------------------------------------------------------------

def test_every_synonym_and_definition_has_its_obo_twin(source_graph):
    release = rdflib.Graph().parse(RELEASE / "hipback.nt", format="nt")
    for subject, value in source_graph.subject_objects(SKOS.altLabel):
        assert (subject, obo.OIO.hasRelatedSynonym, value) in release, (subject, value)
    for subject, value in source_graph.subject_objects(SKOS.definition):
        if isinstance(subject, rdflib.URIRef):
            assert (subject, obo.IAO_DEFINITION, value) in release, subject


def test_obo_annotations_are_derived_not_edited(source_graph):
    """The source says each synonym once (skos:altLabel); the OBO twin is the build's."""
    assert not list(source_graph.triples((None, obo.OIO.hasRelatedSynonym, None)))
    assert not list(source_graph.triples((None, obo.IAO_DEFINITION, None)))


# -- the Ontology Access Kit --------------------------------------------------------------------

@pytest.mark.slow
@pytest.mark.parametrize("name", OAK_FILES)
def test_oak_finds_terms_by_label_and_synonym_in_every_release_file(name):
    adapter = _adapter(str(RELEASE / name))
    assert DISC in _search(adapter, "slipped disc"), name
    assert DISC in _search(adapter, "lumbar herniated disc"), name
    found = next(c for c in adapter.basic_search("lumbar herniated disc") if _iri(adapter, c) == DISC)
    assert adapter.label(found) == "lumbar herniated disc"
    assert "slipped disc" in set(adapter.entity_aliases(found))


@pytest.mark.slow
def test_oak_reads_definitions_and_mappings_from_the_owl_release():
    adapter = _adapter(str(RELEASE / "hipback.owl"))
    assert adapter.definition("hb:LumbarHerniatedDisc").startswith("Damage to one of the cushion-like discs")
    mappings = set(adapter.simple_mappings_by_curie("hb:LumbarHerniatedDisc"))
    assert ("skos:closeMatch", "icd10cm:M51.26") in mappings


@pytest.mark.slow
def test_runoak_command_line_on_the_owl_release_needs_no_flags():
    runoak = Path(sys.executable).with_name("runoak")
    outcome = subprocess.run([str(runoak), "-i", str(RELEASE / "hipback.owl"), "search", "slipped disc"],
                             capture_output=True, text=True, timeout=300)
    assert outcome.returncode == 0, outcome.stderr[-2000:]
    assert "hb:LumbarHerniatedDisc ! lumbar herniated disc" in outcome.stdout


@pytest.mark.slow
def test_runoak_on_the_sparql_endpoint_finds_labels_and_synonyms(live_server):
    adapter = _adapter(f"sparql:{live_server}/sparql")
    assert DISC in _search(adapter, "slipped disc")
    assert adapter.label(DISC) == "lumbar herniated disc"
    # with the shipped prefix map, CURIEs work too
    context = json.loads((RELEASE / obo.CONTEXT_NAME).read_text(encoding="utf-8"))["@context"]
    adapter.prefix_map()["hb"] = context["hb"]
    assert adapter.label("hb:LumbarHerniatedDisc") == "lumbar herniated disc"


# -- the prefix map -----------------------------------------------------------------------------

def test_prefix_map_covers_every_prefix_the_release_writes():
    import curies

    context = json.loads((RELEASE / obo.CONTEXT_NAME).read_text(encoding="utf-8"))["@context"]
    turtle = (RELEASE / "hipback.ttl").read_text(encoding="utf-8")
    declared = {line.split()[1].rstrip(":") for line in turtle.splitlines() if line.startswith("@prefix")}
    assert declared <= set(context), declared - set(context)
    converter = curies.load_jsonld_context(str(RELEASE / obo.CONTEXT_NAME))
    assert converter.compress(DISC) == "hb:LumbarHerniatedDisc"
    assert converter.expand("hb:LumbarHerniatedDisc") == DISC


# -- SSSOM --------------------------------------------------------------------------------------

def _sssom():
    from sssom.parsers import parse_sssom_table

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return parse_sssom_table(str(RELEASE / obo.SSSOM_NAME))


def test_sssom_file_validates_with_sssom_py():
    from sssom.constants import SchemaValidationType
    from sssom.validators import validate

    msdf = _sssom()
    reports = validate(msdf, [SchemaValidationType.JsonSchema, SchemaValidationType.PrefixMapCompleteness,
                              SchemaValidationType.StrictCurieFormat], fail_on_error=False)
    for kind, report in reports.items():
        assert not report.results, (kind, report.results[:5])


def test_sssom_rows_are_the_ontology_cross_references(source_graph):
    df = _sssom().df
    expected = set()
    for match in obo.MATCHES:
        for subject, code in source_graph.subject_objects(SKOS[match]):
            expected.add((obo._curie(str(subject)), f"skos:{match}", obo._curie(str(code))))
    found = set(zip(df["subject_id"], df["predicate_id"], df["object_id"]))
    assert found == expected
    assert len(df) == len(expected), "no mapping is written twice"
    row = df[(df.subject_id == "hb:LumbarHerniatedDisc") & (df.object_id == "ICD10CM:M51.26")].iloc[0]
    assert row.predicate_id == "skos:closeMatch"
    assert row.object_label.startswith("Other intervertebral disc displacement, lumbar region")
    assert row.mapping_justification == "semapv:ManualMappingCuration"


def test_sssom_says_the_version_of_every_code_system():
    msdf = _sssom()
    df = msdf.df
    versions = dict(zip(df["object_source"], df["object_source_version"]))
    assert versions == {"hb:ICD10CM": "2026-04-01", "hb:HPO": "2025-11-24", "hb:MeSH": "2026"}
    release = build.header(build.load_source()).value(rdflib.URIRef(config.ONTOLOGY_IRI), rdflib.OWL.versionInfo)
    assert str(msdf.metadata["mapping_set_version"]) == str(release)  # sssom-py reads it as a date
    assert msdf.metadata["license"] == "https://creativecommons.org/licenses/by/4.0/"


def test_code_system_versions_agree_with_the_packages_that_ship_them():
    """The version written for each code system is the one the checked package ships."""
    import importlib.resources

    from hipback import codes

    data = importlib.resources.files("simple_icd_10_cm") / "data"
    assert any("April-2026" in p.name for p in data.iterdir())
    assert codes.hpo_version() == "2025-11-24"


def test_sssom_file_is_served_with_the_downloads(client):
    listed = {item["file"]: item for item in client.get("/api/downloads").get_json()["items"]}
    assert listed[obo.SSSOM_NAME]["media_type"] == "text/tab-separated-values"
    assert listed[obo.CONTEXT_NAME]["media_type"] == "application/ld+json"
    answer = client.get(f"/downloads/{obo.SSSOM_NAME}")
    assert answer.status_code == 200
    assert answer.mimetype == "text/tab-separated-values"
    assert answer.data == (RELEASE / obo.SSSOM_NAME).read_bytes()


@pytest.mark.slow
def test_sssom_command_line_validates_the_file():
    sssom = Path(sys.executable).with_name("sssom")
    outcome = subprocess.run([str(sssom), "validate", str(RELEASE / obo.SSSOM_NAME)], capture_output=True, text=True,
                             timeout=300)
    said = outcome.stdout + outcome.stderr
    assert outcome.returncode == 0 and "not well-formed" not in said and "rror" not in said, said[-2000:]


def test_sssom_command_line_reports_a_broken_row(tmp_path):
    """The check above can fail: sssom-py drops a malformed row with a message (its exit code stays 0)."""
    sssom = Path(sys.executable).with_name("sssom")
    broken = tmp_path / "broken.sssom.tsv"
    broken.write_text((RELEASE / obo.SSSOM_NAME).read_text(encoding="utf-8").replace(
        "\tskos:exactMatch\t", "\tnot a predicate\t", 1), encoding="utf-8")
    outcome = subprocess.run([str(sssom), "validate", str(broken)], capture_output=True, text=True, timeout=300)
    assert "not well-formed" in outcome.stdout + outcome.stderr


def test_term_answers_do_not_repeat_the_obo_twins(client):
    """The release's oboInOwl synonyms and IAO definitions mirror SKOS: the term API shows them once."""
    data = client.get("/api/terms/LumbarHerniatedDisc").get_json()
    assert "slipped disc" in data["synonyms"] and data["definition"]
    shown = {a["property"]["iri"] for a in data["annotations"]}
    assert not shown & {str(obo.OIO.hasRelatedSynonym), str(obo.IAO_DEFINITION)}
