"""SPARQL results writers: JSON, XML, CSV and TSV, from pyoxigraph terms.

The engine's own writers consume its result iterator, so the size cap could not be checked
first; these write rows already counted. Each writer takes the variable names and a list of
rows (a list of terms or None per variable), or a boolean for ASK.
"""
from __future__ import annotations

import csv
import io
import json
import re
from xml.sax.saxutils import escape as _escape
from xml.sax.saxutils import quoteattr as _quoteattr

import pyoxigraph as ox

from ..vocab import XSD_STRING


def _json_term(term) -> dict:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    if isinstance(term, ox.Triple):
        return {
            "type": "triple",
            "value": {
                "subject": _json_term(term.subject),
                "predicate": _json_term(term.predicate),
                "object": _json_term(term.object),
            },
        }
    return {"type": "literal", "value": str(term)}


def write_json(variables: list[str], rows) -> bytes:
    if isinstance(rows, bool):
        return json.dumps({"head": {}, "boolean": rows}).encode()
    bindings = [
        {name: _json_term(term) for name, term in zip(variables, row) if term is not None} for row in rows
    ]
    return json.dumps({"head": {"vars": variables}, "results": {"bindings": bindings}}, ensure_ascii=False).encode()


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


def escape(text: str) -> str:
    """Element text for XML 1.0; a CR is written as a reference so that parsers keep it."""
    return _escape(_checked(text)).replace("\r", "&#13;")


def quoteattr(text: str) -> str:
    return _quoteattr(_checked(text), {"\r": "&#13;"})


def _xml_term(term) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, ox.Literal):
        if term.language:
            return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
        if term.datatype.value != XSD_STRING:
            return f"<literal datatype={quoteattr(term.datatype.value)}>{escape(term.value)}</literal>"
        return f"<literal>{escape(term.value)}</literal>"
    if isinstance(term, ox.Triple):
        return (
            f"<triple><subject>{_xml_term(term.subject)}</subject><predicate>{_xml_term(term.predicate)}"
            f"</predicate><object>{_xml_term(term.object)}</object></triple>"
        )
    return f"<literal>{escape(str(term))}</literal>"


def write_xml(variables: list[str], rows) -> bytes:
    out = ['<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">\n<head>']
    if isinstance(rows, bool):
        out.append("</head>\n<boolean>" + ("true" if rows else "false") + "</boolean>\n</sparql>\n")
        return "".join(out).encode()
    out.extend(f"<variable name={quoteattr(v)}/>" for v in variables)
    out.append("</head>\n<results>\n")
    for row in rows:
        out.append("<result>")
        for name, term in zip(variables, row):
            if term is not None:
                out.append(f"<binding name={quoteattr(name)}>{_xml_term(term)}</binding>")
        out.append("</result>\n")
    out.append("</results>\n</sparql>\n")
    return "".join(out).encode()


def _csv_value(term) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        return "_:" + term.value
    if isinstance(term, (ox.NamedNode, ox.Literal)):
        return term.value
    return str(term)


def write_csv(variables: list[str], rows) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    if isinstance(rows, bool):
        writer.writerow(["_askResult"])
        writer.writerow(["true" if rows else "false"])
    else:
        writer.writerow(variables)
        for row in rows:
            writer.writerow([_csv_value(term) for term in row])
    return buffer.getvalue().encode()


def _tsv_value(term) -> str:
    if term is None:
        return ""
    # str() of a pyoxigraph term is its N-Triples form, which TSV results use.
    return str(term).replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def write_tsv(variables: list[str], rows) -> bytes:
    if isinstance(rows, bool):
        return ("?_askResult\n" + ("true" if rows else "false") + "\n").encode()
    lines = ["\t".join("?" + v for v in variables)]
    lines.extend("\t".join(_tsv_value(term) for term in row) for row in rows)
    return ("\n".join(lines) + "\n").encode()


WRITERS = {"json": write_json, "xml": write_xml, "csv": write_csv, "tsv": write_tsv}
