"""The Cypher query library (``*.cypher``), shipped inside finflow as ``finflow.queries``.

Each file opens with its ``:param`` lines, so it runs as it is in the Neo4j Browser;
:mod:`finflow.neo4j.library` reads the same files for ``finflow query``.
"""
