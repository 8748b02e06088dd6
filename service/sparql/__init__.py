"""The SPARQL 1.1 endpoint, one idea per module, in the order a request meets them.

- ``protocol``: read a query or update request per the SPARQL 1.1 Protocol
- ``negotiation``: media-type tables per query form and the ``Accept`` q-value parser
- ``guard``: what a query may do (``SERVICE`` allow-list, no ``LOAD``), from the parsed query
- ``execute``: run one query on a pyoxigraph store and serialize the answer, size-capped
- ``results``: the SPARQL results writers (JSON, XML, CSV, TSV)
- ``runner``: bounded execution in worker processes that can be killed on timeout
- ``remote``: the same contract against a SPARQL server given by URL
- ``description``: the service description and the VoID description of the dataset
- ``saved``: the saved queries of ``queries/*.rq``
- ``commands``: ``hipback load`` and ``hipback query``
"""
