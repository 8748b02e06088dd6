"""Every sentence of the article is traced to terms, and docs/traceability.md is current."""
import rdflib

from hipback import config, trace

ARTICLE = config.ARTICLE.read_text(encoding="utf-8")


def test_the_article_has_its_five_sections():
    sections = []
    for sentence in trace.article_sentences(ARTICLE):
        if sentence.section not in sections:
            sections.append(sentence.section)
    assert sections == [
        "Hip Pain and Lower Back Pain",
        "Why Do I Have Pain in My Hips and Lower Back?",
        "When Should I Worry About Hip and Back Pain?",
        "How to Fix One-Sided Lower Back and Hip Pain",
        "What Is the Fastest Way to Heal Lower Back and Hip Pain?",
    ]


def test_every_sentence_is_traced_to_a_term():
    graph = rdflib.Graph().parse(config.SOURCE_TTL)
    untraced = [s.text for s in trace.trace(graph, ARTICLE) if not s.terms]
    assert untraced == []


def test_every_red_flag_line_is_traced_to_its_red_flag():
    graph = rdflib.Graph().parse(config.SOURCE_TTL)
    by_text = {s.text: {local for local, _ in s.terms} for s in trace.trace(graph, ARTICLE)}
    assert "Fever" in by_text["Fever or chills"] and "Chills" in by_text["Fever or chills"]
    assert "SuddenHipSwelling" in by_text["Sudden hip swelling"]
    assert "InabilityToMoveHipOrLeg" in by_text["Inability to move your hip or leg"]


def test_an_untraced_sentence_is_reported():
    graph = rdflib.Graph().parse(config.SOURCE_TTL)
    article = ARTICLE + "\nA sentence that no term rests on at all.\n"
    untraced = [s.text for s in trace.trace(graph, article) if not s.terms]
    assert untraced == ["A sentence that no term rests on at all."]


def test_traceability_document_is_current(tmp_path):
    fresh = tmp_path / "traceability.md"
    trace.write(fresh)
    committed = config.ROOT / "docs" / "traceability.md"
    assert committed.read_text(encoding="utf-8") == fresh.read_text(encoding="utf-8"), "run `hipback trace`"
