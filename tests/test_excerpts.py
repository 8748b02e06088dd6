"""Every hb:sourceExcerpt appears verbatim in the article (only whitespace is normalised)."""
from __future__ import annotations

import re

import pytest
import rdflib

from hipback import config

HB = rdflib.Namespace("https://w3id.org/hipback/")


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@pytest.fixture(scope="module")
def article() -> str:
    assert config.ARTICLE.exists(), f"the source article is missing: {config.ARTICLE}"
    return normalise(config.ARTICLE.read_text(encoding="utf-8"))


def test_every_excerpt_is_verbatim_in_the_article(source_graph, article):
    excerpts = list(source_graph.subject_objects(HB.sourceExcerpt))
    assert len(excerpts) >= 10, "expected the ontology to quote the article"
    missing = [f"{term}: {str(text)!r}" for term, text in excerpts if normalise(str(text)) not in article]
    assert not missing, "excerpts not found verbatim in the article:\n" + "\n".join(missing)


def test_the_check_can_fail(article):
    assert normalise("Strains and sprains are very common") in article
    assert normalise("Strains  and\n sprains are very common") in article  # whitespace only
    assert normalise("strains and sprains are very common") not in article  # case matters
    assert normalise("Strains and sprains are very rare") not in article
