"""The source of a term or rule, in the one source shape of every answer (``terms.Source``): the
document it rests on, its section and excerpts, interpretation, external sources, and where the
sources disagree."""
from __future__ import annotations

from ..terms import Source, SourceDocument, curie


def document_of(term, knowledge=None) -> SourceDocument | None:
    """The document (``dcterms:source``) a term rests on, with its citation, when the knowledge is given."""
    iri = term.note("source")
    if not iri or knowledge is None:
        return None
    doc = knowledge.term(iri)
    return SourceDocument(iri=iri, curie=curie(iri), label=doc.note("title") or doc.label,
                          publisher=doc.note("publisher"), year=doc.note("issued"), url=doc.note("page"),
                          kind=doc.note("kind"), primary=iri.endswith("/SourceArticle"))


def source_of(term, knowledge=None) -> Source:
    return Source(
        document=document_of(term, knowledge),
        section=term.note("section"),
        excerpts=list(term.notes.get("excerpt", [])),
        interpretation=list(term.notes.get("interpretation", [])),
        external=list(term.notes.get("external", [])),
        disagreement=term.note("disagreement"),
    )
