"""The SPARQL files as package data of ``hipback.queries`` (importlib.resources): the saved
queries for researchers (*.rq), the service's own queries (app/) and the QC checks (qc/)."""
