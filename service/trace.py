"""Traceability between the article and the ontology, both ways.

The article is split into sections (its headings) and sentences; every hb:sourceExcerpt is
found in the sentence(s) it comes from. ``docs/traceability.md`` is written from this, so a
reader can go from any sentence of the article to the terms that rest on it, and from any
term back to its sentence. A test requires every sentence to be covered and the document to
be current.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import rdflib
from rdflib.namespace import RDFS

from . import config, vocab
from .text import spaces

HB = rdflib.Namespace(config.BASE)

@dataclass
class Sentence:
    section: str
    text: str
    terms: list[tuple[str, str]] = field(default_factory=list)  # (local name, label)


_normal = spaces


def article_sentences(article: str) -> list[Sentence]:
    """Sentences of the article with the heading of the section they are in."""
    lines = [line.strip().lstrip("•").strip() for line in article.splitlines()]
    lines = [line for line in lines if line]
    section = lines[0]
    sentences: list[Sentence] = []
    for line in lines[1:]:
        if _is_heading(line):
            section = line
            continue
        for part in re.split(r"(?<=[.!?])\s+(?=[A-Z])", line):
            sentences.append(Sentence(section, _normal(part)))
    return sentences


def _is_heading(line: str) -> bool:
    """The article's five section headings are title-case lines that end in '?' or no punctuation."""
    words = line.split()
    if not words or line.endswith((".", ":", "!")):
        return False
    capitalised = sum(1 for w in words if w[0].isupper())
    return len(words) >= 4 and capitalised >= len(words) - 3 and capitalised / len(words) > 0.6


def excerpts(graph: rdflib.Graph) -> list[tuple[str, str, str]]:
    """(local name, label, excerpt) for every hb:sourceExcerpt in ``graph``."""
    rows = []
    for subject, excerpt in graph.subject_objects(HB.sourceExcerpt):
        if not str(subject).startswith(config.BASE):
            continue
        local = str(subject)[len(config.BASE):]
        label = graph.value(subject, RDFS.label) or local
        rows.append((local, str(label), _normal(str(excerpt))))
    return sorted(rows)


def trace(graph: rdflib.Graph, article: str) -> list[Sentence]:
    """Every sentence of the article with the terms whose excerpts lie in it (or span it)."""
    sentences = article_sentences(article)
    for local, label, excerpt in excerpts(graph):
        for sentence in sentences:
            if excerpt in sentence.text or (len(sentence.text) >= 8 and sentence.text in excerpt):
                if (local, label) not in sentence.terms:
                    sentence.terms.append((local, label))
    return sentences


DCTERMS = rdflib.Namespace(vocab.DCTERMS)
OWL_NS = rdflib.Namespace(vocab.OWL)


def other_sources(graph: rdflib.Graph) -> list[tuple[str, str, list[tuple[str, str]], int]]:
    """(local name, title, [(local, label) of terms resting on it], statements annotated with it) for every
    source other than the article, by title."""
    article = HB.SourceArticle
    rows = []
    for source in sorted(set(graph.subjects(rdflib.RDF.type, DCTERMS.BibliographicResource)) - {article}):
        terms = sorted({(str(t)[len(config.BASE):], str(graph.value(t, RDFS.label) or t))
                        for t in graph.subjects(DCTERMS.source, source)
                        if isinstance(t, rdflib.URIRef) and str(t).startswith(config.BASE)}, key=lambda t: t[1].lower())
        statements = sum(1 for a in graph.subjects(DCTERMS.source, source) if isinstance(a, rdflib.BNode)
                         and (a, OWL_NS.annotatedSource, None) in graph)
        title = str(graph.value(source, DCTERMS.title) or source)
        rows.append((str(source)[len(config.BASE):], title, terms, statements))
    return sorted(rows, key=lambda r: r[1].lower())


def render_markdown(sentences: list[Sentence], others=()) -> str:
    out = [
        "# Traceability: the article, sentence by sentence",
        "",
        "Written by `hipback trace` from `ontology/hipback-edit.ttl` and the source article; do not edit by hand.",
        "Each sentence of the article lists the terms whose `hb:sourceExcerpt` comes from it; each term's page",
        "(`/term/<name>`) shows its excerpts, so the link runs both ways.",
        "",
    ]
    section = None
    for sentence in sentences:
        if sentence.section != section:
            if section is not None:
                out.append("")
            section = sentence.section
            out += [f"## {section}", ""]
        terms = ", ".join(f"[{label}](https://w3id.org/hipback/{local})" for local, label in sorted(sentence.terms, key=lambda t: t[1].lower()))
        out.append(f"- {sentence.text}")
        out.append(f"  - {terms if terms else '**not traced**'}")
    out.append("")
    if others:
        out += ["# Other sources: what rests on each", "",
                "Guidelines, reviews and medicines references, cited and paraphrased (never quoted). Each lists the",
                "terms and rules whose `dcterms:source` it is, and how many single statements (lay phrasings,",
                "definitions, disagreements) carry it as an axiom annotation. `/sources` shows the same.", ""]
        for local, title, terms, statements in others:
            out.append(f"## [{title}](https://w3id.org/hipback/{local})")
            out.append("")
            listed = ", ".join(f"[{label}](https://w3id.org/hipback/{t})" for t, label in terms)
            out.append(f"- terms and rules: {listed or 'none'}")
            out.append(f"- statements: {statements}")
            out.append("")
    return "\n".join(out)


def write(path: Path | None = None, source: Path | None = None, article: Path | None = None) -> list[Sentence]:
    graph = rdflib.Graph().parse(source or config.SOURCE_TTL)
    sentences = trace(graph, (article or config.ARTICLE).read_text(encoding="utf-8"))
    (path or config.ROOT / "docs" / "traceability.md").write_text(render_markdown(sentences, other_sources(graph)),
                                                                 encoding="utf-8")
    return sentences
