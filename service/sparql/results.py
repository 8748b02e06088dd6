"""SPARQL results writers: JSON, XML, CSV and TSV, from pyoxigraph terms, a row at a time.

The engine's own writers consume its result iterator, so the caps on rows and bytes could not
be checked as it goes; these write each row as it is read (``execute.solutions_outcome``), so
the bytes counted are the bytes sent, and a capped answer stops at the row that crosses the cap.
A writer is made for the variable names; ``head``, then ``row`` for each row (a tuple of terms,
None where unbound; each row's text carries its separator), then ``tail``. ``boolean`` writes an
ASK answer.

Terms are written as strings directly (JSON strings by the standard library's C escaper), not
built as objects and encoded afterwards: writing a 60-row join's answer so costs about 0.2 ms more
than the engine's own writer (bench/results/sparql-path.md), and the bytes are what the format's
specification asks, without optional spaces.
"""
from __future__ import annotations

import re
from json.encoder import encode_basestring as _json_string  # quoted and escaped; non-ASCII kept
from xml.sax.saxutils import escape as _escape
from xml.sax.saxutils import quoteattr as _quoteattr

import pyoxigraph as ox

from ..vocab import XSD_STRING

_NAMED, _BLANK, _LITERAL, _TRIPLE = ox.NamedNode, ox.BlankNode, ox.Literal, ox.Triple


# JSON (SPARQL 1.1 Query Results JSON Format) ------------------------------------------------
def _json_term(term) -> str:
    kind = type(term)
    if kind is _NAMED:
        return '{"type":"uri","value":' + _json_string(term.value) + "}"
    if kind is _LITERAL:
        language = term.language
        if language:
            direction = term.direction  # RDF 1.2 base direction, as SPARQL 1.2 results write it
            return ('{"type":"literal","value":' + _json_string(term.value) + ',"xml:lang":' + _json_string(language)
                    + (',"its:dir":' + _json_string(str(direction)) if direction else "") + "}")
        datatype = term.datatype.value
        if datatype != XSD_STRING:
            return '{"type":"literal","value":' + _json_string(term.value) + ',"datatype":' + _json_string(datatype) + "}"
        return '{"type":"literal","value":' + _json_string(term.value) + "}"
    if kind is _BLANK:
        return '{"type":"bnode","value":' + _json_string(term.value) + "}"
    if kind is _TRIPLE:
        return ('{"type":"triple","value":{"subject":' + _json_term(term.subject) + ',"predicate":'
                + _json_term(term.predicate) + ',"object":' + _json_term(term.object) + "}}")
    return '{"type":"literal","value":' + _json_string(str(term)) + "}"


class JsonWriter:
    def __init__(self, variables: list[str]):
        self.variables = variables
        self.keys = [_json_string(v) + ":" for v in variables]
        self.first = True

    def head(self) -> str:
        return '{"head":{"vars":[' + ",".join(_json_string(v) for v in self.variables) + ']},"results":{"bindings":['

    def row(self, row) -> str:
        text = "{" + ",".join(key + _json_term(term) for key, term in zip(self.keys, row) if term is not None) + "}"
        if self.first:
            self.first = False
            return text
        return "," + text

    def tail(self) -> str:
        return "]}}"

    @staticmethod
    def boolean(value: bool) -> str:
        return '{"head":{},"boolean":' + ("true" if value else "false") + "}"


# XML (SPARQL Query Results XML Format, XML 1.0) ----------------------------------------------
#: characters XML 1.0 cannot carry, even as a character reference
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


class NotRepresentable(ValueError):
    """The answer holds a character the format cannot carry; ``char`` is the first one."""

    def __init__(self, char: str):
        super().__init__(f"U+{ord(char):04X}")
        self.char = char


def _checked(text: str) -> str:
    found = _NOT_XML.search(text)
    if found:
        raise NotRepresentable(found.group())
    return text


#: white space at either end of an element's text
_ENDS = re.compile(r"\A[ \t\n]+|[ \t\n]+\Z")


def _references(match: re.Match) -> str:
    return "".join(f"&#{ord(c)};" for c in match.group())


def escape(text: str) -> str:
    """Element text for XML 1.0. A CR, and white space at either end, are written as character references:
    parsers keep those (a bare CR becomes LF in any XML parser, and readers that trim text, Oxigraph's
    among them, would drop the spaces of a literal such as " a ")."""
    return _ENDS.sub(_references, _escape(_checked(text)).replace("\r", "&#13;"))


