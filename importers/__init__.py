"""Source-format adapters: one module per extract format.

Each adapter module exposes ``FORMAT`` (its name), ``DESCRIPTION``, ``sniff(head: bytes, name: str)
-> bool`` (cheap content check on the file's first bytes) and ``read(path, source) -> ImportResult``.
The registry in :mod:`finflow.importers.registry` lists them in detection order.

This folder sits at the repository top level and is installed as the package
``finflow.importers`` (``package-dir`` in pyproject.toml), so no generic top-level module name
lands in users' environments.
"""
