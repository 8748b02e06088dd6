"""The source of a term or rule: the document it rests on, its section and excerpts, interpretation,
external source, and where the sources disagree."""
from __future__ import annotations

from .model import Source, SourceDocument

_DOCUMENTS: dict = {}


def document_of(term, knowledge=None) -> SourceDocument | None:
    """The document (``dcterms:source``) a term rests on, with its citation, when the knowledge is given."""
    iri = term.note("source")
    if not iri or knowledge is None:
        return None
    doc = knowledge.term(iri)
    return SourceDocument(iri=iri, title=doc.note("title") or doc.label, publisher=doc.note("publisher"),
                          year=doc.note("issued"), url=doc.note("page"), kind=doc.note("kind"),
                          primary=iri.endswith("/SourceArticle"))


def source_of(term, knowledge=None) -> Source:
    return Source(
        section=term.note("section"),
        excerpt=list(term.notes.get("excerpt", [])),
        interpretation=term.note("interpretation"),
        external_source=term.note("external"),
        document=document_of(term, knowledge),
        disagreement=term.note("disagreement"),
    )