def quoteattr(text: str) -> str:
    return _quoteattr(_checked(text), {"\r": "&#13;"})


def _xml_term(term) -> str:
    kind = type(term)
    if kind is _NAMED:
        return f"<uri>{escape(term.value)}</uri>"
    if kind is _BLANK:
        return f"<bnode>{escape(term.value)}</bnode>"
    if kind is _LITERAL:
        if term.language:
            direction = (f" its:dir={quoteattr(str(term.direction))} xmlns:its=\"http://www.w3.org/2005/11/its\" "
                         'its:version="2.0"') if term.direction else ""
            return f"<literal xml:lang={quoteattr(term.language)}{direction}>{escape(term.value)}</literal>"
        if term.datatype.value != XSD_STRING:
            return f"<literal datatype={quoteattr(term.datatype.value)}>{escape(term.value)}</literal>"
        return f"<literal>{escape(term.value)}</literal>"
    if kind is _TRIPLE:
        return (
            f"<triple><subject>{_xml_term(term.subject)}</subject><predicate>{_xml_term(term.predicate)}"
            f"</predicate><object>{_xml_term(term.object)}</object></triple>"
        )
    return f"<literal>{escape(str(term))}</literal>"


_XML_HEAD = '<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">\n<head>'


class XmlWriter:
    def __init__(self, variables: list[str]):
        self.variables = variables
        self.names = [f"<binding name={quoteattr(v)}>" for v in variables]

    def head(self) -> str:
        return _XML_HEAD + "".join(f"<variable name={quoteattr(v)}/>" for v in self.variables) + "</head>\n<results>\n"

    def row(self, row) -> str:
        return ("<result>" + "".join(name + _xml_term(term) + "</binding>"
                                     for name, term in zip(self.names, row) if term is not None) + "</result>\n")

    def tail(self) -> str:
        return "</results>\n</sparql>\n"

    @staticmethod
    def boolean(value: bool) -> str:
        return _XML_HEAD + "</head>\n<boolean>" + ("true" if value else "false") + "</boolean>\n</sparql>\n"


# CSV and TSV (SPARQL 1.1 Query Results CSV and TSV Formats) ---------------------------------
def _csv_value(term) -> str:
    if term is None:
        return ""
    kind = type(term)
    if kind is _BLANK:
        return "_:" + term.value
    if kind is _NAMED or kind is _LITERAL:
        return term.value
    return str(term)


_CSV_QUOTED = re.compile('[",\r\n]')


def _csv_field(text: str) -> str:
    """A field as RFC 4180 writes it: quoted (with quotes doubled) when it holds a quote, comma or line end."""
    if _CSV_QUOTED.search(text):
        return '"' + text.replace('"', '""') + '"'
    return text


def _csv_line(fields: list[str]) -> str:
    if len(fields) == 1 and not fields[0]:
        return '""\r\n'  # a lone empty field, quoted so that the line is not read as no field at all
    return ",".join(_csv_field(f) for f in fields) + "\r\n"


class CsvWriter:
    def __init__(self, variables: list[str]):
        self.variables = variables

    def head(self) -> str:
        return _csv_line(self.variables)

    def row(self, row) -> str:
        return _csv_line([_csv_value(term) for term in row])

    def tail(self) -> str:
        return ""

    @staticmethod
    def boolean(value: bool) -> str:
        return "_askResult\r\n" + ("true" if value else "false") + "\r\n"


def _tsv_term(term) -> str:
    if type(term) is _TRIPLE:  # a triple term as RDF 1.2 writes it
        return f"<<( {_tsv_term(term.subject)} {_tsv_term(term.predicate)} {_tsv_term(term.object)} )>>"
    return str(term)  # the N-Triples form of the term, which TSV results use


def _tsv_value(term) -> str:
    if term is None:
        return ""
    return _tsv_term(term).replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


class TsvWriter:
    def __init__(self, variables: list[str]):
        self.variables = variables

    def head(self) -> str:
        return "\t".join("?" + v for v in self.variables) + "\n"

    def row(self, row) -> str:
        return "\t".join(_tsv_value(term) for term in row) + "\n"

    def tail(self) -> str:
        return ""

    @staticmethod
    def boolean(value: bool) -> str:
        return "?_askResult\n" + ("true" if value else "false") + "\n"


WRITERS = {"json": JsonWriter, "xml": XmlWriter, "csv": CsvWriter, "tsv": TsvWriter}
