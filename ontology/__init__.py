"""The ontology's files as package data of ``hipback.ontology`` (importlib.resources): the
hand-edited source, hipback-edit.ttl, and the release files built from it, release/."""
